"""What the schedule grid shows for a date range, fetched in a handful of queries.

The grid is a snapshot of plain values: people grouped by department, each
person's shifts and approved leave per day, and what is wrong with each shift.
Problems come from :mod:`core.conflicts` over the whole range at once, so the
grid shows exactly what an operation would refuse or warn about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from core.conflicts import ReadShifts, load_index
from core.employment import OPEN_ENDED, Employment
from core.models import (
    Department,
    Employee,
    LeaveRequest,
    LeaveStatus,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    ShiftStatus,
    Site,
)
from core.money import hours
from core.results import Check
from core.scheduling import needs_publishing
from core.timeutil import days
from core.workload import Workload

#: Colour of shifts and people that belong to no department.
NO_DEPARTMENT_COLOR = "#7a8594"
NO_DEPARTMENT = "No department"


@dataclass(frozen=True)
class RosterFilter:
    """What the supervisor narrowed the grid to; empty fields mean everything."""

    site_id: str | None = None
    department_id: str | None = None
    location: str = ""
    name: str = ""


@dataclass(frozen=True)
class RosterEmployee:
    id: str
    name: str
    code: str | None
    department_id: str | None
    #: The days they are employed: a team's shift outside them is not theirs.
    employment: Employment = OPEN_ENDED


@dataclass(frozen=True)
class RosterDepartment:
    """``id`` is None for the group of people without a department.

    ``employees`` are the team's own people, then those of other departments who
    work one of its shifts in the range (borrowed: :meth:`borrows`)."""

    id: str | None
    name: str
    color: str
    employees: tuple[RosterEmployee, ...]

    def borrows(self, employee: RosterEmployee) -> bool:
        """The person's row here is for this team's shifts only: they belong elsewhere."""
        return employee.department_id != self.id


@lru_cache(maxsize=4096)
def _hours_of(length: timedelta) -> Decimal:
    """A shift's hours from its length: a roster's shifts have a few dozen lengths,
    and its totals ask each shift's hours several times."""
    return hours(Decimal(int(length.total_seconds())) / 3600)


@dataclass(frozen=True)
class RosterShift:
    id: str
    site_id: str
    day: date
    start_time: str
    end_time: str
    start_utc: datetime
    end_utc: datetime
    location: str
    department_id: str | None
    color: str
    status: str
    published: bool
    employee_ids: tuple[str, ...]
    #: Assigned through a department rather than by name.
    department_ids: tuple[str, ...]
    notes: str
    flag: str
    #: Published, then edited where staff would see it (core.scheduling).
    changed_since_published: bool = False

    @property
    def cancelled(self) -> bool:
        return self.status == ShiftStatus.CANCELLED

    @property
    def hours(self) -> Decimal:
        return _hours_of(self.end_utc - self.start_utc)

    def department_for(self, employee: RosterEmployee) -> str | None:
        """The team whose rota, totals and labour this shift counts in for a person on
        it: the shift's own department, or the person's when the shift names none."""
        return self.department_id if self.department_id is not None else employee.department_id


#: RosterShift's fields in order (see :func:`_roster_shift`).
_SHIFT_FIELDS = tuple(f.name for f in fields(RosterShift))


def _roster_shift(*values: Any) -> RosterShift:
    """``RosterShift(*values)`` (every field given, in order) without the dataclass's
    ``__init__``, which, frozen, pays an ``object.__setattr__`` call per field: that
    was a sixth of reading a month's 7,000 shifts. The fields as the init sets them."""
    shift = object.__new__(RosterShift)
    shift.__dict__.update(zip(_SHIFT_FIELDS, values, strict=True))
    return shift


@dataclass(frozen=True)
class RosterLeave:
    id: str
    employee_id: str
    leave_type: str
    start_date: date
    end_date: date
    start_time: str | None
    end_time: str | None

    @property
    def label(self) -> str:
        kind = f"{self.leave_type.capitalize()} leave"
        if self.start_time:
            return f"{kind} {self.start_time}–{self.end_time}"
        return kind


