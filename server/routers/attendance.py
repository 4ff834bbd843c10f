"""Attendance corrections and sign-offs: writes go through core.attendance, so a
correction meets core's rules and every write leaves core's audit trail.

What payroll's auditor expects decides the shape. A correction is a statement
("on this day the person came in at 08:10, says the supervisor, because ..."): it
is never rewritten, so there is no PATCH and PUT only creates; the next correction
of a day stands over it, with its own reason and author. Taking one back (a
supervisor's undo) is a DELETE, and it erases nothing: the correction stays, marked
deleted, the audit trail names who took it back, and the day reads as the
correction before it (or the punches) said. A sign-off can be given again (PATCH:
by whom, when) and taken back (DELETE) the same way. A day has one sign-off, so a
second one for a day already signed off under another id is a duplicate (409).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.attendance import (
    approve_day,
    correct_day,
    day_approval,
    withdraw_approval,
    withdraw_correction,
)
from core.errors import ValidationError
from core.models import AttendanceApproval, AttendanceCorrection, Synced
from core.wire import COLLECTIONS, Collection, to_wire
from server.envelope import ApiError
from server.routers.collections import Endpoint, Ops

CORRECTIONS = COLLECTIONS["attendancecorrections"]
APPROVALS = COLLECTIONS["attendanceapprovals"]


class CorrectionOps(Ops):
    """A new correction through ``correct_day``; DELETE takes it back."""

    append_only = True

    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        correct_day(
            session,
            employee_id=values["employee_id"],
            work_date=values["work_date"],
            clock_in=values.get("clock_in"),
            clock_out=values.get("clock_out"),
            break_minutes=values.get("break_minutes"),
            excused=values.get("excused"),
            reason=values["reason"],
            author=values["author"],
            correction_id=record_id,
        )
        correction = session.get(AttendanceCorrection, record_id)
        assert correction is not None
        return correction

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:  # pragma: no cover - the endpoint is append-only, no route calls it
        raise ApiError(409, "APPEND_ONLY", "a correction is never changed once written")

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        withdraw_correction(session, record.id, actor=actor)


class ApprovalOps(Ops):
    """Sign-offs through ``approve_day``; DELETE takes one back."""

    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        existing = day_approval(session, values["employee_id"], values["work_date"])
        if existing is not None:
            raise ApiError(
                409,
                "DUPLICATE",
                f"the day was signed off already, as {spec.item} {existing.id}"
                + (" (since taken back)" if existing.deleted else "")
                + "; sign that one off again instead",
                {"dataName": spec.item, spec.item: to_wire(existing)},
            )
        approve_day(
            session,
            employee_id=values["employee_id"],
            work_date=values["work_date"],
            actor=values["approved_by"],
            at=values.get("approved_at"),
            approval_id=record_id,
        )
        approval = session.get(AttendanceApproval, record_id)
        assert approval is not None
        return approval

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        assert isinstance(record, AttendanceApproval)
        for key in ("employee_id", "work_date"):
            if key in values and values[key] != getattr(record, key):
                raise ValidationError(key, "a sign-off is of one employee-day; sign off the other")
        approve_day(
            session,
            employee_id=record.employee_id,
            work_date=record.work_date,
            actor=values.get("approved_by") or record.approved_by,
            at=values.get("approved_at"),
        )

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        withdraw_approval(session, record.id, actor=actor)


CORRECTIONS_ENDPOINT = Endpoint(
    CORRECTIONS,
    "attendance",
    CorrectionOps(),
    order=lambda m: (m.work_date, m.created_at, m.id),
)
APPROVALS_ENDPOINT = Endpoint(
    APPROVALS, "attendance", ApprovalOps(), order=lambda m: (m.work_date, m.id)
)
