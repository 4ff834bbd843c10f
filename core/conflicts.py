"""The schedule's rules: who is busy when, and whether a shift may go there.

One :class:`ConflictIndex` answers every check. A single hover check loads a small
window around the candidate through indexed queries; bulk work (template
expansion, week copy) loads its whole range once and adds its own proposals as it
goes. Either way the same code decides, so the grid, the CLI and the server agree.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import and_, bindparam, select, union_all
from sqlalchemy.orm import Session

from core.employment import Employment
from core.errors import NotFound
from core.models import (
    Employee,
    LeaveRequest,
    LeaveStatus,
    PayPolicy,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    ShiftStatus,
    Site,
)
from core.results import Check, Conflict, RuleWarning
from core.timeutil import (
    MAX_SHIFT_LENGTH,
    day_bounds,
    local_instant,
    parse_hhmm,
    shift_instants,
    zone,
)


@dataclass(frozen=True)
class RosterRules:
    min_rest: timedelta = timedelta(hours=11)
    max_consecutive_days: int = 6

    @classmethod
    def for_company(cls, session: Session, company_id: str | None) -> RosterRules:
        policy = session.scalar(_POLICY_OF, {"company_id": company_id})
        if policy is None:
            return cls()
        return cls(
            min_rest=timedelta(hours=float(policy.min_rest_hours)),
            max_consecutive_days=policy.max_consecutive_days,
        )


#: A check that found nothing (a Check is immutable, so one serves every such answer).
CLEAR = Check()


@dataclass(frozen=True)
class Busy:
    """One interval in which an employee is taken, by a shift or by approved leave."""

    employee_id: str
    start: datetime
    end: datetime
    source_id: str
    label: str
    day: date | None = None  # the shift's local date; None for leave


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: back-to-back shifts (one ends as the next starts) do not clash."""
    return a_start < b_end and b_start < a_end


@lru_cache(maxsize=8192)
def shift_label(day: date, start: str, end: str) -> str:
    return f"{start}–{end} on {day:%a %d %b}"


def leave_instants(leave: LeaveRequest, tz_name: str) -> tuple[datetime, datetime]:
    """Leave as absolute instants in the site's zone: whole local days, or a part day."""
    if leave.start_time and leave.end_time:
        tz = zone(tz_name)
        return (
            local_instant(leave.start_date, parse_hhmm(leave.start_time), tz),
            local_instant(leave.end_date, parse_hhmm(leave.end_time), tz),
        )
    return day_bounds(leave.start_date, leave.end_date, tz_name)


