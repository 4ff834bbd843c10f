"""Replicated records as camelCase JSON on the wire, and back, field by field.

The server and the sync client share this one mapping, so a record has a single
shape everywhere. Parsing collects every bad field before failing and names each
one ``MISSING`` (required and absent), ``UNDEFINED`` (not a field of the record)
or ``INVALID`` (wrong type or value). No HTTP here: each edge renders
:class:`WireError` its own way. ``schema()`` gives the JSON Schema of the same
rules, so a published contract cannot drift from what is enforced.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core import recurrence
from core.errors import ValidationError
from core.models import (
    AttendanceApproval,
    AttendanceCorrection,
    ClockEvent,
    Company,
    Department,
    Employee,
    LeaveRequest,
    LeaveShiftLink,
    LeaveStatus,
    LeaveType,
    PayPeriod,
    PayPolicy,
    PunchKind,
    PunchSource,
    Shift,
    ShiftStatus,
    ShiftTemplate,
    Site,
    Synced,
)
from core.models.policy import LIMITS, OVERNIGHT_DAYS, PAY_FIELDS
from core.results import Conflict
from core.timeutil import as_utc, parse_hhmm, utcnow, zone

MISSING = "MISSING"
UNDEFINED = "UNDEFINED"
INVALID = "INVALID"

#: Dates and instants outside these years are refused: nobody schedules there, and
#: converting them between zones would overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2200


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


class WireError(ValidationError):
    """Every problem found in one record; the first one names the error."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        shown = "; ".join(f"{p.field} {p.message}" for p in self.problems[:5])
        more = len(self.problems) - 5
        super().__init__(first.field, shown + (f"; and {more} more" if more > 0 else ""))


# --- value kinds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How one value is checked, converted, written back and described."""

    schema: Mapping[str, Any]
    parse: Callable[[Any], Any]
    dump: Callable[[Any], Any] = lambda value: value
    #: Set for references: the model whose id the value names.
    target: type | None = None


def _bad(message: str) -> ValueError:
    return ValueError(message)


class InnerError(ValueError):
    """A value refused for one of its own fields (a key of a JSON object): the wire
    names it ``outer.inner``, so a client knows which one."""

    def __init__(self, inner: str, message: str) -> None:
        super().__init__(message)
        self.inner = inner


def _refused(name: str, exc: ValueError) -> Problem:
    """The problem a field's refused value makes, named down to its inner field."""
    inner = f"{name}.{exc.inner}" if isinstance(exc, InnerError) else name
    return Problem(inner, INVALID, str(exc))


def text(max_length: int, *, min_length: int = 0, pattern: str | None = None) -> Kind:
    compiled = re.compile(pattern) if pattern else None

    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise _bad("must be a string")
        if "\x00" in value:
            raise _bad("must not contain NUL characters")
        if len(value) < min_length:
            raise _bad("must not be empty")
        if len(value) > max_length:
            raise _bad(f"must be at most {max_length} characters")
        if compiled is not None and not compiled.fullmatch(value):
            raise _bad(f"must match {pattern}")
        return value

    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    schema["pattern"] = f"^{pattern}$" if pattern else "^[^\\x00]*$"
    return Kind(schema, parse)


def _parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _bad("must be true or false")
    return value


BOOLEAN = Kind({"type": "boolean"}, _parse_bool)


def integer(lo: int, hi: int) -> Kind:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise _bad(f"must be a whole number from {lo} to {hi}")
        return value

    return Kind({"type": "integer", "minimum": lo, "maximum": hi}, parse)


_DECIMAL = r"\d{1,8}(\.\d{1,4})?"


def _parse_decimal(value: Any) -> Decimal:
    if not isinstance(value, str) or not re.fullmatch(_DECIMAL, value):
        raise _bad('must be a decimal number in a string, like "12.50"')
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise _bad("must be a decimal number") from exc


def _dump_decimal(value: Decimal | None) -> str | None:
    """One canonical form, without trailing zeros ("21.5", "20"): the same value reads
    the same whether it was just written or read back from a NUMERIC column that pads
    it ("21.5000"), so one ETag always stands for one body."""
    if value is None:
        return None
    return format(value.normalize(), "f")


DECIMAL = Kind({"type": "string", "pattern": f"^{_DECIMAL}$"}, _parse_decimal, _dump_decimal)


