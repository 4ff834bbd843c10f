"""Closing a pay period once it is paid, and keeping paid history as it was paid.

A manager closes a period (its first and last local day) after exporting its
payroll. While it is closed, nothing that changes what it paid may change: shifts
on its days (created, moved there or away, edited, deleted, published), attendance
corrections and approvals of its days, punches that count on them
(:func:`punch_periods`), and leave asked for or decided on touching them. Each
refusal is one sentence naming the period ("Pay period 1–30 Nov 2026 is closed (by
anna, 1 Dec); reopen it to change it"; each edge ends it as its messages end).
Reopening is explicit, needs a reason, and is kept on the period's record and in
the audit trail. Undo is held to the same rule (:func:`refuse_rows`).

Which day a shift belongs to is payroll's answer (:func:`pay_day`): the day it
starts, or with a policy that counts overnight hours toward the day they end, the
day it ends. So an overnight shift from the last evening of an open period into a
closed one is still the open period's (with the default policy), and one from the
last evening of a closed period into an open one is the closed period's.

The rules live here, so the desktop, the command line and the server refuse alike.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from core import wire
from core.changes import Changes
from core.conflicts import RULE_COLUMNS, RosterRules, autoflush
from core.errors import CLOSED_PERIOD, IllegalState, NotFound, ValidationError
from core.models import (
    AttendanceApproval,
    AttendanceCorrection,
    AuditEntry,
    ClockEvent,
    Company,
    Employee,
    LeaveRequest,
    PayPeriod,
    PayPolicy,
    Shift,
    ShiftEmployee,
    Site,
    new_id,
)
from core.results import Conflict, OpResult
from core.timeutil import to_local, utcnow


class ClosedPeriod(Protocol):
    """What a refusal says of a closed period: a record, or a row of its columns."""

    @property
    def id(self) -> str: ...

    @property
    def first_day(self) -> date: ...

    @property
    def last_day(self) -> date: ...

    @property
    def closed_by(self) -> str: ...

    @property
    def closed_at(self) -> datetime: ...


class PeriodClosed(IllegalState):
    """A change to a day of a closed pay period; ``field`` names the day's field."""

    def __init__(self, field: str, period: ClosedPeriod) -> None:
        super().__init__(field, closed_sentence(period))
        self.period_id = period.id

    def __str__(self) -> str:
        # The sentence names the period; the day's field ("work_date: …") would only
        # put a column name in front of it where the refusal is printed whole.
        return self.problem


def period_label(first: date, last: date) -> str:
    """``1–30 Nov 2026``, ``28 Nov–4 Dec 2026``, ``15 Dec 2026–14 Jan 2027``."""
    if first.year != last.year:
        return f"{first.day} {first:%b %Y}–{last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b}–{last.day} {last:%b %Y}"
    if first == last:
        return f"{first.day} {first:%b %Y}"
    return f"{first.day}–{last.day} {last:%b %Y}"


def closed_sentence(period: ClosedPeriod) -> str:
    when = f"{period.closed_at.day} {period.closed_at:%b}" if period.closed_at else ""
    by = f"by {period.closed_by}, {when}" if when else f"by {period.closed_by}"
    return (
        f"Pay period {period_label(period.first_day, period.last_day)} is closed ({by});"
        " reopen it to change it"
    )


def pay_day(shift_date: date, end_utc: datetime, timezone: str, overnight_day: str) -> date:
    """The day a shift's hours are paid on: its start day, or (a policy counting
    overnight hours toward their end) the local day it ends."""
    if overnight_day == "end":
        return to_local(end_utc - timedelta(microseconds=1), timezone).date()
    return shift_date


# --- reading -----------------------------------------------------------------------------


def closed_periods(
    session: Session, company_id: str | None, first: date | None = None, last: date | None = None
) -> list[PayPeriod]:
    """The company's closed periods (touching ``first``..``last`` when given), by start."""
    query = select(PayPeriod).where(PayPeriod.deleted.is_(False), PayPeriod.reopened_at.is_(None))
    if company_id is not None:
        query = query.where(PayPeriod.company_id == company_id)
    if first is not None:
        query = query.where(PayPeriod.last_day >= first)
    if last is not None:
        query = query.where(PayPeriod.first_day <= last)
    return list(session.scalars(query.order_by(PayPeriod.first_day, PayPeriod.id)))


