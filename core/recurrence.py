"""RFC 5545 recurrence for shift templates, on ``dateutil.rrule``.

A template's occurrences are *local dates* in its site's zone; its times of day
come from the template's start and end, never from the rule. So:

- Rules repeat at most daily: ``FREQ`` is DAILY, WEEKLY, MONTHLY or YEARLY, and
  ``BYHOUR``/``BYMINUTE``/``BYSECOND`` are refused.
- ``UNTIL`` is inclusive of its day. A floating ``UNTIL`` (``20260331`` or
  ``20260331T120000``) is read as that date. A UTC ``UNTIL`` (``...Z``) is turned
  into its date in the site's zone (``20260331T230000Z`` is 1 April in Berlin).
  This also avoids dateutil refusing a UTC ``UNTIL`` next to a floating start.
- ``EXDATE`` values are dates the same way (a ``TZID`` parameter or a trailing
  ``Z`` is converted into the site's zone first). As in RFC 5545, ``COUNT``
  counts occurrences before ``EXDATE`` removes any.
- As dateutil does, the start date is an occurrence only if the rule selects it
  (a WEEKLY rule on Mondays started on a Wednesday begins the next Monday).

Every problem is a :class:`ValidationError` on the field ``rrule`` whose message
says what is wrong in a supervisor's words. This module is the one reader of rules:
:func:`check_form` (what a rule alone can be told, used by the wire for a field)
and :func:`validate` (that, and whether it ever occurs from a start date) share
every check. Iteration is always bounded: by a
count, or by the last date of a range.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from core.errors import ValidationError
from core.timeutil import zone

FIELD = "rrule"

#: The most occurrences a preview lists.
MAX_PREVIEW = 1000

_FREQS = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY, "YEARLY": du.YEARLY}
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_WEEKDAYS = {
    "MO": du.MO,
    "TU": du.TU,
    "WE": du.WE,
    "TH": du.TH,
    "FR": du.FR,
    "SA": du.SA,
    "SU": du.SU,
}
_DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Longest length of each month (February in a leap year).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_KNOWN = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYSETPOS",
    "WKST",
)
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_BYDAY = re.compile(r"^([+-]?\d{1,3})?([A-Z]{2})$")
_STAMP = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2})?(Z)?)?$",
)


def _fail(problem: str) -> ValidationError:
    return ValidationError(FIELD, problem)


@dataclass(frozen=True)
class Recurrence:
    """A parsed, validated rule from a start date; iterate it only through a bound."""

    rule: du.rrule
    dtstart: date
    exdates: frozenset[date]

    def _dates(self, since: date) -> Iterator[date]:
        start = datetime.combine(max(since, self.dtstart), time())
        for instant in self.rule.xafter(start, inc=True):
            day = instant.date()
            if day not in self.exdates:
                yield day

    def first(self, count: int) -> list[date]:
        """The first ``count`` occurrences (fewer if the rule ends sooner)."""
        found: list[date] = []
        if count <= 0:
            return found
        for day in self._dates(self.dtstart):
            found.append(day)
            if len(found) >= count:
                break
        return found

    def between(self, first: date, last: date) -> list[date]:
        """Occurrences from ``first`` to ``last``, both included."""
        found: list[date] = []
        if last < first:
            return found
        for day in self._dates(first):
            if day > last:
                break
            found.append(day)
        return found


def parse(text: str, dtstart: date, tz: str = "UTC") -> Recurrence:
    """Validate ``text`` (an RRULE, with or without ``RRULE:``, plus optional EXDATE
    lines) from ``dtstart``; a UTC UNTIL or EXDATE is read in the zone ``tz``."""
    if not isinstance(text, str) or not text.strip():
        raise _fail("the rule is empty; give at least FREQ, for example FREQ=WEEKLY;BYDAY=MO")
    if isinstance(dtstart, datetime):
        dtstart = dtstart.date()
    zone(tz)  # a bad zone is wrong whether or not this rule has a UTC UNTIL to read in it
    return _parse(text.strip(), dtstart, tz)


@lru_cache(maxsize=4096)
def _parse(text: str, dtstart: date, tz: str) -> Recurrence:
    rule_text, exdates = _split_lines(text, dtstart, tz)
    parts = _parts(rule_text)
    kwargs = _rule_arguments(parts, dtstart, tz)
    rule = du.rrule(dtstart=datetime.combine(dtstart, time()), cache=False, **kwargs)
    recurrence = Recurrence(rule, dtstart, frozenset(exdates))
    if not recurrence.first(1):
        if any(True for _ in rule.xafter(datetime.combine(dtstart, time()), count=1, inc=True)):
            raise _fail("EXDATE removes every date the rule produces, so it never occurs")
        raise _fail(f"the rule never produces a date on or after its start {dtstart.isoformat()}")
    return recurrence


def validate(text: str, dtstart: date, tz: str = "UTC") -> None:
    """Raise ``ValidationError("rrule", ...)`` unless the rule is usable from ``dtstart``."""
    parse(text, dtstart, tz)


def check_form(text: str, tz: str = "UTC") -> str:
    """The rule, trimmed, if a template could use it from some start date: every check
    of :func:`validate` that does not need the start (FREQ=HOURLY, unknown parts, a
    bad BYDAY, COUNT with UNTIL...). Whether it occurs at all is left to
    :func:`validate`, which knows the template's start date."""
    if not isinstance(text, str) or not text.strip():
        raise _fail("the rule is empty; give at least FREQ, for example FREQ=WEEKLY;BYDAY=MO")
    zone(tz)
    rule_text, _ = _split_lines(text.strip(), None, tz)
    _rule_arguments(_parts(rule_text), None, tz)
    return text.strip()


