"""Setting a store up for a company: the company, its site, its departments.

A new store is empty; nothing else in ShiftDesk can work until it knows whose it is
and in which time zone its shifts are. :func:`setup_store` writes that once (a store
holds one company, with the default pay policy so attendance and payroll work at
once), and :func:`add_department`, :func:`edit_department` and
:func:`delete_department` keep the teams people are grouped by. The command line,
the desktop and the server call these same operations.

A department is named by people and by HR files, not by id, so :func:`get_department`
accepts either; names are therefore unique within a company, in any letter case.
A department still in use (people, templates, shifts ahead) is not deleted out
from under them: the delete names what uses it, or moves it to another department
in the same step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core import undo
from core.changes import Changes
from core.errors import Duplicate, InUse, NotFound, ValidationError
from core.models import (
    Company,
    Department,
    Employee,
    PayPolicy,
    Shift,
    ShiftDepartment,
    ShiftStatus,
    ShiftTemplate,
    Site,
    new_id,
)
from core.results import OpResult, RuleWarning
from core.timeutil import utcnow, zone

#: What :attr:`OpResult.changed` names, so views refresh only these.
ORGANISATION = Changes.ORGANISATION
DEPARTMENTS = Changes.DEPARTMENTS

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _name(value: str, field: str, limit: int = 200) -> str:
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        raise ValidationError(field, "give a name")
    if len(name) > limit:
        raise ValidationError(field, f"the name is longer than {limit} characters")
    return name


@dataclass(frozen=True)
class Setup:
    """What a store needs to know before anyone can be scheduled in it."""

    company: str
    site: str
    timezone: str
    currency: str = "EUR"

    def checked(self) -> Setup:
        """Names trimmed and present, the zone an IANA name, the currency ISO 4217.

        Callers that create a file for the store check first, so bad input leaves
        no empty store behind.
        """
        currency = self.currency.strip().upper() if isinstance(self.currency, str) else ""
        if not _CURRENCY.match(currency):
            raise ValidationError(
                "currency", f"{self.currency!r} is not a three-letter code such as EUR"
            )
        timezone = self.timezone.strip() if isinstance(self.timezone, str) else ""
        zone(timezone)
        return Setup(
            company=_name(self.company, "company"),
            site=_name(self.site, "site"),
            timezone=timezone,
            currency=currency,
        )


def setup_store(
    session: Session,
    setup: Setup,
    *,
    company_id: str | None = None,
    site_id: str | None = None,
    sole: bool = True,
) -> OpResult:
    """Create the company, its site and its default pay policy; ``ids`` are
    (company id, site id). A store holds one company, so one that has a company
    already is refused; the server's database holds many and passes ``sole=False``."""
    setup = setup.checked()
    existing = session.scalars(select(Company).order_by(Company.name).limit(1)).first()
    if sole and existing is not None:
        raise ValidationError(
            "company",
            f"the store is set up already (company {existing.name!r}); a store holds one company",
        )
    company = Company(id=company_id or new_id(), name=setup.company, currency=setup.currency)
    site = Site(
        id=site_id or new_id(), company_id=company.id, name=setup.site, timezone=setup.timezone
    )
    with undo.recording(session) as recorder:
        session.add(company)
        session.flush()
        session.add_all([site, PayPolicy(company_id=company.id)])
    return recorder.result(ids=(company.id, site.id))


def resolve_site(session: Session, site_id: str | None = None) -> Site:
    """The site named, else the store's only one (a choice is needed among several)."""
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None:
            raise NotFound("site", site_id)
        return site
    sites = list(session.scalars(select(Site).limit(2)))
    if not sites:
        raise ValidationError(
            "site", "the store has no site yet; set it up first (company, site and time zone)"
        )
    if len(sites) > 1:
        raise ValidationError("site", "the store has several sites; name one by its id")
    return sites[0]


@dataclass(frozen=True)
class DepartmentRow:
    id: str
    name: str
    color: str
    site_id: str
    site: str
    #: Active employees in it.
    employees: int


def list_departments(session: Session) -> list[DepartmentRow]:
    """Departments by name, each with its site and how many active people it has."""
    people = (
        select(Employee.department_id, func.count().label("n"))
        .where(Employee.deleted.is_(False), Employee.active.is_(True))
        .group_by(Employee.department_id)
        .subquery()
    )
    query = (
        select(Department, Site.name, people.c.n)
        .join(Site, Site.id == Department.site_id)
        .outerjoin(people, people.c.department_id == Department.id)
        .where(Department.deleted.is_(False))
        .order_by(func.lower(Department.name), Department.id)
    )
    return [
        DepartmentRow(dept.id, dept.name, dept.color, dept.site_id, site, count or 0)
        for dept, site, count in session.execute(query)
    ]