def closed_on(session: Session, company_id: str | None, day: date) -> PayPeriod | None:
    """The closed period holding ``day``, if one does."""
    found = closed_periods(session, company_id, day, day)
    return found[0] if found else None


def periods(session: Session, company_id: str | None = None) -> list[PayPeriod]:
    """Every period ever closed, reopened ones too (newest first): the audit's list."""
    query = select(PayPeriod).where(PayPeriod.deleted.is_(False))
    if company_id is not None:
        query = query.where(PayPeriod.company_id == company_id)
    return list(session.scalars(query.order_by(PayPeriod.closed_at.desc(), PayPeriod.id)))


_PERIOD = PayPeriod.__table__.c
_POLICY = PayPolicy.__table__.c
_SITE = Site.__table__.c
#: What a refusal or a calendar says of a period (:class:`ClosedPeriod`).
_PERIOD_COLUMNS = (
    _PERIOD.id,
    _PERIOD.company_id,
    _PERIOD.first_day,
    _PERIOD.last_day,
    _PERIOD.closed_by,
    _PERIOD.closed_at,
)
#: What :class:`ClosedDays` reads of the company's policy with its periods.
_POLICY_COLUMNS = (
    _POLICY.id.label("policy_id"),
    _POLICY.overnight_day,
    _POLICY.match_before_minutes,
    _POLICY.match_after_minutes,
)
#: The closed periods with their company's policy (its overnight day and punch
#: windows), by start (the company's: _CLOSED_OF); and every site's zone. Core
#: statements built once: every drop check and every shift written on the server asks.
_CLOSED_WITH_POLICY = (
    select(
        *_PERIOD_COLUMNS,
        *_POLICY_COLUMNS,
    )
    .outerjoin_from(
        PayPeriod.__table__, PayPolicy.__table__, _POLICY.company_id == _PERIOD.company_id
    )
    .where(_PERIOD.deleted.is_(False), _PERIOD.reopened_at.is_(None))
    .order_by(_PERIOD.first_day, _PERIOD.id)
)
_CLOSED_OF = _CLOSED_WITH_POLICY.where(_PERIOD.company_id == bindparam("company_id"))
_ZONES = select(_SITE.id, _SITE.timezone)
#: A company's policy (the roster rules first, then what :class:`ClosedDays` reads
#: of it) with its closed periods by start: a row per period, or one row without a
#: period (``id`` None) when none is closed; no row when there is no policy.
_POLICY_WITH_CLOSED = (
    select(
        *RULE_COLUMNS,
        *_POLICY_COLUMNS,
        *_PERIOD_COLUMNS,
    )
    .outerjoin_from(
        PayPolicy.__table__,
        PayPeriod.__table__,
        and_(
            _PERIOD.company_id == _POLICY.company_id,
            _PERIOD.deleted.is_(False),
            _PERIOD.reopened_at.is_(None),
        ),
    )
    .where(_POLICY.company_id == bindparam("company_id"))
    .order_by(_PERIOD.first_day, _PERIOD.id)
)