@dataclass(frozen=True)
class DayTotal:
    """A department's day: shifts per person on them and open ones, their hours (the
    sum of the people's scheduled hours and the open shifts'), and how many are open."""

    shifts: int = 0
    hours: Decimal = Decimal(0)
    open: int = 0


@dataclass(frozen=True)
class Roster:
    first: date
    last: date
    departments: tuple[RosterDepartment, ...]
    #: Whose roster rules (rest time, days in a row) the problems follow.
    company_id: str | None = None
    #: Shifts per (employee id, day), earliest first.
    cells: dict[tuple[str, date], tuple[RosterShift, ...]] = field(default_factory=dict)
    leave: dict[tuple[str, date], RosterLeave] = field(default_factory=dict)
    #: Conflicts and warnings of a shift for one of its people: (shift id, employee id).
    problems: dict[tuple[str, str], Check] = field(default_factory=dict)
    #: Open shifts (nobody assigned, by name or department) per (department id, day),
    #: earliest first; a shift with no department is under None.
    open_cells: dict[tuple[str | None, date], tuple[RosterShift, ...]] = field(default_factory=dict)
    #: Every known department's name, for a shift of a team whose band is not shown.
    department_names: dict[str, str] = field(default_factory=dict)
    #: The people whose cells hold every live shift of theirs in the range (no site or
    #: location filter narrowed them, nor a team's view that only borrows them): the
    #: check of their shifts takes those from the snapshot (:func:`find_problems`).
    whole: frozenset[str] = frozenset()

    @property
    def days(self) -> list[date]:
        return days(self.first, self.last)

    def shifts(self, employee_id: str, day: date) -> tuple[RosterShift, ...]:
        """Everything the person works that day in the snapshot, whatever its team."""
        return self.cells.get((employee_id, day), ())

    def row_shifts(
        self, department: RosterDepartment, employee: RosterEmployee, day: date
    ) -> tuple[RosterShift, ...]:
        """A person's row in a band: in their own team's band all they work (another
        team's shifts shown there as theirs, counted there: :meth:`counted_shifts`);
        in a band that borrows them, only that team's shifts."""
        shifts = self.shifts(employee.id, day)
        if not department.borrows(employee):
            return shifts
        return tuple(s for s in shifts if s.department_id == department.id)

    def counted_shifts(
        self, department: RosterDepartment, employee: RosterEmployee, day: date
    ) -> tuple[RosterShift, ...]:
        """The shifts of a person's row that count in this band's totals, labour and
        rota: those of this team (:meth:`RosterShift.department_for`)."""
        shifts = self.shifts(employee.id, day)
        if all(s.department_for(employee) == department.id for s in shifts):
            return shifts
        return tuple(s for s in shifts if s.department_for(employee) == department.id)

    @cached_property
    def _homes(self) -> dict[str, RosterEmployee]:
        return {e.id: e for d in self.departments for e in d.employees}

    @cached_property
    def _band_ids(self) -> frozenset[str | None]:
        return frozenset(d.id for d in self.departments)

    def counts(self, shift: RosterShift, employee_id: str) -> bool:
        """The person's shift counts in this snapshot: its team's band is shown (a
        department's view shows its people's work elsewhere but counts only its own)."""
        employee = self._homes.get(employee_id)
        return employee is not None and shift.department_for(employee) in self._band_ids

    def counted_only(self) -> Roster:
        """The snapshot with people's cells narrowed to the shifts it counts: what a
        department's exported rota and its labour are made of."""
        cells = {}
        for (emp, day), shifts in self.cells.items():
            kept = tuple(s for s in shifts if self.counts(s, emp))
            if kept:
                cells[(emp, day)] = kept
        return replace(self, cells=cells, whole=frozenset())  # narrowed: no longer whole

    def leave_on(self, employee_id: str, day: date) -> RosterLeave | None:
        return self.leave.get((employee_id, day))

    def problems_of(self, shift_id: str, employee_id: str) -> Check:
        return self.problems.get((shift_id, employee_id), Check())

    def open_on(self, department_id: str | None, day: date) -> tuple[RosterShift, ...]:
        return self.open_cells.get((department_id, day), ())

    def has_open(self, department_id: str | None) -> bool:
        """The department has open shifts (cancelled ones too) in the range."""
        return any(key[0] == department_id for key in self.open_cells)

    def uncovered(self, day: date) -> int:
        """Open shifts that still need someone on ``day`` in every shown department
        (a cancelled one needs nobody)."""
        return sum(
            1
            for (_dept, d), shifts in self.open_cells.items()
            if d == day
            for s in shifts
            if not s.cancelled
        )

    def department_day(self, department: RosterDepartment, day: date) -> DayTotal:
        """What a team has on a day, as its rows show it: a shift of the team per
        person on it, its own people's and borrowed ones' (a whole-department shift is
        worked by every member, so it counts once per member, with each member's
        hours, as their own hours and attendance count it), and each open shift once;
        how many of those are open. A member's shift of another team counts there."""
        return self._department_totals(department, [day])[day]

    def department_days(self, department: RosterDepartment) -> dict[date, DayTotal]:
        """:meth:`department_day` of every day of the range, walking the team once."""
        return self._department_totals(department, self.days)

    def _department_totals(
        self, department: RosterDepartment, days: list[date]
    ) -> dict[date, DayTotal]:
        worked: dict[date, list[RosterShift]] = {day: [] for day in days}
        cells = self.cells
        for emp in department.employees:
            for day in days:
                for s in cells.get((emp.id, day), ()):
                    # counted_shifts, inlined: a band's month asks this of every member.
                    if not s.cancelled and s.department_for(emp) == department.id:
                        worked[day].append(s)
        totals = {}
        for day in days:
            open_ = [s for s in self.open_on(department.id, day) if not s.cancelled]
            counted = worked[day] + open_
            totals[day] = DayTotal(
                len(counted), sum((s.hours for s in counted), Decimal(0)), len(open_)
            )
        return totals

    def shown_shifts(self) -> list[RosterShift]:
        """Every shift the snapshot shows (in people's rows or open), each once."""
        found: dict[str, RosterShift] = {}
        for cells in (self.cells, self.open_cells):
            for shifts in cells.values():
                for s in shifts:
                    found.setdefault(s.id, s)
        return list(found.values())

    def to_publish(self) -> list[RosterShift]:
        """The counted shifts Publish would act on: drafts and those changed since
        published (a department's view publishes its own shifts, not its people's
        elsewhere)."""
        return [
            s
            for s in self.counted_only().shown_shifts()
            if needs_publishing(s.published, s.changed_since_published)
        ]

    def hours_of(self, employee_id: str, department: RosterDepartment | None = None) -> Decimal:
        """Scheduled hours in the range, cancelled shifts left out: all the person's,
        or those of their row in ``department`` (:meth:`row_shifts`)."""
        employee = self._homes.get(employee_id)
        if department is None or employee is None:
            rows = (self.shifts(employee_id, d) for d in self.days)
        else:
            rows = (self.row_shifts(department, employee, d) for d in self.days)
        return sum((s.hours for row in rows for s in row if not s.cancelled), Decimal(0))


