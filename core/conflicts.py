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
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import ColumnElement, CompoundSelect, and_, bindparam, or_, select, union_all
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
    week_start,
    zone,
)

#: A shift longer than this asks for a second look, unless the store says otherwise.
DEFAULT_MAX_SHIFT_HOURS = Decimal(12)


@dataclass(frozen=True)
class RosterRules:
    """The company's limits on a schedule, as its pay policy sets them (these
    defaults without one): the rest and days-in-a-row rules checked here, and the
    longest shift and the week's first day that :mod:`core.workload` reads, loaded
    with them in the same statement."""

    min_rest: timedelta = timedelta(hours=11)
    max_consecutive_days: int = 6
    max_shift_hours: Decimal | None = DEFAULT_MAX_SHIFT_HOURS
    week_start: int = 0

    @classmethod
    def for_company(cls, session: Session, company_id: str | None) -> RosterRules:
        autoflush(session)
        policy = session.execute(_RULES_OF, {"company_id": company_id}).first()
        return cls() if policy is None else cls.of_row(policy)

    @classmethod
    def of_row(cls, policy: Any) -> RosterRules:
        """The rules in a row whose first four values are :data:`RULE_COLUMNS`."""
        min_rest_hours, max_consecutive_days, max_shift_hours, week_start = tuple(policy)[:4]
        return cls(
            min_rest=timedelta(hours=float(min_rest_hours)),
            max_consecutive_days=max_consecutive_days,
            max_shift_hours=max_shift_hours,
            week_start=week_start or 0,
        )


def autoflush(session: Session) -> None:
    """What an ORM query does before it runs, for the Core statements of the checks
    (which skip it, and with it the ORM's cost per statement): changes not yet
    flushed are flushed, unless the caller holds them back (``no_autoflush``)."""
    if session.autoflush:
        session.flush()


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


class Proposed(NamedTuple):
    """A new shift of a bulk operation as the per-person screening reads it."""

    start: datetime
    end: datetime
    day: date


@lru_cache(maxsize=8192)
def shift_label(day: date, start: str, end: str) -> str:
    return f"{start}–{end} on {day:%a %d %b}"


class LeaveTimes(Protocol):
    """What the checks read of a leave request: a record, or a row of its columns."""

    @property
    def leave_type(self) -> str: ...

    @property
    def start_date(self) -> date: ...

    @property
    def end_date(self) -> date: ...

    @property
    def start_time(self) -> str | None: ...

    @property
    def end_time(self) -> str | None: ...


def leave_instants(leave: LeaveTimes, tz_name: str) -> tuple[datetime, datetime]:
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
    #: Each loaded person's contract hours a week (what :mod:`core.workload` reads).
    contract: dict[str, Decimal] = field(default_factory=dict)
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

    def undisturbed(self, employee_id: str, proposed: Sequence[Proposed]) -> bool:
        """Whether no :meth:`check` of one of ``proposed`` (the person's new shifts
        of a bulk operation) can find anything for this person, whichever of the
        others are in the index by then.

        True when the person has no leave in the index, is employed on every
        proposed day, every two of their shifts (loaded and proposed) lie at least
        the rest time apart, and no run of days worked (counting all of them) is
        longer than the limit. Each of those holds for any subset too, so a bulk
        plan can pass these shifts without checking them one by one: a year of
        shifts for a person is one sort, not a check per shift. False says only
        "check each", never that something was found.
        """
        if self._leave.get(employee_id):
            return False
        employment = self.employment.get(employee_id)
        if employment is not None and not all(employment.covers(p[2]) for p in proposed):
            return False
        times = sorted(
            [(b.start, b.end) for b in self._shifts.get(employee_id, ())]
            + [(p[0], p[1]) for p in proposed]
        )
        rest = self.rules.min_rest
        free_from = times[0][0]  # the earliest start the next shift may have
        for start, end in times:
            if start < free_from:
                return False
            free_from = end + rest
        limit = self.rules.max_consecutive_days
        if limit <= 0:
            return True
        days = sorted({*self._days.get(employee_id, {}), *(p[2] for p in proposed)})
        run, previous = 0, 0
        for ordinal in map(date.toordinal, days):
            run = run + 1 if ordinal == previous + 1 else 1
            if run > limit:
                return False
            previous = ordinal
        return True

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
# each write, and building a statement cost more than SQLite running it. They name the
# tables' columns, not the models' attributes, so they run as Core statements: an ORM
# statement costs three times as much to execute, for rows read as plain values anyway.
_POLICY = PayPolicy.__table__.c
_SHIFT = Shift.__table__.c
_EMPLOYEE = Employee.__table__.c
_LEAVE = LeaveRequest.__table__.c
#: What :class:`RosterRules` reads of a pay policy, in this order.
RULE_COLUMNS = (
    _POLICY.min_rest_hours,
    _POLICY.max_consecutive_days,
    _POLICY.max_shift_hours,
    _POLICY.week_start,
)
_RULES_OF = select(*RULE_COLUMNS).where(_POLICY.company_id == bindparam("company_id"))
_LIVE_IN_RANGE = and_(
    _SHIFT.deleted.is_(False),
    _SHIFT.status != ShiftStatus.CANCELLED,
    _SHIFT.start_utc >= bindparam("lo"),
    _SHIFT.start_utc < bindparam("hi"),
)
_BUSY_COLUMNS = (
    _SHIFT.id,
    _SHIFT.shift_date,
    _SHIFT.start_time,
    _SHIFT.end_time,
    _SHIFT.start_utc,
    _SHIFT.end_utc,
)
_ASSIGNED = ShiftEmployee.__table__.c
_DEPARTMENT_ASSIGNED = ShiftDepartment.__table__.c