@dataclass(frozen=True)
class ClosedDays:
    """The closed periods one operation checks against, loaded once (what bulk
    schedule work asks per shift): the company's periods, the policy's overnight
    day, and each site's zone. One statement when nothing is closed, two otherwise."""

    periods: tuple[ClosedPeriod, ...] = ()
    overnight_day: str = "start"
    zones: dict[str, str] | None = None
    #: How long before a shift's start and after its end a punch matches it (the
    #: policy's windows, as attendance matches punches to shifts).
    match_before: timedelta = timedelta(minutes=120)
    match_after: timedelta = timedelta(minutes=240)

    @classmethod
    def load(cls, session: Session, company_id: str | None) -> ClosedDays:
        autoflush(session)
        found = (
            session.execute(_CLOSED_WITH_POLICY)
            if company_id is None
            else session.execute(_CLOSED_OF, {"company_id": company_id})
        ).all()
        return cls.of_rows(session, found)

    @classmethod
    def of_rows(cls, session: Session, found: Sequence[Any]) -> ClosedDays:
        """The closed periods in ``found`` (rows of a period's columns and its policy's,
        by start), each site's zone read beside them when there are any."""
        if not found:
            return NOTHING_CLOSED
        # A company has one policy; without a company, the first period's owner's.
        policy = found[0]
        zones = dict(session.execute(_ZONES).all())
        if policy.policy_id is None:
            return cls(tuple(found), "start", zones)
        return cls(
            tuple(found),
            policy.overnight_day,
            zones,
            timedelta(minutes=policy.match_before_minutes),
            timedelta(minutes=policy.match_after_minutes),
        )

    def period_of(self, day: date) -> ClosedPeriod | None:
        return next((p for p in self.periods if p.first_day <= day <= p.last_day), None)

    def shift_period(
        self, site_id: str, shift_date: date, end_utc: datetime
    ) -> ClosedPeriod | None:
        """The closed period a shift on these values is paid in, if any."""
        if not self.periods:
            return None
        zone = (self.zones or {}).get(site_id, "UTC")
        return self.period_of(pay_day(shift_date, end_utc, zone, self.overnight_day))

    def conflict(self, site_id: str, shift_date: date, end_utc: datetime) -> Conflict | None:
        period = self.shift_period(site_id, shift_date, end_utc)
        if period is None:
            return None
        return Conflict(CLOSED_PERIOD, "", period.id, closed_sentence(period))


NOTHING_CLOSED = ClosedDays()


def closed_and_rules(session: Session, company_id: str) -> tuple[ClosedDays, RosterRules]:
    """A company's closed periods and its roster rules, both its pay policy's, from
    one statement where :meth:`ClosedDays.load` and :meth:`RosterRules.for_company`
    take two: what a check of a single shift reads. A company without a policy has
    the default rules, and its periods are read alone."""
    autoflush(session)
    found = session.execute(_POLICY_WITH_CLOSED, {"company_id": company_id}).all()
    if not found:
        return ClosedDays.load(session, company_id), RosterRules()
    periods = found if found[0].id is not None else ()
    return ClosedDays.of_rows(session, periods), RosterRules.of_row(found[0])


# --- refusing ---------------------------------------------------------------------------


def refuse_days(session: Session, company_id: str, first: date, last: date, *, field: str) -> None:
    """Raise :class:`PeriodClosed` if any day from ``first`` to ``last`` is closed."""
    found = closed_periods(session, company_id, first, last)
    if found:
        raise PeriodClosed(field, found[0])


def refuse_dates(session: Session, company_id: str, days: Iterable[date], *, field: str) -> None:
    """:func:`refuse_days` for many single days (a supervisor's selection of
    employee-days): the closed periods are read once, in one query, not per day;
    the first closed day in ``days`` names its period."""
    days = list(days)
    if not days:
        return
    closed = ClosedDays(tuple(closed_periods(session, company_id, min(days), max(days))))
    for day in days:
        period = closed.period_of(day)
        if period is not None:
            raise PeriodClosed(field, period)


def refuse_shifts(session: Session, shifts: Sequence[Shift], *, field: str = "shift_date") -> None:
    """Raise :class:`PeriodClosed` if any of these shifts is paid in a closed period."""
    if not shifts:
        return
    closed = ClosedDays.load(session, shifts[0].company_id)
    for shift in shifts:
        period = closed.shift_period(shift.site_id, shift.shift_date, shift.end_utc)
        if period is not None:
            raise PeriodClosed(field, period)