@dataclass(frozen=True)
class RosterChoices:
    """What the grid's filters can offer."""

    sites: tuple[tuple[str, str], ...]
    departments: tuple[tuple[str, str, str], ...]  # id, name, colour
    locations: tuple[str, ...]


def roster_choices(session: Session, site_id: str | None = None) -> RosterChoices:
    sites = tuple(
        (s.id, s.name) for s in session.execute(select(Site.id, Site.name).order_by(Site.name))
    )
    depts = select(Department.id, Department.name, Department.color).where(
        Department.deleted.is_(False)
    )
    locations = select(Shift.location).where(Shift.deleted.is_(False), Shift.location != "")
    if site_id:
        depts = depts.where(Department.site_id == site_id)
        locations = locations.where(Shift.site_id == site_id)
    return RosterChoices(
        sites=sites,
        departments=tuple(tuple(r) for r in session.execute(depts.order_by(Department.name))),
        locations=tuple(session.scalars(locations.distinct().order_by(Shift.location))),
    )


def _employees(session: Session, filt: RosterFilter) -> list[tuple[RosterEmployee, str, str]]:
    query = (
        select(
            Employee.id,
            Employee.first_name,
            Employee.last_name,
            Employee.code,
            Employee.department_id,
            Department.name,
            Department.color,
            Employee.employment_start,
            Employee.employment_end,
        )
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(Employee.active.is_(True), Employee.deleted.is_(False))
    )
    if filt.site_id:
        query = query.where(Employee.site_id == filt.site_id)
    if filt.department_id:
        query = query.where(Employee.department_id == filt.department_id)
    if filt.name.strip():
        pattern = f"%{filt.name.strip()}%"
        full = Employee.first_name + " " + Employee.last_name
        query = query.where(or_(full.ilike(pattern), Employee.code.ilike(pattern)))
    rows = session.execute(
        query.order_by(Department.name.is_(None), Department.name, Employee.last_name)
    ).all()
    return [
        (
            RosterEmployee(
                r.id,
                f"{r[1]} {r[2]}".strip(),
                r.code,
                r.department_id,
                Employment(r.employment_start, r.employment_end),
            ),
            r[5] or NO_DEPARTMENT,
            r[6] or NO_DEPARTMENT_COLOR,
        )
        for r in rows
    ]


