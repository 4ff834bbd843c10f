"""Labour hours and cost of a roster: what the rota being built will cost.

A supervisor building a rota sees, per day and per week, the scheduled hours and
what they cost at the people's hourly rates, with overtime where a person's day or
week passes the pay policy's thresholds. Overtime follows the same rule payroll
pays by (:func:`core.attendance.daily_overtime_minutes` and
:func:`core.attendance.weekly_overtime_minutes`), applied to scheduled minutes
instead of worked ones, and costs ``rate × multiplier`` an hour as on the payslip.
A scheduled day's minutes are its shifts' less the pay policy's automatic unpaid
break, which payroll deducts from a day worked as long
(:meth:`core.attendance.Rules.paid_minutes`).

What is counted:

- a person's shifts that are not cancelled (a whole-department shift once per
  member, as their rows and attendance count it) in the departments shown: a
  shift counts under its own department, whoever works it (a department's view
  counts the people it borrows for its shifts, not its people's work elsewhere;
  overtime is then that of the hours counted);
- open shifts (nobody on them yet) in hours, never in cost: nobody's rate applies;
- cancelled shifts not at all.

A person with no rate in the store (a key without ``pay:read`` syncs none, so the
rate reads 0) has hours but an unknown cost: their hours are "unpriced" and the
cost shown is marked as incomplete rather than silently lower.

Weekly overtime sees the shifts of the range only: a month that starts mid-week
does not know the hours before its first day. Each person-day's hours are rounded
to hundredths and priced to the cent, so the days add up to the week and the
weeks to the range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.attendance import Rules, daily_overtime_minutes, rules_for, weekly_overtime_minutes
from core.models import Company, Employee
from core.money import money
from core.roster import Roster, RosterShift
from core.timeutil import week_start

ZERO = Decimal(0)


@dataclass(frozen=True)
class PayBasis:
    """What pricing a roster needs: whose rate is what, the overtime rules, currency.

    A person missing from ``rates``, or with a rate of 0, has no known rate."""

    currency: str = "EUR"
    rules: Rules = field(default_factory=Rules)
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    def rate_of(self, employee_id: str) -> Decimal | None:
        rate = self.rates.get(employee_id)
        return Decimal(rate) if rate else None


def pay_basis(session: Session, company_id: str | None) -> PayBasis:
    """The company's rates, rules and currency (the first company's when None)."""
    company = (
        session.get(Company, company_id) if company_id else session.scalar(select(Company).limit(1))
    )
    if company is None:
        return PayBasis()
    rates = select(Employee.id, Employee.hourly_rate).where(Employee.company_id == company.id)
    return PayBasis(
        company.currency,
        rules_for(session, company.id),
        dict(session.execute(rates).all()),
    )


@dataclass(frozen=True)
class Labour:
    """Scheduled hours and their cost over a day, a week or a range.

    ``hours`` is everything scheduled (people's and open shifts'); ``open_hours`` the
    part on open shifts and ``unpriced_hours`` the part of people without a rate,
    both outside ``cost``; ``overtime_hours`` the people's hours past a threshold."""

    hours: Decimal = ZERO
    open_hours: Decimal = ZERO
    overtime_hours: Decimal = ZERO
    unpriced_hours: Decimal = ZERO
    cost: Decimal = ZERO

    @property
    def cost_known(self) -> bool:
        """Every priced hour has a rate (open shifts have none to have)."""
        return not self.unpriced_hours

    def __add__(self, other: Labour) -> Labour:
        return Labour(
            self.hours + other.hours,
            self.open_hours + other.open_hours,
            self.overtime_hours + other.overtime_hours,
            self.unpriced_hours + other.unpriced_hours,
            self.cost + other.cost,
        )


@dataclass(frozen=True)
class Overtime:
    """A person's overtime hours in one week (weeks start as the pay policy says)."""

    employee_id: str
    name: str
    week: date
    hours: Decimal


@dataclass(frozen=True)
class LabourPlan:
    """A roster's labour per day, per week and for the whole range."""

    currency: str
    days: Mapping[date, Labour]
    weeks: tuple[tuple[date, Labour], ...]
    total: Labour
    overtime: tuple[Overtime, ...] = ()

    def day(self, day: date) -> Labour:
        return self.days.get(day, Labour())