def punch_periods(
    session: Session, company_id: str | None, punches: Sequence[tuple[str, datetime]]
) -> list[ClosedPeriod | None]:
    """For each punch, (person id, aware instant), the closed period it would change,
    if any: the one holding the local day it was made on at the person's site, or
    the day a shift of theirs is paid on when the punch falls in that shift's
    matching window (a clock-out the morning after a night shift counts on the
    night's day). Where windows of shifts on both sides of a period's edge hold a
    punch, it is refused: paid history is not changed on a guess. One query for
    the people's shifts, whatever the number of punches."""
    closed = ClosedDays.load(session, company_id)
    if not closed.periods or not punches:
        return [None] * len(punches)
    people = {p for p, _ in punches}
    sites = dict(
        session.execute(select(Employee.id, Employee.site_id).where(Employee.id.in_(people))).all()
    )
    shifts: dict[str, list[tuple[str, date, datetime, datetime]]] = {}
    found = session.execute(
        select(
            ShiftEmployee.employee_id,
            Shift.site_id,
            Shift.shift_date,
            Shift.start_utc,
            Shift.end_utc,
        )
        .join(Shift, Shift.id == ShiftEmployee.shift_id)
        .where(
            ShiftEmployee.employee_id.in_(people),
            Shift.deleted.is_(False),
            Shift.start_utc <= max(at for _, at in punches) + closed.match_before,
            Shift.end_utc >= min(at for _, at in punches) - closed.match_after,
        )
    )
    for employee_id, *shift in found:
        shifts.setdefault(employee_id, []).append(tuple(shift))  # type: ignore[arg-type]
    zones = closed.zones or {}

    def period(employee_id: str, at: datetime) -> ClosedPeriod | None:
        local = to_local(at, zones.get(sites.get(employee_id, ""), "UTC")).date()
        return closed.period_of(local) or next(
            (
                hit
                for site_id, day, start, end in shifts.get(employee_id, ())
                if start - closed.match_before <= at <= end + closed.match_after
                and (hit := closed.shift_period(site_id, day, end)) is not None
            ),
            None,
        )

    return [period(employee_id, at) for employee_id, at in punches]


def refuse_punches(
    session: Session,
    company_id: str | None,
    punches: Sequence[tuple[str, datetime]],
    *,
    field: str = "at",
) -> None:
    """Raise :class:`PeriodClosed` if any punch would change a closed period
    (:func:`punch_periods`)."""
    hit = next((p for p in punch_periods(session, company_id, punches) if p is not None), None)
    if hit is not None:
        raise PeriodClosed(field, hit)


def refuse_overnight_change(session: Session, company_id: str) -> None:
    """Refuse to change the day overnight shifts count on while a closed period holds
    one (or borders one, starting the evening before it): its hours would move
    between the period's days or out of it, and what it paid with them. A closed
    period does not keep this setting (``PLACING_FIELDS``): one answer at its edges."""
    for period in closed_periods(session, company_id):
        overnight = session.scalar(
            select(Shift.id)
            .where(
                Shift.company_id == company_id,
                Shift.deleted.is_(False),
                Shift.shift_date.between(period.first_day - timedelta(days=1), period.last_day),
                Shift.end_time <= Shift.start_time,
            )
            .limit(1)
        )
        if overnight is not None:
            raise IllegalState(
                "overnight_day",
                f"pay period {period_label(period.first_day, period.last_day)} is closed"
                f" (by {period.closed_by}) and holds overnight shifts: counting them on"
                " another day would change what it paid; reopen it first",
            )


def refuse_rows(session: Session, rows: Mapping[type, Collection[str]]) -> None:
    """Raise :class:`PeriodClosed` if any of these rows (shifts, punches, attendance
    corrections and approvals, leave requests), as they now stand, belongs to a closed
    period; a punch as :func:`refuse_punches` judges one being recorded or edited.

    What undo asks before and after it puts rows back, so that undoing an edit made
    before the period was closed cannot change it either. One query per kind of row.
    """
    closed = ClosedDays.load(session, None)
    if not closed.periods:
        return
    for ids in _chunks(rows.get(Shift, ())):
        found = session.execute(
            select(Shift.site_id, Shift.shift_date, Shift.end_utc).where(Shift.id.in_(ids))
        )
        for site_id, day, end in found:
            period = closed.shift_period(site_id, day, end)
            if period is not None:
                raise PeriodClosed("shift_date", period)
    for ids in _chunks(rows.get(ClockEvent, ())):
        punches = session.execute(
            select(ClockEvent.employee_id, ClockEvent.at_utc).where(ClockEvent.id.in_(ids))
        )
        refuse_punches(session, None, [(who, at) for who, at in punches])
    for model in (AttendanceCorrection, AttendanceApproval):
        for ids in _chunks(rows.get(model, ())):
            for day in session.scalars(select(model.work_date).where(model.id.in_(ids))):
                period = closed.period_of(day)
                if period is not None:
                    raise PeriodClosed("work_date", period)
    for ids in _chunks(rows.get(LeaveRequest, ())):
        spans = session.execute(
            select(LeaveRequest.start_date, LeaveRequest.end_date).where(LeaveRequest.id.in_(ids))
        )
        for first, last in spans:
            period = next(
                (p for p in closed.periods if p.first_day <= last and first <= p.last_day), None
            )
            if period is not None:
                raise PeriodClosed("start_date", period)


