"""Dates as writers type them, made time-zone aware: no offset means the site's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

_DATE_TIME = re.compile(
    r"""^\s*
    (?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})
    (?:
        (?:[Tt]|\s+)
        (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?
    )?
    \s*(?P<offset>[Zz]|(?:UTC|GMT)?[+-]\d{2}(?::?\d{2})?)?
    \s*$""",
    re.VERBOSE,
)
_FILE_NAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[-_ ]")

DATE_HINT = "use YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or ISO 8601 such as 2026-01-11T20:15:00+08:00"


class DateFormatError(ValueError):
    """The value is not a date; the message says why in the writer's terms."""


def _offset(text: str) -> tzinfo:
    if text in ("Z", "z"):
        return UTC
    text = text.removeprefix("UTC").removeprefix("GMT")
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise DateFormatError(f"time zone offset {text!r} is out of range; {DATE_HINT}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def localize(moment: datetime, zone: tzinfo) -> datetime:
    """Attach `zone` to a naive time; a time in a DST gap moves forward as clocks do."""
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A front matter date (string, date or datetime) as an aware datetime."""
    if isinstance(value, datetime):
        return localize(value, zone)
    if isinstance(value, date):
        return localize(datetime(value.year, value.month, value.day), zone)
    if not isinstance(value, str):
        raise DateFormatError(f"{value!r} is not a date; {DATE_HINT}")
    match = _DATE_TIME.match(value)
    if match is None:
        raise DateFormatError(f"'{value}' is not a date; {DATE_HINT}")
    parts = match.groupdict()
    fraction = (parts["fraction"] or "").ljust(6, "0")[:6]
    try:
        moment = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction or 0),
        )
    except ValueError as error:
        raise DateFormatError(f"'{value}' is not a valid date ({error}); {DATE_HINT}") from None
    if parts["offset"]:
        return moment.replace(tzinfo=_offset(parts["offset"]))
    return localize(moment, zone)


def date_from_file_name(name: str, zone: tzinfo) -> datetime | None:
    """Jekyll-style names (`2017-07-08-title.md`) carry the date; None when the name has none."""
    match = _FILE_NAME_DATE.match(name)
    if match is None:
        return None
    try:
        return localize(datetime(*(int(part) for part in match.groups())), zone)
    except ValueError:
        return None
