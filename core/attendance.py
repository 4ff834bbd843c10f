"""Attendance derived from punches: what each employee-day looks like to a supervisor.

Punches are matched to the shifts of their person through the policy's window
(from ``match_before_minutes`` before a shift's start to ``match_after_minutes``
after its end); an overnight shift counts toward its start or its end day as the
policy's ``overnight_day`` says. Punches outside every window are unscheduled work
on their own local day. Each employee-day then gets its paired in/out time minus
paired breaks, lateness and early departure beyond the grace period, missing
punches, absence, daily and weekly overtime, the newest supervisor correction and
the sign-off. Everything is loaded with a handful of queries and computed in one
pass, so a month of a large site is a sub-second report.

This module is where these rules live; :mod:`core.payroll` only prices its days.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import DateTime, and_, bindparam, select, type_coerce, union_all
from sqlalchemy.orm import Session

from core import undo
from core.changes import Changes
from core.conflicts import leave_instants, overlaps, shift_label
from core.employment import OPEN_ENDED, Employment
from core.errors import NotFound, ValidationError
from core.models import (
    PAID_LEAVE_TYPES,
    AttendanceApproval,
    AttendanceCorrection,
    AuditEntry,
    ClockEvent,
    Company,
    Employee,
    LeaveRequest,
    LeaveShiftLink,
    LeaveStatus,
    LeaveType,
    PayPolicy,
    PunchKind,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    ShiftStatus,
    Site,
    new_id,
)
from core.models.policy import PLACING_FIELDS
from core.money import hours, minutes_as_hours
from core.pay_periods import closed_periods, refuse_dates, refuse_days
from core.punch_import import PunchImport, PunchImportError, RowProblem, import_punches_csv
from core.results import OpResult
from core.timeutil import MAX_SHIFT_LENGTH, as_utc, to_local, utcnow, week_start, zone
from core.wire import pay_rule_values

__all__ = [
    "AppliedCorrection",
    "Attendance",
    "DayRecord",
    "Flag",
    "Person",
    "Punch",
    "PunchImport",
    "PunchImportError",
    "RowProblem",
    "Rules",
    "ScheduledShift",
    "Span",
    "approve_day",
    "approve_days",
    "attendance",
    "company_of",
    "correct_day",
    "day_approval",
    "import_punches_csv",
    "rules_for",
    "withdraw_approval",
    "withdraw_correction",
]

ATTENDANCE = Changes.ATTENDANCE
#: The days a week a contract's hours are spread over: a leave day with no shift to
#: credit credits contract hours ÷ 5, and a week's worked and leave hours together
#: never pass the contract's hours (a 7-day site's person works 5 of its 7 days).
CONTRACT_DAYS = 5


class Flag(StrEnum):
    LATE = "late"
    EARLY = "early"
    MISSING_PUNCH = "missing_punch"
    ABSENT = "absent"
    OVERTIME = "overtime"
    UNSCHEDULED = "unscheduled"
    ON_LEAVE = "on_leave"
    CORRECTED = "corrected"
    IN_PROGRESS = "in_progress"
    WORKED_ON_LEAVE = "worked_on_leave"
    LEAVE_UNCREDITED = "leave_uncredited"

    @property
    def words(self) -> str:
        """The flag as a reader of a report or a printout says it."""
        return _FLAG_WORDS[self]


_FLAG_WORDS = {
    Flag.LATE: "late",
    Flag.EARLY: "left early",
    Flag.MISSING_PUNCH: "missing punch",
    Flag.ABSENT: "absent",
    Flag.OVERTIME: "overtime",
    Flag.UNSCHEDULED: "unscheduled work",
    Flag.ON_LEAVE: "on leave",
    Flag.CORRECTED: "corrected",
    Flag.IN_PROGRESS: "in progress",
    Flag.WORKED_ON_LEAVE: "worked on approved leave",
    Flag.LEAVE_UNCREDITED: "paid leave with no hours to credit (no shift, no contract hours)",
}

#: Flags a supervisor has to look at before a day is paid: "only days with problems"
#: shows the days with one of them, and payroll export counts them.
PROBLEM_FLAGS = frozenset(
    {
        Flag.LATE,
        Flag.EARLY,
        Flag.MISSING_PUNCH,
        Flag.ABSENT,
        Flag.OVERTIME,
        Flag.UNSCHEDULED,
        Flag.WORKED_ON_LEAVE,
        Flag.LEAVE_UNCREDITED,
    }
)


# --- the policy as plain values ------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The attendance and pay side of a company's :class:`PayPolicy`, as plain values."""

    grace_minutes: int = 5
    daily_overtime_hours: Decimal = Decimal(8)
    weekly_overtime_hours: Decimal = Decimal(40)
    overtime_multiplier: Decimal = Decimal("1.5")
    late_penalty_per_minute: Decimal = Decimal(0)
    match_before_minutes: int = 120
    match_after_minutes: int = 240
    overnight_day: str = "start"
    week_start: int = 0
    unpaid_break_minutes: int = 0
    unpaid_break_after_hours: Decimal = Decimal(6)

    @classmethod
    def of(cls, policy: PayPolicy | None) -> Rules:
        if policy is None:
            return cls()
        return cls(**{name: getattr(policy, name) for name in cls.__dataclass_fields__})

    def kept(self, pay_rules: Mapping[str, Any]) -> Rules:
        """The rules a closed pay period kept (``PayPeriod.pay_rules``), placing work
        as these rules (the policy's now) do (``PLACING_FIELDS``)."""
        placing = {name: getattr(self, name) for name in PLACING_FIELDS}
        return Rules(**{**pay_rule_values(pay_rules), **placing})

    @property
    def daily_threshold_minutes(self) -> int | None:
        return _threshold(self.daily_overtime_hours)

    @property
    def weekly_threshold_minutes(self) -> int | None:
        return _threshold(self.weekly_overtime_hours)

    def unpaid_break(self, span_minutes: int) -> int:
        """The unpaid break a day's work spanning ``span_minutes`` (first in to last
        out, or a scheduled day's shifts) has at least: the policy's automatic break
        once the span reaches its length, else none."""
        if self.unpaid_break_minutes <= 0:
            return 0
        if span_minutes < int(Decimal(self.unpaid_break_after_hours) * 60):
            return 0
        return self.unpaid_break_minutes

    def paid_minutes(self, span_minutes: int) -> int:
        """The paid minutes of a scheduled day spanning ``span_minutes``: the labour
        forecast's (:mod:`core.labour`) counterpart of payroll's top-up of a punched
        break to :meth:`unpaid_break` (:func:`_derive_day`)."""
        return max(0, span_minutes - self.unpaid_break(span_minutes))


def _threshold(hours: Decimal) -> int | None:
    """Hours to whole minutes; 0 switches the threshold off, as the policy documents."""
    return int(Decimal(hours) * 60) if hours and hours > 0 else None