def _chunks(ids: Collection[str], size: int = 500) -> list[list[str]]:
    listed = list(ids)
    return [listed[n : n + size] for n in range(0, len(listed), size)]


# --- closing and reopening -------------------------------------------------------------


def _company(session: Session, company_id: str | None) -> Company:
    if company_id is not None:
        company = session.get(Company, company_id)
        if company is None:
            raise NotFound("company", company_id)
        return company
    companies = list(session.scalars(select(Company).limit(2)))
    if len(companies) != 1:
        raise ValidationError("company", "name the company (the store holds several or none)")
    return companies[0]


def _pay_rules_now(session: Session, company: Company) -> dict[str, Any] | None:
    policy = session.scalar(select(PayPolicy).where(PayPolicy.company_id == company.id))
    return wire.pay_rules(policy) if policy is not None else None


def _actor(actor: str, field: str = "actor") -> str:
    if not actor or not actor.strip():
        raise ValidationError(field, "say who does it")
    return actor.strip()[:100]


def _audit(session: Session, actor: str, action: str, period: PayPeriod, detail: str) -> None:
    session.add(
        AuditEntry(
            id=new_id(),
            actor=actor,
            action=action,
            record_kind=PayPeriod.__tablename__,
            record_id=period.id,
            detail=detail,
        )
    )


def close_period(
    session: Session,
    first: date,
    last: date,
    *,
    actor: str,
    company_id: str | None = None,
    now: datetime | None = None,
    period_id: str | None = None,
    pay_rules: Mapping[str, Any] | None = None,
) -> OpResult:
    """Close ``first``..``last`` (local days, inclusive). A period overlapping one
    closed already is refused, naming it. Not undoable: reopening (with a reason)
    is how a closed period opens again, so the trail says why.

    The period keeps the pay policy's rules it is paid with (``pay_rules``: those a
    site closed it with, else the policy's now), and attendance and payroll of its
    days use them while it stays closed: changing the policy afterwards (a new
    overtime threshold, say) applies from the open days on and never re-prices
    what was paid. Reopening the period lets it take the policy as it stands."""
    if last < first:
        raise ValidationError("to", f"the period ends ({last}) before it starts ({first})")
    company = _company(session, company_id)
    who = _actor(actor)
    overlapping = closed_periods(session, company.id, first, last)
    if overlapping:
        taken = overlapping[0]
        raise IllegalState(
            "from",
            f"pay period {period_label(taken.first_day, taken.last_day)} is closed already"
            f" (by {taken.closed_by}); it overlaps {period_label(first, last)}",
        )
    period = PayPeriod(
        id=period_id or new_id(),
        company_id=company.id,
        first_day=first,
        last_day=last,
        closed_by=who,
        closed_at=now or utcnow(),
        pay_rules=dict(pay_rules) if pay_rules is not None else _pay_rules_now(session, company),
    )
    session.add(period)
    session.flush()
    _audit(session, who, "payperiod.close", period, f"{first.isoformat()}..{last.isoformat()}")
    return OpResult(Changes.PAY_PERIODS, ids=(period.id,))


