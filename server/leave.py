"""Leave requests on the server, through core.leave: requests, edits and decisions
follow core's rules and state machine (``LEAVE_TRANSITIONS``); shifts an approval
changes get new versions and reach the change feed like any other write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ConflictError, ValidationError
from core.leave import (
    approve_leave,
    cancel_leave,
    check_transition,
    edit_leave,
    reject_leave,
    request_leave,
)
from core.models import LeaveRequest, LeaveShiftLink, LeaveStatus, LeaveType, Shift
from server import feed, records
from server.envelope import ApiError

#: Withdrawing one's own pending request needs only the right to write leave.
WRITE = "leave:write"
#: Any other decision (approve, reject, cancel what was approved) is a supervisor's.
APPROVE = "leave:approve"


def decision_scope(current: str | None, to: str) -> str | None:
    """The scope a move of a request from ``current`` (None: a new request) to ``to``
    needs, whichever route asks for it: None when the status does not change."""
    if to == (current or LeaveStatus.PENDING):
        return None
    if to == LeaveStatus.CANCELLED and current == LeaveStatus.PENDING:
        return WRITE
    return APPROVE


def create(session: Session, leave_id: str, values: Mapping[str, Any], actor: str) -> LeaveRequest:
    """A request as a site made it; a status other than pending is reached by its
    transition, so an approval made offline meets the same rules as one made here.
    Who decided, and when, is the caller and now: ``decidedBy``/``decidedAt`` in the
    body are ignored."""
    request_leave(
        session,
        leave_id=leave_id,
        employee_id=values["employee_id"],
        start_date=values["start_date"],
        end_date=values["end_date"],
        leave_type=values.get("leave_type", LeaveType.PAID),
        start_time=values.get("start_time"),
        end_time=values.get("end_time"),
        reason=values.get("reason", ""),
    )
    leave = session.get(LeaveRequest, leave_id)
    assert leave is not None
    wanted = values.get("status", LeaveStatus.PENDING)
    if wanted != LeaveStatus.PENDING:
        decide(session, leave, wanted, actor)
    return leave


def update(session: Session, leave: LeaveRequest, values: Mapping[str, Any], actor: str) -> None:
    """Fields that differ are edited (a pending request only); a new status is decided
    by ``actor`` (``decidedBy``/``decidedAt`` in the body are ignored)."""
    content = {
        k: v
        for k, v in values.items()
        if k not in ("status", "decided_by", "decided_at") and getattr(leave, k) != v
    }
    if content:
        edit_leave(session, leave.id, **content)
    wanted = values.get("status")
    if wanted is not None and wanted != leave.status:
        decide(session, leave, wanted, actor)


def decide(
    session: Session, leave: LeaveRequest, to: str, actor: str, on_clash: str | None = None
) -> None:
    """Move the request to ``to``: 422 when the state machine forbids it, 409 naming
    the shifts an approval would clash with unless ``on_clash`` says what to do.

    The shifts it changes and the kept-on-shift links it writes or ends get new
    versions and reach the change feed."""
    try:
        check_transition(leave.status, to)
    except ValidationError as exc:
        raise ApiError(
            422,
            "ILLEGAL_TRANSITION",
            exc.problem,
            {"fields": [{"field": "status", "code": "INVALID", "message": exc.problem}]},
        ) from exc
    links_before = {
        link.id: link.deleted
        for link in session.scalars(
            select(LeaveShiftLink).where(LeaveShiftLink.leave_id == leave.id)
        )
    }
    if to == LeaveStatus.APPROVED:
        result = approve_leave(session, leave.id, actor=actor, on_clash=on_clash)
    elif to == LeaveStatus.REJECTED:
        result = reject_leave(session, leave.id, actor=actor)
    else:
        result = cancel_leave(session, leave.id, actor=actor)
    if result.conflicts:
        raise ConflictError(result.conflicts)
    for record_id in result.ids:
        shift = session.get(Shift, record_id)
        if shift is not None:
            records.stamp(shift)
            session.flush()
            feed.record(session, shift)
    for link in session.scalars(select(LeaveShiftLink).where(LeaveShiftLink.leave_id == leave.id)):
        if links_before.get(link.id) != link.deleted:
            records.stamp(link)
            session.flush()
            feed.record(session, link)