_SHIFT_COLUMNS = (
    Shift.id,
    Shift.site_id,
    Shift.shift_date,
    Shift.start_time,
    Shift.end_time,
    Shift.start_utc,
    Shift.end_utc,
    Shift.location,
    Shift.department_id,
    Shift.status,
    Shift.published,
    Shift.notes,
    Shift.flag,
    Shift.changed_since_published,
)


def _stored(
    session: Session, columns: list[ColumnElement[Any]], where: list[Any]
) -> Iterator[tuple[Any, ...]]:
    """Rows of ``columns`` with their values as the ORM hands them back, each distinct
    stored value converted once: a month's shifts share a few dozen dates and times,
    and converting each row's (a date, two datetimes, two flags) cost more than
    SQLite's whole fetch. An iterator: a caller that unpacks each row as it comes
    leaves one tuple to be reused for them all, instead of one per row."""
    dialect = session.get_bind().dialect
    processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
    plain = [
        type_coerce(c, NullType()) if p else c for c, p in zip(columns, processors, strict=True)
    ]
    rows = session.connection().execute(select(*plain).where(*where)).all()
    if not rows:
        return iter(())
    values = list(zip(*rows, strict=True))
    for n, process in enumerate(processors):
        if process is not None:
            done = {v: process(v) for v in set(values[n])}
            values[n] = tuple(map(done.__getitem__, values[n]))
    return zip(*values, strict=True)


def _ids(folded: str | None) -> tuple[str, ...]:
    """A shift's people or departments, folded by ``group_concat``, in order."""
    if not folded:
        return ()
    if "," not in folded:  # most shifts: one person, or one department
        return (folded,)
    return tuple(sorted(folded.split(",")))