def _busy_statement(*narrower: ColumnElement[bool]) -> CompoundSelect:
    """Each person's live shifts in the range: their own, and their department's (a
    department assignment binds its members), as one statement; ``narrower`` are
    conditions on the shift both halves add."""
    live = and_(_LIVE_IN_RANGE, *narrower)
    return union_all(
        select(_ASSIGNED.employee_id, *_BUSY_COLUMNS)
        .join_from(ShiftEmployee.__table__, Shift.__table__, _SHIFT.id == _ASSIGNED.shift_id)
        .where(_ASSIGNED.employee_id.in_(bindparam("emp_ids", expanding=True)), live),
        select(_EMPLOYEE.id, *_BUSY_COLUMNS)
        .join_from(
            Employee.__table__,
            ShiftDepartment.__table__,
            _DEPARTMENT_ASSIGNED.department_id == _EMPLOYEE.department_id,
        )
        .join(Shift.__table__, _SHIFT.id == _DEPARTMENT_ASSIGNED.shift_id)
        .where(_EMPLOYEE.id.in_(bindparam("emp_ids", expanding=True)), live),
    )


_BUSY = _busy_statement()
#: The same, but only the shifts dated outside the days a caller has read already
#: (:class:`ReadShifts`): the days around them that the window reaches.
_BUSY_AROUND = _busy_statement(
    or_(_SHIFT.shift_date < bindparam("read_first"), _SHIFT.shift_date > bindparam("read_last"))
)
#: Each person's name, employment dates and contract hours, with their approved leave
#: near the range (``leave_id`` None: none).
_PEOPLE_AND_LEAVE = (
    select(
        _EMPLOYEE.id,
        _EMPLOYEE.first_name,
        _EMPLOYEE.last_name,
        _EMPLOYEE.employment_start,
        _EMPLOYEE.employment_end,
        _EMPLOYEE.contract_hours,
        Site.__table__.c.timezone,
        _LEAVE.id.label("leave_id"),
        _LEAVE.leave_type,
        _LEAVE.start_date,
        _LEAVE.end_date,
        _LEAVE.start_time,
        _LEAVE.end_time,
    )
    .join_from(Employee.__table__, Site.__table__, Site.__table__.c.id == _EMPLOYEE.site_id)
    .outerjoin(
        LeaveRequest.__table__,
        and_(
            _LEAVE.employee_id == _EMPLOYEE.id,
            _LEAVE.status == LeaveStatus.APPROVED,
            _LEAVE.deleted.is_(False),
            _LEAVE.start_date <= bindparam("last_day"),
            _LEAVE.end_date >= bindparam("first_day"),
        ),
    )
    .where(_EMPLOYEE.id.in_(bindparam("emp_ids", expanding=True)))
)


#: A shift as the index reads it: (employee id, shift id, date, start time, end time,
#: start UTC, end UTC), the columns of the shifts statement.
BusyRow = tuple[str, str, date, str, str, datetime, datetime]


