from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from transmit.content.dates import DateFormatError, date_from_file_name, parse_date

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-11", datetime(2026, 1, 11, tzinfo=SHANGHAI)),
        ("2026-01-11 20:15", datetime(2026, 1, 11, 20, 15, tzinfo=SHANGHAI)),
        ("2026-01-11 20:15:09", datetime(2026, 1, 11, 20, 15, 9, tzinfo=SHANGHAI)),
        ("2019-3-7 9:05:00", datetime(2019, 3, 7, 9, 5, tzinfo=SHANGHAI)),
        ("2019/03/07", datetime(2019, 3, 7, tzinfo=SHANGHAI)),
        ("2026-01-11T20:15:00", datetime(2026, 1, 11, 20, 15, tzinfo=SHANGHAI)),
        ("2026-01-11T20:15:00.250", datetime(2026, 1, 11, 20, 15, 0, 250000, tzinfo=SHANGHAI)),
        ("  2026-01-11  ", datetime(2026, 1, 11, tzinfo=SHANGHAI)),
    ],
)
def test_naive_dates_are_in_the_site_zone(text: str, expected: datetime) -> None:
    parsed = parse_date(text, SHANGHAI)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2026-01-11T20:15:00+08:00", timedelta(hours=8)),
        ("2026-01-11T20:15:00Z", timedelta(0)),
        ("2026-01-11 20:15:00 -0500", timedelta(hours=-5)),
        ("2026-01-11T20:15:00+0530", timedelta(hours=5, minutes=30)),
        ("2026-01-11 20:15 +09", timedelta(hours=9)),
    ],
)
def test_an_offset_wins_over_the_site_zone(text: str, offset: timedelta) -> None:
    parsed = parse_date(text, NEW_YORK)
    assert parsed.utcoffset() == offset
    assert (parsed.hour, parsed.minute) == (20, 15)


def test_late_evening_stays_on_its_day_whatever_the_machine_zone() -> None:
    parsed = parse_date("2026-01-09 23:30", SHANGHAI)
    assert parsed.astimezone(SHANGHAI).date() == date(2026, 1, 9)
    assert parsed.astimezone(UTC).date() == date(2026, 1, 9)
    assert parsed.astimezone(UTC).hour == 15


def test_yaml_and_toml_objects_are_accepted() -> None:
    assert parse_date(date(2026, 1, 11), SHANGHAI) == datetime(2026, 1, 11, tzinfo=SHANGHAI)
    aware = datetime(2026, 1, 11, 8, tzinfo=timezone(timedelta(hours=2)))
    assert parse_date(aware, SHANGHAI) is aware
    naive = datetime(2026, 1, 11, 8)
    assert parse_date(naive, SHANGHAI).utcoffset() == timedelta(hours=8)


def test_daylight_saving_offsets_follow_the_date() -> None:
    winter = parse_date("2026-01-15 12:00", NEW_YORK)
    summer = parse_date("2026-07-15 12:00", NEW_YORK)
    assert winter.utcoffset() == timedelta(hours=-5)
    assert summer.utcoffset() == timedelta(hours=-4)


def test_a_time_in_the_spring_gap_moves_forward() -> None:
    # 2026-03-08 02:30 does not exist in New York: clocks jump from 02:00 to 03:00
    parsed = parse_date("2026-03-08 02:30", NEW_YORK)
    assert parsed.utcoffset() == timedelta(hours=-4)
    assert (parsed.hour, parsed.minute) == (3, 30)


def test_an_ambiguous_autumn_time_takes_the_first() -> None:
    parsed = parse_date("2026-11-01 01:30", NEW_YORK)
    assert parsed.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-301",
        "2026-13-45",
        "yesterday",
        "2026-02-30",
        "2026-01-11 25:00",
        "11/01/2026",
        "",
        "2026-01-11 20:61",
        "2026-01-11T10:00:00+25:00",
    ],
)
def test_not_a_date_is_reported(text: str) -> None:
    with pytest.raises(DateFormatError, match="YYYY-MM-DD"):
        parse_date(text, SHANGHAI)


@pytest.mark.parametrize("value", [20260111, 3.5, ["2026-01-11"], True])
def test_non_text_values_are_reported(value: object) -> None:
    with pytest.raises(DateFormatError):
        parse_date(value, SHANGHAI)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2017-07-08-title", date(2017, 7, 8)),
        ("2017-7-8_title", date(2017, 7, 8)),
        ("title", None),
        ("2017-13-08-title", None),
        ("0079", None),
    ],
)
def test_dates_in_file_names(name: str, expected: date | None) -> None:
    parsed = date_from_file_name(name, SHANGHAI)
    assert (parsed.date() if parsed else None) == expected


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "9999-12-31 23:59",
        "9999-12-31T23:59:59-12:00",
        date(1, 1, 1),
        datetime(9999, 12, 31, 23, 0),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_overflowing(value: object) -> None:
    with pytest.raises(DateFormatError, match="outside the years transmit can use"):
        parse_date(value, SHANGHAI)


def test_a_time_of_day_alone_is_not_a_date() -> None:
    from datetime import time

    with pytest.raises(DateFormatError, match="'07:30:00' is a time of day without a date"):
        parse_date(time(7, 30), SHANGHAI)


def test_a_long_padded_value_is_rejected_quickly_and_shown_short() -> None:
    with pytest.raises(DateFormatError) as caught:
        parse_date("2026-01-01" + " " * 100_000 + "x", SHANGHAI)
    assert len(str(caught.value)) < 300


def test_a_file_name_at_the_end_of_the_calendar_gives_no_date() -> None:
    assert date_from_file_name("0001-01-01-start.md", SHANGHAI) is None
    assert date_from_file_name("9999-12-31-end.md", SHANGHAI) is None