def get_department(session: Session, ref: str, *, company_id: str | None = None) -> Department:
    """A live department by id, or by name in any letter case (what people type)."""
    ref = ref.strip() if isinstance(ref, str) else ""
    query = select(Department).where(Department.deleted.is_(False))
    if company_id is not None:
        query = query.where(Department.company_id == company_id)
    found = [d for d in session.scalars(query) if d.id == ref or _same(d.name, ref)]
    by_id = [d for d in found if d.id == ref]
    if by_id:
        return by_id[0]
    if not found:
        raise NotFound("department", ref, by_name=True)
    if len(found) > 1:
        raise ValidationError("department", f"{ref!r} names several departments; use an id")
    return found[0]


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def live_department(
    session: Session, department_id: str, *, company_id: str | None = None
) -> Department:
    """A live department of the company, else a ValidationError naming ``department``
    (a reference in someone's record, not a lookup: the record is what is wrong)."""
    dept = session.get(Department, department_id)
    if dept is None or dept.deleted or (company_id is not None and dept.company_id != company_id):
        raise ValidationError("department", f"no department with id {department_id}")
    return dept


def _color(color: str) -> str:
    if not isinstance(color, str) or not _COLOR.match(color.strip()):
        raise ValidationError("color", f"{color!r} is not a colour in #RRGGBB")
    return color.strip().lower()


def _check_name_free(
    session: Session, company_id: str, name: str, department_id: str | None = None
) -> None:
    taken = session.scalars(
        select(Department).where(
            Department.company_id == company_id,
            Department.deleted.is_(False),
            Department.id != (department_id or ""),
        )
    )
    same = next((d for d in taken if _same(d.name, name)), None)
    if same is not None:
        spelt = "" if same.name == name else f" (as {same.name!r})"
        raise Duplicate("name", f"the company has a department {name!r} already{spelt}")


def add_department(
    session: Session,
    name: str,
    *,
    color: str | None = None,
    site_id: str | None = None,
    department_id: str | None = None,
) -> OpResult:
    """A new department at ``site_id`` (or the only site); ``ids`` is its id.

    Its name must not be another live department's in the company, in any case.
    """
    name = _name(name, "name")
    color = None if color is None else _color(color)
    site = resolve_site(session, site_id)
    _check_name_free(session, site.company_id, name)
    dept = Department(
        id=department_id or new_id(), company_id=site.company_id, site_id=site.id, name=name
    )
    if color is not None:
        dept.color = color
    with undo.recording(session) as recorder:
        session.add(dept)
    return recorder.result(ids=(dept.id,))


def _live(session: Session, department_id: str) -> Department:
    dept = session.get(Department, department_id)
    if dept is None or dept.deleted:
        raise NotFound("department", department_id)
    return dept


def edit_department(
    session: Session,
    department_id: str,
    *,
    name: str | None = None,
    color: str | None = None,
    site_id: str | None = None,
) -> OpResult:
    """Rename, recolour or move a department to another site of the company (what is
    None stays). The name stays unique in any case; a change of case alone is a
    rename. An edit that changes nothing is no step (``applied`` is False)."""
    dept = _live(session, department_id)
    wanted: dict[str, str] = {}
    if name is not None:
        wanted["name"] = _name(name, "name")
    if color is not None:
        wanted["color"] = _color(color)
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None or site.company_id != dept.company_id:
            raise ValidationError("site", f"no site with id {site_id}")
        wanted["site_id"] = site_id
    wanted = {k: v for k, v in wanted.items() if getattr(dept, k) != v}
    if not wanted:
        return OpResult(ids=(department_id,))
    if "name" in wanted:
        _check_name_free(session, dept.company_id, wanted["name"], department_id)
    with undo.recording(session) as recorder:
        for key, value in wanted.items():
            setattr(dept, key, value)
    return recorder.result(ids=(department_id,))


def upcoming(now: datetime) -> list[ColumnElement[bool]]:
    """Where-clauses of the shifts still ahead at ``now``: live, not cancelled, not
    started. What is behind is history and keeps what it said."""
    return [
        Shift.deleted.is_(False),
        Shift.status != ShiftStatus.CANCELLED,
        Shift.start_utc > now,
    ]


