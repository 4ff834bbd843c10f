"""Replicated records as camelCase JSON on the wire, and back, field by field.

The server and the sync client share this one mapping, so a record has a single
shape everywhere. Parsing collects every bad field before failing and names each
one ``MISSING`` (required and absent), ``UNDEFINED`` (not a field of the record)
or ``INVALID`` (wrong type or value). No HTTP here: each edge renders
:class:`WireError` its own way. ``schema()`` gives the JSON Schema of the same
rules, so a published contract cannot drift from what is enforced.
"""

from __future__ import annotations

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
    ClockEvent,
    Department,
    Employee,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    PunchKind,
    PunchSource,
    Shift,
    ShiftStatus,
    ShiftTemplate,
    Site,
    Synced,
)
from core.timeutil import as_utc, parse_hhmm

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
        super().__init__(first.field, "; ".join(f"{p.field} {p.message}" for p in self.problems))


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

_DECIMAL = r"\d{1,8}(\.\d{1,4})?"


def _parse_decimal(value: Any) -> Decimal:
    if not isinstance(value, str) or not re.fullmatch(_DECIMAL, value):
        raise _bad('must be a decimal number in a string, like "12.50"')
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise _bad("must be a decimal number") from exc


def _dump_decimal(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


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


def parse_id(value: Any) -> str:
    """A record id: a UUID, kept in its lower-case canonical form."""
    if not isinstance(value, str) or len(value) != 36:
        raise _bad("must be a UUID")
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

_SITE = Field("siteId", "site_id", ref(Site))


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
                Field("email", "email", text(200), nullable=True),
                Field("code", "code", text(50), nullable=True, filter=True),
                Field("hourlyRate", "hourly_rate", DECIMAL),
                Field("contractHours", "contract_hours", DECIMAL),
                Field("employed", "active", BOOLEAN, filter=True),
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
    )
}


def collection_of(model: type) -> Collection:
    return COLLECTIONS[model.__collection__]  # type: ignore[attr-defined]


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
            problems.append(Problem(f.name, INVALID, str(exc)))
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
    return {"type": "object", "properties": props, "required": list(props)}


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
