"""Payroll of a period: attendance's day records priced per employee.

The hours come from :mod:`core.attendance` (where the overtime and lateness rules
live); this module only rounds and prices them. Each day's hours are rounded to
hundredths once, a period's hours are the sum of its days' (so the per-day detail
adds up to the summary), and pay is computed from those shown hours, each pay
component rounded to the cent: hours × rate on the sheet is what core paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from core.attendance import Attendance, DayRecord, Flag, Person, Rules, Span, attendance
from core.models import Company
from core.money import hours, minutes_as_hours, money
from core.pay_periods import status_line
from core.timeutil import utcnow

ZERO = Decimal(0)
#: A day with one of these flags waits on the workbook's "To decide" sheet.
TO_DECIDE_FLAGS = frozenset({Flag.WORKED_ON_LEAVE, Flag.LEAVE_UNCREDITED})


@dataclass(frozen=True)
class PayDay:
    """One employee-day as payroll counts it, hours rounded to hundredths."""

    record: DayRecord
    worked_hours: Decimal
    regular_hours: Decimal
    daily_overtime_hours: Decimal
    weekly_overtime_hours: Decimal
    paid_leave_hours: Decimal

    @property
    def overtime_hours(self) -> Decimal:
        return self.daily_overtime_hours + self.weekly_overtime_hours

    @classmethod
    def of(cls, record: DayRecord) -> PayDay:
        return cls(
            record=record,
            worked_hours=minutes_as_hours(record.worked_minutes),
            regular_hours=minutes_as_hours(record.regular_minutes),
            daily_overtime_hours=minutes_as_hours(record.daily_overtime_minutes),
            weekly_overtime_hours=minutes_as_hours(record.weekly_overtime_minutes),
            paid_leave_hours=hours(record.paid_leave_hours),
        )


@dataclass(frozen=True)
class PayLine:
    """One employee's pay for the period.

    ``gross = regular_pay + overtime_pay + leave_pay - penalty``, where
    ``regular_pay = regular_hours × rate``, ``overtime_pay = overtime_hours × rate ×
    multiplier``, ``leave_pay = paid_leave_hours × rate`` and ``penalty =
    late_minutes × late_penalty_per_minute``, each rounded to the cent.

    Over days priced under several rules (a closed period's kept ones and the
    policy's) the pay of hours is still priced from the line's hours; a
    ``multiplier`` of None says its overtime was paid at more than one multiplier,
    so ``overtime_pay`` is the sum of each span's.
    """

    person: Person
    rate: Decimal
    multiplier: Decimal | None
    regular_hours: Decimal
    overtime_hours: Decimal
    paid_leave_hours: Decimal
    late_minutes: int
    penalty: Decimal
    regular_pay: Decimal
    overtime_pay: Decimal
    leave_pay: Decimal
    gross: Decimal
    days: tuple[PayDay, ...]


@dataclass(frozen=True)
class Payroll:
    first: date
    last: date
    currency: str
    rules: Rules
    lines: tuple[PayLine, ...]
    generated_at: datetime | None = None
    #: The company's name, for the title and page headers of a printout.
    company: str = ""
    #: Whether the period is closed and by whom ("Closed by anna on ..." or "Open";
    #: empty when not asked), as the workbook states it (core.pay_periods).
    period_status: str = ""
    #: The rules of each run of days where they are not all ``rules``
    #: (:attr:`core.attendance.Attendance.spans`).
    spans: tuple[Span, ...] = ()

    def total(self, name: str) -> Decimal:
        """The sum of one PayLine figure over everyone (what the totals row shows)."""
        return sum((Decimal(getattr(line, name)) for line in self.lines), ZERO)

    @property
    def to_decide(self) -> tuple[tuple[PayLine, PayDay], ...]:
        """Days no supervisor has approved yet that worked on approved leave, or whose
        paid leave has nothing to credit (no shift, no contract hours): the workbook
        lists them until someone decides."""
        return tuple(
            (line, day)
            for line in self.lines
            for day in line.days
            if TO_DECIDE_FLAGS.intersection(day.record.flags) and not day.record.approved
        )

    def _deciding(self, flag: Flag) -> int:
        return sum(1 for _, day in self.to_decide if flag in day.record.flags)

    def readiness(self) -> Readiness:
        """What is not signed off in the period, counted once for every exporter."""
        days = [day.record for line in self.lines for day in line.days]
        open_days = [d for d in days if not d.approved]
        return Readiness(
            days=len(days),
            unapproved=len(open_days),
            with_problems=sum(1 for d in open_days if d.has_problem),
            worked_on_leave=self._deciding(Flag.WORKED_ON_LEAVE),
            uncredited_leave=self._deciding(Flag.LEAVE_UNCREDITED),
        )


@dataclass(frozen=True)
class Readiness:
    """Employee-days of a payroll period not yet approved, and how many of those have
    problems (core.attendance.PROBLEM_FLAGS), so an export can warn before it pays."""

    days: int
    unapproved: int
    with_problems: int
    worked_on_leave: int
    #: Paid leave days with nothing to credit (no shift, no contract hours).
    uncredited_leave: int = 0

    @property
    def ready(self) -> bool:
        return self.unapproved == 0

    @property
    def warning(self) -> str:
        """``152 days unapproved, 47 with problems``; empty when everything is approved."""
        if self.ready:
            return ""
        text = f"{_days(self.unapproved)} unapproved, {self.with_problems} with problems"
        notes = []
        if self.worked_on_leave:
            notes.append(f"{self.worked_on_leave} worked on approved leave")
        if self.uncredited_leave:
            notes.append(f"{self.uncredited_leave} on paid leave with no hours to credit")
        if notes:
            text += f" ({', '.join(notes)})"
        return text


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def price(person: Person, days: Sequence[DayRecord], rules: Rules) -> PayLine:
    """The pay of one person's days under the rules."""
    pay_days = tuple(PayDay.of(d) for d in days)
    rate = Decimal(person.hourly_rate)
    multiplier = Decimal(rules.overtime_multiplier)
    regular = sum((d.regular_hours for d in pay_days), ZERO)
    overtime = sum((d.overtime_hours for d in pay_days), ZERO)
    leave = sum((d.paid_leave_hours for d in pay_days), ZERO)
    late = sum(d.late_minutes for d in days)
    penalty = money(late * Decimal(rules.late_penalty_per_minute))
    regular_pay = money(regular * rate)
    overtime_pay = money(overtime * rate * multiplier)
    leave_pay = money(leave * rate)
    return PayLine(
        person=person,
        rate=rate,
        multiplier=multiplier,
        regular_hours=regular,
        overtime_hours=overtime,
        paid_leave_hours=leave,
        late_minutes=late,
        penalty=penalty,
        regular_pay=regular_pay,
        overtime_pay=overtime_pay,
        leave_pay=leave_pay,
        gross=regular_pay + overtime_pay + leave_pay - penalty,
        days=pay_days,
    )


def _priced(person: Person, days: Sequence[DayRecord], derived: Attendance) -> PayLine:
    """One person's pay: the days of each span of rules (a closed period's kept
    ones, the policy's) priced under them, and the figures added up.

    Regular and leave pay do not depend on the rules: they are priced from the
    line's hours, as on a single-rule line (so ``hours × rate`` on the sheet is
    still what core paid); so is overtime when one multiplier paid all of it.
    """
    if not derived.spans:
        return price(person, days, derived.rules)
    parts: dict[Rules, list[DayRecord]] = {}
    for day in days:
        parts.setdefault(derived.rules_on(day.work_date), []).append(day)
    lines = [price(person, part, rules) for rules, part in parts.items()]
    if len(lines) <= 1:
        return lines[0] if lines else price(person, days, derived.rules)
    rate = lines[-1].rate
    regular, overtime, leave, penalty = (
        sum((getattr(line, name) for line in lines), ZERO)
        for name in ("regular_hours", "overtime_hours", "paid_leave_hours", "penalty")
    )
    paid_at = {line.multiplier for line in lines if line.overtime_hours}
    multiplier = paid_at.pop() if len(paid_at) == 1 else None if paid_at else lines[-1].multiplier
    if multiplier is None:
        overtime_pay = sum((line.overtime_pay for line in lines), ZERO)
    else:
        overtime_pay = money(overtime * rate * multiplier)
    regular_pay, leave_pay = money(regular * rate), money(leave * rate)
    return replace(
        lines[-1],
        multiplier=multiplier,
        regular_hours=regular,
        overtime_hours=overtime,
        paid_leave_hours=leave,
        late_minutes=sum(line.late_minutes for line in lines),
        penalty=penalty,
        regular_pay=regular_pay,
        overtime_pay=overtime_pay,
        leave_pay=leave_pay,
        gross=regular_pay + overtime_pay + leave_pay - penalty,
        days=tuple(day for line in lines for day in line.days),
    )


def payroll_of(
    derived: Attendance, *, generated_at: datetime | None = None, company: str = ""
) -> Payroll:
    """Price derived attendance: active people, and inactive ones who have days in it,
    each for the days they are employed."""
    by_person: dict[str, list[DayRecord]] = {pid: [] for pid in derived.people}
    for day in derived.days:
        # Only days of employment are paid (core.employment): a shift or leave left
        # on a day before the start or after the end pays nothing.
        if derived.people[day.employee_id].employment.covers(day.work_date):
            by_person[day.employee_id].append(day)
    lines = tuple(
        _priced(person, by_person[person.id], derived)
        for person in derived.people.values()
        if person.active or by_person[person.id]
    )
    return Payroll(
        derived.first,
        derived.last,
        derived.currency,
        derived.rules,
        lines,
        generated_at,
        company,
        spans=derived.spans,
    )


def payroll(
    session: Session,
    first: date,
    last: date,
    *,
    employee_ids: Sequence[str] | None = None,
    company_id: str | None = None,
    now: datetime | None = None,
) -> Payroll:
    """Payroll from ``first`` to ``last`` (inclusive local dates)."""
    derived = attendance(
        session, first, last, employee_ids=employee_ids, company_id=company_id, now=now
    )
    owner = session.get(Company, derived.company_id)
    report = payroll_of(derived, generated_at=now or utcnow(), company=owner.name if owner else "")
    return replace(report, period_status=status_line(session, derived.company_id, first, last))
