"""Building blocks for attendance and payroll tests: shifts, punches, leave, policy."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.attendance import DayRecord, attendance
from core.models import ClockEvent, LeaveRequest, LeaveStatus, PayPolicy
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.timeutil import local_instant, parse_hhmm, zone
from tests.conftest import Org

BERLIN = "Europe/Berlin"


def at(day: date, hhmm: str, tz: str = BERLIN) -> datetime:
    """The UTC instant of a local time in the test site's zone."""
    return local_instant(day, parse_hhmm(hhmm), zone(tz))


def add_shift(store: Store, org: Org, day: date, start: str, end: str, who: str, **kw: Any) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, day, start, end, (who,), **kw))
    assert result.applied, result.conflicts
    return result.ids[0]


def punch(store: Store, org: Org, who: str, kind: str, instant: datetime) -> None:
    with store.session() as s:
        s.add(ClockEvent(company_id=org.company_id, employee_id=who, kind=kind, at_utc=instant))


def punches(store: Store, org: Org, who: str, day: date, *events: tuple[str, str]) -> None:
    """Punches on one local day; a time before the previous one is the next day."""
    previous: datetime | None = None
    for kind, hhmm in events:
        instant = at(day, hhmm)
        if previous is not None and instant < previous:
            instant = at(day + timedelta(days=1), hhmm)
        punch(store, org, who, kind, instant)
        previous = instant


def work(store: Store, org: Org, who: str, day: date, start: str, end: str) -> None:
    """A shift and punches exactly on its times."""
    add_shift(store, org, day, start, end, who)
    punches(store, org, who, day, ("in", start), ("out", end))


def set_policy(store: Store, org: Org, **values: Any) -> None:
    with store.session() as s:
        policy = s.scalar(select(PayPolicy).where(PayPolicy.company_id == org.company_id))
        assert policy is not None
        for name, value in values.items():
            setattr(policy, name, value)


def approved_leave(
    store: Store, org: Org, who: str, first: date, last: date, kind: str = "paid", **kw: Any
) -> str:
    with store.session() as s:
        leave = LeaveRequest(
            company_id=org.company_id,
            employee_id=who,
            leave_type=kind,
            start_date=first,
            end_date=last,
            status=LeaveStatus.APPROVED,
            **kw,
        )
        s.add(leave)
        s.flush()
        return leave.id


def days(store: Store, who: str, first: date, last: date | None = None, **kw: Any):
    with store.session() as s:
        return list(attendance(s, first, last or first, employee_ids=[who], **kw).days)


def day(store: Store, who: str, on: date, **kw: Any) -> DayRecord:
    found = days(store, who, on, **kw)
    assert len(found) == 1, found
    return found[0]