def _shifts(
    session: Session,
    first: date,
    last: date,
    employee_ids: list[str],
    members: dict[str, list[str]],
    colors: dict[str, str],
    filt: RosterFilter,
    employment: dict[str, Employment] | None = None,
    left_out: set[str] | None = None,
) -> tuple[
    dict[tuple[str, date], tuple[RosterShift, ...]],
    dict[tuple[str | None, date], list[RosterShift]],
]:
    """Shifts of these people in the range (by name, and through their department),
    and the open shifts (nobody assigned) per department, from the same rows.
    ``left_out`` gets the people a department's shift was not shown for, being on a
    day they are not employed."""
    live = [Shift.deleted.is_(False), Shift.shift_date >= first, Shift.shift_date <= last]
    if filt.site_id:
        live.append(Shift.site_id == filt.site_id)
    if filt.location:
        live.append(Shift.location == filt.location)
    # One row per shift with its people and departments folded in (the local store is
    # SQLite), by a subquery per shift: a GROUP BY of the join had SQLite walk every
    # shift ever stored in id order instead of the range of the date index.
    people_of = (
        select(func.group_concat(ShiftEmployee.employee_id))
        .where(ShiftEmployee.shift_id == Shift.id)
        .scalar_subquery()
    )
    departments_of = (
        select(func.group_concat(ShiftDepartment.department_id))
        .where(ShiftDepartment.shift_id == Shift.id)
        .scalar_subquery()
    )
    rows = _stored(session, [*_SHIFT_COLUMNS, people_of, departments_of], live)
    wanted = set(employee_ids)
    cells: dict[tuple[str, date], tuple[RosterShift, ...]] = {}
    open_cells: dict[tuple[str | None, date], list[RosterShift]] = defaultdict(list)
    for (
        sid, site, day, start, end, start_utc, end_utc, loc, dept, status, pub,
        notes, flag, changed, who, teams,
    ) in rows:  # fmt: skip
        shift = _roster_shift(
            sid,
            site,
            day,
            start,
            end,
            start_utc,
            end_utc,
            loc,
            dept,
            colors.get(dept or "", NO_DEPARTMENT_COLOR),
            status,
            pub,
            _ids(who),
            _ids(teams),
            notes,
            flag,
            bool(changed),
        )
        if not shift.employee_ids and not shift.department_ids:
            if not filt.department_id or dept == filt.department_id:
                open_cells[(dept, day)].append(shift)
            continue
        people = shift.employee_ids
        if shift.department_ids:
            jobs = employment or {}
            extra = []
            for d in shift.department_ids:
                for m in members.get(d, ()):
                    if m not in jobs or jobs[m].covers(day):
                        extra.append(m)
                    elif left_out is not None:
                        left_out.add(m)
            people = tuple(dict.fromkeys([*people, *extra]))
        for emp in people:
            if emp in wanted:
                # A tuple from the start: most of a month's cells hold one shift, and
                # a list for each, made into a tuple later, was twice the garbage.
                key = (emp, day)
                cells[key] = (*cells[key], shift) if key in cells else (shift,)
    for key, cell in cells.items():
        if len(cell) > 1:
            cells[key] = tuple(sorted(cell, key=_start_and_id))
    for cell in open_cells.values():
        if len(cell) > 1:
            cell.sort(key=_start_and_id)
    return cells, open_cells


def _start_and_id(shift: RosterShift) -> tuple[datetime, str]:
    """A cell's order: earliest first, then by id."""
    return shift.start_utc, shift.id


def _leave(
    session: Session, first: date, last: date, employee_ids: list[str]
) -> dict[tuple[str, date], RosterLeave]:
    found: dict[tuple[str, date], RosterLeave] = {}
    for row in session.scalars(
        select(LeaveRequest).where(
            LeaveRequest.employee_id.in_(employee_ids),
            LeaveRequest.status == LeaveStatus.APPROVED,
            LeaveRequest.deleted.is_(False),
            LeaveRequest.start_date <= last,
            LeaveRequest.end_date >= first,
        )
    ):
        leave = RosterLeave(
            row.id,
            row.employee_id,
            row.leave_type,
            row.start_date,
            row.end_date,
            row.start_time,
            row.end_time,
        )
        for day in days(max(first, row.start_date), min(last, row.end_date)):
            found[(row.employee_id, day)] = leave
    return found