@dataclass
class ConflictIndex:
    rules: RosterRules = field(default_factory=RosterRules)
    names: dict[str, str] = field(default_factory=dict)
    #: Each loaded person's employment dates: a day outside them is a conflict.
    employment: dict[str, Employment] = field(default_factory=dict)
    _shifts: dict[str, list[Busy]] = field(default_factory=lambda: defaultdict(list))
    _starts: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    _leave: dict[str, list[Busy]] = field(default_factory=lambda: defaultdict(list))
    _days: dict[str, dict[date, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def add_shift(self, busy: Busy) -> None:
        at = bisect.bisect_right(self._starts[busy.employee_id], busy.start)
        self._starts[busy.employee_id].insert(at, busy.start)
        self._shifts[busy.employee_id].insert(at, busy)
        if busy.day is not None:
            self._days[busy.employee_id][busy.day] += 1

    def add_leave(self, busy: Busy) -> None:
        self._leave[busy.employee_id].append(busy)

    def shifts_of(self, employee_id: str) -> Sequence[Busy]:
        """The employee's loaded shifts, by start: what attendance matches punches to."""
        return tuple(self._shifts.get(employee_id, ()))

    def _near(self, employee_id: str, start: datetime, end: datetime) -> Sequence[Busy]:
        starts = self._starts.get(employee_id, [])
        lo = bisect.bisect_left(starts, start - MAX_SHIFT_LENGTH - self.rules.min_rest)
        hi = bisect.bisect_right(starts, end + self.rules.min_rest)
        return self._shifts[employee_id][lo:hi]

    def _name(self, employee_id: str) -> str:
        return self.names.get(employee_id, "this employee")

    def employed_on(self, employee_id: str, day: date) -> bool:
        """Whether the loaded person is employed on ``day`` (unknown people are)."""
        found = self.employment.get(employee_id)
        return found is None or found.covers(day)

    def check(
        self,
        employee_ids: Iterable[str],
        start: datetime,
        end: datetime,
        day: date,
        exclude: frozenset[str] = frozenset(),
    ) -> Check:
        conflicts: list[Conflict] = []
        warnings: list[RuleWarning] = []
        for emp in dict.fromkeys(employee_ids):
            who = self._name(emp)
            employment = self.employment.get(emp)
            outside = employment.outside(who, day) if employment else None
            if outside:
                conflicts.append(Conflict("employment", emp, emp, outside))
            near = [b for b in self._near(emp, start, end) if b.source_id not in exclude]
            for busy in near:
                if overlaps(start, end, busy.start, busy.end):
                    conflicts.append(
                        Conflict(
                            "overlap", emp, busy.source_id, f"{who} already works {busy.label}"
                        )
                    )
            for busy in self._leave.get(emp, []):
                if busy.source_id not in exclude and overlaps(start, end, busy.start, busy.end):
                    conflicts.append(Conflict("leave", emp, busy.source_id, f"{who} {busy.label}"))
            warnings.extend(self._rest_warnings(emp, who, near, start, end))
            warnings.extend(self._consecutive_warning(emp, who, day, exclude))
        if not conflicts and not warnings:
            return CLEAR  # most checks of a bulk plan: one shared answer, not 100,000
        return Check(tuple(conflicts), tuple(warnings))

    def _rest_warnings(
        self, emp: str, who: str, near: Sequence[Busy], start: datetime, end: datetime
    ) -> list[RuleWarning]:
        rest = self.rules.min_rest
        found: list[RuleWarning] = []
        for busy in near:
            if busy.end <= start and start - busy.end < rest:
                gap = start - busy.end
            elif busy.start >= end and busy.start - end < rest:
                gap = busy.start - end
            else:
                continue
            found.append(
                RuleWarning(
                    "rest",
                    emp,
                    f"{who} would rest only {_hours(gap)} h between this shift and {busy.label}"
                    f" (at least {_hours(rest)} h wanted)",
                )
            )
        return found

    def _consecutive_warning(
        self, emp: str, who: str, day: date, exclude: frozenset[str]
    ) -> list[RuleWarning]:
        limit = self.rules.max_consecutive_days
        if limit <= 0:
            return []
        worked = self._days.get(emp)
        if not worked:
            return []
        skipped: dict[date, int] = {}  # shifts of this day that the check leaves out
        if exclude:  # an edit: the shift's old place may lie anywhere in the run
            for b in self._shifts.get(emp, ()):
                if b.day is not None and b.source_id in exclude:
                    skipped[b.day] = skipped.get(b.day, 0) + 1
        one_day = timedelta(days=1)
        run = 1
        d = day - one_day
        while run <= limit and worked.get(d, 0) > skipped.get(d, 0):
            run += 1
            d -= one_day
        d = day + one_day
        while run <= limit and worked.get(d, 0) > skipped.get(d, 0):
            run += 1
            d += one_day
        if run <= limit:
            return []
        return [
            RuleWarning(
                "consecutive_days",
                emp,
                f"{who} would work more than {limit} days in a row",
            )
        ]


def _hours(delta: timedelta) -> str:
    value = delta.total_seconds() / 3600
    return f"{value:.1f}".rstrip("0").rstrip(".")


def members_of(session: Session, department_ids: Iterable[str]) -> list[str]:
    """Active employees of these departments: a department assignment covers them."""
    return [
        emp
        for members in members_by_department(session, department_ids).values()
        for emp in members
    ]


def members_by_department(session: Session, department_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each department's active employees, in one query (bulk work asks once)."""
    ids = list(dict.fromkeys(department_ids))
    found: dict[str, list[str]] = {dept: [] for dept in ids}
    if not ids:
        return found
    rows = session.execute(
        select(Employee.id, Employee.department_id).where(
            Employee.department_id.in_(ids),
            Employee.active.is_(True),
            Employee.deleted.is_(False),
        )
    )
    for emp, dept in rows:
        found[dept].append(emp)
    return found


# The statements of every check, built once: a drag asks on each hover, the server on
# each write, and building a statement cost more than SQLite running it.
_POLICY_OF = select(PayPolicy).where(PayPolicy.company_id == bindparam("company_id"))
_LIVE_IN_RANGE = and_(
    Shift.deleted.is_(False),
    Shift.status != ShiftStatus.CANCELLED,
    Shift.start_utc >= bindparam("lo"),
    Shift.start_utc < bindparam("hi"),
)
_BUSY_COLUMNS = (
    Shift.id,
    Shift.shift_date,
    Shift.start_time,
    Shift.end_time,
    Shift.start_utc,
    Shift.end_utc,
)
#: Each person's live shifts in the range: their own, and their department's (a
#: department assignment binds its members), as one statement.
_BUSY = union_all(
    select(ShiftEmployee.employee_id, *_BUSY_COLUMNS)
    .join(Shift, Shift.id == ShiftEmployee.shift_id)
    .where(ShiftEmployee.employee_id.in_(bindparam("emp_ids", expanding=True)), _LIVE_IN_RANGE),
    select(Employee.id, *_BUSY_COLUMNS)
    .join(ShiftDepartment, ShiftDepartment.department_id == Employee.department_id)
    .join(Shift, Shift.id == ShiftDepartment.shift_id)
    .where(Employee.id.in_(bindparam("emp_ids", expanding=True)), _LIVE_IN_RANGE),
)
#: Each person's name and employment dates, with their approved leave near the range
#: (None: none).
_PEOPLE_AND_LEAVE = (
    select(
        Employee.id,
        Employee.first_name,
        Employee.last_name,
        Employee.employment_start,
        Employee.employment_end,
        LeaveRequest,
        Site.timezone,
    )
    .join(Site, Site.id == Employee.site_id)
    .outerjoin(
        LeaveRequest,
        and_(
            LeaveRequest.employee_id == Employee.id,
            LeaveRequest.status == LeaveStatus.APPROVED,
            LeaveRequest.deleted.is_(False),
            LeaveRequest.start_date <= bindparam("last_day"),
            LeaveRequest.end_date >= bindparam("first_day"),
        ),
    )
    .where(Employee.id.in_(bindparam("emp_ids", expanding=True)))
)


def load_index(
    session: Session,
    employee_ids: Iterable[str],
    start: datetime,
    end: datetime,
    *,
    company_id: str | None = None,
) -> ConflictIndex:
    """Everything that can clash with work of these employees between two instants.

    The window is widened by the longest shift, the rest time and the consecutive
    day limit, so warnings near the edges are found too. Three indexed statements
    (the rules; the people and their leave; their shifts), however many people.
    """
    emp_ids = list(dict.fromkeys(employee_ids))
    rules = RosterRules.for_company(session, company_id)
    index = ConflictIndex(rules=rules)
    if not emp_ids:
        return index
    margin = MAX_SHIFT_LENGTH + rules.min_rest
    day_margin = timedelta(days=rules.max_consecutive_days + 1)
    lo, hi = start - max(margin, day_margin), end + max(margin, day_margin)
    people = {"emp_ids": emp_ids}
    window = {
        "first_day": (lo - timedelta(days=1)).date(),
        "last_day": (hi + timedelta(days=1)).date(),
    }
    for emp, first_name, last_name, started, ended, leave, tz_name in session.execute(
        _PEOPLE_AND_LEAVE, {**people, **window}
    ):
        index.names[emp] = f"{first_name} {last_name}".strip()
        if started is not None or ended is not None:
            index.employment[emp] = Employment(started, ended)
        if leave is not None:
            l_start, l_end = leave_instants(leave, tz_name)
            index.add_leave(Busy(emp, l_start, l_end, leave.id, leave_label(leave)))
    seen: set[tuple[str, str]] = set()
    for r in session.execute(_BUSY, {**people, "lo": lo, "hi": hi}).all():
        emp = r[0]
        if (emp, r.id) in seen:
            continue
        seen.add((emp, r.id))
        index.add_shift(
            Busy(
                emp,
                r.start_utc,
                r.end_utc,
                r.id,
                shift_label(r.shift_date, r.start_time, r.end_time),
                r.shift_date,
            )
        )
    return index


def leave_label(leave: LeaveRequest) -> str:
    span = (
        f"{leave.start_date:%d %b}"
        if leave.start_date == leave.end_date
        else f"{leave.start_date:%d %b}–{leave.end_date:%d %b}"
    )
    if leave.start_time:
        span += f" {leave.start_time}–{leave.end_time}"
    return f"is on approved {leave.leave_type} leave {span}"


def expand_assignees(
    session: Session, employee_ids: Iterable[str], department_ids: Iterable[str]
) -> list[str]:
    """The people a shift binds: its employees plus the members of its departments."""
    return list(dict.fromkeys([*employee_ids, *members_of(session, department_ids)]))


def check_shift(
    session: Session,
    *,
    site_id: str,
    day: date,
    start_time: str,
    end_time: str,
    employee_ids: Sequence[str] = (),
    department_ids: Sequence[str] = (),
    exclude: Iterable[str] = (),
) -> Check:
    """Would a shift with these times and assignees clash? Two indexed queries."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    start, end = shift_instants(day, start_time, end_time, site.timezone)
    people = expand_assignees(session, employee_ids, department_ids)
    index = load_index(session, people, start, end, company_id=site.company_id)
    return index.check(people, start, end, day, frozenset(exclude))
