"""The archive groups posts by year and month in the site's time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from tests.site.records import make_entry
from transmit.site.archives import group_by_month


def test_years_and_months_newest_first_in_the_site_zone() -> None:
    entries = [
        make_entry("c", "2026-03-02"),
        make_entry("b", "2026-03-01"),
        make_entry("a", "2026-01-15"),
        make_entry("z", "2025-12-31 23:30"),  # +08:00: still 2025 in Shanghai, 2025 in UTC too
        make_entry("y", "2025-01-01 07:00"),  # +08:00: 2024-12-31 in UTC
    ]
    shanghai = group_by_month(entries, ZoneInfo("Asia/Shanghai"))
    assert [(y.year, [(m.month, len(m.entries)) for m in y.months]) for y in shanghai] == [
        (2026, [(3, 2), (1, 1)]),
        (2025, [(12, 1), (1, 1)]),
    ]
    assert [e.post.slug for e in shanghai[0].months[0].entries] == ["c", "b"]
    assert shanghai[0].count == 3 and shanghai[0].months[0].anchor == "2026-03"
    utc = group_by_month(entries, ZoneInfo("UTC"))
    assert [y.year for y in utc] == [2026, 2025, 2024]


def test_no_posts_no_years() -> None:
    assert group_by_month([], ZoneInfo("UTC")) == ()
