"""Employees: the rules a person's record follows, the operations a supervisor uses
on one person, lists of them, and bringing them in from a spreadsheet.

One set of rules serves every way in: :func:`checked_fields` says what each field
must look like (names present, an e-mail that can be mailed, a rate of zero or
more, contract hours from 0 to 168), and the CSV import checks its cells with
it; :func:`add_employee` and :func:`edit_employee` add what needs the store (the
site and department exist, a payroll code is nobody else's in the company). An
inactive person keeps their shifts worked, punches and leave, and cannot be
scheduled; deactivating takes them off the shifts still ahead of them.

The CSV import is what an HR export looks like: one row per person, matched to an
existing employee by payroll ``code`` (so importing the same file again updates
rather than duplicates, which is why the code is required). A department is named,
not referenced by id; a name the company does not have yet is created at the
import's site, because an HR file is where new departments first appear. The
result says which departments were created, so a typo is seen at once.

Every row is checked before anything is written; one bad row refuses the whole file
with every bad line listed, and the store is left as it was. An accepted file is
one operation: its undo takes back all it did.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core import undo
from core.changes import of_model
from core.csvsource import read_csv_source
from core.employment import employment_problem
from core.errors import Duplicate, InUse, NotFound, ValidationError
from core.models import (
    AttendanceCorrection,
    ClockEvent,
    Department,
    Employee,
    LeaveRequest,
    Shift,
    ShiftEmployee,
    ShiftStatus,
    Site,
    new_id,
)
from core.money import hours, money
from core.organisation import listing, live_department, resolve_site, upcoming
from core.results import OpResult, RuleWarning
from core.timeutil import to_local, utcnow

CSV_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "code",
    "department",
    "hourly_rate",
    "contract_hours",
    "active",
    "employment_start",
    "employment_end",
)
REQUIRED_COLUMNS = ("first_name", "last_name", "code")
_TRUE = {"yes", "y", "true", "1", "active"}
_FALSE = {"no", "n", "false", "0", "inactive"}
#: Hours in a week: no contract can ask for more.
_WEEK_HOURS = Decimal(168)
#: The largest rate the store keeps (eight digits before the point, four after).
_MAX_RATE = Decimal("99999999.9999")
_PLACES = Decimal("0.0001")


# --- the rules of a person's record -----------------------------------------------------
#
# Each rule takes what a form, a file or the wire gives (text, or an already typed
# value) and returns the value to store, or raises ValidationError naming the field.
# A problem reads after the field's name ("hourly_rate '-3' is not zero or more"),
# which is how the CSV import lists them, and on its own under a form's field.

#: local@domain.tld: one @, no spaces, and a dot inside the domain (``dan@example`` is
#: a typo more often than an address, and mail to it goes nowhere).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _shown(value: Any) -> str:
    return repr(value if isinstance(value, str) else str(value))


def _text(value: Any, field: str, limit: int, *, what: str = "") -> str | None:
    """Trimmed text; empty is None, or refused when ``what`` names what is missing."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValidationError(field, f"{_shown(value)} is not text")
    if not text:
        if what:
            raise ValidationError(field, f"give {what}")
        return None
    if len(text) > limit:
        raise ValidationError(field, f"is longer than {limit} characters")
    return text


def _first_name(value: Any) -> str:
    return _text(value, "first_name", 100, what="a first name") or ""


def _last_name(value: Any) -> str:
    return _text(value, "last_name", 100, what="a last name") or ""


def _email(value: Any) -> str | None:
    text = _text(value, "email", 200)
    if text is not None and not _EMAIL.match(text):
        raise ValidationError("email", f"{text!r} is not an e-mail address")
    return text


def _code(value: Any) -> str | None:
    return _text(value, "code", 50)