def _bands(
    people: list[tuple[RosterEmployee, str, str]],
    cells: dict[tuple[str, date], tuple[RosterShift, ...]],
    team: str | None,
    names: dict[str, tuple[str, str]],
) -> tuple[dict[str | None, tuple[str, str, list[RosterEmployee]]], dict]:
    """The bands (all, or ``team``'s only) with their people: each person in their own
    team's band, then borrowed into every other team whose shift they work in the
    range; and the cells of the people shown, a borrowed-only person's narrowed to
    the shifts of the team that borrows them."""
    groups: dict[str | None, tuple[str, str, list[RosterEmployee]]] = {}
    home: set[str] = set()
    for emp, dept_name, color in people:
        if team is None or emp.department_id == team:
            groups.setdefault(emp.department_id, (dept_name, color, []))[2].append(emp)
            home.add(emp.id)
    team_of = {emp.id: emp.department_id for emp, _name, _color in people}
    elsewhere: dict[str, set[str]] = defaultdict(set)
    for (emp_id, _day), shifts in cells.items():
        own = team_of.get(emp_id)
        for s in shifts:
            dept = s.department_id
            if dept is not None and dept != own and (team is None or dept == team):
                elsewhere[emp_id].add(dept)
    for emp, _name, _color in people:
        for dept in sorted(elsewhere.get(emp.id, ()), key=lambda d: names.get(d, ("",))[0]):
            name, color = names.get(dept, (NO_DEPARTMENT, NO_DEPARTMENT_COLOR))
            groups.setdefault(dept, (name, color, []))[2].append(emp)
    if team is None:  # everyone is in their own team's band: every cell shows
        return groups, cells
    shown: dict[tuple[str, date], tuple[RosterShift, ...]] = {}
    for (emp_id, day), shifts in cells.items():
        if emp_id in home:
            shown[(emp_id, day)] = shifts
        elif emp_id in elsewhere:
            kept = tuple(s for s in shifts if s.department_id in elsewhere[emp_id])
            if kept:
                shown[(emp_id, day)] = kept
    return groups, shown


def find_problems(
    session: Session, roster: Roster, employee_ids: Iterable[str]
) -> dict[tuple[str, str], Check]:
    """Conflicts and warnings of these people's shown shifts, each checked as an
    edit of it would be: the roster rules' and the workload's (a long shift, a week
    over contract: :mod:`core.workload`), as the shift dialog warns. The grid asks
    for the rows in view first, the rest later."""
    # Each person's days looked up, rather than every cell of the snapshot walked for
    # the few dozen people of a screen.
    cells, days_ = roster.cells, roster.days
    live = [
        (emp, s)
        for emp in dict.fromkeys(employee_ids)
        for day in days_
        for s in cells.get((emp, day), ())
        if not s.cancelled
    ]
    if not live:
        return {}
    people = {emp for emp, _ in live}
    whole = roster.whole.intersection(people)
    read = ReadShifts(
        roster.first,
        roster.last,
        whole,
        [
            (emp, s.id, s.day, s.start_time, s.end_time, s.start_utc, s.end_utc)
            for emp, s in live
            if emp in whole
        ],
    )
    index = load_index(
        session,
        people,
        min(s.start_utc for _, s in live),
        max(s.end_utc for _, s in live),
        company_id=roster.company_id,
        read=read,
    )
    workload = Workload.of(index)
    found: dict[tuple[str, str], Check] = {}
    for emp, s in live:
        exclude = frozenset({s.id})
        check = index.check((emp,), s.start_utc, s.end_utc, s.day, exclude)
        heavy = workload.warnings(index, (emp,), s.start_utc, s.end_utc, s.day, exclude)
        if heavy:
            check = Check(check.conflicts, check.warnings + heavy)
        if check.conflicts or check.warnings:
            found[(s.id, emp)] = check
    return found


