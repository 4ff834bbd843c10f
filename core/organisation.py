"""Setting a store up for a company: the company, its site, its departments.

A new store is empty; nothing else in ShiftDesk can work until it knows whose it is
and in which time zone its shifts are. :func:`setup_store` writes that once (a store
holds one company, with the default pay policy so attendance and payroll work at
once), and :func:`add_department` adds the teams people are grouped by. The command
line and the desktop call these same operations.

A department is named by people and by HR files, not by id, so :func:`get_department`
accepts either; names are therefore unique within a company, in any letter case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import undo
from core.changes import Changes
from core.errors import NotFound, ValidationError
from core.models import Company, Department, Employee, PayPolicy, Site, new_id
from core.results import OpResult
from core.timeutil import zone

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
        raise NotFound("department", ref)
    if len(found) > 1:
        raise ValidationError("department", f"{ref!r} names several departments; use an id")
    return found[0]


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


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
    if color is not None and not _COLOR.match(color.strip()):
        raise ValidationError("color", f"{color!r} is not a colour in #RRGGBB")
    site = resolve_site(session, site_id)
    taken = session.scalars(
        select(Department.name).where(
            Department.company_id == site.company_id, Department.deleted.is_(False)
        )
    )
    if any(_same(other, name) for other in taken):
        raise ValidationError("name", f"the company has a department {name!r} already")
    dept = Department(
        id=department_id or new_id(), company_id=site.company_id, site_id=site.id, name=name
    )
    if color is not None:
        dept.color = color.strip().lower()
    with undo.recording(session) as recorder:
        session.add(dept)
    return recorder.result(ids=(dept.id,))
