"""Leave decided before a store joined its company, uploaded as the decisions they were.

The server takes a leave request's status only through its actions (approve, reject,
cancel) and writes the links and shift flags of a "keep" approval itself; it refuses
those links written directly. So a request a store decided before it ever synced is
queued by :func:`core.joining.queue_unsent` as the site lived it: the request as it
was asked (pending, decided by nobody), then its decision as the action, in the
create's group so the action follows the create.

A decision made since the store's outbox last started afresh (a demo's leave decided
after the demo was built) waits already as its own action. The create then carries
the status the request had before that action, and only a decision made before it is
added (the demo's approval of a request since cancelled); the waiting actions follow
as they are. A shift the approval kept the person on
travels with its flag as it was before the approval, since the server's approval
writes the note again (and the link, under the same id: :func:`core.leave.link_id`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.leave import ClashChoice, kept_links, leave_clashes
from core.models import (
    LeaveRequest,
    LeaveShiftLink,
    LeaveStatus,
    OutboxEntry,
    OutboxOp,
    Shift,
)
from core.outbox import enqueue_action

#: The action that moves a pending request to each decided status.
_ACTIONS = {
    LeaveStatus.APPROVED: "approve",
    LeaveStatus.REJECTED: "reject",
    LeaveStatus.CANCELLED: "cancel",
}
#: What a request's create carries instead of its decision: the request as asked.
_AS_ASKED = {"status": LeaveStatus.PENDING.value, "decided_by": None, "decided_at": None}


def _create_entry(session: Session, record_id: str) -> OutboxEntry | None:
    return session.scalar(
        select(OutboxEntry).where(
            OutboxEntry.record_id == record_id, OutboxEntry.op == OutboxOp.CREATE
        )
    )


def _withhold(session: Session, record_id: str, values: dict[str, object]) -> None:
    entry = _create_entry(session, record_id)
    if entry is not None:
        entry.fields = {**entry.fields, "withheld": {**entry.fields.get("withheld", {}), **values}}


def _keep_flags(session: Session, leave: LeaveRequest) -> list[str]:
    """The shifts the approved ``leave`` covers (the server's approval finds the same
    ones, by the same rule); each one's create carries its flag as before the note
    the approval put there, which the server's approval writes again."""
    notes = {link.shift_id: link.note for link in kept_links(session, leave.id) if link.note}
    covered = []
    for shift in leave_clashes(session, leave.id):
        if note := notes.get(shift.id):
            _withhold(session, shift.id, {"flag": " ".join(shift.flag.replace(note, "").split())})
        covered.append(shift.id)
    return covered


def _taken_off(session: Session, leave: LeaveRequest) -> list[str]:
    """The shifts the approved ``leave`` took its person off (linked, the person no
    longer on them). Each one's create carries the person back on it, as the
    approval found it, so the server's approval with "unassign" takes them off again
    and writes the same links."""
    taken = []
    for link in kept_links(session, leave.id):
        shift = session.get(Shift, link.shift_id)
        if shift is None or shift.deleted or leave.employee_id in shift.employee_ids:
            continue
        _withhold(session, shift.id, {"employee_ids": [*shift.employee_ids, leave.employee_id]})
        taken.append(shift.id)
    return taken


def _waiting_action(session: Session, leave_id: str) -> str | None:
    """The first action already queued for ``leave_id``, if any."""
    first = session.scalar(
        select(OutboxEntry)
        .where(OutboxEntry.record_id == leave_id, OutboxEntry.op == OutboxOp.ACTION)
        .order_by(OutboxEntry.seq)
        .limit(1)
    )
    return None if first is None else str(first.fields.get("action"))


def _status_before(session: Session, leave: LeaveRequest, action: str) -> LeaveStatus:
    """The status ``leave`` had before its first waiting ``action``: approve and reject
    decide a pending request; a cancel followed an approval when the request was ever
    linked to shifts (an approval writes the links), else it withdrew a pending one,
    which ends the same on the server."""
    if action != _ACTIONS[LeaveStatus.CANCELLED]:
        return LeaveStatus.PENDING
    linked = session.scalar(
        select(LeaveShiftLink.id).where(LeaveShiftLink.leave_id == leave.id).limit(1)
    )
    return LeaveStatus.APPROVED if linked is not None else LeaveStatus.PENDING


def queue_decisions(session: Session, leave_ids: Sequence[str]) -> None:
    """Turn the queued creates of ``leave_ids`` that are decided into create-as-asked
    plus the decision's action (see the module's text). Run after their creates and
    the creates of the shifts they name are queued."""
    session.flush()
    for leave_id in leave_ids:
        leave = session.get(LeaveRequest, leave_id)
        if leave is None or leave.status not in _ACTIONS:
            continue
        status = LeaveStatus(leave.status)
        taken = _taken_off(session, leave) if status == LeaveStatus.APPROVED else []
        if (waiting := _waiting_action(session, leave.id)) is not None:
            status = _status_before(session, leave, waiting)
        _withhold(session, leave.id, dict(_AS_ASKED))
        if status not in _ACTIONS:
            continue  # the waiting actions are all it was decided by
        params: dict[str, str] = {}
        # Shifts it took the person off, else those it still covers: the site approved
        # with the person kept on them (a store written around the rules may lack the
        # links; "keep" is still what the site lived).
        if taken:
            params["onClash"] = ClashChoice.UNASSIGN.value
        elif status == LeaveStatus.APPROVED and _keep_flags(session, leave):
            params["onClash"] = ClashChoice.KEEP.value
        create = _create_entry(session, leave.id)
        group = create.group_id if create is not None else None
        enqueue_action(session, leave, _ACTIONS[status], params, group_id=group)
    session.flush()