# --- what a report shows ---------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: str
    code: str | None
    name: str
    timezone: str
    hourly_rate: Decimal
    contract_hours: Decimal
    active: bool
    #: The days they are employed: never absent outside them, nor paid for them.
    employment: Employment = OPEN_ENDED


class Punch(NamedTuple):
    """A punch; ``shift_id`` is the shift it matched, None for unscheduled work.

    A tuple rather than a dataclass: a month of a large site has tens of
    thousands, and building them is the report's hot loop.
    """

    id: str
    kind: str
    at: datetime
    source: str
    device_id: str | None
    shift_id: str | None


@dataclass(frozen=True)
class ScheduledShift:
    id: str
    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class AppliedCorrection:
    id: str
    clock_in: datetime | None
    clock_out: datetime | None
    break_minutes: int | None
    excused: bool
    reason: str
    author: str
    at: datetime


@dataclass(frozen=True)
class DayRecord:
    """One employee-day as derived, with the correction already applied.

    Minutes are whole minutes. ``late_minutes``/``early_minutes`` count only what
    lies beyond the grace period. ``regular_minutes`` plus both overtime parts is
    ``worked_minutes``: a minute is daily overtime first, weekly overtime only if it
    was not already daily, so nothing is counted twice.
    """

    employee_id: str
    work_date: date
    timezone: str
    shifts: tuple[ScheduledShift, ...] = ()
    punches: tuple[Punch, ...] = ()
    first_in: datetime | None = None
    last_out: datetime | None = None
    scheduled_minutes: int = 0
    worked_minutes: int = 0
    break_minutes: int = 0
    unscheduled_minutes: int = 0
    late_minutes: int = 0
    early_minutes: int = 0
    regular_minutes: int = 0
    daily_overtime_minutes: int = 0
    weekly_overtime_minutes: int = 0
    missing_punch: bool = False
    #: Clocked in (or on a break) on a shift that has not ended yet: not a missing
    #: punch until the shift is over.
    in_progress: bool = False
    absent: bool = False
    leave_type: str | None = None
    #: Exact hours of approved paid or sick leave paid on this day: the leave's credit,
    #: less the hours worked beyond the scheduled hours not worked (never paid twice).
    paid_leave_hours: Decimal = Decimal(0)
    #: Punched work inside approved leave: a problem until a supervisor approves the day.
    worked_on_leave: bool = False
    #: The leave credit is the contract's daily share (no shift to credit that day),
    #: so the week's cap (:func:`_capped_contract_leave`) applies to it.
    leave_by_contract: bool = False
    #: Approved paid or sick leave with nothing to credit: no shift that day and no
    #: contract hours. Payroll lists the day to decide.
    leave_uncredited: bool = False
    correction: AppliedCorrection | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None

    @property
    def overtime_minutes(self) -> int:
        return self.daily_overtime_minutes + self.weekly_overtime_minutes

    @property
    def approved(self) -> bool:
        """Signed off, and not corrected since the sign-off."""
        if self.approved_at is None:
            return False
        return self.correction is None or self.correction.at <= self.approved_at

    @property
    def flags(self) -> tuple[Flag, ...]:
        found = [
            (Flag.LATE, self.late_minutes > 0),
            (Flag.EARLY, self.early_minutes > 0),
            (Flag.MISSING_PUNCH, self.missing_punch),
            (Flag.ABSENT, self.absent),
            (Flag.OVERTIME, self.overtime_minutes > 0),
            (Flag.UNSCHEDULED, self.unscheduled_minutes > 0 or (not self.shifts and self.punches)),
            (Flag.ON_LEAVE, self.leave_type is not None),
            (Flag.CORRECTED, self.correction is not None),
            (Flag.IN_PROGRESS, self.in_progress),
            (Flag.WORKED_ON_LEAVE, self.worked_on_leave),
            (Flag.LEAVE_UNCREDITED, self.leave_uncredited),
        ]
        return tuple(flag for flag, on in found if on)

    @property
    def has_problem(self) -> bool:
        """A flag of :data:`PROBLEM_FLAGS` is up."""
        return any(flag in PROBLEM_FLAGS for flag in self.flags)


@dataclass(frozen=True)
class Span:
    """Days from ``first`` to ``last`` (inclusive) derived under one set of rules."""

    first: date
    last: date
    rules: Rules


@dataclass(frozen=True)
class Attendance:
    """Derived attendance of a period: the rules used, the people, their days.

    ``rules`` are the rules of every day, unless ``spans`` says otherwise: days of a
    closed pay period are derived (and priced) with the rules it was closed with.
    """

    first: date
    last: date
    company_id: str
    currency: str
    rules: Rules
    people: Mapping[str, Person]
    days: tuple[DayRecord, ...]
    #: The rules of each run of days, in order, where they are not all ``rules``.
    spans: tuple[Span, ...] = ()

    def days_of(self, employee_id: str) -> list[DayRecord]:
        return [d for d in self.days if d.employee_id == employee_id]

    def rules_on(self, day: date) -> Rules:
        return next((s.rules for s in self.spans if s.first <= day <= s.last), self.rules)


# --- loading -----------------------------------------------------------------------------


def company_of(session: Session, company_id: str | None = None) -> Company:
    """The company a report is for: the one named, or the store's only one."""
    if company_id is not None:
        company = session.get(Company, company_id)
        if company is None:
            raise NotFound("company", company_id)
        return company
    companies = list(session.scalars(select(Company).limit(2)))
    if not companies:
        raise ValidationError("company", "the store has no company yet")
    if len(companies) > 1:
        raise ValidationError("company", "the store holds several companies; name one")
    return companies[0]


def rules_for(session: Session, company_id: str) -> Rules:
    return Rules.of(session.scalar(select(PayPolicy).where(PayPolicy.company_id == company_id)))


