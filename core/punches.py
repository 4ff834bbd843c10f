"""Recording one punch: a clock-in, clock-out or break as it happened.

Punches are append-only: a punch is never edited, and a wrong one is put right by
a supervisor's correction of the day (:func:`core.attendance.correct_day`), kept
beside it. :func:`record_punch` is how a terminal, the server or a supervisor
typing one in adds a punch; files of them come in through
:func:`core.punch_import.import_punches_csv`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import undo
from core.changes import Changes
from core.errors import Duplicate, ValidationError
from core.models import ClockEvent, Employee, PunchKind, PunchSource, Site, new_id
from core.pay_periods import refuse_punches
from core.results import OpResult
from core.timeutil import as_utc, to_local

PUNCHES = Changes.PUNCHES
#: A punch as people say it.
_WORDS = {
    PunchKind.IN: "clock-in",
    PunchKind.OUT: "clock-out",
    PunchKind.BREAK_START: "break start",
    PunchKind.BREAK_END: "break end",
}


def _choice(value: object, field: str, allowed: type[PunchKind] | type[PunchSource]) -> str:
    if value not in {m.value for m in allowed}:
        choices = ", ".join(m.value for m in allowed)
        raise ValidationError(field, f"{value!r} is not one of {choices}")
    return str(value)


def record_punch(
    session: Session,
    *,
    employee_id: str,
    kind: str,
    at: datetime,
    source: str = PunchSource.MANUAL,
    device_id: str | None = None,
    punch_id: str | None = None,
) -> OpResult:
    """One punch of an active person at an aware instant (stored in UTC); ``ids`` is
    its id (``punch_id`` keeps an id made elsewhere).

    The same person, instant and kind twice is refused as a duplicate; a punch that
    counts on a day of a closed pay period is refused naming the period
    (:func:`core.pay_periods.punch_periods`). Undoing it
    removes it (while nobody has built on it); recording it again brings it back.
    """
    kind = _choice(kind, "kind", PunchKind)
    source = _choice(source, "source", PunchSource)
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("at", "needs a date, a time and a time zone (an aware instant)")
    at = as_utc(at)
    if device_id is not None:
        if not isinstance(device_id, str):
            raise ValidationError("device", f"{device_id!r} is not text")
        device_id = device_id.strip() or None
        if device_id is not None and len(device_id) > 100:
            raise ValidationError("device", "is longer than 100 characters")
    employee = session.get(Employee, employee_id)
    if employee is None or employee.deleted:
        raise ValidationError("employee", f"no employee with id {employee_id}")
    if not employee.active:
        raise ValidationError(
            "employee", f"{employee.name} is inactive; punches are kept only for active people"
        )
    refuse_punches(session, employee.company_id, [(employee_id, at)])
    twin = session.scalars(
        select(ClockEvent).where(
            ClockEvent.employee_id == employee_id,
            ClockEvent.at_utc == at,
            ClockEvent.kind == kind,
        )
    ).first()
    if twin is not None and (not twin.deleted or punch_id not in (None, twin.id)):
        site = session.get(Site, employee.site_id)
        when = to_local(at, site.timezone if site else "UTC")
        raise Duplicate(
            "at",
            f"{employee.name} has a {_WORDS[PunchKind(kind)]}"
            f" at {when:%a %d %b %Y %H:%M:%S} already",
        )
    with undo.recording(session) as recorder:
        if twin is not None:  # a removed punch recorded again: the same record comes back
            twin.deleted = False
            twin.source = source
            twin.device_id = device_id
            punch = twin
        else:
            punch = ClockEvent(
                id=punch_id or new_id(),
                company_id=employee.company_id,
                employee_id=employee_id,
                kind=kind,
                at_utc=at,
                source=source,
                device_id=device_id,
            )
            session.add(punch)
    return recorder.result(ids=(punch.id,))