def load_roster(
    session: Session,
    first: date,
    last: date,
    filt: RosterFilter | None = None,
    *,
    problems: bool = True,
) -> Roster:
    """The grid's snapshot for ``first``..``last`` (inclusive).

    With ``problems=False`` the shifts come without their conflicts and warnings,
    for a caller that fetches those with :func:`find_problems` as rows come into
    view (most of the time of a month for hundreds of people goes there).
    """
    filt = filt or RosterFilter()
    team = filt.department_id
    # Everyone the other filters show: a department's view also borrows the people
    # of other teams who work one of its shifts in the range.
    people = _employees(session, replace(filt, department_id=None) if team else filt)
    known = session.execute(select(Department.id, Department.name, Department.color)).all()
    colors = {d.id: d.color for d in known}
    names = {d.id: (d.name, d.color) for d in known}
    members: dict[str, list[str]] = defaultdict(list)
    for emp, _name, _color in people:
        if emp.department_id:
            members[emp.department_id].append(emp.id)
    everyone = [emp.id for emp, _, _ in people]
    employment = {emp.id: emp.employment for emp, _, _ in people if emp.employment != OPEN_ENDED}
    left_out: set[str] = set()
    cells, open_cells = _shifts(
        session, first, last, everyone, members, colors, filt, employment, left_out
    )
    whole = (
        frozenset()
        if filt.site_id or filt.location
        else frozenset(
            emp.id for emp, _, _ in people if team is None or emp.department_id == team
        ).difference(left_out)
    )
    groups, cells = _bands(people, cells, team, names)
    ids = list(dict.fromkeys(e.id for _name, _color, emps in groups.values() for e in emps))
    if filt.location:
        groups = {
            key: (name, color, kept)
            for key, (name, color, emps) in groups.items()
            if (kept := [e for e in emps if any((e.id, d) in cells for d in days(first, last))])
            or any(k[0] == key for k in open_cells)
        }
    if filt.name.strip():
        # A name narrows the people: open shifts show only in their departments' bands.
        open_cells = defaultdict(list, {k: v for k, v in open_cells.items() if k[0] in groups})
    else:
        # A team with open shifts and nobody (shown) in it still gets its band.
        for dept, _day in open_cells:
            if dept not in groups:
                name, color = names.get(dept or "", (NO_DEPARTMENT, NO_DEPARTMENT_COLOR))
                groups[dept] = (name, color, [])
    company_id = None
    if filt.site_id:
        company_id = session.scalar(select(Site.company_id).where(Site.id == filt.site_id))
    else:
        company_id = session.scalar(select(Site.company_id).limit(1))
    departments = tuple(
        RosterDepartment(key, name, color, tuple(emps))
        for key, (name, color, emps) in sorted(
            groups.items(), key=lambda item: (item[0] is None, item[1][0])
        )
    )
    roster = Roster(
        first=first,
        last=last,
        departments=departments,
        company_id=company_id,
        cells=cells,
        open_cells={key: tuple(v) for key, v in open_cells.items()},
        leave=_leave(session, first, last, ids) if ids else {},
        department_names={key: name for key, (name, _color) in names.items()},
        whole=whole,
    )
    if problems:
        return replace(roster, problems=find_problems(session, roster, ids))
    return roster


@dataclass(frozen=True)
class CopyScope:
    """What "Copy last week" copies under the grid's filters: the shifts the same
    filters show in the previous week, for the people shown (see
    :func:`core.scheduling.copy_week`, which takes these as they are)."""

    source_start: date
    shift_ids: tuple[str, ...]
    #: None: everyone on those shifts (the filters narrow no one).
    employee_ids: tuple[str, ...] | None
    #: Teams shown whole: a shift assigned to one of them stays assigned to it.
    department_ids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.shift_ids)


def copy_scope(session: Session, week_start: date, filt: RosterFilter | None = None) -> CopyScope:
    """The previous week as these filters show it: what copying it into the week of
    ``week_start`` acts on."""
    filt = filt or RosterFilter()
    source = week_start - timedelta(days=7)
    roster = load_roster(session, source, source + timedelta(days=6), filt, problems=False)
    shifts = [s for s in roster.counted_only().shown_shifts() if not s.cancelled]
    narrowed = bool(filt.department_id or filt.name.strip())
    people = tuple(dict.fromkeys(e.id for d in roster.departments for e in d.employees))
    whole = () if filt.name.strip() else tuple(d.id for d in roster.departments if d.id)
    return CopyScope(
        source,
        tuple(s.id for s in sorted(shifts, key=lambda s: (s.start_utc, s.id))),
        people if narrowed else None,
        whole,
    )


def range_for(anchor: date, span: str) -> tuple[date, date]:
    """The week, two weeks or month containing ``anchor`` (weeks start on Monday)."""
    if span == "month":
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    start = anchor - timedelta(days=anchor.weekday())
    length = 14 if span == "two_weeks" else 7
    return start, start + timedelta(days=length - 1)


def step(anchor: date, span: str, direction: int) -> date:
    """The anchor of the previous (-1) or next (+1) range."""
    if span == "month":
        first = anchor.replace(day=1)
        if direction > 0:
            return (first + timedelta(days=32)).replace(day=1)
        return (first - timedelta(days=1)).replace(day=1)
    return anchor + timedelta(days=(14 if span == "two_weeks" else 7) * direction)
