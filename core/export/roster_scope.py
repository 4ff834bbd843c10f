"""What a roster export (the printed rota, the .ics calendar) shows, loaded once.

An export is the grid's own snapshot, :func:`core.roster.load_roster`, narrowed to
the people and departments asked for and to the shifts it counts, so the paper
and the calendar show exactly the shifts the Schedule counts for the same range
and filters: a department's rota has its shifts, including those worked by
people borrowed from other departments, and not its people's shifts elsewhere.

Staff only see published shifts: drafts (never published) are left out unless
the export asks for them. A shift changed since it was published is in, with its
current times (its published times are not kept anywhere). Cancelled shifts stay
in the snapshot; each format says what it does with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.employees import get_employee
from core.errors import ValidationError
from core.models import Department, PayPolicy, Site
from core.organisation import get_department
from core.roster import Roster, RosterDepartment, RosterFilter, RosterShift, load_roster
from core.timeutil import utcnow

#: The longest range one export covers: a quarter (the PDF prints a page a week).
MAX_DAYS = 93


@dataclass(frozen=True)
class RosterScope:
    """The range and whose shifts; empty ``employee_ids`` and ``department_ids``
    mean everyone the filter shows (ids, payroll codes or department names)."""

    first: date
    last: date
    employee_ids: tuple[str, ...] = ()
    department_ids: tuple[str, ...] = ()
    #: The Schedule's filters (site, one department, location, name), as shown.
    filter: RosterFilter = field(default_factory=RosterFilter)
    #: Shifts never published too (marked as drafts).
    drafts: bool = False


@dataclass(frozen=True)
class RosterExport:
    """The snapshot an export writes, with what its header and events need."""

    scope: RosterScope
    roster: Roster
    #: Site id to (name, IANA zone), for every site with a department shown.
    sites: dict[str, tuple[str, str]]
    #: Employee id to name, for the people in the snapshot.
    names: dict[str, str]
    #: Department id to name, every known department (a shift may name any).
    department_names: dict[str | None, str]
    made_at: datetime
    #: Shift id to the names of the exported people on it, in the grid's order.
    crews: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The day the company's week starts on (``PayPolicy.week_start``, 0 = Monday):
    #: the printed rota has a page per such week.
    first_weekday: int = 0

    @property
    def site_names(self) -> str:
        return ", ".join(sorted({name for name, _ in self.sites.values()}))

    def timezone_of(self, shift: RosterShift) -> str:
        return self.sites.get(shift.site_id, ("", "UTC"))[1]

    def shifts(self) -> list[RosterShift]:
        """Every shift exported, each once, in time order."""
        return sorted(self.roster.shown_shifts(), key=lambda s: (s.start_utc, s.id))

    def people_on(self, shift: RosterShift) -> tuple[str, ...]:
        """Names of the exported people who work ``shift`` (named or by department)."""
        return self.crews.get(shift.id, ())


def _resolved_people(session: Session, refs: Sequence[str]) -> set[str]:
    return {get_employee(session, ref).id for ref in refs}


def _resolved_departments(session: Session, refs: Sequence[str]) -> set[str]:
    return {get_department(session, ref).id for ref in refs}


def _narrowed(roster: Roster, people: set[str], departments: set[str]) -> Roster:
    """Only the asked people (in their departments' bands) and the asked departments
    (whole, with their open shifts); nothing asked: the roster as loaded."""
    if not people and not departments:
        return roster
    kept: list[RosterDepartment] = []
    for dept in roster.departments:
        if dept.id in departments:
            kept.append(dept)
            continue
        emps = tuple(e for e in dept.employees if e.id in people)
        if emps:
            kept.append(replace(dept, employees=emps))
    shown = {e.id for d in kept for e in d.employees}
    return replace(
        roster,
        departments=tuple(kept),
        cells={k: v for k, v in roster.cells.items() if k[0] in shown},
        open_cells={k: v for k, v in roster.open_cells.items() if k[0] in departments},
        leave={k: v for k, v in roster.leave.items() if k[0] in shown},
    )


def _published_only(roster: Roster) -> Roster:
    """The roster without drafts (shifts never published)."""

    def keep(cells: dict) -> dict:
        found = {k: tuple(s for s in v if s.published) for k, v in cells.items()}
        return {k: v for k, v in found.items() if v}

    return replace(
        roster,
        cells=keep(roster.cells),
        open_cells=keep(roster.open_cells),
        whole=frozenset(),  # drafts left out: no one's cells are whole
    )


def _first_weekday(session: Session, site_ids: set[str]) -> int:
    """The week start of the company whose sites are shown (Monday without a policy)."""
    query = select(PayPolicy.week_start).join(Site, Site.company_id == PayPolicy.company_id)
    if site_ids:
        query = query.where(Site.id.in_(site_ids))
    return session.scalar(query.limit(1)) or 0


def load_export(session: Session, scope: RosterScope) -> RosterExport:
    """The snapshot for ``scope``; unknown people or departments raise NotFound."""
    if scope.last < scope.first:
        raise ValidationError("to", f"{scope.last} is before {scope.first}; nothing to export")
    length = (scope.last - scope.first).days + 1
    if length > MAX_DAYS:
        raise ValidationError(
            "to", f"{length} days is too long for one export; take at most {MAX_DAYS}"
        )
    people = _resolved_people(session, scope.employee_ids)
    departments = _resolved_departments(session, scope.department_ids)
    roster = load_roster(session, scope.first, scope.last, scope.filter, problems=False)
    # A department's rota is its shifts, whoever works them: its people's shifts of
    # other departments are on those departments' rotas, once each.
    roster = _narrowed(roster, people, departments).counted_only()
    if not scope.drafts:
        roster = _published_only(roster)
    known = session.execute(select(Department.id, Department.name, Department.site_id)).all()
    shown = {r.id for r in roster.departments}
    site_ids = {d.site_id for d in known if d.id in shown}
    site_ids |= {s.site_id for s in roster.shown_shifts()}
    sites = {
        row.id: (row.name, row.timezone)
        for row in session.execute(
            select(Site.id, Site.name, Site.timezone).where(Site.id.in_(site_ids))
        )
    }
    names = {e.id: e.name for d in roster.departments for e in d.employees}
    dept_names: dict[str | None, str] = {d.id: d.name for d in known}
    dept_names.update({d.id: d.name for d in roster.departments})
    crews: dict[str, list[str]] = {}
    for (emp, _day), shifts in roster.cells.items():
        for s in shifts:
            crews.setdefault(s.id, []).append(emp)
    order = {e.id: n for n, e in enumerate(e for d in roster.departments for e in d.employees)}
    return RosterExport(
        scope,
        roster,
        sites,
        names,
        dept_names,
        utcnow(),
        {k: tuple(names[e] for e in sorted(v, key=order.__getitem__)) for k, v in crews.items()},
        _first_weekday(session, site_ids),
    )