def _minutes(shift: RosterShift) -> int:
    return int((shift.end_utc - shift.start_utc).total_seconds() // 60)


def _hundredths(minutes: int) -> int:
    """Minutes as hundredths of an hour, half up: ``hours(minutes / 60)`` × 100."""
    return (minutes * 10 + 3) // 6


@cache
def _cost_cents(regular: int, extra: int, rate: Decimal, multiplier: Decimal) -> int:
    """The cost in cents of hundredths of regular and overtime hours at a rate."""
    cost = money((Decimal(regular) * rate + Decimal(extra) * rate * multiplier) / 100)
    return int(cost * 100)


def _split(minutes_per_day: list[tuple[date, int]], rules: Rules) -> list[tuple[int, int]]:
    """Per day: (regular, overtime) in hundredths of an hour: daily overtime first,
    then weekly overtime on the regular minutes left, each day rounded to the
    hundredth as payroll rounds a day's hours."""
    threshold = rules.daily_threshold_minutes
    daily = [daily_overtime_minutes(m, threshold) for _, m in minutes_per_day]
    regular = [(d, m - ot) for (d, m), ot in zip(minutes_per_day, daily, strict=True)]
    weekly = weekly_overtime_minutes(regular, rules)
    return [
        (_hundredths(reg - wk), _hundredths(ot + wk))
        for (_, reg), ot, wk in zip(regular, daily, weekly, strict=True)
    ]


def _decimal(hundredths: int) -> Decimal:
    return Decimal(hundredths).scaleb(-2)


def _worked(roster: Roster, rules: Rules) -> dict[str, list[tuple[date, int]]]:
    """Paid scheduled minutes per shown person and day (in date order) of the shifts
    the roster counts (:meth:`core.roster.Roster.counts`), cancelled left out: the
    day's shifts less the policy's unpaid break, as payroll will deduct it
    (:meth:`core.attendance.Rules.paid_minutes`)."""
    minutes: dict[str, dict[date, int]] = defaultdict(dict)
    for (emp, day), shifts in roster.cells.items():
        total = rules.paid_minutes(
            sum(_minutes(s) for s in shifts if not s.cancelled and roster.counts(s, emp))
        )
        if total:
            minutes[emp][day] = total
    return {emp: sorted(days.items()) for emp, days in minutes.items()}


def labour_of(roster: Roster, basis: PayBasis) -> LabourPlan:
    """Hours and cost of what ``roster`` shows, priced by ``basis``."""
    rules = basis.rules
    multiplier = Decimal(rules.overtime_multiplier)
    # Per day, in hundredths of an hour and in cents (whole numbers: a month of 500
    # people has thousands of person-days): hours, open hours, overtime hours,
    # unpriced hours, cost.
    sums: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    overtime: dict[tuple[str, date], int] = defaultdict(int)
    names = {emp.id: emp.name for dept in roster.departments for emp in dept.employees}
    for emp, worked in _worked(roster, rules).items():
        if emp not in names:
            continue
        rate = basis.rate_of(emp)
        for (day, _), (regular, extra) in zip(worked, _split(worked, rules), strict=True):
            row = sums[day]
            row[0] += regular + extra
            if extra:
                row[2] += extra
                overtime[(emp, week_start(day, rules.week_start))] += extra
            if rate is None:
                row[3] += regular + extra
            else:
                row[4] += _cost_cents(regular, extra, rate, multiplier)
    for (_dept, day), shifts in roster.open_cells.items():
        open_minutes = sum(rules.paid_minutes(_minutes(s)) for s in shifts if not s.cancelled)
        if open_minutes:
            row = sums[day]
            row[0] += _hundredths(open_minutes)
            row[1] += _hundredths(open_minutes)
    by_day = {day: Labour(*(_decimal(n) for n in row)) for day, row in sums.items()}
    weeks: dict[date, Labour] = {}
    for day in roster.days:
        start = week_start(day, rules.week_start)
        weeks[start] = weeks.get(start, Labour()) + by_day.get(day, Labour())
    return LabourPlan(
        basis.currency,
        by_day,
        tuple(weeks.items()),
        sum(weeks.values(), Labour()),
        tuple(
            Overtime(emp, names[emp], week, _decimal(extra))
            for (emp, week), extra in sorted(
                overtime.items(), key=lambda i: (i[0][1], names[i[0][0]])
            )
        ),
    )