def preview(text: str, dtstart: date, count: int = 10, tz: str = "UTC") -> list[date]:
    """The next ``count`` occurrence dates from ``dtstart``."""
    if not 1 <= count <= MAX_PREVIEW:
        raise ValidationError("count", f"give a count from 1 to {MAX_PREVIEW}, not {count}")
    return parse(text, dtstart, tz).first(count)


def occurrences(text: str, dtstart: date, first: date, last: date, tz: str = "UTC") -> list[date]:
    """Occurrence dates from ``first`` to ``last`` (both included)."""
    if last < first:
        raise ValidationError("to", f"the range ends ({last}) before it starts ({first})")
    return list(_between(parse(text, dtstart, tz), first, last))


@lru_cache(maxsize=1024)
def _between(recurrence: Recurrence, first: date, last: date) -> tuple[date, ...]:
    """Many templates share a rule (every workday, say): each is expanded once."""
    return tuple(recurrence.between(first, last))


# --- parsing --------------------------------------------------------------------------


def _unfold(text: str) -> list[str]:
    """Content lines, with RFC 5545 folding (a line starting with a space continues)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw.strip():
            lines.append(raw.strip())
    return lines


def _split_lines(text: str, dtstart: date | None, tz: str) -> tuple[str, set[date]]:
    """The RRULE line and the EXDATE dates; a DTSTART line must agree with ``dtstart``
    (not compared when there is none yet)."""
    rules: list[str] = []
    exdates: set[date] = set()
    for line in _unfold(text):
        head, colon, value = line.partition(":")
        name, *params = head.split(";")
        name = name.strip().upper()
        if not colon or "=" in name:  # a bare rule such as FREQ=DAILY;COUNT=3
            rules.append(line)
        elif name == "RRULE":
            rules.append(value)
        elif name == "EXDATE":
            tzid = _param(params, "TZID")
            for item in value.split(","):
                exdates.add(_stamp_date(item, "EXDATE", tz, tzid))
        elif name == "DTSTART":
            given = _stamp_date(value, "DTSTART", tz, _param(params, "TZID"))
            if dtstart is not None and given != dtstart:
                raise _fail(
                    f"the rule's DTSTART ({given}) differs from the template's start date"
                    f" ({dtstart}); remove the DTSTART line or set the start date"
                )
        else:
            raise _fail(f"{name!r} is not understood here; give an RRULE and optional EXDATE lines")
    if not rules:
        raise _fail("there is no RRULE line; give at least FREQ, for example FREQ=WEEKLY;BYDAY=MO")
    if len(rules) > 1:
        raise _fail(f"give one RRULE, not {len(rules)}")
    return rules[0], exdates


def _param(params: list[str], key: str) -> str | None:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().upper() == key:
            return value.strip().strip('"')
    return None


def _stamp_date(value: str, label: str, tz: str, tzid: str | None = None) -> date:
    """A DATE or DATE-TIME value as a local date in the zone ``tz``."""
    match = _STAMP.match(value.strip().upper())
    if not match:
        raise _fail(
            f"{label} {value.strip()!r} is not a date (YYYYMMDD) or a date and time"
            " (YYYYMMDDTHHMMSS, with Z at the end for UTC)"
        )
    y, mo, d, hh, mm, ss, utc = match.groups()
    try:
        day = date(int(y), int(mo), int(d))
        at = time(int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError as exc:
        raise _fail(f"{label} {value.strip()!r} is not a real date or time ({exc})") from exc
    if utc:
        return datetime.combine(day, at, tzinfo=UTC).astimezone(zone(tz)).date()
    if tzid and hh is not None:
        local = datetime.combine(day, at, tzinfo=_named_zone(tzid, label))
        return local.astimezone(zone(tz)).date()
    return day


def _named_zone(name: str, label: str) -> ZoneInfo:
    try:
        return zone(name)
    except ValidationError as exc:
        raise _fail(f"{label} names the time zone {name!r}, which is not an IANA zone") from exc


def _parts(rule_text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in rule_text.strip().strip(";").split(";"):
        key, eq, value = item.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not eq or not key:
            raise _fail(f"{item.strip()!r} is not a NAME=VALUE part, as in FREQ=WEEKLY")
        if key in _TIME_PARTS:
            raise _fail(
                f"{key} sets times of day; a template's times are its start and end,"
                " so leave it out"
            )
        if key not in _KNOWN:
            raise _fail(f"{key!r} is not a part of a recurrence rule ({', '.join(_KNOWN)})")
        if key in parts:
            raise _fail(f"{key} is given twice")
        if not value:
            raise _fail(f"{key} has no value")
        parts[key] = value
    return parts


def _positive(parts: dict[str, str], key: str) -> int | None:
    if key not in parts:
        return None
    value = parts[key]
    if not value.isdigit() or int(value) < 1:
        raise _fail(f"{key} must be a whole number of 1 or more, not {value!r}")
    return int(value)


def _numbers(parts: dict[str, str], key: str, limit: int, meaning: str) -> list[int] | None:
    """A list like ``1,-1,15``: each from 1 to ``limit`` or -1 to -``limit``."""
    if key not in parts:
        return None
    numbers = []
    for item in parts[key].split(","):
        try:
            number = int(item)
        except ValueError:
            raise _fail(f"{key}: {item!r} is not a number") from None
        if number == 0 or abs(number) > limit:
            raise _fail(
                f"{key}={item}: {meaning} run from 1 to {limit}"
                f" (or -1 to -{limit} counting from the end)"
            )
        numbers.append(number)
    return numbers


def _rule_arguments(parts: dict[str, str], dtstart: date | None, tz: str) -> dict[str, object]:
    """dateutil's arguments for the parts; UNTIL is compared with ``dtstart`` if given."""
    freq_name = parts.get("FREQ")
    if freq_name is None:
        raise _fail(
            "the rule has no FREQ; say how often it repeats: DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    if freq_name in _SUB_DAILY:
        raise _fail(
            f"FREQ={freq_name} repeats within a day; a shift template repeats"
            " DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    if freq_name not in _FREQS:
        raise _fail(
            f"FREQ={freq_name} is not a frequency; use DAILY, WEEKLY, MONTHLY or YEARLY"
            " (every other week is FREQ=WEEKLY;INTERVAL=2)"
        )
    freq = _FREQS[freq_name]
    args: dict[str, object] = {"freq": freq}
    args["interval"] = _positive(parts, "INTERVAL") or 1
    count = _positive(parts, "COUNT")
    if count is not None and "UNTIL" in parts:
        raise _fail(
            "give COUNT or UNTIL, not both: COUNT stops after a number of occurrences,"
            " UNTIL on a date"
        )
    args["count"] = count
    if "UNTIL" in parts:
        until = _stamp_date(parts["UNTIL"], "UNTIL", tz)
        if dtstart is not None and until < dtstart:
            raise _fail(
                f"UNTIL ({until}) is before the start date ({dtstart}), so the rule never occurs"
            )
        args["until"] = datetime.combine(until, time())
    bymonth = _numbers(parts, "BYMONTH", 12, "months")
    if bymonth and any(m < 0 for m in bymonth):
        raise _fail(
            "BYMONTH counts months 1 (January) to 12 (December); negative months do not exist"
        )
    bymonthday = _numbers(parts, "BYMONTHDAY", 31, "days of a month")
    if bymonthday and freq == du.WEEKLY:
        raise _fail("BYMONTHDAY cannot be used with FREQ=WEEKLY; use FREQ=MONTHLY")
    _check_month_days(bymonth, bymonthday)
    byyearday = _numbers(parts, "BYYEARDAY", 366, "days of a year")
    if byyearday and freq != du.YEARLY:
        raise _fail("BYYEARDAY needs FREQ=YEARLY")
    byweekno = _numbers(parts, "BYWEEKNO", 53, "weeks of a year")
    if byweekno and freq != du.YEARLY:
        raise _fail("BYWEEKNO needs FREQ=YEARLY")
    byday = _weekdays(parts, freq, bymonth, byweekno)
    bysetpos = _numbers(parts, "BYSETPOS", 366, "positions")
    if bysetpos and not (byday or bymonthday or bymonth or byyearday or byweekno):
        raise _fail(
            "BYSETPOS picks from the days other BY parts select; add one,"
            " for example BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 for the last workday"
        )
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        raise _fail(f"WKST={parts['WKST']} is not a weekday; use MO, TU, WE, TH, FR, SA or SU")
    args.update(
        bymonth=bymonth,
        bymonthday=bymonthday,
        byyearday=byyearday,
        byweekno=byweekno,
        byweekday=byday,
        bysetpos=bysetpos,
        wkst=_WEEKDAYS[parts["WKST"]] if "WKST" in parts else None,
    )
    return args


def _check_month_days(bymonth: list[int] | None, bymonthday: list[int] | None) -> None:
    """Refuse a day that none of the chosen months has (dateutil would search for ever)."""
    if not bymonth or not bymonthday:
        return
    longest = max(_MONTH_DAYS[m - 1] for m in bymonth)
    if all(abs(d) > longest for d in bymonthday):
        months = ", ".join(_MONTH_NAMES[m - 1] for m in bymonth)
        days = ",".join(str(d) for d in bymonthday)
        raise _fail(f"BYMONTHDAY={days} never falls in {months}, so the rule never occurs")


def _weekdays(
    parts: dict[str, str], freq: int, bymonth: list[int] | None, byweekno: list[int] | None
) -> list[du.weekday] | None:
    if "BYDAY" not in parts:
        return None
    found = []
    for item in parts["BYDAY"].split(","):
        match = _BYDAY.match(item.strip())
        if not match or match.group(2) not in _WEEKDAYS:
            raise _fail(
                f"BYDAY: {item!r} is not a weekday; use MO, TU, WE, TH, FR, SA or SU,"
                " optionally numbered as in 1MO (first Monday) or -1FR (last Friday)"
            )
        ordinal, code = match.groups()
        weekday = _WEEKDAYS[code]
        if ordinal is None:
            found.append(weekday)
            continue
        n = int(ordinal)
        day = _DAY_NAMES[code]
        if freq not in (du.MONTHLY, du.YEARLY) or byweekno:
            raise _fail(
                f"BYDAY={item} numbers a {day} within a month or year;"
                " that needs FREQ=MONTHLY or FREQ=YEARLY (without BYWEEKNO)"
            )
        within_month = freq == du.MONTHLY or bool(bymonth)
        limit, period = (5, "a month") if within_month else (53, "a year")
        if n == 0 or abs(n) > limit:
            raise _fail(
                f"BYDAY={item} asks for {day} number {n} of {period}, which has at most"
                f" {limit}; use 1 to {limit}, or -1 to -{limit} counting from the end"
            )
        found.append(weekday(n))
    return found
