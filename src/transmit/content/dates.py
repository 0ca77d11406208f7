"""Dates as writers type them, made time-zone aware: no offset means the site's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from transmit.errors import shown

# Possessive `\s*+` so that a value padded with thousands of spaces is still matched in one pass.
_DATE_TIME = re.compile(
    r"""^\s*+
    (?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})
    (?:
        (?:[Tt]|\s++)
        (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?
    )?
    \s*+(?P<offset>[Zz]|(?:UTC|GMT)?[+-]\d{2}(?::?\d{2})?)?
    \s*+$""",
    re.VERBOSE,
)
_FILE_NAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[-_ ]")

FIRST_YEAR, LAST_YEAR = 2, 9998
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
        raise DateFormatError(f"time zone offset {shown(text)} is out of range; {DATE_HINT}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def localize(moment: datetime, zone: tzinfo) -> datetime:
    """Attach `zone` to a naive time; a time in a DST gap moves forward as clocks do."""
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _in_range(moment: datetime, value: object) -> datetime:
    """Later steps convert dates between zones and to UTC; years 1 and 9999 can overflow there,
    so they are refused here, where the writer learns why."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise DateFormatError(
            f"{shown(str(value))} is outside the years transmit can use "
            f"({FIRST_YEAR:04} to {LAST_YEAR}); {DATE_HINT}"
        )
    return moment


def _local(moment: datetime, zone: tzinfo, value: object) -> datetime:
    return localize(_in_range(moment, value), zone)


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A front matter date (string, date or datetime) as an aware datetime."""
    if isinstance(value, datetime):
        return _local(value, zone, value)
    if isinstance(value, date):
        return _local(datetime(value.year, value.month, value.day), zone, value)
    if isinstance(value, time):
        raise DateFormatError(f"{shown(str(value))} is a time of day without a date; {DATE_HINT}")
    if not isinstance(value, str):
        raise DateFormatError(f"{shown(value)} is not a date; {DATE_HINT}")
    match = _DATE_TIME.match(value)
    if match is None:
        raise DateFormatError(f"{shown(value)} is not a date; {DATE_HINT}")
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
        raise DateFormatError(
            f"{shown(value)} is not a valid date ({error}); {DATE_HINT}"
        ) from None
    if parts["offset"]:
        return _in_range(moment, value).replace(tzinfo=_offset(parts["offset"]))
    return _local(moment, zone, value)


def date_from_file_name(name: str, zone: tzinfo) -> datetime | None:
    """Jekyll-style names (`2017-07-08-title.md`) carry the date; None when the name has none."""
    match = _FILE_NAME_DATE.match(name)
    if match is None:
        return None
    try:
        return _local(datetime(*(int(part) for part in match.groups())), zone, name)
    except (ValueError, OverflowError):  # DateFormatError is a ValueError
        return None