def reopen_period(
    session: Session,
    first: date,
    last: date,
    *,
    actor: str,
    reason: str,
    company_id: str | None = None,
    now: datetime | None = None,
) -> OpResult:
    """Reopen the closed period from ``first`` to ``last`` exactly; a reason is required
    and kept, with who and when, on the period's record and in the audit trail."""
    company = _company(session, company_id)
    who = _actor(actor)
    if not reason or not reason.strip():
        raise ValidationError("reason", "say why the period is reopened")
    period = next(
        (
            p
            for p in closed_periods(session, company.id, first, last)
            if (p.first_day, p.last_day) == (first, last)
        ),
        None,
    )
    if period is None:
        raise NotFound("closed pay period", period_label(first, last))
    return reopen(session, period, actor=who, reason=reason, now=now)


def reopen(
    session: Session,
    period: PayPeriod,
    *,
    actor: str,
    reason: str,
    now: datetime | None = None,
) -> OpResult:
    """Reopen this closed period (see :func:`reopen_period`)."""
    if period.reopened_at is not None:
        raise IllegalState("reopenedAt", "the period is open already")
    if not reason or not reason.strip():
        raise ValidationError("reason", "say why the period is reopened")
    who = _actor(actor)
    period.reopened_by = who
    period.reopened_at = now or utcnow()
    period.reopen_reason = reason.strip()
    session.flush()
    _audit(session, who, "payperiod.reopen", period, period.reopen_reason)
    return OpResult(Changes.PAY_PERIODS, ids=(period.id,))


def closed_by_line(period: ClosedPeriod, zone: str | None) -> str:
    """ "closed by anna on 1 Dec 2026 at 09:14", the time in the company's zone."""
    at = to_local(period.closed_at, zone) if zone else period.closed_at
    return f"closed by {period.closed_by} on {at.day} {at:%b %Y} at {at:%H:%M}"


def status_line(session: Session, company_id: str | None, first: date, last: date) -> str:
    """What a payroll export says of its period: closed (by whom, when) or open."""
    found = closed_periods(session, company_id, first, last)
    exact = next((p for p in found if (p.first_day, p.last_day) == (first, last)), None)
    if exact is not None:
        zone = session.scalar(select(Site.timezone).where(Site.company_id == company_id))
        line = closed_by_line(exact, zone)
        return line[0].upper() + line[1:]
    if found:
        labels = ", ".join(period_label(p.first_day, p.last_day) for p in found)
        return f"Open (closed periods inside it: {labels})"
    return "Open"


#: The closed periods touching a range, each with its company's zone (a site's, as
#: :func:`status_line` takes it) for the time it was closed: one statement.
_ZONE_OF_PERIOD = (
    select(_SITE.timezone).where(_SITE.company_id == _PERIOD.company_id).limit(1).scalar_subquery()
)
_CLOSED_IN_RANGE = (
    select(
        *_PERIOD_COLUMNS,
        _ZONE_OF_PERIOD.label("zone"),
    )
    .where(
        _PERIOD.deleted.is_(False),
        _PERIOD.reopened_at.is_(None),
        _PERIOD.last_day >= bindparam("first"),
        _PERIOD.first_day <= bindparam("last"),
    )
    .order_by(_PERIOD.first_day, _PERIOD.id)
)


def closed_note(period: ClosedPeriod, zone: str | None) -> str:
    """What a calendar says of a closed day: "Pay period 1–30 Nov 2026 closed by anna
    on 1 Dec 2026 at 09:14: its shifts, attendance and leave no longer change"."""
    return (
        f"Pay period {period_label(period.first_day, period.last_day)}"
        f" {closed_by_line(period, zone)}: its shifts, attendance and leave no longer change"
    )


def closed_notes(
    session: Session, company_id: str | None, first: date, last: date
) -> dict[date, str]:
    """Each day of ``first``..``last`` in a closed pay period, with :func:`closed_note`
    of its period: what a calendar of the range marks, read in one statement so a
    view asks once per reload and keeps no rule of its own."""
    query = _CLOSED_IN_RANGE
    if company_id is not None:
        query = query.where(_PERIOD.company_id == company_id)
    notes: dict[date, str] = {}
    for period in session.execute(query, {"first": first, "last": last}):
        note = closed_note(period, period.zone)
        day = max(period.first_day, first)
        while day <= min(period.last_day, last):
            notes.setdefault(day, note)
            day += timedelta(days=1)
    return notes