@dataclass(frozen=True)
class DepartmentUsage:
    """What still uses a department: its live people (active or not), its live
    templates, and the shifts ahead that carry it, as their department or assigned
    to it as a team."""

    people: tuple[str, ...]
    templates: tuple[str, ...]
    shifts: int
    team_shifts: int

    @property
    def movable(self) -> bool:
        """Whether :func:`delete_department` can move everything to another one."""
        return not self.team_shifts

    @property
    def empty(self) -> bool:
        return not (self.people or self.templates or self.shifts or self.team_shifts)

    def words(self) -> str:
        """``2 people, 1 template and 3 shifts ahead`` (what moves; empty if nothing)."""
        parts = []
        if self.people:
            parts.append(_count(len(self.people), "person", "people"))
        if self.templates:
            parts.append(_count(len(self.templates), "template", "templates"))
        if self.shifts:
            parts.append(_count(self.shifts, "shift ahead", "shifts ahead"))
        return listing(parts)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def listing(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def department_usage(
    session: Session, department_id: str, *, now: datetime | None = None
) -> DepartmentUsage:
    """What uses a live department now (names of people and templates, counts of shifts)."""
    _live(session, department_id)
    now = now or utcnow()
    people = session.execute(
        select(Employee.first_name, Employee.last_name)
        .where(Employee.department_id == department_id, Employee.deleted.is_(False))
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    ).all()
    templates = session.scalars(
        select(ShiftTemplate.name)
        .where(ShiftTemplate.department_id == department_id, ShiftTemplate.deleted.is_(False))
        .order_by(ShiftTemplate.name)
    ).all()
    labelled = session.scalar(
        select(func.count())
        .select_from(Shift)
        .where(Shift.department_id == department_id, *upcoming(now))
    )
    teams = session.scalar(
        select(func.count(func.distinct(Shift.id)))
        .select_from(Shift)
        .join(ShiftDepartment, ShiftDepartment.shift_id == Shift.id)
        .where(ShiftDepartment.department_id == department_id, *upcoming(now))
    )
    return DepartmentUsage(
        people=tuple(f"{first} {last}".strip() for first, last in people),
        templates=tuple(templates),
        shifts=labelled or 0,
        team_shifts=teams or 0,
    )


def delete_department(
    session: Session,
    department_id: str,
    *,
    move_to: str | None = None,
    now: datetime | None = None,
) -> OpResult:
    """Remove a department (softly: shifts worked keep saying where they were).

    While people, templates or shifts ahead use it, the delete is refused naming
    how many, unless ``move_to`` names another department: then they move there in
    the same step (one undo puts everything back). Shifts ahead assigned to it as a
    team are always refused: moving the team would change who works them.
    """
    dept = _live(session, department_id)
    target = None
    if move_to is not None:
        if move_to == department_id:
            raise ValidationError("move_to", f"choose a department other than {dept.name}")
        target = _live(session, move_to)
        if target.company_id != dept.company_id:
            raise ValidationError("move_to", f"no department with id {move_to}")
    now = now or utcnow()
    usage = department_usage(session, department_id, now=now)
    if usage.team_shifts:
        n = usage.team_shifts
        raise InUse(
            "department",
            f"{dept.name} is assigned as a team to {_count(n, 'shift', 'shifts')} ahead;"
            f" assign {'it' if n == 1 else 'them'} to people or another department first",
        )
    if target is None and not usage.empty:
        raise InUse(
            "department",
            f"{dept.name} still has {usage.words()}; move them to another department first",
        )
    warnings: tuple[RuleWarning, ...] = ()
    with undo.recording(session) as recorder:
        if target is not None and not usage.empty:
            _move(session, department_id, target.id, now)
            warnings = (RuleWarning("moved", "", f"{usage.words()} moved to {target.name}"),)
        dept.deleted = True
    return recorder.result(ids=(department_id,), warnings=warnings)


def _move(session: Session, department_id: str, target_id: str, now: datetime) -> None:
    for model, extra in (
        (Employee, ()),
        (ShiftTemplate, ()),
        (Shift, upcoming(now)),
    ):
        rows = session.scalars(
            select(model).where(
                model.department_id == department_id,  # type: ignore[attr-defined]
                model.deleted.is_(False),  # type: ignore[attr-defined]
                *extra,
            )
        )
        for row in rows:
            row.department_id = target_id