def _people(
    session: Session, company_id: str, employee_ids: Sequence[str] | None
) -> dict[str, Person]:
    query = (
        select(Employee, Site.timezone)
        .join(Site, Site.id == Employee.site_id)
        .where(Employee.company_id == company_id, Employee.deleted.is_(False))
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    if employee_ids is not None:
        query = query.where(Employee.id.in_(list(employee_ids)))
    return {
        e.id: Person(
            e.id,
            e.code,
            e.name,
            tz,
            e.hourly_rate,
            e.contract_hours,
            e.active,
            Employment.of(e),
        )
        for e, tz in session.execute(query)
    }


def attendance(
    session: Session,
    first: date,
    last: date,
    *,
    employee_ids: Sequence[str] | None = None,
    company_id: str | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Derived attendance from ``first`` to ``last`` (local dates, inclusive).

    Days from the start of ``first``'s payroll week (of every span's, where the
    week's start day changed) are derived too, so weekly overtime knows the hours
    already worked that week; only the asked days are returned. A shift that has
    not ended by ``now`` is never absent.
    """
    if last < first:
        raise ValidationError("to", "the period ends before it starts")
    company = company_of(session, company_id)
    rules = rules_for(session, company.id)
    people = _people(session, company.id, employee_ids)
    spans = _spans_from_week_start(session, company.id, first, last, rules)
    moment = as_utc(now) if now is not None else utcnow()
    days: list[DayRecord] = []
    counted: dict[str, dict[date, int]] = defaultdict(dict)
    for span in spans:
        derived = _derive_span(session, company.id, people, span, moment, counted)
        for d in derived:
            counted[d.employee_id][d.work_date] = d.regular_minutes + d.weekly_overtime_minutes
        days.extend(d for d in derived if d.work_date >= first)
    spans = [Span(max(s.first, first), s.last, s.rules) for s in spans if s.last >= first]
    rank = {pid: n for n, pid in enumerate(people)}  # people come sorted by name
    days.sort(key=lambda d: (d.work_date, rank[d.employee_id]))
    if len(spans) == 1:
        return Attendance(
            first, last, company.id, company.currency, spans[0].rules, people, tuple(days)
        )
    return Attendance(
        first, last, company.id, company.currency, rules, people, tuple(days), tuple(spans)
    )


def rule_spans(
    session: Session, company_id: str, first: date, last: date, rules: Rules
) -> list[Span]:
    """``first``..``last`` cut where the rules change: the days of a closed pay period
    under the rules it was closed with (:meth:`Rules.kept`; one closed before they
    were kept: the policy's ``rules``), the rest under ``rules``; each day in one
    span only; neighbours with equal rules are one span, so a policy left unchanged
    derives the range in one go."""
    spans: list[Span] = []

    def add(lo: date, hi: date, used: Rules) -> None:
        if spans and spans[-1].rules == used:
            spans[-1] = Span(spans[-1].first, hi, used)
        else:
            spans.append(Span(lo, hi, used))

    day = first
    for period in closed_periods(session, company_id, first, last):
        # Closed periods may overlap (a pull takes another site's closure as the
        # server has it): a day belongs to the earliest, as :func:`closed_on` says.
        lo, hi = max(day, period.first_day), min(last, period.last_day)
        if lo > hi:
            continue
        if day < lo:
            add(day, lo - timedelta(days=1), rules)
        add(lo, hi, rules if period.pay_rules is None else rules.kept(period.pay_rules))
        day = hi + timedelta(days=1)
    if day <= last:
        add(day, last, rules)
    return spans


def _spans_from_week_start(
    session: Session, company_id: str, first: date, last: date, rules: Rules
) -> list[Span]:
    """:func:`rule_spans` from early enough that every span's payroll week (under its
    own rules) starts on a day derived under that day's rules: the week's days
    before a span count toward its weekly overtime as they were paid, so a day's
    pay never depends on the range asked. The origin moves back to the earliest
    span's week start until it stops moving: at most six days, unless the move
    reaches into closed periods kept with yet other week starts."""
    origin = first
    lo = first - timedelta(days=6)
    wide = rule_spans(session, company_id, lo, last, rules)
    while True:
        spans = [Span(max(s.first, origin), s.last, s.rules) for s in wide if s.last >= origin]
        earliest = min(week_start(s.first, s.rules.week_start) for s in spans)
        if earliest >= origin:
            return spans
        origin = earliest
        if origin < lo:
            lo = origin - timedelta(days=6)
            wide = rule_spans(session, company_id, lo, last, rules)


def _derive_span(
    session: Session,
    company_id: str,
    people: Mapping[str, Person],
    span: Span,
    moment: datetime,
    counted: Mapping[str, Mapping[date, int]],
) -> list[DayRecord]:
    """The days of ``span`` under its rules, derived from the start of its first
    day's payroll week, so weekly overtime knows the hours already worked that week.
    A day of an earlier span counts as ``counted`` says (its regular minutes as that
    span derived them): minutes its rules paid as daily overtime are not regular
    again under this span's."""
    rules, first, last = span.rules, span.first, span.last
    origin = week_start(first, rules.week_start)
    # Wide enough for every zone and for overnight shifts at either end.
    lo = datetime.combine(origin - timedelta(days=2), time(0), tzinfo=UTC)
    hi = datetime.combine(last + timedelta(days=3), time(0), tzinfo=UTC)
    loaded = _Loaded.fetch(session, company_id, list(people), origin, last, lo, hi, rules)
    days: list[DayRecord] = []
    for person in people.values():
        derived = _derive_person(person, rules, loaded, origin, last, moment)
        weekly = _with_weekly_overtime(derived, rules, counted.get(person.id, {}))
        days.extend(d for d in weekly if d.work_date >= first)
    return days


class _Linked(NamedTuple):
    """A shift linked to an approved leave (kept on, or taken off at approval)."""

    shift_id: str
    start: datetime
    end: datetime
    day: date


class _Shift(NamedTuple):
    """A live shift of one person, as matching and deriving read it."""

    source_id: str
    start: datetime
    end: datetime
    label: str
    day: date


def _naive(column: Any) -> Any:
    """A UTC column read as the naive datetime SQLite keeps, for bulk reads that
    attach the zone themselves (cheaper than the column type's per-value hook)."""
    return type_coerce(column, DateTime())


_SHIFT_COLUMNS = (
    Shift.id,
    Shift.shift_date,
    Shift.start_time,
    Shift.end_time,
    _naive(Shift.start_utc),
    _naive(Shift.end_utc),
)
_LIVE_SHIFT_IN_RANGE = and_(
    Shift.deleted.is_(False),
    Shift.status != ShiftStatus.CANCELLED,
    # The local days around the instants: what SQLite searches, through the shift
    # date index (a shift starts on its own day, at most 14 hours from UTC's).
    Shift.shift_date.between(bindparam("first_day"), bindparam("last_day")),
    Shift.start_utc >= bindparam("lo"),
    Shift.start_utc < bindparam("hi"),
)
#: The live shifts starting in a range, each with a person it binds: its own people
#: and its departments' members (a department assignment binds them), the same shifts
#: the schedule's rules (core.conflicts) hold against a person. No person filter in
#: SQL: SQLite then reads the range from the shift date index, where a list of
#: people would make it read each person's whole history.
_SHIFTS_WITH_PEOPLE = union_all(
    select(ShiftEmployee.employee_id, *_SHIFT_COLUMNS)
    .select_from(Shift)
    .join(ShiftEmployee, ShiftEmployee.shift_id == Shift.id)
    .where(_LIVE_SHIFT_IN_RANGE),
    select(Employee.id, *_SHIFT_COLUMNS)
    .select_from(Shift)
    .join(ShiftDepartment, ShiftDepartment.shift_id == Shift.id)
    .join(Employee, Employee.department_id == ShiftDepartment.department_id)
    .where(_LIVE_SHIFT_IN_RANGE),
)


def _shifts_of(
    session: Session, employee_ids: Iterable[str], lo: datetime, hi: datetime
) -> dict[str, list[_Shift]]:
    """Each person's live shifts starting from ``lo`` to before ``hi``, by start (a
    shift both theirs and their department's once)."""
    wanted = set(employee_ids)
    found: dict[str, list[_Shift]] = defaultdict(list)
    if not wanted:
        return found
    seen: set[tuple[str, str]] = set()
    days = {"first_day": lo.date() - timedelta(days=1), "last_day": hi.date() + timedelta(days=1)}
    rows = session.connection().execute(_SHIFTS_WITH_PEOPLE, {"lo": lo, "hi": hi, **days}).all()
    for emp, id_, day, start_time, end_time, start, end in rows:
        if emp not in wanted or (emp, id_) in seen:
            continue
        seen.add((emp, id_))
        found[emp].append(
            _Shift(
                id_,
                start.replace(tzinfo=UTC),
                end.replace(tzinfo=UTC),
                shift_label(day, start_time, end_time),
                day,
            )
        )
    for own in found.values():
        # By start; shifts starting together by id, so which one a punch matches
        # never hangs on the order SQLite happens to read them in.
        own.sort(key=attrgetter("start", "source_id"))
    return found


@dataclass
class _Loaded:
    shifts: dict[str, list[_Shift]]
    #: Rows of (id, kind, at, source, device_id): a Punch once matched.
    punches: dict[str, list[tuple[str, str, datetime, str, str | None]]]
    leaves: dict[str, list[LeaveRequest]]
    #: Per approved leave, the shifts its approval kept the person on or took them off.
    links: dict[str, list[_Linked]]
    corrections: dict[str, dict[date, AppliedCorrection]]
    approvals: dict[str, dict[date, AttendanceApproval]]

    @classmethod
    def fetch(
        cls,
        session: Session,
        company_id: str,
        employee_ids: list[str],
        origin: date,
        last: date,
        lo: datetime,
        hi: datetime,
        rules: Rules,
    ) -> _Loaded:
        before = timedelta(minutes=rules.match_before_minutes)
        after = timedelta(minutes=rules.match_after_minutes)
        # Every punch that can land on a day from lo to hi, and every shift such a
        # punch can match (a shift's window runs from its start less ``before`` to its
        # end, at most MAX_SHIFT_LENGTH later, plus ``after``).
        punch_lo, punch_hi = lo - before - MAX_SHIFT_LENGTH, hi + after + MAX_SHIFT_LENGTH
        shifts = _shifts_of(
            session, employee_ids, punch_lo - after - MAX_SHIFT_LENGTH, punch_hi + before
        )
        punches: dict[str, list[tuple[str, str, datetime, str, str | None]]] = defaultdict(list)
        # Plain rows through the session's connection: no ORM bookkeeping per punch,
        # and the instant read as naive UTC and made aware here, one C call a punch.
        rows = (
            session.connection()
            .execute(
                select(
                    ClockEvent.employee_id,
                    ClockEvent.id,
                    ClockEvent.kind,
                    _naive(ClockEvent.at_utc),
                    ClockEvent.source,
                    ClockEvent.device_id,
                )
                .where(
                    ClockEvent.company_id == company_id,
                    ClockEvent.employee_id.in_(employee_ids),
                    ClockEvent.deleted.is_(False),
                    ClockEvent.at_utc >= punch_lo,
                    ClockEvent.at_utc < punch_hi,
                )
                .order_by(ClockEvent.employee_id, ClockEvent.at_utc)
            )
            .all()
        )
        for emp, id_, kind, at, source, device in rows:
            punches[emp].append((id_, kind, at.replace(tzinfo=UTC), source, device))
        wanted = set(employee_ids)
        leaves: dict[str, list[LeaveRequest]] = defaultdict(list)
        for leave in session.scalars(
            select(LeaveRequest).where(
                LeaveRequest.company_id == company_id,
                LeaveRequest.status == LeaveStatus.APPROVED,
                LeaveRequest.deleted.is_(False),
                LeaveRequest.start_date <= last + timedelta(days=1),
                LeaveRequest.end_date >= origin - timedelta(days=1),
            )
        ):
            if leave.employee_id in wanted:
                leaves[leave.employee_id].append(leave)
        links: dict[str, list[_Linked]] = defaultdict(list)
        leave_ids = [lv.id for found in leaves.values() for lv in found]
        for n in range(0, len(leave_ids), 500):
            for r in session.execute(
                select(
                    LeaveShiftLink.leave_id,
                    Shift.id,
                    Shift.start_utc,
                    Shift.end_utc,
                    Shift.shift_date,
                )
                .join(Shift, Shift.id == LeaveShiftLink.shift_id)
                .where(
                    LeaveShiftLink.leave_id.in_(leave_ids[n : n + 500]),
                    LeaveShiftLink.deleted.is_(False),
                    Shift.deleted.is_(False),
                    Shift.status != ShiftStatus.CANCELLED,
                )
            ):
                links[r.leave_id].append(
                    _Linked(r.id, as_utc(r.start_utc), as_utc(r.end_utc), r.shift_date)
                )
        corrections: dict[str, dict[date, AppliedCorrection]] = defaultdict(dict)
        for c in session.scalars(
            select(AttendanceCorrection)
            .where(
                AttendanceCorrection.company_id == company_id,
                AttendanceCorrection.deleted.is_(False),
                AttendanceCorrection.work_date >= origin,
                AttendanceCorrection.work_date <= last,
            )
            .order_by(AttendanceCorrection.created_at, AttendanceCorrection.id)
        ):
            # Ordered oldest first, so the newest of a day is the one that stays.
            corrections[c.employee_id][c.work_date] = AppliedCorrection(
                c.id,
                c.clock_in,
                c.clock_out,
                c.break_minutes,
                c.excused,
                c.reason,
                c.author,
                c.created_at,
            )
        approvals: dict[str, dict[date, AttendanceApproval]] = defaultdict(dict)
        for a in session.scalars(
            select(AttendanceApproval).where(
                AttendanceApproval.company_id == company_id,
                AttendanceApproval.deleted.is_(False),
                AttendanceApproval.work_date >= origin,
                AttendanceApproval.work_date <= last,
            )
        ):
            approvals[a.employee_id][a.work_date] = a
        return cls(shifts, punches, leaves, links, corrections, approvals)


# --- deriving ---------------------------------------------------------------------------


@dataclass
class _Bucket:
    shifts: list[_Shift] = field(default_factory=list)
    punches: list[Punch] = field(default_factory=list)


def _counts_on(shift: _Shift | _Linked, rules: Rules, tz: tzinfo) -> date:
    """The day an (overnight) shift's hours belong to, as the policy says."""
    if rules.overnight_day == "end":
        return (shift.end - _ONE_MICROSECOND).astimezone(tz).date()
    return shift.day


_IN, _OUT = PunchKind.IN.value, PunchKind.OUT.value
_BREAK_START, _BREAK_END = PunchKind.BREAK_START.value, PunchKind.BREAK_END.value
_NO_TIME = timedelta(0)
_NO_HOURS = Decimal(0)
_ONE_MICROSECOND = timedelta(microseconds=1)
_new_punch = partial(tuple.__new__, Punch)  # a Punch from one tuple, with no Python frame


class _Matcher:
    """Finds the shift a punch belongs to among one person's shifts (sorted by start)."""

    def __init__(self, shifts: Sequence[_Shift], rules: Rules) -> None:
        self.shifts = shifts
        self.starts = [s.start for s in shifts]
        self.before = timedelta(minutes=rules.match_before_minutes)
        self.after = timedelta(minutes=rules.match_after_minutes)
        self.reach = MAX_SHIFT_LENGTH + self.after

    def match(self, kind: str, at: datetime) -> _Shift | None:
        """The shift whose window holds the punch; the closest one when windows overlap.

        Closeness is to the start for an in, to the end for an out and to the whole
        shift for a break, so back-to-back shifts each get their own in and out.
        """
        starts, before, after = self.starts, self.before, self.after
        lo = bisect.bisect_left(starts, at - self.reach)
        hi = bisect.bisect_right(starts, at + before, lo)
        best: _Shift | None = None
        best_distance = _NO_TIME
        for n in range(lo, hi):
            shift = self.shifts[n]
            if not shift.start - before <= at <= shift.end + after:
                continue
            if kind == _IN:
                distance = abs(at - shift.start)
            elif kind == _OUT:
                distance = abs(at - shift.end)
            else:
                distance = max(shift.start - at, at - shift.end, _NO_TIME)
            if best is None or distance < best_distance:
                best, best_distance = shift, distance
        return best


def _derive_person(
    person: Person, rules: Rules, loaded: _Loaded, origin: date, last: date, now: datetime
) -> list[DayRecord]:
    tz = zone(person.timezone)
    shifts = loaded.shifts.get(person.id, [])
    matcher = _Matcher(shifts, rules)
    buckets: dict[date, _Bucket] = defaultdict(_Bucket)
    shift_day: dict[str, date] = {}
    for shift in shifts:  # by start, so each day's shifts are too
        day = _counts_on(shift, rules, tz)
        shift_day[shift.source_id] = day
        buckets[day].shifts.append(shift)
    session_day: date | None = None
    session_start: datetime | None = None
    match = matcher.match
    # Punches come in time order, so each day's punches are too.
    for row in loaded.punches.get(person.id, ()):
        kind, at = row[1], row[2]
        shift = match(kind, at)
        if shift is not None:
            sid = shift.source_id
            buckets[shift_day[sid]].punches.append(_new_punch((*row, sid)))
            continue
        # Unscheduled: an in opens a session on its local day; what follows within
        # a shift's length belongs to it, so unplanned night work stays one day.
        if kind == _IN or session_start is None or (at - session_start > MAX_SHIFT_LENGTH):
            session_day, session_start = at.astimezone(tz).date(), at
        assert session_day is not None
        buckets[session_day].punches.append(_new_punch((*row, None)))
    leaves = loaded.leaves.get(person.id, [])
    linked = {
        leave.id: [(_counts_on(s, rules, tz), s) for s in loaded.links.get(leave.id, [])]
        for leave in leaves
    }
    leave_by_day = _leave_days(person, leaves, origin, last, buckets, linked, rules)
    corrections = loaded.corrections.get(person.id, {})
    approvals = loaded.approvals.get(person.id, {})
    for day in (*corrections, *approvals, *leave_by_day):
        buckets.setdefault(day, _Bucket())  # a day with only these still shows
    records = []
    for day in sorted(buckets):
        if origin <= day <= last:
            record = _derive_day(
                person,
                day,
                buckets[day],
                rules,
                leave_by_day.get(day, []),
                corrections.get(day),
                approvals.get(day),
                now,
            )
            if record.absent and not person.employment.covers(day):
                # Not yet (or no longer) employed: a shift left on the day is not missed.
                record = replace(record, absent=False)
            records.append(record)
    return _capped_contract_leave(records, person, rules)


@dataclass(frozen=True)
class _LeaveDay:
    leave_type: str
    start: datetime
    end: datetime
    #: What the leave credits on the day, before any work on it is taken off.
    paid_hours: Decimal
    #: Minutes the person was scheduled that day: their shifts and the shifts the
    #: approval took them off.
    scheduled_minutes: int = 0
    #: ``paid_hours`` is the contract's daily share: the week's cap applies.
    by_contract: bool = False
    #: Paid or sick leave with nothing to credit (no shift, no contract hours).
    uncredited: bool = False


#: The rule :func:`_leave_days` applies, as the payroll workbook's Policy sheet says it.
LEAVE_CREDIT_RULE = (
    "Approved paid and sick leave credits, on each leave day, the hours the person was"
    " scheduled that day (less the policy's unpaid break, as if worked), counting the"
    " shifts the approval took them off. A shift the"
    " approval took them off that payroll counts on another day (a night shift"
    " starting the evening before, counted on its start day by default) credits its"
    " hours on that day instead. A leave day with no such shift credits a fifth of the"
    " weekly contract hours, but never takes the week's worked and leave hours past"
    " the contract hours (so a 7-day site pays at most the contract's week); a person"
    " without contract hours gets nothing for such a day and it is listed to decide."
    " A part-day leave credits its length. A day with work on it pays leave only for"
    " the scheduled hours not worked, and is flagged 'worked on approved leave' until"
    " a supervisor approves it. A day counts one request however many cover it: the"
    " one crediting the most hours wins, sick leave before paid leave when equal."
)


def _local_days(start: datetime, end: datetime, tz: str) -> set[date]:
    """The local days an instant range touches."""
    first = to_local(start, tz).date()
    last = to_local(end - timedelta(microseconds=1), tz).date()
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _leave_days(
    person: Person,
    leaves: Iterable[LeaveRequest],
    origin: date,
    last: date,
    buckets: Mapping[date, _Bucket],
    linked: Mapping[str, list[tuple[date, _Linked]]],
    rules: Rules,
) -> dict[date, list[_LeaveDay]]:
    """Approved leave per local day, with the paid hours it credits (:data:`LEAVE_CREDIT_RULE`).

    A contract-share credit is the daily share here; :func:`_capped_contract_leave`
    caps it once the week's worked hours are known.
    """
    tz = person.timezone
    own = {day: {s.source_id: s.end - s.start for s in b.shifts} for day, b in buckets.items()}
    daily = Decimal(person.contract_hours) / CONTRACT_DAYS
    found: dict[date, list[_LeaveDay]] = defaultdict(list)
    for leave in sorted(leaves, key=lambda lv: (lv.start_date, lv.id)):
        start, end = leave_instants(leave, tz)
        paid_type = leave.leave_type in PAID_LEAVE_TYPES
        # The shifts the approval linked (took the person off, or kept them on), by
        # the day payroll counts each, and the leave days each of them touches.
        taken: dict[date, dict[str, timedelta]] = defaultdict(dict)
        touched: set[date] = set()
        for day, s in linked.get(leave.id, []):
            taken[day][s.shift_id] = s.end - s.start
            touched |= _local_days(s.start, s.end, tz)
        days = {
            leave.start_date + timedelta(days=n)
            for n in range((leave.end_date - leave.start_date).days + 1)
        }
        if paid_type and not leave.part_day:
            days |= set(taken)  # a linked shift counted outside the leave's days
        for day in sorted(d for d in days if origin <= d <= last):
            in_leave = leave.start_date <= day <= leave.end_date
            shifts = {**own.get(day, {}), **taken[day]} if in_leave else dict(taken[day])
            scheduled = sum(_minutes(length) for length in shifts.values())
            paid = Decimal(0)
            by_contract = uncredited = False
            if paid_type:
                if leave.part_day:
                    paid = Decimal(int((end - start).total_seconds()) // 60) / 60
                elif shifts:
                    # Less the unpaid break the day would have had worked: leave
                    # never pays more than working the same shifts.
                    paid = Decimal(rules.paid_minutes(scheduled)) / 60
                elif day in touched:
                    pass  # its shift's hours are credited on the day payroll counts it
                elif daily:
                    paid, by_contract = daily, True
                else:
                    uncredited = True
            found[day].append(
                _LeaveDay(leave.leave_type, start, end, paid, scheduled, by_contract, uncredited)
            )
    return found


def _capped_contract_leave(
    records: list[DayRecord], person: Person, rules: Rules
) -> list[DayRecord]:
    """Cap the contract-share leave credits of each payroll week (in date order) so
    that the week's worked hours and leave hours, each day's as payroll shows them
    (to the hundredth), never pass the contract's weekly hours."""
    if not any(record.leave_by_contract for record in records):
        return records
    contract = Decimal(person.contract_hours)
    used: dict[date, Decimal] = defaultdict(Decimal)
    for record in records:
        week = week_start(record.work_date, rules.week_start)
        used[week] += minutes_as_hours(record.worked_minutes)
        if not record.leave_by_contract:
            used[week] += hours(record.paid_leave_hours)
    capped = []
    for record in records:
        if record.leave_by_contract:
            week = week_start(record.work_date, rules.week_start)
            paid = min(hours(record.paid_leave_hours), max(Decimal(0), contract - used[week]))
            used[week] += paid
            record = replace(record, paid_leave_hours=paid)
        capped.append(record)
    return capped


#: Which leave type a day counts as when several approved requests cover it.
LEAVE_PRECEDENCE = (LeaveType.SICK, LeaveType.PAID, LeaveType.PARENTAL, LeaveType.OTHER)


def counted_leave(leave: Sequence[_LeaveDay]) -> _LeaveDay | None:
    """The one request a day counts, however many approved ones cover it.

    Paid hours are credited once a day: the request crediting the most hours wins
    (a whole day over a part of it), and sick leave before paid leave when equal,
    as sickness during a holiday gives the holiday back.
    """

    def rank(lv: _LeaveDay) -> tuple[Decimal, int]:
        order = (
            LEAVE_PRECEDENCE.index(lv.leave_type)
            if lv.leave_type in LEAVE_PRECEDENCE
            else len(LEAVE_PRECEDENCE)
        )
        return lv.paid_hours, -order

    return max(leave, key=rank, default=None)


class _Pairs(NamedTuple):
    """In/out pairs and break pairs of some punches, in whole seconds."""

    work: timedelta
    breaks: timedelta
    missing: bool
    first_in: datetime | None
    last_out: datetime | None
    #: Only the last in (or break) is still open: the person may be at work now.
    open_at_end: bool = False
    #: The paired in–out intervals.
    spans: tuple[tuple[datetime, datetime], ...] = ()


_NO_PAIRS = _Pairs(_NO_TIME, _NO_TIME, False, None, None)


def _pair(punches: Sequence[Punch]) -> _Pairs:
    """Pair ins with outs and break starts with break ends; ``punches`` in time order.

    An in without an out, an out without an in, or a break left open marks a
    missing punch; such an unpaired punch adds no time.
    """
    if not punches:
        return _NO_PAIRS
    work = breaks = _NO_TIME
    missing = False
    spans: list[tuple[datetime, datetime]] = []
    open_in: datetime | None = None
    open_break: datetime | None = None
    first_in: datetime | None = None
    last_out: datetime | None = None
    for p in punches:
        kind, at = p[1], p[2]
        if kind == _IN:
            missing |= open_in is not None
            open_in = at
            if first_in is None:
                first_in = at
        elif kind == _OUT:
            last_out = at
            if open_in is None:
                missing = True
            else:
                work += at - open_in
                spans.append((open_in, at))
                open_in = None
            if open_break is not None:
                missing, open_break = True, None
        elif kind == _BREAK_START:
            missing |= open_break is not None
            open_break = at
        elif kind == _BREAK_END:
            if open_break is None:
                missing = True
            else:
                breaks += at - open_break
                open_break = None
    still_open = open_in is not None or open_break is not None
    return _Pairs(
        work,
        breaks,
        missing or still_open,
        first_in,
        last_out,
        still_open and not missing,
        tuple(spans),
    )


_MINUTE = timedelta(minutes=1)


def _minutes(delta: timedelta) -> int:
    """Whole minutes, rounded down."""
    return delta // _MINUTE


def _beyond_grace(delta: timedelta, rules: Rules) -> int:
    """Whole minutes past the grace period: at the grace exactly is on time."""
    return max(0, delta // _MINUTE - rules.grace_minutes)


def _derive_day(
    person: Person,
    day: date,
    bucket: _Bucket,
    rules: Rules,
    leave: list[_LeaveDay],
    correction: AppliedCorrection | None,
    approval: AttendanceApproval | None,
    now: datetime,
) -> DayRecord:
    """One employee-day; the bucket's shifts in start order, its punches in time order."""
    shifts = bucket.shifts
    punches = bucket.punches
    pairs = _pair(punches)
    first_in, last_out = pairs.first_in, pairs.last_out
    gross, missing = pairs.work, pairs.missing
    breaks = pairs.breaks
    spans = pairs.spans
    if correction is not None:
        if correction.clock_in is not None or correction.clock_out is not None:
            first_in = correction.clock_in or first_in
            last_out = correction.clock_out or last_out
            whole = first_in is not None and last_out is not None and last_out > first_in
            missing = not whole
            gross = last_out - first_in if whole else _NO_TIME  # type: ignore[operator]
            spans = ((first_in, last_out),) if whole else ()  # type: ignore[assignment]
        if correction.break_minutes is not None:
            breaks = timedelta(minutes=correction.break_minutes)
    # Clocked in on a shift that is still running: at work, not a missing punch yet.
    in_progress = missing and pairs.open_at_end and any(s.end > now for s in shifts)
    if in_progress:
        missing = False
    if correction is None or correction.break_minutes is None:
        # A supervisor's corrected break stands; a punched one is topped up to the
        # policy's automatic break.
        breaks = max(breaks, timedelta(minutes=rules.unpaid_break(gross // _MINUTE)))
    worked = max(0, (gross - breaks) // _MINUTE)
    late = early = 0
    if shifts and first_in is not None:
        late = _beyond_grace(first_in - shifts[0].start, rules)
    if shifts and last_out is not None:
        early = _beyond_grace(shifts[-1].end - last_out, rules)
    unscheduled_minutes = 0
    if any(p.shift_id is None for p in punches):
        unscheduled = _pair([p for p in punches if p.shift_id is None])
        unscheduled_minutes = max(0, (unscheduled.work - unscheduled.breaks) // _MINUTE)
    counted = paid = None
    absent = covered = on_leave = False
    if leave:
        covered = any(overlaps(s.start, s.end, lv.start, lv.end) for s in shifts for lv in leave)
        counted = counted_leave(leave)
        on_leave = worked > 0 and any(
            overlaps(a, b, lv.start, lv.end) for a, b in spans for lv in leave
        )
    if shifts and not punches and first_in is None and not covered:
        absent = shifts[-1].end <= now
    paid = counted.paid_hours if counted else _NO_HOURS
    if counted is not None and worked > 0 and paid > 0:
        # Never paid twice: leave pays only the scheduled hours not worked.
        basis = counted.scheduled_minutes or int(paid * 60)
        paid = min(paid, Decimal(max(0, basis - worked)) / 60)
    excused = correction is not None and correction.excused
    if excused:
        late = early = 0
        absent = False
    daily_ot = daily_overtime_minutes(worked, rules.daily_threshold_minutes)
    return DayRecord(
        employee_id=person.id,
        work_date=day,
        timezone=person.timezone,
        shifts=tuple([ScheduledShift(s.source_id, s.label, s.start, s.end) for s in shifts]),
        punches=tuple(punches),
        first_in=first_in,
        last_out=last_out,
        scheduled_minutes=sum([(s.end - s.start) // _MINUTE for s in shifts]),
        worked_minutes=worked,
        break_minutes=breaks // _MINUTE,
        unscheduled_minutes=unscheduled_minutes,
        late_minutes=late,
        early_minutes=early,
        regular_minutes=worked - daily_ot,
        daily_overtime_minutes=daily_ot,
        missing_punch=missing,
        in_progress=in_progress,
        absent=absent,
        leave_type=counted.leave_type if counted else None,
        paid_leave_hours=paid,
        worked_on_leave=on_leave,
        leave_by_contract=bool(counted and counted.by_contract),
        leave_uncredited=bool(counted and counted.uncredited),
        correction=correction,
        approved_by=approval.approved_by if approval else None,
        approved_at=approval.approved_at if approval else None,
    )


def daily_overtime_minutes(worked: int, threshold: int | None) -> int:
    """The minutes of one day past the daily threshold (``Rules.daily_threshold_minutes``;
    None when it is switched off)."""
    return max(0, worked - threshold) if threshold is not None else 0


def weekly_overtime_minutes(regular: Iterable[tuple[date, int]], rules: Rules) -> list[int]:
    """Per day, in the order given (by date), the regular minutes past the weekly
    threshold: the day that crosses it carries the excess.

    Only regular minutes (those not already daily overtime) accumulate toward the
    week, so a minute is never counted as overtime twice. Attendance applies it to
    worked minutes, :mod:`core.labour` to scheduled ones: one rule for both.
    """
    threshold = rules.weekly_threshold_minutes
    done: dict[date, int] = defaultdict(int)
    result = []
    for day, minutes in regular:
        if threshold is None:
            result.append(0)
            continue
        week = week_start(day, rules.week_start)
        before = done[week]
        after = before + minutes
        done[week] = after
        result.append(max(0, after - max(before, threshold)))
    return result


def _with_weekly_overtime(
    days: list[DayRecord], rules: Rules, counted: Mapping[date, int]
) -> list[DayRecord]:
    """Move regular minutes past the weekly threshold into weekly overtime
    (:func:`weekly_overtime_minutes`); a day in ``counted`` (derived already, under
    other rules) counts its minutes there instead of its own."""
    if rules.weekly_threshold_minutes is None:
        return days
    excesses = weekly_overtime_minutes(
        ((d.work_date, counted.get(d.work_date, d.regular_minutes)) for d in days), rules
    )
    return [
        replace(
            day,
            regular_minutes=day.regular_minutes - excess,
            weekly_overtime_minutes=excess,
        )
        if excess
        else day
        for day, excess in zip(days, excesses, strict=True)
    ]


# --- supervisor operations ----------------------------------------------------------------


def _employee(session: Session, employee_id: str) -> Employee:
    employee = session.get(Employee, employee_id)
    if employee is None or employee.deleted:
        raise NotFound("employee", employee_id)
    return employee


def _instant(value: datetime | None, field_name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationError(field_name, "needs a time zone (an aware date and time)")
    return None if value is None else as_utc(value)


def _audit(session: Session, actor: str, action: str, kind: str, record_id: str, **detail: Any):
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            record_kind=kind,
            record_id=record_id,
            detail=json.dumps(detail, default=str, sort_keys=True),
        )
    )


def _audited(result: OpResult, actor: str, action: str) -> OpResult:
    """``result`` whose undo, and each redo after it, writes ``action`` to the audit
    trail for every record it puts back, with the fields it put back."""
    assert isinstance(result.undo, undo.Step)

    def audit(session: Session, step: undo.Step) -> None:
        for change in step.changes:
            assert isinstance(change, undo.RowChange)
            put_back = {k: b for k, (b, _) in change.fields.items() if b is not undo.ABSENT}
            detail = put_back if not change.created else {"deleted": True}
            _audit(session, actor, action, change.model.__tablename__, change.row_id, **detail)

    return replace(result, undo=replace(result.undo, then=audit))


def _newest_correction(
    session: Session, employee_id: str, work_date: date
) -> AttendanceCorrection | None:
    """The correction that stands for a day (the newest live one, as derivation reads)."""
    return session.scalars(
        select(AttendanceCorrection)
        .where(
            AttendanceCorrection.employee_id == employee_id,
            AttendanceCorrection.work_date == work_date,
            AttendanceCorrection.deleted.is_(False),
        )
        .order_by(AttendanceCorrection.created_at.desc(), AttendanceCorrection.id.desc())
        .limit(1)
    ).first()


def correct_day(
    session: Session,
    *,
    employee_id: str,
    work_date: date,
    clock_in: datetime | None = None,
    clock_out: datetime | None = None,
    break_minutes: int | None = None,
    excused: bool | None = None,
    reason: str,
    author: str,
    correction_id: str | None = None,
) -> OpResult:
    """Override what an employee-day's punches say; the newest correction of a day wins.

    A correction builds on the one standing before it: fields left None (and
    ``excused`` left None) keep what the previous correction said, or else what
    the punches say, so correcting the out time after the in time keeps both.
    ``excused`` forgives lateness, early departure and absence; False withdraws
    an earlier excuse. A correction that sets nothing, or changes nothing, is
    refused: it would only hide the one before it. The reason and the author are
    kept with the correction and in the audit trail. ``correction_id`` keeps the id
    a site gave the correction when it replicates.
    """
    employee = _employee(session, employee_id)
    refuse_days(session, employee.company_id, work_date, work_date, field="work_date")
    if not reason or not reason.strip():
        raise ValidationError("reason", "say why the day is corrected")
    if not author or not author.strip():
        raise ValidationError("author", "say who corrects the day")
    if clock_in is None and clock_out is None and break_minutes is None and excused is None:
        raise ValidationError(
            "correction", "sets nothing: give a clock-in, clock-out, break or excused"
        )
    start = _instant(clock_in, "clock_in")
    end = _instant(clock_out, "clock_out")
    if break_minutes is not None and break_minutes < 0:
        raise ValidationError("break_minutes", "cannot be negative")
    previous = _newest_correction(session, employee_id, work_date)
    before = (
        (previous.clock_in, previous.clock_out, previous.break_minutes, previous.excused)
        if previous is not None
        else (None, None, None, False)
    )
    start = start if start is not None else before[0]
    end = end if end is not None else before[1]
    break_minutes = break_minutes if break_minutes is not None else before[2]
    excused = excused if excused is not None else before[3]
    if (start, end, break_minutes, excused) == before:
        raise ValidationError(
            "correction", "changes nothing: the day already stands corrected that way"
        )
    if start is not None and end is not None and end <= start:
        raise ValidationError("clock_out", "must be after clock_in")
    correction = AttendanceCorrection(
        id=correction_id or new_id(),
        company_id=employee.company_id,
        employee_id=employee_id,
        work_date=work_date,
        clock_in=start,
        clock_out=end,
        break_minutes=break_minutes,
        excused=excused,
        reason=reason.strip(),
        author=author.strip(),
    )
    with undo.recording(session) as recorder:
        session.add(correction)
        session.flush()
        _audit(
            session,
            correction.author,
            "attendance.correct",
            AttendanceCorrection.__tablename__,
            correction.id,
            employee_id=employee_id,
            work_date=work_date,
            clock_in=start,
            clock_out=end,
            break_minutes=break_minutes,
            excused=excused,
            reason=correction.reason,
        )
    result = recorder.result(ids=(correction.id,))
    return _audited(result, correction.author, "attendance.correct.undo")


def approve_day(
    session: Session,
    *,
    employee_id: str,
    work_date: date,
    actor: str,
    at: datetime | None = None,
    approval_id: str | None = None,
) -> OpResult:
    """Sign off an employee-day as it now stands (again, if it was signed off before).

    A day has one approval record: approving it again, even after an undo took the
    sign-off back, reuses that record. ``at`` is when the supervisor signed off (now,
    unless a site that did it offline says when); ``approval_id`` keeps the id a
    site gave a first sign-off.
    """
    return approve_days(
        session, days=[(employee_id, work_date)], actor=actor, at=at, approval_id=approval_id
    )


def day_approval(session: Session, employee_id: str, work_date: date) -> AttendanceApproval | None:
    """The sign-off row of an employee-day, live or withdrawn (a day has at most one)."""
    return session.scalar(
        select(AttendanceApproval).where(
            AttendanceApproval.employee_id == employee_id,
            AttendanceApproval.work_date == work_date,
        )
    )


def _withdraw(
    session: Session, row: AttendanceCorrection | AttendanceApproval, actor: str, action: str
) -> OpResult:
    """Take a record back: kept, marked deleted, named in the audit trail; undo puts
    it back if nobody changed it since."""
    if not actor or not actor.strip():
        raise ValidationError("actor", "say who takes it back")
    refuse_days(session, row.company_id, row.work_date, row.work_date, field="work_date")
    with undo.recording(session) as recorder:
        row.deleted = True
        _audit(session, actor.strip(), action, row.__tablename__, row.id, deleted=True)
    return _audited(recorder.result(ids=(row.id,)), actor.strip(), f"{action}.undo")


def withdraw_correction(session: Session, correction_id: str, *, actor: str) -> OpResult:
    """Take a correction back: the day reads as the correction before it (or the
    punches) said."""
    correction = session.get(AttendanceCorrection, correction_id)
    if correction is None or correction.deleted:
        raise NotFound("correction", correction_id)
    return _withdraw(session, correction, actor, "attendance.correct.withdraw")


def withdraw_approval(session: Session, approval_id: str, *, actor: str) -> OpResult:
    """Take a day's sign-off back; undo signs it off again as it was."""
    approval = session.get(AttendanceApproval, approval_id)
    if approval is None or approval.deleted:
        raise NotFound("approval", approval_id)
    return _withdraw(session, approval, actor, "attendance.approve.withdraw")


def approve_days(
    session: Session,
    *,
    days: Sequence[tuple[str, date]],
    actor: str,
    at: datetime | None = None,
    approval_id: str | None = None,
) -> OpResult:
    """Sign off several employee-days, ``(employee_id, work_date)`` each, as one step.

    A supervisor approves a selection at once, so undo takes back the whole
    selection, not one day of it.
    """
    if not days:
        raise ValidationError("days", "choose at least one day to approve")
    employees = {e: _employee(session, e) for e in dict.fromkeys(e for e, _ in days)}
    by_company: dict[str, list[date]] = {}
    for emp_id, day in dict.fromkeys(days):
        by_company.setdefault(employees[emp_id].company_id, []).append(day)
    for company_id, dates in by_company.items():
        refuse_dates(session, company_id, dates, field="work_date")
    if not actor or not actor.strip():
        raise ValidationError("actor", "say who approves the day")
    actor = actor.strip()
    with undo.recording(session) as recorder:
        when = _instant(at, "at") or utcnow()
        ids = [
            _approve(session, employees[e], d, actor, when, approval_id)
            for e, d in dict.fromkeys(days)
        ]
    return _audited(recorder.result(ids=tuple(ids)), actor, "attendance.approve.undo")


def _approve(
    session: Session,
    employee: Employee,
    work_date: date,
    actor: str,
    now: datetime,
    approval_id: str | None,
) -> str:
    """Approve one day; the id of its approval record, new or (signed off before) reused."""
    approval = day_approval(session, employee.id, work_date)
    if approval is None:
        approval = AttendanceApproval(
            id=approval_id or new_id(),
            company_id=employee.company_id,
            employee_id=employee.id,
            work_date=work_date,
            approved_by=actor,
            approved_at=now,
        )
        session.add(approval)
        session.flush()
    else:
        approval.deleted = False
        approval.approved_by = actor
        approval.approved_at = now
    _audit(
        session,
        actor,
        "attendance.approve",
        AttendanceApproval.__tablename__,
        approval.id,
        employee_id=employee.id,
        work_date=work_date,
    )
    return approval.id
