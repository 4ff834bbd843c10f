"""What auto-fill works on: the open shifts of a range, the people who could take
them, and the state a run carries from one proposal to the next.

Hard rules (never broken) are decided in one place, :meth:`FillState.problems`,
through :mod:`core.conflicts` (overlap with every other shift of the person,
including those proposed earlier in the same run, approved leave, and a day
outside the person's employment dates, :mod:`core.employment`). Soft rules
become a cost in :meth:`FillState.option`: labour cost priced with payroll's
overtime rule (:mod:`core.attendance`), hours against contract hours, the warnings
every check gives (rest time and days in a row from :mod:`core.conflicts`, a long
shift and a week over contract from :mod:`core.workload`), fairness of weekends and
nights, and the person's own department.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.attendance import (
    Rules,
    daily_overtime_minutes,
    rules_for,
    weekly_overtime_minutes,
)
from core.conflicts import Busy, ConflictIndex, load_index, shift_label
from core.models import Department, Employee, Shift, ShiftEmployee, ShiftStatus
from core.money import money
from core.results import Conflict, RuleWarning
from core.timeutil import parse_hhmm, week_start
from core.workload import Workload

#: Weights of the soft rules, in the company's currency, beside the labour cost.
#: In order: a rest or days-in-a-row warning weighs most; then someone from another
#: department (more than the whole swing of contract hours on a long shift); then
#: hours under contract, filled first (each such hour outweighs a plausible
#: difference in hourly rate); then overtime, weekends and nights spread, and cost.
WARNING_PENALTY = 250.0
OTHER_DEPARTMENT_PENALTY = 150.0
UNDER_CONTRACT_BONUS_PER_HOUR = 10.0
OVER_CONTRACT_PER_HOUR = 5.0
OVERTIME_PENALTY_PER_HOUR = 10.0
FAIRNESS_PENALTY = 25.0

NIGHT_FROM_MINUTE = 22 * 60
NIGHT_UNTIL_MINUTE = 5 * 60


@dataclass(frozen=True)
class OpenShift:
    """A live shift with nobody on it, by name or by department."""

    id: str
    site_id: str
    company_id: str
    shift_date: date
    start_time: str
    end_time: str
    start_utc: datetime
    end_utc: datetime
    department_id: str | None
    department_name: str
    location: str

    @cached_property
    def minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)

    @property
    def label(self) -> str:
        return shift_label(self.shift_date, self.start_time, self.end_time)

    @cached_property
    def weekend(self) -> bool:
        return self.shift_date.weekday() >= 5

    @cached_property
    def night(self) -> bool:
        return is_night(self.start_time, self.end_time)


def is_night(start_time: str, end_time: str) -> bool:
    """Overnight, or starting late in the evening or before dawn."""
    start = parse_hhmm(start_time, "start")
    end = parse_hhmm(end_time, "end")
    at = start.hour * 60 + start.minute
    return end <= start or at >= NIGHT_FROM_MINUTE or at < NIGHT_UNTIL_MINUTE


def _nights(session: Session, people: Sequence[str], first: date, last: date) -> dict[str, int]:
    """Night shifts each person already has by name in the range (fairness counts them)."""
    found: dict[str, int] = defaultdict(int)
    if not people:
        return found
    rows = session.execute(
        select(ShiftEmployee.employee_id, Shift.start_time, Shift.end_time)
        .join(Shift, Shift.id == ShiftEmployee.shift_id)
        .where(
            ShiftEmployee.employee_id.in_(list(people)),
            Shift.deleted.is_(False),
            Shift.status != ShiftStatus.CANCELLED,
            Shift.shift_date >= first,
            Shift.shift_date <= last,
        )
    )
    for emp, start, end in rows:
        if is_night(start, end):
            found[emp] += 1
    return found


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    site_id: str
    department_id: str | None
    department_name: str
    hourly_rate: Decimal
    contract_hours: Decimal
    active: bool = True

    @cached_property
    def rate(self) -> float:
        return float(self.hourly_rate)

    @cached_property
    def contract(self) -> float:
        return float(self.contract_hours)


def open_shifts(
    session: Session,
    first: date,
    last: date,
    department_ids: Sequence[str] = (),
    site_id: str | None = None,
) -> list[OpenShift]:
    """Open shifts dated in the range (of these departments, when named), by start."""
    query = (
        select(Shift, Department.name)
        .outerjoin(Department, Department.id == Shift.department_id)
        .where(
            Shift.deleted.is_(False),
            Shift.status != ShiftStatus.CANCELLED,
            Shift.shift_date >= first,
            Shift.shift_date <= last,
            ~Shift.employees.any(),
            ~Shift.departments.any(),
        )
        .order_by(Shift.start_utc, Shift.id)
    )
    if department_ids:
        query = query.where(Shift.department_id.in_(list(department_ids)))
    if site_id:
        query = query.where(Shift.site_id == site_id)
    return [
        OpenShift(
            s.id,
            s.site_id,
            s.company_id,
            s.shift_date,
            s.start_time,
            s.end_time,
            s.start_utc,
            s.end_utc,
            s.department_id,
            dept_name or "No department",
            s.location,
        )
        for s, dept_name in session.execute(query)
    ]


def candidates(session: Session, site_ids: Iterable[str]) -> list[Person]:
    """Everyone who might take a shift at these sites (inactive people never do)."""
    rows = session.execute(
        select(Employee, Department.name)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(
            Employee.site_id.in_(list(set(site_ids))),
            Employee.deleted.is_(False),
            Employee.active.is_(True),
        )
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    return [
        Person(
            e.id,
            e.name,
            e.site_id,
            e.department_id,
            dept_name or "No department",
            Decimal(e.hourly_rate),
            Decimal(e.contract_hours),
            e.active,
        )
        for e, dept_name in rows
    ]


@dataclass(frozen=True)
class Option:
    """One person for one shift, with what it would cost and why it is fine."""

    person: Person
    shift: OpenShift
    #: What the solver minimises: labour cost plus the soft rules' weights.
    cost: float
    #: What payroll would pay for it (overtime at the policy's multiplier).
    labour: float
    warnings: tuple[RuleWarning, ...]
    week_hours_before: float
    overtime_hours: float


class FillState:
    """The people's week and day hours, weekends and nights, and the conflict index,
    updated as proposals are made so later choices see earlier ones."""

    def __init__(
        self,
        index: ConflictIndex,
        people: Sequence[Person],
        rules: Rules,
        first: date,
        last: date,
        workload: Workload | None = None,
    ) -> None:
        self.index = index
        #: The range filled: weekends and nights are counted within it.
        self.first, self.last = first, last
        #: A long shift, a week over contract: the warnings every other check gives.
        self.workload = workload or Workload(contract={p.id: p.contract_hours for p in people})
        self.people = {p.id: p for p in people}
        self.teams: dict[tuple[str, str | None], list[Person]] = defaultdict(list)
        for person in people:
            self.teams[(person.site_id, person.department_id)].append(person)
        self.rules = rules
        self.day_minutes: dict[tuple[str, date], int] = defaultdict(int)
        self.week_minutes: dict[tuple[str, date], int] = defaultdict(int)
        self.weekends: dict[str, int] = defaultdict(int)
        self.nights: dict[str, int] = defaultdict(int)
        for person in people:
            for busy in index.shifts_of(person.id):
                self._count(person.id, busy.day, busy.start, busy.end, None)

    @classmethod
    def load(
        cls,
        session: Session,
        people: Sequence[Person],
        shifts: Sequence[OpenShift],
        first: date,
        last: date,
    ) -> FillState:
        company_id = shifts[0].company_id if shifts else None
        index = load_index(
            session,
            [p.id for p in people],
            min((s.start_utc for s in shifts), default=datetime.min),
            max((s.end_utc for s in shifts), default=datetime.min),
            company_id=company_id,
        )
        rules = rules_for(session, company_id) if company_id else Rules()
        workload = Workload.load(session, company_id, [p.id for p in people])
        state = cls(index, people, rules, first, last, workload)
        state.nights.update(_nights(session, [p.id for p in people], first, last))
        return state

    def _count(
        self,
        emp: str,
        day: date | None,
        start: datetime,
        end: datetime,
        shift: OpenShift | None,
    ) -> None:
        """Count a shift toward its person's day and week; within the range, a
        weekend shift and (``shift``: a proposal, whose times are known) a night."""
        if day is None:
            return
        minutes = int((end - start).total_seconds() // 60)
        self.day_minutes[(emp, day)] += minutes
        self.week_minutes[(emp, week_start(day, self.rules.week_start))] += minutes
        if self.first <= day <= self.last:
            if day.weekday() >= 5:
                self.weekends[emp] += 1
            if shift is not None and shift.night:
                self.nights[emp] += 1

    # --- rules ---------------------------------------------------------------------------

    def problems(
        self, person: Person, shift: OpenShift
    ) -> tuple[tuple[Conflict, ...], tuple[RuleWarning, ...]]:
        """Every hard rule in one place: (conflicts, warnings). A proposal is made only
        where the conflicts are empty; the warnings are soft and priced."""
        if not person.active:
            return (Conflict("inactive", person.id, "", f"{person.name} is inactive"),), ()
        if person.site_id != shift.site_id:
            return (Conflict("site", person.id, "", f"{person.name} works at another site"),), ()
        found = self.index.check((person.id,), shift.start_utc, shift.end_utc, shift.shift_date)
        if found.conflicts:
            return found.conflicts, ()
        workload = self.workload.warnings(
            self.index, (person.id,), shift.start_utc, shift.end_utc, shift.shift_date
        )
        return (), found.warnings + workload

    def floors(
        self, shift: OpenShift, people: Sequence[Person], *, sure_warnings: bool = True
    ) -> list[float]:
        """The least :meth:`option` can cost for each person, from a few lookups, so
        the solver checks the rules of the people who might win rather than of
        everyone: all of it but overtime and the warnings (which only add), save the
        week over contract, which these lookups already know will be warned about
        (``sure_warnings=False`` leaves it out too: the part the warnings add to)."""
        hours = shift.minutes / 60
        week = week_start(shift.shift_date, self.rules.week_start)
        weeks = self.week_minutes
        fairness = [
            counts
            for flag, counts in ((shift.weekend, self.weekends), (shift.night, self.nights))
            if flag
        ]
        found = []
        for person in people:
            cost = hours * person.rate
            if person.contract > 0:
                before_h = weeks.get((person.id, week), 0) / 60
                under = max(0.0, min(hours, person.contract - before_h))
                cost += (hours - under) * OVER_CONTRACT_PER_HOUR
                cost -= under * UNDER_CONTRACT_BONUS_PER_HOUR
                if sure_warnings and before_h + hours > person.contract + 0.01:
                    cost += WARNING_PENALTY  # core.workload's "over contract"
            if person.department_id != shift.department_id:
                cost += OTHER_DEPARTMENT_PENALTY
            for counts in fairness:
                cost += FAIRNESS_PENALTY * counts.get(person.id, 0)
            found.append(cost)
        return found

    def option(self, person: Person, shift: OpenShift) -> Option | Conflict:
        """What giving ``shift`` to ``person`` would cost, or the first hard rule it breaks."""
        conflicts, warnings = self.problems(person, shift)
        if conflicts:
            return conflicts[0]
        minutes = shift.minutes
        day_before = self.day_minutes.get((person.id, shift.shift_date), 0)
        week = week_start(shift.shift_date, self.rules.week_start)
        week_before = self.week_minutes.get((person.id, week), 0)
        daily_ot = daily_overtime_minutes(day_before + minutes, self.rules.daily_threshold_minutes)
        daily_ot -= daily_overtime_minutes(day_before, self.rules.daily_threshold_minutes)
        # Payroll's weekly rule over the week so far, then this shift's regular minutes.
        weekly_ot = weekly_overtime_minutes(
            [(week, week_before), (shift.shift_date, minutes - daily_ot)], self.rules
        )[1]
        overtime = (daily_ot + weekly_ot) / 60
        rate = person.rate
        extra = float(self.rules.overtime_multiplier) - 1
        # What payroll would pay: the day's unpaid break (the policy's) is not labour.
        paid = self.rules.paid_minutes(day_before + minutes) - self.rules.paid_minutes(day_before)
        labour = paid / 60 * rate + overtime * rate * extra
        cost = self.floors(shift, (person,), sure_warnings=False)[0]
        cost += overtime * (rate * extra + OVERTIME_PENALTY_PER_HOUR)
        cost += WARNING_PENALTY * len(warnings)
        before_h = week_before / 60
        return Option(person, shift, cost, labour, tuple(warnings), before_h, overtime)

    def explain(self, option: Option) -> tuple[str, ...]:
        """Why this person, in words (asked only of the options chosen, before
        :meth:`take`): "32 of 40 contract hours, 11 h rest, own department"."""
        person, shift = option.person, option.shift
        contract = float(person.contract_hours)
        reasons = [
            f"{_h(option.week_hours_before)} of {_h(contract)} contract hours"
            if contract > 0
            else f"{_h(option.week_hours_before)} h this week (no contract hours)",
            self._rest(person.id, shift),
            "own department"
            if person.department_id == shift.department_id
            else f"from {person.department_name}{self._team_full(shift)}",
            f"{money(person.hourly_rate)}/h",
        ]
        if option.overtime_hours:
            reasons.append(f"{_h(option.overtime_hours)} h overtime")
        if shift.weekend:
            reasons.append(f"weekend shifts so far: {self.weekends.get(person.id, 0)}")
        if shift.night:
            reasons.append(f"nights so far: {self.nights.get(person.id, 0)}")
        return tuple(reasons) + tuple(w.reason for w in option.warnings)

    def _team_full(self, shift: OpenShift) -> str:
        """Why the shift's own department lost: " (8 in Front Desk busy or over
        contract)": each of them is already working then (or away), or this shift
        would take them past their contract hours for the week. (A member already
        on a shift at that time counts as busy, whatever their hours.)"""
        team = self.teams.get((shift.site_id, shift.department_id), ())
        week = week_start(shift.shift_date, self.rules.week_start)
        hours = shift.minutes / 60

        def unavailable(person: Person) -> bool:
            if person.contract > 0 and (
                self.week_minutes.get((person.id, week), 0) / 60 + hours > person.contract + 0.01
            ):
                return True
            found = self.index.check((person.id,), shift.start_utc, shift.end_utc, shift.shift_date)
            return bool(found.conflicts)

        count = sum(1 for p in team if unavailable(p))
        if not count:
            return ""
        return f" ({count} in {shift.department_name} busy or over contract)"

    def _rest(self, emp: str, shift: OpenShift) -> str:
        """The rest before or after this shift, whichever is shorter, within two days."""
        horizon = timedelta(days=2)
        gaps = []
        for busy in self.index.shifts_of(emp):
            if busy.end <= shift.start_utc and shift.start_utc - busy.end < horizon:
                gaps.append(shift.start_utc - busy.end)
            elif busy.start >= shift.end_utc and busy.start - shift.end_utc < horizon:
                gaps.append(busy.start - shift.end_utc)
        if not gaps:
            return "no shift within 48 h"
        return f"{_h(min(gaps).total_seconds() / 3600)} h rest"

    def take(self, option: Option) -> None:
        """Make a proposal part of the state: later checks see the person busy then."""
        shift, emp = option.shift, option.person.id
        busy = Busy(emp, shift.start_utc, shift.end_utc, shift.id, shift.label, shift.shift_date)
        self.index.add_shift(busy)
        self.workload.add(busy)
        self._count(emp, shift.shift_date, shift.start_utc, shift.end_utc, shift)


def _h(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