def _in_range(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _bad(f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}")


def _parse_date(value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise _bad("must be a date in YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise _bad("must be a real calendar date") from exc
    _in_range(day.year)
    return day


DATE = Kind({"type": "string", "format": "date"}, _parse_date, lambda d: d and d.isoformat())


def _parse_instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _bad("must be an RFC 3339 date-time string")
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _bad("must be an RFC 3339 date-time, like 2026-06-01T08:00:00Z") from exc
    if instant.tzinfo is None:
        raise _bad("must carry a UTC offset (Z or +HH:MM)")
    _in_range(instant.year)
    return as_utc(instant)


def _dump_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).isoformat().replace("+00:00", "Z")


INSTANT = Kind({"type": "string", "format": "date-time"}, _parse_instant, _dump_instant)


def _parse_hhmm(value: Any) -> str:
    if not isinstance(value, str) or value != value.strip():
        raise _bad("must be a time in HH:MM (00:00 to 23:59)")
    try:
        return f"{parse_hhmm(value):%H:%M}"
    except ValidationError as exc:
        raise _bad(exc.problem) from exc


HHMM = Kind({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}, _parse_hhmm)


def choice(values: Iterable[str]) -> Kind:
    allowed = [str(v) for v in values]

    def parse(value: Any) -> str:
        if value not in allowed:
            raise _bad(f"must be one of {', '.join(allowed)}")
        return str(value)

    return Kind({"type": "string", "enum": allowed}, parse)


_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_id(value: Any) -> str:
    """A record id: a UUID, kept in its lower-case canonical form."""
    if not isinstance(value, str) or len(value) != 36:
        raise _bad("must be a UUID")
    if _CANONICAL_ID.fullmatch(value):  # already canonical: what every id we make is
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise _bad("must be a UUID") from exc


ID_SCHEMA: Mapping[str, Any] = {"type": "string", "format": "uuid"}


def ref(target: type) -> Kind:
    return Kind(ID_SCHEMA, parse_id, target=target)


MAX_ASSIGNED = 200


def ref_list(target: type) -> Kind:
    def parse(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _bad("must be a list of ids")
        if len(value) > MAX_ASSIGNED:
            raise _bad(f"must hold at most {MAX_ASSIGNED} ids")
        ids = tuple(parse_id(v) for v in value)
        if len(set(ids)) != len(ids):
            raise _bad("must not repeat an id")
        return ids

    schema = {"type": "array", "items": ID_SCHEMA, "uniqueItems": True, "maxItems": MAX_ASSIGNED}
    return Kind(schema, parse, lambda ids: list(ids), target=target)


def _parse_rrule(value: Any) -> str:
    """Core's own check of a rule (:func:`core.recurrence.check_form`), so the wire
    refuses exactly what a template refuses, in the same words; whether the rule
    ever occurs from the template's start date is the template's check."""
    rule = text(500, min_length=1).parse(value)
    try:
        recurrence.check_form(rule)
    except ValidationError as exc:
        raise _bad(exc.problem) from exc
    return rule


RRULE = Kind({"type": "string", "minLength": 1, "maxLength": 500}, _parse_rrule)


def _parse_zone(value: Any) -> str:
    name = text(64, min_length=1).parse(value)
    try:
        zone(name)
    except ValidationError as exc:
        raise _bad("must be an IANA time zone, like Europe/Berlin") from exc
    return name


TIMEZONE = Kind({"type": "string", "minLength": 1, "maxLength": 64}, _parse_zone)
CURRENCY = Kind({"type": "string", "pattern": "^[A-Z]{3}$"}, text(3, pattern="[A-Z]{3}").parse)
#: A record's own id (``ref`` is for the ids it names).
IDENTITY = Kind(ID_SCHEMA, parse_id)


# --- collections ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a record: ``name`` on the wire, ``attr`` read from the model,
    ``key`` where a parsed value goes (the attribute, unless an operation names it
    otherwise)."""

    name: str
    attr: str
    kind: Kind
    required: bool = False
    nullable: bool = False
    key: str = ""
    #: Lists can be filtered on it by equality.
    filter: bool = False
    #: Data only some callers may see or set (one of :data:`GUARDS`): pay, personal
    #: data. A server leaves the field out for whoever may not read it, and a site
    #: keeps its own value of a field the server left out (:func:`without`).
    guard: str = ""
    #: A guarded field the server fills itself when the key may not set it, rather
    #: than refusing the write (a closed period's pay rules: the company's policy).
    filled: bool = False

    @property
    def target_key(self) -> str:
        return self.key or self.attr


@dataclass(frozen=True)
class Collection:
    name: str
    item: str
    model: type[Synced]
    fields: tuple[Field, ...]
    #: Field names core's rules use in their errors, as the wire calls them.
    aliases: Mapping[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def wire_name(self, core_field: str) -> str:
        """The wire field that a core ValidationError's field stands for."""
        names = {f.attr: f.name for f in self.fields} | {f.target_key: f.name for f in self.fields}
        return self.aliases.get(core_field) or names.get(core_field) or core_field


#: Fields every record carries; the server sets them, a client's copy is ignored.
RECORD_FIELDS = ("id", "companyId", "recordVersion", "isActive", "createdAt", "updatedAt")

#: What a field's ``guard`` can name: pay (an hourly rate) and personal data (an
#: e-mail address), each readable and writable only with a scope of its own.
PAY = "pay"
PERSONAL = "personal"
GUARDS = (PAY, PERSONAL)


def without(spec: Collection, record: Mapping[str, Any], guards: Iterable[str]) -> dict[str, Any]:
    """``record`` without the fields guarded by any of ``guards`` (what the caller may
    not read)."""
    hidden = set(guards)
    if not hidden:
        return dict(record)
    drop = {f.name for f in spec.fields if f.guard in hidden}
    return {k: v for k, v in record.items() if k not in drop}


_SITE = Field("siteId", "site_id", ref(Site))


def _policy(name: str, attr: str) -> Field:
    """A pay policy setting: a whole number within its limits, or a decimal that core
    checks against them (:mod:`core.policy`, naming the field). One that changes what
    payroll computes (``PAY_FIELDS``) is pay data, guarded as an hourly rate is."""
    guard = PAY if attr in PAY_FIELDS else ""
    if attr == "overnight_day":
        return Field(name, attr, choice(OVERNIGHT_DAYS), guard=guard)
    lo, hi = LIMITS[attr]
    kind = integer(lo, hi) if isinstance(lo, int) else DECIMAL  # type: ignore[arg-type]
    return Field(name, attr, kind, guard=guard)


#: The pay policy's settings on the wire. What changes payroll's answer is pay data
#: (PAY_FIELDS): read and set with the pay scopes, as an hourly rate is.
POLICY_FIELDS = (
    _policy("dailyOvertimeHours", "daily_overtime_hours"),
    _policy("weeklyOvertimeHours", "weekly_overtime_hours"),
    _policy("overtimeMultiplier", "overtime_multiplier"),
    _policy("latePenaltyPerMinute", "late_penalty_per_minute"),
    _policy("unpaidBreakMinutes", "unpaid_break_minutes"),
    _policy("unpaidBreakAfterHours", "unpaid_break_after_hours"),
    _policy("graceMinutes", "grace_minutes"),
    _policy("matchBeforeMinutes", "match_before_minutes"),
    _policy("matchAfterMinutes", "match_after_minutes"),
    _policy("overnightDay", "overnight_day"),
    _policy("weekStart", "week_start"),
    _policy("minRestHours", "min_rest_hours"),
    _policy("maxConsecutiveDays", "max_consecutive_days"),
    _policy("maxShiftHours", "max_shift_hours"),
)


def pay_rules(policy: PayPolicy) -> dict[str, Any]:
    """The policy's pay rules (its guarded settings) as the wire shows them: what a
    closed pay period keeps (``PayPeriod.pay_rules``)."""
    return {f.name: f.kind.dump(getattr(policy, f.attr)) for f in POLICY_FIELDS if f.guard}


def pay_rule_values(rules: Mapping[str, Any]) -> dict[str, Any]:
    """Kept pay rules (:func:`pay_rules`) back as the policy's values, by attribute."""
    return {f.attr: f.kind.parse(rules[f.name]) for f in POLICY_FIELDS if f.guard}


def _parse_pay_rules(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad("must be a JSON object of the pay policy's pay rules")
    fields = {f.name: f for f in POLICY_FIELDS if f.guard}
    unknown = sorted(set(value) - set(fields))
    missing = [name for name in fields if name not in value]
    if unknown or missing:
        said = f"lacks {', '.join(missing)}" if missing else f"has no rule {unknown[0]}"
        raise _bad(f"{said} (it holds {', '.join(fields)})")
    from core.policy import checked  # core.policy needs core.pay_periods, which needs this

    out = {}
    for name, f in fields.items():
        try:
            parsed = f.kind.parse(value[name])
            # The policy's own limits (the one check, naming its field): a kept rule
            # the policy could never hold would be priced all the same.
            out[name] = f.kind.dump(checked(f.attr, parsed))
        except ValueError as exc:
            raise InnerError(name, f"{name} {exc}") from exc
        except ValidationError as exc:
            raise InnerError(name, f"{name} {exc.problem}") from exc
    return out


#: A closed pay period's pay rules: the policy's pay fields as they were.
PAY_RULES = Kind(
    {
        "type": "object",
        "properties": {f.name: dict(f.kind.schema) for f in POLICY_FIELDS if f.guard},
        "required": [f.name for f in POLICY_FIELDS if f.guard],
        "additionalProperties": False,
    },
    _parse_pay_rules,
)


def _dept(name: str = "departmentId") -> Field:
    return Field(name, "department_id", ref(Department), nullable=True, filter=True)


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection(
            "departments",
            "department",
            Department,
            (
                _SITE,
                Field("name", "name", text(200, min_length=1), required=True),
                Field("color", "color", text(7, pattern="#[0-9a-fA-F]{6}")),
            ),
            aliases={"site": "siteId", "department": "id"},
        ),
        Collection(
            "employees",
            "employee",
            Employee,
            (
                _SITE,
                _dept(),
                Field("firstName", "first_name", text(100, min_length=1), required=True),
                Field("lastName", "last_name", text(100, min_length=1), required=True),
                Field("email", "email", text(200), nullable=True, guard=PERSONAL),
                Field("code", "code", text(50), nullable=True, filter=True),
                Field("hourlyRate", "hourly_rate", DECIMAL, guard=PAY),
                Field("contractHours", "contract_hours", DECIMAL),
                Field("employed", "active", BOOLEAN, filter=True),
                Field("employmentStart", "employment_start", DATE, nullable=True),
                Field("employmentEnd", "employment_end", DATE, nullable=True),
            ),
            aliases={"site": "siteId", "department": "departmentId", "employee": "id"},
        ),
        Collection(
            "shifttemplates",
            "shifttemplate",
            ShiftTemplate,
            (
                _SITE,
                Field("name", "name", text(200, min_length=1), required=True),
                Field("description", "description", text(2000)),
                Field("startTime", "start_time", HHMM, required=True),
                Field("endTime", "end_time", HHMM, required=True),
                Field("rrule", "rrule", RRULE, required=True),
                Field("dtstart", "dtstart", DATE, required=True),
                _dept(),
                Field("location", "location", text(200)),
            ),
            aliases={
                "site": "siteId",
                "timezone": "siteId",
                "start": "startTime",
                "end": "endTime",
                "department": "departmentId",
                "template": "id",
            },
        ),
        Collection(
            "shifts",
            "shift",
            Shift,
            (
                _SITE,
                Field("shiftDate", "shift_date", DATE, required=True),
                Field("startTime", "start_time", HHMM, required=True),
                Field("endTime", "end_time", HHMM, required=True),
                Field("assignedUserIds", "employee_ids", ref_list(Employee)),
                Field(
                    "assignedDepartmentIds",
                    "assigned_department_ids",
                    ref_list(Department),
                    key="department_ids",
                ),
                _dept(),
                Field("location", "location", text(200)),
                Field("status", "status", choice(ShiftStatus), filter=True),
                Field("published", "published", BOOLEAN),
                Field("templateId", "template_id", ref(ShiftTemplate), nullable=True),
                Field("notes", "notes", text(2000)),
                #: Why a supervisor should look again (e.g. kept on despite approved leave).
                Field("flag", "flag", text(2000)),
            ),
            aliases={
                "site": "siteId",
                "timezone": "siteId",
                "start": "startTime",
                "end": "endTime",
                "employee": "assignedUserIds",
                "department": "departmentId",
            },
        ),
        Collection(
            "leaverequests",
            "leaverequest",
            LeaveRequest,
            (
                Field("employeeId", "employee_id", ref(Employee), required=True, filter=True),
                Field("leaveType", "leave_type", choice(LeaveType)),
                Field("startDate", "start_date", DATE, required=True),
                Field("endDate", "end_date", DATE, required=True),
                Field("startTime", "start_time", HHMM, nullable=True),
                Field("endTime", "end_time", HHMM, nullable=True),
                Field("status", "status", choice(LeaveStatus), filter=True),
                Field("reason", "reason", text(2000)),
                Field("decidedBy", "decided_by", text(100), nullable=True),
                Field("decidedAt", "decided_at", INSTANT, nullable=True),
            ),
            aliases={"employee": "employeeId", "on_clash": "onClash"},
        ),
        Collection(
            "clockevents",
            "clockevent",
            ClockEvent,
            (
                Field("employeeId", "employee_id", ref(Employee), required=True, filter=True),
                Field("kind", "kind", choice(PunchKind), required=True),
                Field("at", "at_utc", INSTANT, required=True),
                Field("source", "source", choice(PunchSource)),
                Field("deviceId", "device_id", text(100), nullable=True),
            ),
            aliases={"employee": "employeeId", "device": "deviceId"},
        ),
        Collection(
            "attendancecorrections",
            "attendancecorrection",
            AttendanceCorrection,
            (
                Field("employeeId", "employee_id", ref(Employee), required=True, filter=True),
                Field("workDate", "work_date", DATE, required=True, filter=True),
                Field("clockIn", "clock_in", INSTANT, nullable=True),
                Field("clockOut", "clock_out", INSTANT, nullable=True),
                Field("breakMinutes", "break_minutes", integer(0, 24 * 60), nullable=True),
                Field("excused", "excused", BOOLEAN),
                Field("reason", "reason", text(2000, min_length=1), required=True),
                Field("author", "author", text(100, min_length=1), required=True),
            ),
            aliases={"employee": "employeeId"},
        ),
        Collection(
            "attendanceapprovals",
            "attendanceapproval",
            AttendanceApproval,
            (
                Field("employeeId", "employee_id", ref(Employee), required=True, filter=True),
                Field("workDate", "work_date", DATE, required=True, filter=True),
                Field("approvedBy", "approved_by", text(100, min_length=1), required=True),
                Field("approvedAt", "approved_at", INSTANT),
            ),
            aliases={"employee": "employeeId", "actor": "approvedBy", "at": "approvedAt"},
        ),
        Collection(
            "leaveshiftlinks",
            "leaveshiftlink",
            LeaveShiftLink,
            (
                Field("leaveId", "leave_id", ref(LeaveRequest), required=True, filter=True),
                Field("shiftId", "shift_id", ref(Shift), required=True, filter=True),
                Field("note", "note", text(2000)),
            ),
        ),
        Collection(
            "payperiods",
            "payperiod",
            PayPeriod,
            (
                Field("firstDay", "first_day", DATE, required=True, filter=True),
                Field("lastDay", "last_day", DATE, required=True),
                Field("closedBy", "closed_by", text(100, min_length=1), required=True),
                Field("closedAt", "closed_at", INSTANT),
                Field("reopenedBy", "reopened_by", text(100), nullable=True),
                Field("reopenedAt", "reopened_at", INSTANT, nullable=True),
                Field("reopenReason", "reopen_reason", text(2000)),
                # The policy's pay rules it was paid with: pay data, and what the
                # server keeps itself when a key that may not set them closes it.
                Field("payRules", "pay_rules", PAY_RULES, nullable=True, guard=PAY, filled=True),
            ),
            aliases={
                "from": "firstDay",
                "to": "lastDay",
                "actor": "closedBy",
                "reason": "reopenReason",
            },
        ),
        Collection(
            "paypolicies",
            "paypolicy",
            PayPolicy,
            (*POLICY_FIELDS,),
            aliases={"company": "companyId"},
        ),
    )
}


def collection_of(model: type) -> Collection:
    return COLLECTIONS[model.__collection__]  # type: ignore[attr-defined]


# --- a new record's defaults ----------------------------------------------------------


def _declared(spec: Collection, f: Field) -> Any:
    """The default the model's column declares for ``f``; None without one, or
    without a column (a list of references)."""
    column = spec.model.__table__.c.get(f.attr)  # type: ignore[attr-defined]
    return None if column is None else column.default


def _constant(spec: Collection, f: Field) -> tuple[bool, Any]:
    """(whether the model's column gives ``f`` a constant, that constant)."""
    default = _declared(spec, f)
    if default is None or not default.is_scalar:
        return False, None
    return True, default.arg


def made_on_write(spec: Collection, f: Field) -> bool:
    """Whether the store computes ``f`` as it writes a record (``approvedAt``: the
    clock), so no value stands for it beforehand and a body leaving it out asks for
    no change."""
    default = _declared(spec, f)
    return default is not None and not default.is_scalar


def made_value(spec: Collection, f: Field) -> Any:
    """What a new record holds for ``f`` when nothing sets it: null for a nullable
    field, no ids for a list of references (kept in a table of its own), else the
    column's constant default (None where there is none).

    The server fills a PUT's left-out fields with it, and :func:`as_made` is built
    from the same defaults, so both sides agree on what "as made" is."""
    if f.nullable:
        return None
    if f.attr not in spec.model.__table__.c:  # type: ignore[attr-defined]
        return ()
    return _constant(spec, f)[1]


def as_made(spec: Collection) -> dict[str, Any]:
    """The record as the model's defaults make it, on the wire: the fields its columns
    give a constant. The common ancestor of a site's copy and the server's when
    neither was ever sent to the other (a record made with its company)."""
    made: dict[str, Any] = {}
    for f in spec.fields:
        constant, value = _constant(spec, f)
        if constant:
            made[f.name] = f.kind.dump(value)
    return made


# --- read-only records ----------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A record the server shows and no client writes: the company and its sites,
    which the administrator makes. It has no version and no writable routes, so it
    is no :class:`Collection`; the server renders it and the sync client parses it
    with the same fields."""

    name: str
    item: str
    fields: tuple[Field, ...]

    def only(self, *names: str) -> Shape:
        """The same record with just these fields (a summary inside another document)."""
        return Shape(self.name, self.item, tuple(f for f in self.fields if f.name in names))


SITE = Shape(
    "sites",
    "site",
    (
        Field("id", "id", IDENTITY, required=True),
        Field("companyId", "company_id", ref(Company), required=True),
        Field("name", "name", text(200, min_length=1), required=True),
        #: Shift times at the site are local to this zone.
        Field("timezone", "timezone", TIMEZONE, required=True),
    ),
)

COMPANY = Shape(
    "companies",
    "company",
    (
        Field("id", "id", IDENTITY, required=True),
        Field("name", "name", text(200, min_length=1), required=True),
        Field("currency", "currency", CURRENCY, required=True),
    ),
)


def show(shape: Shape, row: object) -> dict[str, Any]:
    """A read-only record as the wire shows it."""
    return {f.name: f.kind.dump(getattr(row, f.attr)) for f in shape.fields}


def read_shape(shape: Shape, data: Any) -> dict[str, Any]:
    """Parse a read-only record the server sent into values keyed by attribute.

    Every field is required; fields this version does not know are skipped, so a
    newer server may add some without breaking older clients.
    """
    if not isinstance(data, dict):
        raise WireError([Problem(shape.item, INVALID, "must be a JSON object")])
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for f in shape.fields:
        if data.get(f.name) is None:
            problems.append(Problem(f.name, MISSING, "is required"))
            continue
        try:
            values[f.attr] = f.kind.parse(data[f.name])
        except ValueError as exc:
            problems.append(_refused(f.name, exc))
    if problems:
        raise WireError(problems)
    return values


def shape_schema(shape: Shape) -> dict[str, Any]:
    """JSON Schema of a read-only record as the server sends it."""
    props = {f.name: dict(f.kind.schema) for f in shape.fields}
    return {"type": "object", "properties": props, "required": list(props)}


# --- conversion -------------------------------------------------------------------------


def to_wire(record: Synced) -> dict[str, Any]:
    """The record as the wire shows it: record fields first, then its own."""
    spec = collection_of(type(record))
    out: dict[str, Any] = {
        "id": record.id,
        "companyId": record.company_id,  # type: ignore[attr-defined]
        "recordVersion": record.server_version or 0,
        "isActive": not record.deleted,
        "createdAt": _dump_instant(record.created_at),
        "updatedAt": _dump_instant(record.updated_at),
    }
    for f in spec.fields:
        value = getattr(record, f.attr)
        out[f.name] = None if value is None else f.kind.dump(value)
    return out


def from_wire(spec: Collection, data: Any, *, partial: bool) -> dict[str, Any]:
    """Parse a body into model values keyed by ``Field.target_key``.

    ``partial`` (PATCH) leaves absent fields out; otherwise required fields must be
    there. Record fields (``id``, ``recordVersion``…) are the server's and ignored,
    so a client may send back a record as it received it.
    """
    if not isinstance(data, dict):
        raise WireError([Problem("body", INVALID, "must be a JSON object")])
    problems: list[Problem] = []
    known = {f.name for f in spec.fields}
    problems += [
        Problem(name, UNDEFINED, f"is not a field of {spec.item}")
        for name in data
        if name not in known and name not in RECORD_FIELDS
    ]
    values: dict[str, Any] = {}
    for f in spec.fields:
        if f.name not in data:
            if f.required and not partial:
                problems.append(Problem(f.name, MISSING, "is required"))
            continue
        raw = data[f.name]
        if raw is None:
            if f.nullable:
                values[f.target_key] = None
            else:
                problems.append(Problem(f.name, INVALID, "must not be null"))
            continue
        try:
            values[f.target_key] = f.kind.parse(raw)
        except ValueError as exc:
            problems.append(_refused(f.name, exc))
    if problems:
        raise WireError(problems)
    return values


# --- JSON Schema ----------------------------------------------------------------------


def _value_schema(f: Field) -> dict[str, Any]:
    schema = dict(f.kind.schema)
    if f.nullable:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def record_schema(spec: Collection) -> dict[str, Any]:
    """JSON Schema of a record as the server sends it."""
    props: dict[str, Any] = {
        "id": dict(ID_SCHEMA),
        "companyId": dict(ID_SCHEMA),
        "recordVersion": {"type": "integer", "minimum": 0},
        "isActive": {"type": "boolean"},
        "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"},
    }
    props.update({f.name: _value_schema(f) for f in spec.fields})
    for f in spec.fields:
        if f.guard:
            props[f.name]["description"] = f"only with the scope {f.guard}:read"
    guarded = {f.name for f in spec.fields if f.guard}
    return {
        "type": "object",
        "properties": props,
        "required": [p for p in props if p not in guarded],
    }


def input_schema(spec: Collection, *, partial: bool) -> dict[str, Any]:
    """JSON Schema of a request body: what :func:`from_wire` accepts."""
    props: dict[str, Any] = {
        name: {"description": "set by the server; ignored"} for name in RECORD_FIELDS
    }
    props.update({f.name: _value_schema(f) for f in spec.fields})
    schema: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
    required = [f.name for f in spec.fields if f.required and not partial]
    if required:
        schema["required"] = required
    return schema


# --- documents: the envelopes and the change page ----------------------------------------
#
# What the server renders and the sync client parses, spelled once. Each shape is a
# frozen dataclass: ``render()`` gives the JSON document (keys in the order the wire
# has always had them), ``to_json()`` its bytes, and ``parse()`` checks a document a
# client received and raises :class:`WireError` naming every bad part by its path
# (``changes[3].id``). Keys a newer server may add are ignored, never refused.

OK = "OK"
ERR = "ERR"

#: ``errCode`` of the errors whose ``detail`` has a shape of its own.
VALIDATION = "VALIDATION"
PRECONDITION_FAILED = "PRECONDITION_FAILED"
CONFLICT = "CONFLICT"


def etag(version: int | None) -> str:
    """The strong ETag of a record version: the quoted ``recordVersion``."""
    return f'"{version or 0}"'


def to_json(document: Any) -> bytes:
    """Compact UTF-8 JSON, as every answer of the server is written."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class _Reader:
    """Collects every problem of one document, each named by its path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def object(self, data: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(data, dict):
            return data
        self.problems.append(Problem(path, INVALID, "must be a JSON object"))
        return None

    def take(self, doc: Mapping[str, Any], name: str, parse: Callable[[Any], Any], at: str) -> Any:
        path = f"{at}.{name}" if at else name
        if name not in doc:
            self.problems.append(Problem(path, MISSING, "is required"))
            return None
        try:
            return parse(doc[name])
        except ValueError as exc:
            self.problems.append(Problem(path, INVALID, str(exc)))
            return None

    def done(self) -> None:
        if self.problems:
            raise WireError(self.problems)


def _integer(lo: int, hi: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad("must be a whole number")
        if value < lo or (hi is not None and value > hi):
            raise _bad(f"must be from {lo} to {hi}" if hi is not None else f"must be at least {lo}")
        return value

    return parse


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _bad("must be a string")
    return value


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _bad("must be a non-empty string")
    return value


def _exactly(expected: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value != expected:
            raise _bad(f'must be "{expected}"')
        return expected

    return parse


def _any(value: Any) -> Any:
    return value


def _object_value(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad("must be a JSON object")
    return value


def _nullable_object(value: Any) -> dict[str, Any] | None:
    return None if value is None else _object_value(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _bad("must be a list")
    return value


def _success(reader: _Reader, doc: Mapping[str, Any], data_name: str | None) -> tuple[Any, Any]:
    """The ``status``, ``statusCode`` and ``dataName`` of a success envelope."""
    reader.take(doc, "status", _exactly(OK), "")
    status_code = reader.take(doc, "statusCode", _integer(200, 299), "")
    name = reader.take(doc, "dataName", _name if data_name is None else _exactly(data_name), "")
    return status_code, name


def _document(document: Any) -> Mapping[str, Any]:
    if not isinstance(document, dict):
        raise WireError([Problem("body", INVALID, "must be a JSON object")])
    return document


@dataclass(frozen=True)
class Envelope:
    """Success with one record or document:
    ``{"status":"OK","statusCode":200,"dataName":"shift","shift":{…}}``."""

    data_name: str
    data: Mapping[str, Any]
    status_code: int = 200

    def render(self) -> dict[str, Any]:
        return {
            "status": OK,
            "statusCode": self.status_code,
            "dataName": self.data_name,
            self.data_name: self.data,
        }

    def to_json(self) -> bytes:
        return to_json(self.render())

    @classmethod
    def parse(cls, document: Any, data_name: str | None = None) -> Envelope:
        """``data_name`` (e.g. ``"shift"``), when given, is the one expected."""
        reader, doc = _Reader(), _document(document)
        status_code, name = _success(reader, doc, data_name)
        data = reader.take(doc, name, _object_value, "") if name else None
        reader.done()
        return cls(name, data, status_code)  # type: ignore[arg-type]

    @staticmethod
    def schema(data_name: str, item_schema: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["status", "statusCode", "dataName", data_name],
            "properties": {
                "status": {"type": "string", "enum": [OK]},
                "statusCode": {"type": "integer"},
                "dataName": {"type": "string", "enum": [data_name]},
                data_name: dict(item_schema),
            },
        }


_PAGING_KEYS = ("pageNumber", "pageRowCount", "totalRowCount", "pageCount")


@dataclass(frozen=True)
class Paging:
    """Where a list page stands: ``{"pageNumber","pageRowCount","totalRowCount",
    "pageCount","nextPageToken"}``. ``nextPageToken`` (null on the last page) asks
    for the page after this one by keyset, so a list that changes while it is read
    neither skips nor repeats a record; older servers send no token."""

    page_number: int
    page_row_count: int
    total_row_count: int
    page_count: int
    next_page_token: str | None = None

    @classmethod
    def of(
        cls,
        page_number: int,
        page_row_count: int,
        total_row_count: int,
        next_page_token: str | None = None,
    ) -> Paging:
        """Page ``page_number`` of ``page_row_count`` rows among ``total_row_count``."""
        pages = -(-total_row_count // page_row_count)
        return cls(page_number, page_row_count, total_row_count, pages, next_page_token)

    def render(self) -> dict[str, Any]:
        values = (self.page_number, self.page_row_count, self.total_row_count, self.page_count)
        return {
            **dict(zip(_PAGING_KEYS, values, strict=True)),
            "nextPageToken": self.next_page_token,
        }

    @classmethod
    def _read(cls, reader: _Reader, doc: Mapping[str, Any]) -> Paging | None:
        values = [reader.take(doc, key, _integer(0), "paging") for key in _PAGING_KEYS]
        token = doc.get("nextPageToken")
        if token is not None and not isinstance(token, str):
            reader.problems.append(Problem("paging.nextPageToken", INVALID, "must be a string"))
            return None
        return None if None in values else cls(*values, token)

    @staticmethod
    def schema() -> dict[str, Any]:
        properties: dict[str, Any] = {k: {"type": "integer", "minimum": 0} for k in _PAGING_KEYS}
        properties["nextPageToken"] = {
            "type": ["string", "null"],
            "description": "pass as pageToken for the next page (keyset: nothing skipped or"
            " repeated while the list changes); null on the last page",
        }
        return {"type": "object", "required": list(_PAGING_KEYS), "properties": properties}


@dataclass(frozen=True)
class ListEnvelope:
    """Success with a page of a list: the envelope with ``"shifts":[…]`` and ``"paging"``."""

    data_name: str
    items: tuple[Mapping[str, Any], ...]
    paging: Paging
    status_code: int = 200

    def render(self) -> dict[str, Any]:
        return {
            "status": OK,
            "statusCode": self.status_code,
            "dataName": self.data_name,
            self.data_name: list(self.items),
            "paging": self.paging.render(),
        }

    def to_json(self) -> bytes:
        return to_json(self.render())

    @classmethod
    def parse(cls, document: Any, data_name: str | None = None) -> ListEnvelope:
        reader, doc = _Reader(), _document(document)
        status_code, name = _success(reader, doc, data_name)
        items = reader.take(doc, name, _list, "") if name else None
        for n, item in enumerate(items or ()):
            reader.object(item, f"{name}[{n}]")
        paging = reader.take(doc, "paging", _object_value, "")
        paging = Paging._read(reader, paging) if paging is not None else None
        reader.done()
        return cls(name, tuple(items), paging, status_code)  # type: ignore[arg-type]

    @staticmethod
    def schema(data_name: str, item_schema: Mapping[str, Any]) -> dict[str, Any]:
        schema = Envelope.schema(data_name, {"type": "array", "items": dict(item_schema)})
        schema["required"].append("paging")
        schema["properties"]["paging"] = Paging.schema()
        return schema


def _problem(data: Any) -> Problem:
    if not isinstance(data, dict):
        raise _bad("must be a JSON object")
    name, code, message = (data.get(k) for k in ("field", "code", "message"))
    if not isinstance(name, str) or not isinstance(message, str):
        raise _bad("must name the field and say what is wrong (field, message)")
    if code not in (MISSING, UNDEFINED, INVALID):
        raise _bad(f"must have a code of {MISSING}, {UNDEFINED} or {INVALID}")
    return Problem(name, code, message)


def _conflict(data: Any) -> Conflict:
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) for k in ("kind", "employeeId", "otherId", "reason")
    ):
        raise _bad("must be an object with kind, employeeId, otherId and reason")
    return Conflict(data["kind"], data["employeeId"], data["otherId"], data["reason"])


#: An error names at most this many fields, each name and message cut to a length:
#: a body of 100,000 unknown fields must not get an answer ten times its size.
MAX_PROBLEMS = 50
_MAX_PROBLEM_TEXT = 200


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_PROBLEM_TEXT else text[: _MAX_PROBLEM_TEXT - 1] + "…"


def _capped(problems: Iterable[Problem]) -> tuple[tuple[Problem, ...], int]:
    """The first :data:`MAX_PROBLEMS` problems, names and messages cut, and how many
    more there were."""
    every = tuple(problems)
    kept = tuple(Problem(_cut(p.field), p.code, _cut(p.message)) for p in every[:MAX_PROBLEMS])
    return kept, len(every) - len(kept)


@dataclass(frozen=True)
class ErrorEnvelope:
    """Every failure: ``{"result":"ERR","status":412,"message":…,"errCode":…,"date":…,
    "detail":…}``.

    ``detail`` is free-form JSON, with three shapes a client reads, each made by a
    constructor here and checked by :meth:`parse`: ``{"fields": [{"field","code",
    "message"}]}`` (:meth:`invalid`, read back by :attr:`problems`), the record as it
    is now after a stale ``If-Match`` (:meth:`stale`, :attr:`current`), and the
    clashes that refused a change (:meth:`refused`, :attr:`conflicts`).
    """

    status: int
    err_code: str
    message: str
    detail: Any = None
    date: datetime = field(default_factory=utcnow)

    def render(self) -> dict[str, Any]:
        return {
            "result": ERR,
            "status": self.status,
            "message": self.message,
            "errCode": self.err_code,
            "date": _dump_instant(self.date),
            "detail": self.detail,
        }

    def to_json(self) -> bytes:
        return to_json(self.render())

    @classmethod
    def invalid(cls, problems: Iterable[Problem], *, status: int = 400) -> ErrorEnvelope:
        """400 naming every bad field as MISSING / UNDEFINED / INVALID (as the seed
        APIs answer a validation failure); a state machine's refusal passes 422."""
        problems, more = _capped(problems)
        fields = [{"field": p.field, "code": p.code, "message": p.message} for p in problems]
        summary = "; ".join(f"{p.field} {p.message}" for p in problems)
        if more:
            summary += f"; and {more} more"
        return cls(status, VALIDATION, f"invalid request: {summary}", {"fields": fields})

    @classmethod
    def stale(cls, item: str, record: Mapping[str, Any]) -> ErrorEnvelope:
        """412: the record changed since the client read it; here it is as it is now."""
        tag = etag(record["recordVersion"])
        return cls(
            412,
            PRECONDITION_FAILED,
            f"the {item} changed since you read it; it is now at version {tag}",
            {"dataName": item, item: record, "etag": tag},
        )

    @classmethod
    def refused(cls, message: str, conflicts: Iterable[Conflict]) -> ErrorEnvelope:
        """409: the change would clash with the schedule (:class:`core.results.Conflict`)."""
        detail = {
            "conflicts": [
                {
                    "kind": c.kind,
                    "employeeId": c.employee_id,
                    "otherId": c.other_id,
                    "reason": c.reason,
                }
                for c in conflicts
            ]
        }
        return cls(409, CONFLICT, message, detail)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The bad fields of a validation error; empty for other errors."""
        if not isinstance(self.detail, dict) or "fields" not in self.detail:
            return ()
        return tuple(_problem(p) for p in self.detail["fields"])

    @property
    def current(self) -> Mapping[str, Any] | None:
        """The record as the server has it now (a 412's body); None for other errors."""
        if not isinstance(self.detail, dict) or "dataName" not in self.detail:
            return None
        return self.detail[self.detail["dataName"]]

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        """The clashes (:class:`core.results.Conflict`) that refused a change."""
        if not isinstance(self.detail, dict) or "conflicts" not in self.detail:
            return ()
        return tuple(_conflict(c) for c in self.detail["conflicts"])

    @classmethod
    def parse(cls, document: Any) -> ErrorEnvelope:
        reader, doc = _Reader(), _document(document)
        reader.take(doc, "result", _exactly(ERR), "")
        status = reader.take(doc, "status", _integer(100, 599), "")
        message = reader.take(doc, "message", _string, "")
        err_code = reader.take(doc, "errCode", _name, "")
        date = reader.take(doc, "date", _parse_instant, "")
        detail = reader.take(doc, "detail", _any, "")
        if isinstance(detail, dict):
            _read_detail(reader, detail)
        reader.done()
        return cls(status, err_code, message, detail, date)

    @staticmethod
    def schema() -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["result", "status", "message", "errCode", "date", "detail"],
            "properties": {
                "result": {"type": "string", "enum": [ERR]},
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "errCode": {"type": "string"},
                "date": {"type": "string", "format": "date-time"},
                "detail": {},
            },
        }


def _read_detail(reader: _Reader, detail: Mapping[str, Any]) -> None:
    """Check the detail shapes a client reads (see :class:`ErrorEnvelope`)."""
    for key, parse in (("fields", _problem), ("conflicts", _conflict)):
        if key in detail:
            for n, entry in enumerate(reader.take(detail, key, _list, "detail") or ()):
                try:
                    parse(entry)
                except ValueError as exc:
                    reader.problems.append(Problem(f"detail.{key}[{n}]", INVALID, str(exc)))
    if "dataName" in detail:
        name = reader.take(detail, "dataName", _name, "detail")
        if name is not None:
            reader.take(detail, name, _object_value, "detail")
        reader.take(detail, "etag", _string, "detail")


# --- the change page ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecordHeader:
    """The fields every record carries (:data:`RECORD_FIELDS`), parsed."""

    id: str
    company_id: str
    version: int
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def parse(cls, record: Any) -> RecordHeader:
        reader = _Reader()
        header = cls._read(reader, record, "")
        reader.done()
        assert header is not None
        return header

    @classmethod
    def _read(cls, reader: _Reader, record: Any, at: str) -> RecordHeader | None:
        try:  # the usual case, a good record, without collecting anything
            version = record["recordVersion"]
            if isinstance(version, int) and not isinstance(version, bool) and version >= 0:
                return cls(
                    parse_id(record["id"]),
                    parse_id(record["companyId"]),
                    version,
                    _parse_bool(record["isActive"]),
                    _parse_instant(record["createdAt"]),
                    _parse_instant(record["updatedAt"]),
                )
        except (KeyError, TypeError, ValueError):
            pass
        doc = reader.object(record, at or "record")
        if doc is None:
            return None
        values = [
            reader.take(doc, name, parse, at)
            for name, parse in (
                ("id", parse_id),
                ("companyId", parse_id),
                ("recordVersion", _integer(0)),
                ("isActive", _parse_bool),
                ("createdAt", _parse_instant),
                ("updatedAt", _parse_instant),
            )
        ]
        return None if None in values else cls(*values)


def _collection_name(value: Any) -> str:
    if value not in COLLECTIONS:
        raise _bad(f"must be one of {', '.join(COLLECTIONS)}")
    return str(value)


def _cursor(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,18}", value):
        raise _bad('must be a whole number in a string, like "42"')
    return value


_CHANGE_KEYS = ("seq", "collection", "id", "recordVersion", "deleted", "record")


@dataclass(frozen=True)
class Change:
    """One record's latest change in the feed: the record as it is now, or, when
    ``deleted``, a tombstone with no record."""

    seq: int
    collection: str
    id: str
    record_version: int
    deleted: bool
    record: Mapping[str, Any] | None

    def render(self) -> dict[str, Any]:
        values = (self.seq, self.collection, self.id, self.record_version, self.deleted)
        return {
            **dict(zip(_CHANGE_KEYS, values, strict=False)),
            "record": None if self.deleted else self.record,
        }

    @classmethod
    def _read(cls, reader: _Reader, data: Any, at: str) -> Change | None:
        doc = reader.object(data, at)
        if doc is None:
            return None
        seq = reader.take(doc, "seq", _integer(1), at)
        collection = reader.take(doc, "collection", _collection_name, at)
        record_id = reader.take(doc, "id", parse_id, at)
        version = reader.take(doc, "recordVersion", _integer(0), at)
        deleted = reader.take(doc, "deleted", _parse_bool, at)
        record = reader.take(doc, "record", _nullable_object, at)
        if deleted is True and record is not None:
            reader.problems.append(Problem(f"{at}.record", INVALID, "must be null for a deletion"))
        if deleted is False:
            if record is None:
                if "record" in doc:
                    reader.problems.append(Problem(f"{at}.record", INVALID, "must not be null"))
            else:
                header = RecordHeader._read(reader, record, f"{at}.record")
                if header is not None and record_id is not None and header.id != record_id:
                    reader.problems.append(
                        Problem(f"{at}.record.id", INVALID, f"must be the change's id {record_id}")
                    )
                if header is not None and version is not None and header.version != version:
                    reader.problems.append(
                        Problem(
                            f"{at}.record.recordVersion",
                            INVALID,
                            f"must be the change's recordVersion {version}",
                        )
                    )
        if None in (seq, collection, record_id, version, deleted):
            return None
        return cls(seq, collection, record_id, version, deleted, record)

    @staticmethod
    def schema(collections: Iterable[str]) -> dict[str, Any]:
        names = list(collections)
        return {
            "type": "object",
            "required": list(_CHANGE_KEYS),
            "properties": {
                "seq": {"type": "integer"},
                "collection": {"type": "string", "enum": names},
                "id": {"type": "string", "format": "uuid"},
                "recordVersion": {"type": "integer"},
                "deleted": {"type": "boolean"},
                "record": {
                    "anyOf": [record_schema(COLLECTIONS[name]) for name in names]
                    + [{"type": "null"}]
                },
            },
        }


@dataclass(frozen=True)
class ChangePage:
    """A page of ``GET /v1/changes``: upserts and tombstones in commit order (each
    record once, at its latest change), the cursor to ask from next, and whether
    more pages follow.

    A record's own fields are checked here (:class:`RecordHeader`); its content is
    parsed where it is applied (:mod:`core.replica`), with :func:`from_wire`.
    """

    changes: tuple[Change, ...]
    cursor: str
    has_more: bool

    DATA_NAME = "changes"

    def render(self) -> dict[str, Any]:
        return {
            "status": OK,
            "statusCode": 200,
            "dataName": self.DATA_NAME,
            self.DATA_NAME: [c.render() for c in self.changes],
            "cursor": self.cursor,
            "hasMore": self.has_more,
        }

    def to_json(self) -> bytes:
        return to_json(self.render())

    @classmethod
    def parse(cls, document: Any) -> ChangePage:
        reader, doc = _Reader(), _document(document)
        _success(reader, doc, cls.DATA_NAME)
        raw = reader.take(doc, cls.DATA_NAME, _list, "") or []
        changes = [Change._read(reader, c, f"{cls.DATA_NAME}[{n}]") for n, c in enumerate(raw)]
        cursor = reader.take(doc, "cursor", _cursor, "")
        has_more = reader.take(doc, "hasMore", _parse_bool, "")
        reader.done()
        return cls(tuple(changes), cursor, has_more)  # type: ignore[arg-type]

    @classmethod
    def schema(cls, collections: Iterable[str]) -> dict[str, Any]:
        schema = Envelope.schema(
            cls.DATA_NAME, {"type": "array", "items": Change.schema(collections)}
        )
        schema["required"] += ["cursor", "hasMore"]
        schema["properties"]["cursor"] = {"type": "string", "pattern": "^[0-9]+$"}
        schema["properties"]["hasMore"] = {"type": "boolean"}
        return schema
