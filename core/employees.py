"""Employees as lists show them, and bringing them in from a spreadsheet.

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
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import undo
from core.csvsource import read_csv_source
from core.errors import NotFound, ValidationError
from core.models import Department, Employee, Site, new_id
from core.money import hours, money
from core.organisation import resolve_site
from core.results import OpResult

CSV_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "code",
    "department",
    "hourly_rate",
    "contract_hours",
    "active",
)
REQUIRED_COLUMNS = ("first_name", "last_name", "code")
_TRUE = {"yes", "y", "true", "1", "active"}
_FALSE = {"no", "n", "false", "0", "inactive"}
#: Hours in a week: no contract can ask for more.
_WEEK_HOURS = Decimal(168)


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
        )
        for emp, dept in session.execute(query)
    ]


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


def _decimal(raw: str, column: str, upper: Decimal | None = None) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation as exc:
        raise _RowError(f"{column} {raw!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise _RowError(f"{column} {raw!r} is not zero or more")
    if upper is not None and value > upper:
        raise _RowError(f"{column} {raw!r} is more than {upper}")
    return value


def _active(raw: str) -> bool | None:
    if not raw:
        return None
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise _RowError(f"active {raw!r} is not yes or no")


#: local@domain.tld: one @, no spaces, and a dot inside the domain (``dan@example`` is
#: a typo more often than an address, and mail to it goes nowhere).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _parse_row(row: Mapping[str, str]) -> dict[str, Any]:
    """The row's values; an empty optional cell is None (kept on update, default on add).

    Every bad cell of the row is reported at once, so one round of fixing does.
    """
    cells = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
    problems = [f"{column} is empty" for column in REQUIRED_COLUMNS if not cells[column]]
    if cells["email"] and not _EMAIL.match(cells["email"]):
        problems.append(f"email {cells['email']!r} is not an e-mail address")

    def checked(parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except _RowError as exc:
            problems.append(exc.problem)
            return None

    values = {
        "first_name": cells["first_name"],
        "last_name": cells["last_name"],
        "code": cells["code"],
        "email": cells["email"] or None,
        "department": cells["department"] or None,
        "hourly_rate": checked(_decimal, cells["hourly_rate"], "hourly_rate"),
        "contract_hours": checked(_decimal, cells["contract_hours"], "contract_hours", _WEEK_HOURS),
        "active": checked(_active, cells["active"]),
    }
    if problems:
        raise _RowError(*problems)
    return values


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
