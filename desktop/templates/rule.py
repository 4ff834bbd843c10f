"""The recurrence builder's model: the rules a form can show, to and from RRULE text.

Only the shape of a rule lives here (which parts the builder's controls stand for);
whether a rule is valid, and which dates it gives, is :mod:`core.recurrence`'s to
say. :func:`from_text` returns None for any rule the controls cannot show, so the
raw text stays the one place where such a rule is edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from desktop.notice import plural

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
LONG_DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
#: The "Nth weekday of the month" positions the builder offers (-1 is the last).
POSITIONS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month"}
_BUILDER_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT"}
_NTH_DAY = re.compile(r"^([+-]?\d)([A-Z]{2})$")
_UNTIL = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class RuleSpec:
    """What the builder's controls hold.

    A monthly rule falls on ``month_day`` (-1: the last day), or on the
    ``position``-th ``weekday`` of the month, or, with neither, on the start
    date's day. ``until`` and ``count`` are exclusive; with neither it never ends.
    """

    freq: str = "WEEKLY"
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    month_day: int | None = None
    position: int | None = None
    weekday: str | None = None
    until: date | None = None
    count: int | None = None


def to_text(spec: RuleSpec) -> str:
    """The RRULE text for the controls, parts in the order people write them."""
    parts = [f"FREQ={spec.freq}"]
    if spec.interval > 1:
        parts.append(f"INTERVAL={spec.interval}")
    if spec.freq == "WEEKLY" and spec.weekdays:
        ordered = [d for d in WEEKDAYS if d in spec.weekdays]
        parts.append(f"BYDAY={','.join(ordered)}")
    if spec.freq == "MONTHLY":
        if spec.position is not None and spec.weekday:
            parts.append(f"BYDAY={spec.position}{spec.weekday}")
        elif spec.month_day is not None:
            parts.append(f"BYMONTHDAY={spec.month_day}")
    if spec.until is not None:
        parts.append(f"UNTIL={spec.until:%Y%m%d}")
    elif spec.count is not None:
        parts.append(f"COUNT={spec.count}")
    return ";".join(parts)


def from_text(text: str) -> RuleSpec | None:
    """The controls for a rule, or None when the rule uses anything they cannot show."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body or "\n" in body:
        return None
    parts: dict[str, str] = {}
    for item in body.strip(";").split(";"):
        key, eq, value = item.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not eq or key not in _BUILDER_PARTS or key in parts or not value:
            return None
        parts[key] = value
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        return None
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
        month_day = int(parts["BYMONTHDAY"]) if "BYMONTHDAY" in parts else None
        until = _until(parts["UNTIL"]) if "UNTIL" in parts else None
    except ValueError:
        return None
    if interval < 1 or (count is not None and count < 1) or (until and count):
        return None
    spec = RuleSpec(freq=freq, interval=interval, until=until, count=count)
    byday = parts.get("BYDAY")
    if freq == "DAILY":
        return spec if byday is None and month_day is None else None
    if freq == "WEEKLY":
        days = tuple(byday.split(",")) if byday else ()
        if month_day is not None or not set(days) <= set(WEEKDAYS) or len(set(days)) < len(days):
            return None
        return RuleSpec(**{**vars(spec), "weekdays": days})
    if byday is not None:
        match = _NTH_DAY.match(byday)
        if month_day is not None or not match:
            return None
        position, weekday = int(match.group(1)), match.group(2)
        if position not in POSITIONS or weekday not in WEEKDAYS:
            return None
        return RuleSpec(**{**vars(spec), "position": position, "weekday": weekday})
    if month_day is not None and not (1 <= month_day <= 31 or month_day == -1):
        return None
    return RuleSpec(**{**vars(spec), "month_day": month_day})


def _until(value: str) -> date:
    match = _UNTIL.match(value)
    if not match:
        raise ValueError(value)
    return date(*(int(g) for g in match.groups()))


def describe(spec: RuleSpec, start: date) -> str:
    """The rule in a sentence, as the template list and the editor show it."""
    unit = _UNITS[spec.freq]
    every = f"every {unit}" if spec.interval == 1 else f"every {spec.interval} {unit}s"
    if spec.freq == "DAILY" and spec.interval == 1:
        text = "every day"
    elif spec.freq == "WEEKLY":
        days = [d for d in WEEKDAYS if d in spec.weekdays]
        text = every + " on " + _days(days) if days else every + f" on {start:%A}s"
        if days == list(WEEKDAYS) and spec.interval == 1:
            text = "every day"
        elif days == list(WEEKDAYS[:5]) and spec.interval == 1:
            text = "every weekday (Mon–Fri)"
    elif spec.freq == "MONTHLY":
        if spec.position is not None and spec.weekday:
            on = f"the {POSITIONS[spec.position]} {LONG_DAY_NAMES[spec.weekday]}"
        else:
            day = start.day if spec.month_day is None else spec.month_day
            on = "the last day" if day == -1 else f"day {day}"
        text = f"{every} on {on}"
    else:
        text = every
    if spec.until is not None:
        text += f", until {spec.until:%d %b %Y}"
    elif spec.count is not None:
        text += f", {plural(spec.count, 'time')}"
    return text[0].upper() + text[1:]


def _days(days: list[str]) -> str:
    return ", ".join(DAY_NAMES[d] for d in days)
