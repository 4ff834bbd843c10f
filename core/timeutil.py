"""Local wall-clock times and absolute instants, converted in one place.

A shift is a local date plus local ``HH:MM`` times in its site's IANA zone; rules
compare absolute UTC instants so that overnight shifts and DST days behave.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ValidationError

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

#: No shift is longer than this; lets conflict queries use a bounded index range.
MAX_SHIFT_LENGTH = timedelta(hours=24)


def parse_hhmm(value: str, field: str = "time") -> time:
    """Parse ``HH:MM`` (24 h), naming the field when it is not one."""
    match = _HHMM.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValidationError(field, f"{value!r} is not a time in HH:MM (00:00 to 23:59)")
    return time(int(match.group(1)), int(match.group(2)))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # "Europe" names a folder of the zone database, which ZoneInfo meets as an OSError.
        raise ValidationError("timezone", f"{name!r} is not an IANA time zone") from exc


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time (a time in a DST gap moves forward)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def wall_time_kind(naive: datetime, tz: ZoneInfo) -> str | None:
    """``"gap"`` for a local time a DST change skips, ``"fold"`` for one it repeats.

    Python quietly maps a skipped time forward and a repeated one to its first
    occurrence; callers that take times from people ask here first, so a shift or
    a punch is never stored at a time other than the one written.
    """
    first = naive.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive.replace(tzinfo=None):
        return "gap"
    if first.utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset():
        return "fold"
    return None


def missing_time_problem(day: date, at: time, tz_name: str) -> str | None:
    """Why ``at`` on ``day`` is no local time in the zone (clocks go forward), or None."""
    if wall_time_kind(datetime.combine(day, at), zone(tz_name)) != "gap":
        return None
    return f"{at:%H:%M} does not exist on {day:%a %d %b} in {tz_name}: clocks go forward"


def shift_time_problem(day: date, start: str, end: str, tz_name: str) -> ValidationError | None:
    """A shift's start or end that falls in a DST gap, as the error naming that field."""
    start_t = parse_hhmm(start, "start")
    end_t = parse_hhmm(end, "end")
    end_day = day + timedelta(days=1) if end_t <= start_t else day
    for field, on, at in (("start", day, start_t), ("end", end_day, end_t)):
        problem = missing_time_problem(on, at, tz_name)
        if problem is not None:
            return ValidationError(field, problem)
    return None


def shift_instants(day: date, start: str, end: str, tz_name: str) -> tuple[datetime, datetime]:
    """Absolute start and end of a shift; an end at or before the start is the next day."""
    start_t = parse_hhmm(start, "start")
    end_t = parse_hhmm(end, "end")
    tz = zone(tz_name)
    end_day = day + timedelta(days=1) if end_t <= start_t else day
    return local_instant(day, start_t, tz), local_instant(end_day, end_t, tz)


def day_bounds(first: date, last: date, tz_name: str) -> tuple[datetime, datetime]:
    """UTC instants from the start of ``first`` to the end of ``last`` (local days)."""
    tz = zone(tz_name)
    return (
        local_instant(first, time(0), tz),
        local_instant(last + timedelta(days=1), time(0), tz),
    )


def to_local(instant: datetime, tz_name: str) -> datetime:
    return as_utc(instant).astimezone(zone(tz_name))


def as_utc(instant: datetime) -> datetime:
    """Treat a naive datetime as UTC (how SQLite hands them back) and make it aware."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_date(value: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(field, f"{value!r} is not a date in YYYY-MM-DD") from exc


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of the week containing ``day`` (0 = Monday)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
