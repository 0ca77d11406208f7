"""The archive: every post grouped by year and month of its date in the site's time zone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from transmit.site.entry import Entry


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int
    entries: tuple[Entry, ...]

    @property
    def anchor(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class Year:
    year: int
    months: tuple[Month, ...]

    @property
    def count(self) -> int:
        return sum(len(month.entries) for month in self.months)


def group_by_month(entries: Sequence[Entry], zone: ZoneInfo) -> tuple[Year, ...]:
    """Newest year and month first; within a month the order of `entries` is kept."""
    months: dict[tuple[int, int], list[Entry]] = {}
    for entry in entries:
        local = entry.post.date.astimezone(zone)
        months.setdefault((local.year, local.month), []).append(entry)
    years: dict[int, list[Month]] = {}
    for (year, month), members in sorted(months.items(), reverse=True):
        years.setdefault(year, []).append(Month(year, month, tuple(members)))
    return tuple(Year(year, tuple(members)) for year, members in years.items())
