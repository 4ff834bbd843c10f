"""Leave decided before a store joined its company, uploaded as the decisions they were.

The server takes a leave request's status only through its actions (approve, reject,
cancel) and writes the links and shift flags of a "keep" approval itself; it refuses
those links written directly. So a request a store decided before it ever synced is
queued by :func:`core.joining.queue_unsent` as the site lived it: the request as it
was asked (pending, decided by nobody), then its decision as the action, in the same
group so the action follows the create. A shift the approval kept the person on
travels with its flag as it was before the approval, since the server's approval
writes the note again (and the link, under the same id: :func:`core.leave.link_id`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.leave import ClashChoice, kept_links, leave_clashes
from core.models import LeaveRequest, LeaveStatus, OutboxEntry, OutboxOp
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


def queue_decisions(session: Session, leave_ids: Sequence[str]) -> None:
    """Turn the queued creates of ``leave_ids`` that are decided into create-as-asked
    plus the decision's action (see the module's text). Run after their creates and
    the creates of the shifts they name are queued."""
    session.flush()
    for leave_id in leave_ids:
        leave = session.get(LeaveRequest, leave_id)
        if leave is None or leave.status not in _ACTIONS:
            continue
        _withhold(session, leave.id, dict(_AS_ASKED))
        params: dict[str, str] = {}
        # Shifts it still covers: the site approved with the person kept on them (a
        # store written around the rules may lack the links; "keep" is still what the
        # site lived).
        if leave.status == LeaveStatus.APPROVED and _keep_flags(session, leave):
            params["onClash"] = ClashChoice.KEEP.value
        enqueue_action(session, leave, _ACTIONS[LeaveStatus(leave.status)], params)
    session.flush()