def _number(value: Any, field: str, upper: Decimal) -> Decimal:
    """Zero or more, at most ``upper``; text may use a decimal comma (``19,75``)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError(field, f"{_shown(value)} is not a number")
    try:
        number = Decimal(value.strip().replace(",", ".") if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise ValidationError(field, f"{_shown(value)} is not a number") from exc
    if not number.is_finite() or number < 0:
        raise ValidationError(field, f"{_shown(value)} is not zero or more")
    if number > upper:
        raise ValidationError(field, f"{_shown(value)} is more than {upper}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:  # the store keeps four places
        number = number.quantize(_PLACES)
    return number


def _rate(value: Any) -> Decimal:
    return _number(value, "hourly_rate", _MAX_RATE)


def _contract_hours(value: Any) -> Decimal:
    return _number(value, "contract_hours", _WEEK_HOURS)


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("active", f"{_shown(value)} is not yes or no")
    return value


def _date(value: Any, field: str) -> date | None:
    """A day as a date or ISO text (``2026-12-05``); empty is None (open-ended)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if not isinstance(value, str):
        raise ValidationError(field, f"{_shown(value)} is not a date")
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(field, f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _employment_start(value: Any) -> date | None:
    return _date(value, "employment_start")


def _employment_end(value: Any) -> date | None:
    return _date(value, "employment_end")


_RULES: dict[str, Callable[[Any], Any]] = {
    "first_name": _first_name,
    "last_name": _last_name,
    "email": _email,
    "code": _code,
    "hourly_rate": _rate,
    "contract_hours": _contract_hours,
    "active": _active,
    "employment_start": _employment_start,
    "employment_end": _employment_end,
}


def checked_fields(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Each given field of a person through its rule: the values to store, and every
    field's problem at once (so one round of fixing does). Fields without a rule of
    their own (site, department) pass unchanged; they are checked against the store.
    """
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in values.items():
        rule = _RULES.get(name)
        if rule is None:
            clean[name] = value
            continue
        try:
            clean[name] = rule(value)
        except ValidationError as error:
            problems[error.field] = error.problem
    if "employment_end" not in problems:
        wrong = employment_problem(clean.get("employment_start"), clean.get("employment_end"))
        if wrong:
            problems["employment_end"] = wrong
    return clean, problems


@dataclass(frozen=True)
class EmployeeRow:
    id: str
    name: str
    department: str | None
    code: str | None
    hourly_rate: Decimal
    contract_hours: Decimal
    active: bool
    department_id: str | None
    email: str | None
    site_id: str | None = None
    first_name: str = ""
    last_name: str = ""
    employment_start: date | None = None
    employment_end: date | None = None


def get_employee(session: Session, ref: str) -> Employee:
    """An employee by id, or by payroll code (what people type on a command line)."""
    ref = ref.strip()
    found = session.scalars(
        select(Employee).where(
            Employee.deleted.is_(False), (Employee.id == ref) | (Employee.code == ref)
        )
    ).all()
    if not found:
        raise NotFound("employee", ref)
    if len(found) > 1:
        raise ValidationError("employee", f"{ref!r} is the code of several employees; use an id")
    return found[0]


def list_employees(session: Session, include_inactive: bool = False) -> list[EmployeeRow]:
    """Employees by last then first name; inactive ones only when asked for."""
    query = (
        select(Employee, Department.name)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(Employee.deleted.is_(False))
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    if not include_inactive:
        query = query.where(Employee.active.is_(True))
    return [
        EmployeeRow(
            id=emp.id,
            name=emp.name,
            department=dept,
            code=emp.code,
            hourly_rate=money(emp.hourly_rate),
            contract_hours=hours(emp.contract_hours),
            active=emp.active,
            department_id=emp.department_id,
            email=emp.email,
            site_id=emp.site_id,
            first_name=emp.first_name,
            last_name=emp.last_name,
            employment_start=emp.employment_start,
            employment_end=emp.employment_end,
        )
        for emp, dept in session.execute(query)
    ]


# --- operations on one person -------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeDraft:
    """A person as plain values: what a form, a command line or the wire fills in.

    Money and hours may be given as text (``"18,50"``); ``site_id`` None means the
    store's only site.
    """

    first_name: str
    last_name: str
    email: str | None = None
    code: str | None = None
    department_id: str | None = None
    hourly_rate: Decimal | str = Decimal(0)
    contract_hours: Decimal | str = Decimal(40)
    site_id: str | None = None
    active: bool = True
    #: First and last day of employment (dates or ISO text); None is open-ended.
    employment_start: date | str | None = None
    employment_end: date | str | None = None


#: What :func:`edit_employee` may change (the active flag has its own operations).
EDITABLE_FIELDS = tuple(f.name for f in fields(EmployeeDraft) if f.name != "active")


def _get(session: Session, employee_id: str) -> Employee:
    employee = session.get(Employee, employee_id)
    if employee is None or employee.deleted:
        raise NotFound("employee", employee_id)
    return employee


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values through their rules; the first problem (in field order) is raised."""
    clean, problems = checked_fields(values)
    if problems:
        field, problem = next(iter(problems.items()))
        raise ValidationError(field, problem)
    return clean


def _check_site(session: Session, site_id: str, company_id: str) -> None:
    site = session.get(Site, site_id)
    if site is None or site.company_id != company_id:
        raise ValidationError("site", f"no site with id {site_id}")


def _check_department(session: Session, department_id: str | None, company_id: str) -> None:
    if department_id is not None:
        live_department(session, department_id, company_id=company_id)


def _check_code(
    session: Session, code: str | None, company_id: str, employee_id: str | None
) -> None:
    """A payroll code is one live person's in a company (inactive people keep theirs)."""
    if code is None:
        return
    holder = session.scalars(
        select(Employee)
        .where(
            Employee.company_id == company_id,
            Employee.deleted.is_(False),
            Employee.code == code,
            Employee.id != (employee_id or ""),
        )
        .limit(1)
    ).first()
    if holder is not None:
        gone = "" if holder.active else " (inactive)"
        raise Duplicate("code", f"{holder.name}{gone} has the payroll code {code} already")


def add_employee(
    session: Session, draft: EmployeeDraft, *, employee_id: str | None = None
) -> OpResult:
    """A new person; ``ids`` is their id (``employee_id`` keeps an id made elsewhere)."""
    values = _clean({f.name: getattr(draft, f.name) for f in fields(EmployeeDraft)})
    site = resolve_site(session, values.pop("site_id"))
    _check_department(session, values["department_id"], site.company_id)
    _check_code(session, values["code"], site.company_id, None)
    employee = Employee(
        id=employee_id or new_id(), company_id=site.company_id, site_id=site.id, **values
    )
    with undo.recording(session) as recorder:
        session.add(employee)
    return recorder.result(ids=(employee.id,))


def edit_employee(session: Session, employee_id: str, **changes: Any) -> OpResult:
    """Change any of :data:`EDITABLE_FIELDS`. Only what changes is checked, so a record
    written under older rules can still be edited; an edit that changes nothing is
    no step (``applied`` is False)."""
    employee = _get(session, employee_id)
    unknown = [name for name in changes if name not in EDITABLE_FIELDS]
    if unknown:
        hint = " (deactivate or reactivate instead)" if "active" in unknown else ""
        raise ValidationError(unknown[0], f"is not a field an edit changes{hint}")
    values = _clean(changes)
    values = {k: v for k, v in values.items() if getattr(employee, k) != v}
    if "employment_start" in values or "employment_end" in values:
        wrong = employment_problem(
            values.get("employment_start", employee.employment_start),
            values.get("employment_end", employee.employment_end),
        )
        if wrong:
            field = "employment_end" if "employment_end" in values else "employment_start"
            raise ValidationError(field, wrong)
    if not values:
        return OpResult(ids=(employee_id,))
    if "site_id" in values:
        if values["site_id"] is None:
            raise ValidationError("site", "a person works at a site; name one")
        _check_site(session, values["site_id"], employee.company_id)
    if "department_id" in values:
        _check_department(session, values["department_id"], employee.company_id)
    if "code" in values:
        _check_code(session, values["code"], employee.company_id, employee_id)
    with undo.recording(session) as recorder:
        for name, value in values.items():
            setattr(employee, name, value)
    warnings: tuple[RuleWarning, ...] = ()
    if "employment_start" in values or "employment_end" in values:
        warnings = _shifts_outside_employment(session, employee)
    return recorder.result(ids=(employee_id,), warnings=warnings)


def _shifts_outside_employment(session: Session, employee: Employee) -> tuple[RuleWarning, ...]:
    """New employment dates leave the person's own shifts outside them where they
    were: each stays (as a conflict on the grid, unpaid by payroll) until someone
    reassigns or deletes it, so the edit says how many and from when."""
    outside = [
        Shift.shift_date < employee.employment_start if employee.employment_start else None,
        Shift.shift_date > employee.employment_end if employee.employment_end else None,
    ]
    clauses = [clause for clause in outside if clause is not None]
    if not clauses:
        return ()
    days = session.scalars(
        select(Shift.shift_date)
        .join(ShiftEmployee, ShiftEmployee.shift_id == Shift.id)
        .where(
            ShiftEmployee.employee_id == employee.id,
            Shift.deleted.is_(False),
            Shift.status != ShiftStatus.CANCELLED,
            or_(*clauses),
        )
        .order_by(Shift.shift_date)
    ).all()
    if not days:
        return ()
    count = f"{len(days)} shift{'s' * (len(days) != 1)}"
    return (
        RuleWarning(
            "outside_employment",
            employee.id,
            f"{employee.name} still has {count} outside their employment (from"
            f" {days[0]:%a %d %b %Y}): reassign or delete them",
        ),
    )


def _day(instant: datetime, zone_name: str) -> str:
    return f"{to_local(instant, zone_name):%a %d %b}"


def deactivate_employee(
    session: Session, employee_id: str, *, now: datetime | None = None
) -> OpResult:
    """The person leaves the schedule: they cannot be put on shifts (or ask for leave)
    from now on, and keep everything they did. They are taken off the shifts they
    were named on that have not started yet (a shift left with nobody stays, as an
    open shift) and a warning says how many; their department's team shifts no
    longer count them. :func:`reactivate_employee` brings them back (not onto
    those shifts)."""
    employee = _get(session, employee_id)
    if not employee.active:
        raise ValidationError("active", f"{employee.name} is inactive already")
    ahead = list(
        session.scalars(
            select(Shift)
            .join(ShiftEmployee, ShiftEmployee.shift_id == Shift.id)
            .where(ShiftEmployee.employee_id == employee_id, *upcoming(now or utcnow()))
            .order_by(Shift.start_utc, Shift.id)
        )
    )
    opened = 0
    with undo.recording(session) as recorder:
        employee.active = False
        for shift in ahead:
            people = [e for e in shift.employee_ids if e != employee_id]
            shift.assign(people, shift.assigned_department_ids)
            opened += not people and not shift.assigned_department_ids
    warnings: tuple[RuleWarning, ...] = ()
    if ahead:
        site = session.get(Site, ahead[0].site_id)
        count = f"{len(ahead)} upcoming shift{'s' * (len(ahead) != 1)}"
        first = _day(ahead[0].start_utc, site.timezone if site else "UTC")
        still_open = f"; {opened} {'is' if opened == 1 else 'are'} now open" if opened else ""
        warnings = (
            RuleWarning(
                "unassigned",
                employee_id,
                f"{employee.name} was taken off {count} (from {first}){still_open}",
            ),
        )
    return recorder.result(ids=(employee_id,), warnings=warnings)


def reactivate_employee(session: Session, employee_id: str) -> OpResult:
    """An inactive person can be scheduled again, with their record as it was."""
    employee = _get(session, employee_id)
    if employee.active:
        raise ValidationError("active", f"{employee.name} is active already")
    with undo.recording(session) as recorder:
        employee.active = True
    return recorder.result(ids=(employee_id,))


def _history(session: Session, employee_id: str) -> list[str]:
    """What a person's record is needed for, counted: ``["3 shifts", "12 punches"]``."""
    counts = (
        (
            "shift",
            select(func.count())
            .select_from(ShiftEmployee)
            .join(Shift, Shift.id == ShiftEmployee.shift_id)
            .where(ShiftEmployee.employee_id == employee_id, Shift.deleted.is_(False)),
        ),
        ("punch", _live_count(ClockEvent, employee_id)),
        ("leave request", _live_count(LeaveRequest, employee_id)),
        ("attendance correction", _live_count(AttendanceCorrection, employee_id)),
    )
    found = []
    for noun, query in counts:
        n = session.scalar(query) or 0
        if n:
            plural = "es" if noun.endswith("ch") else "s"
            found.append(f"{n} {noun}{plural * (n != 1)}")
    return found


def _live_count(model: Any, employee_id: str) -> Any:
    return (
        select(func.count())
        .select_from(model)
        .where(model.employee_id == employee_id, model.deleted.is_(False))
    )


def delete_employee(session: Session, employee_id: str) -> OpResult:
    """Remove a person entered by mistake. Anyone with shifts, punches or leave is
    refused (deactivate them instead, which keeps that history)."""
    employee = _get(session, employee_id)
    history = _history(session, employee_id)
    if history:
        raise InUse(
            "employee",
            f"{employee.name} has {listing(history)}; deactivate them instead,"
            " which keeps that history",
        )
    with undo.recording(session) as recorder:
        employee.deleted = True
    return recorder.result(ids=(employee_id,))


#: What an erased person is called (``last_name`` adds the start of their id, so
#: two erased people stay apart in a list).
ERASED_NAME = "Erased"


def erase_employee(session: Session, employee_id: str) -> OpResult:
    """Erase a person (GDPR): their name, e-mail, payroll code and hourly rate are
    replaced for good; their shifts, punches, leave and hours stay, now of nobody
    named. Works on a deactivated or deleted person too (the right to erasure
    outlives employment). Deliberately no undo: keeping the old values to put back
    would keep what was to be erased."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise NotFound("employee", employee_id)
    employee.first_name = ERASED_NAME
    employee.last_name = f"person {employee_id[:8]}"
    employee.email = None
    employee.code = None
    employee.hourly_rate = Decimal(0)
    session.flush()
    return OpResult(of_model(Employee), ids=(employee_id,))


@dataclass(frozen=True)
class ImportResult(OpResult):
    """An import as an operation, with the payroll codes added and updated (rows that
    changed nothing are in neither) and the departments it created.

    Its ``undo`` takes the added people and the new departments away again (softly)
    and puts each updated field back, where nobody changed it since; a file that
    changed nothing has no undo.
    """

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    departments_created: tuple[str, ...] = ()


class _RowError(Exception):
    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problem = "; ".join(problems)
        self.problems = problems


def _csv_active(raw: str) -> bool | None:
    if not raw:
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise _RowError(f"active {raw!r} is not yes or no")


def _parse_row(row: Mapping[str, str]) -> dict[str, Any]:
    """The row's values; an empty optional cell is None (kept on update, default on add).

    Every bad cell of the row is reported at once, so one round of fixing does. The
    cells are checked by the same rules as a person added by hand
    (:func:`checked_fields`); a file also needs the code, which matches its rows.
    """
    cells = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
    problems = [f"{column} is empty" for column in REQUIRED_COLUMNS if not cells[column]]
    given = {
        k: cells[k]
        for k in (
            "first_name",
            "last_name",
            "email",
            "code",
            "hourly_rate",
            "contract_hours",
            "employment_start",
            "employment_end",
        )
        if cells[k]
    }
    clean, bad = checked_fields(given)
    problems += [f"{field} {problem}" for field, problem in bad.items()]
    try:
        active = _csv_active(cells["active"])
    except _RowError as exc:
        problems.append(exc.problem)
        active = None
    if problems:
        raise _RowError(*problems)
    return {
        "first_name": clean["first_name"],
        "last_name": clean["last_name"],
        "code": clean["code"],
        "email": clean.get("email"),
        "department": cells["department"] or None,
        "hourly_rate": clean.get("hourly_rate"),
        "contract_hours": clean.get("contract_hours"),
        "active": active,
        "employment_start": clean.get("employment_start"),
        "employment_end": clean.get("employment_end"),
    }


def import_employees_csv(
    session: Session, source: str | Path, *, site_id: str | None = None
) -> ImportResult:
    """Add or update employees from CSV (header :data:`CSV_COLUMNS`, any order).

    New employees join ``site_id`` (needed only when the store has several sites);
    updated ones keep their site. Raises one :class:`ValidationError` (field
    ``file``) listing every bad line, and then writes nothing.
    """
    site = resolve_site(session, site_id)
    reader = csv.DictReader(io.StringIO(read_csv_source(source)))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        problems = [f"missing column(s) {', '.join(missing)}"] if missing else []
        problems += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise ValidationError(
            "file", f"line 1: {'; '.join(problems)} (expected {','.join(CSV_COLUMNS)})"
        )
    reader.fieldnames = header
    existing = {
        e.code: e
        for e in session.scalars(
            select(Employee).where(
                Employee.company_id == site.company_id,
                Employee.deleted.is_(False),
                Employee.code.is_not(None),
            )
        )
    }
    departments = {
        d.name.casefold(): d
        for d in session.scalars(
            select(Department).where(
                Department.company_id == site.company_id, Department.deleted.is_(False)
            )
        )
    }
    errors: list[str] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            errors.append(f"line {line}: more cells than columns")
            continue
        try:
            values = _parse_row(row)
        except _RowError as exc:
            errors.extend(f"line {line}: {problem}" for problem in exc.problems)
            continue
        if values["code"] in seen:
            errors.append(
                f"line {line}: code {values['code']} is on line {seen[values['code']]} too"
            )
            continue
        seen[values["code"]] = line
        known = existing.get(values["code"])
        if known is not None:  # an update: its dates together with those it keeps
            wrong = employment_problem(
                values["employment_start"] or known.employment_start,
                values["employment_end"] or known.employment_end,
            )
            if wrong:
                errors.append(f"line {line}: employment_end {wrong}")
                continue
        parsed.append(values)
    if errors:
        raise ValidationError("file", "; ".join(errors))
    if not parsed:
        raise ValidationError("file", "no employees in the file")
    return _write(session, site, parsed, existing, departments)


def _write(
    session: Session,
    site: Site,
    rows: list[dict[str, Any]],
    existing: dict[str, Employee],
    departments: dict[str, Department],
) -> ImportResult:
    """Write checked rows. The ORM batches the inserts into one statement per table and
    the store's flush hook writes each row's outbox entry, as for any other edit."""
    created: list[str] = []
    added: list[str] = []
    updated: list[str] = []
    with undo.recording(session) as recorder:
        for values in rows:
            dept_name = values.pop("department")
            if dept_name is not None:
                dept = departments.get(dept_name.casefold())
                if dept is None:
                    dept = Department(
                        id=new_id(), company_id=site.company_id, site_id=site.id, name=dept_name
                    )
                    session.add(dept)
                    departments[dept_name.casefold()] = dept
                    created.append(dept_name)
                values["department_id"] = dept.id
            wanted = {k: v for k, v in values.items() if v is not None}
            employee = existing.get(values["code"])
            if employee is None:
                session.add(Employee(company_id=site.company_id, site_id=site.id, **wanted))
                added.append(values["code"])
                continue
            changes = {k: v for k, v in wanted.items() if getattr(employee, k) != v}
            for key, value in changes.items():
                setattr(employee, key, value)
            if changes:
                updated.append(values["code"])
    report = {
        "added": tuple(added),
        "updated": tuple(updated),
        "departments_created": tuple(created),
    }
    if not added and not updated:
        return ImportResult(**report)
    return recorder.result(into=ImportResult, **report)