@dataclass(frozen=True)
class ReadShifts:
    """Shifts a caller has read already (the schedule grid's snapshot): for each of
    ``people``, every live shift of theirs (neither deleted nor cancelled) dated
    ``first`` to ``last``, assigned by name or through their department, as
    :data:`BusyRow` rows. :func:`load_index` then reads only the days around them."""

    first: date
    last: date
    people: frozenset[str]
    rows: Sequence[BusyRow]


def load_index(
    session: Session,
    employee_ids: Iterable[str],
    start: datetime,
    end: datetime,
    *,
    company_id: str | None = None,
    read: ReadShifts | None = None,
    rules: RosterRules | None = None,
) -> ConflictIndex:
    """Everything that can clash with work of these employees between two instants.

    The window is widened by the longest shift, the rest time and the consecutive
    day limit, so warnings near the edges are found too, and to the edges of its
    payroll weeks, so a week's hours are all counted against the contract. Three
    indexed statements (the rules; the people and their leave; their shifts),
    however many people; two when the caller read the company's ``rules``
    already. ``read``: shifts the caller has already, which are not read again
    (for those people the shifts statement reads only the days outside them).
    """
    emp_ids = list(dict.fromkeys(employee_ids))
    if rules is None:
        rules = RosterRules.for_company(session, company_id)
    index = ConflictIndex(rules=rules)
    if not emp_ids:
        return index
    lo, hi = _window(start, end, rules)
    people = {"emp_ids": emp_ids}
    window = {
        "first_day": (lo - timedelta(days=1)).date(),
        "last_day": (hi + timedelta(days=1)).date(),
    }
    for row in session.execute(_PEOPLE_AND_LEAVE, {**people, **window}):
        emp = row.id
        index.names[emp] = f"{row.first_name} {row.last_name}".strip()
        index.contract[emp] = row.contract_hours
        if row.employment_start is not None or row.employment_end is not None:
            index.employment[emp] = Employment(row.employment_start, row.employment_end)
        if row.leave_id is not None:
            l_start, l_end = leave_instants(row, row.timezone)
            index.add_leave(Busy(emp, l_start, l_end, row.leave_id, leave_label(row)))
    seen: set[tuple[str, str]] = set()
    for row in _busy_rows(session, emp_ids, lo, hi, read):
        emp, shift_id, day, start_time, end_time, start_utc, end_utc = row
        if (emp, shift_id) in seen:  # theirs by name and through their department
            continue
        seen.add((emp, shift_id))
        index.add_shift(
            Busy(emp, start_utc, end_utc, shift_id, shift_label(day, start_time, end_time), day)
        )
    return index


def _window(start: datetime, end: datetime, rules: RosterRules) -> tuple[datetime, datetime]:
    """The instants whose shifts can bear on work from ``start`` to ``end``: the rest
    time and the consecutive-day limit around it, and the whole of the payroll weeks
    it touches (their hours count toward the contract). A shift's week is its local
    date's, up to a day from the UTC date, so the weeks are taken a day wider."""
    margin = max(MAX_SHIFT_LENGTH + rules.min_rest, timedelta(days=rules.max_consecutive_days + 1))
    day = timedelta(days=1)
    first_week = week_start(start.date() - day, rules.week_start)
    after_last_week = week_start(end.date() + day, rules.week_start) + timedelta(days=7)
    week_lo = datetime.combine(first_week - day, time(0), tzinfo=UTC)
    week_hi = datetime.combine(after_last_week + day, time(0), tzinfo=UTC)
    return min(start - margin, week_lo), max(end + margin, week_hi)


def _busy_rows(
    session: Session, emp_ids: list[str], lo: datetime, hi: datetime, read: ReadShifts | None
) -> list[BusyRow]:
    """The people's live shifts starting from ``lo`` to before ``hi``: read from the
    store, but taken from ``read`` for its people on its days."""
    if read is None:
        return list(session.execute(_BUSY, {"emp_ids": emp_ids, "lo": lo, "hi": hi}))
    told = [e for e in emp_ids if e in read.people]
    rest = [e for e in emp_ids if e not in read.people]
    rows: list[BusyRow] = []
    if rest:
        rows += session.execute(_BUSY, {"emp_ids": rest, "lo": lo, "hi": hi})
    if told:
        window = {"lo": lo, "hi": hi, "read_first": read.first, "read_last": read.last}
        rows += session.execute(_BUSY_AROUND, {"emp_ids": told, **window})
        wanted = set(told)
        rows += [r for r in read.rows if r[0] in wanted and lo <= r[5] < hi]
    return rows


def leave_label(leave: LeaveTimes) -> str:
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
