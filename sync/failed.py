"""Failed operations: what the server refused, kept until a person decides.

A refused entry (400/409/422, or a record deleted there) stops only itself: the
queue goes on and the entry waits as ``failed`` with the server's reason, as a
dead-letter queue keeps a message. From here it can be

- replayed: queued again under a new Idempotency-Key (the server remembers its
  refusal of the old one), once whatever it clashed with is fixed; the record as
  it is *now* is what is sent;
- discarded: the local edit is given up. With nothing else queued for the record,
  the record goes back to the server's copy (its base), or, for a record the server
  never accepted, is removed from this store, since nobody else has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import OutboxEntry, OutboxState, new_id
from core.outbox import APPLYING_REMOTE
from core.replica import Held, apply_merged
from core.wire import COLLECTIONS, to_wire
from sync.describe import describe
from sync.push import forget_sent


@dataclass(frozen=True)
class FailedOp:
    id: int
    collection: str
    record_id: str
    op: str
    label: str
    reason: str
    attempts: int
    created_at: datetime
    #: The record as this store holds it (None: no longer here).
    record: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "collection": self.collection,
            "recordId": self.record_id,
            "op": self.op,
            "label": self.label,
            "reason": self.reason,
            "attempts": self.attempts,
            "createdAt": self.created_at.isoformat(),
            "record": self.record,
        }


def _view(session: Session, entry: OutboxEntry) -> FailedOp:
    model = COLLECTIONS[entry.collection].model
    row = session.get(model, entry.record_id)
    record = to_wire(row) if row is not None else None
    action = entry.fields.get("action") if isinstance(entry.fields, dict) else None
    return FailedOp(
        entry.seq,
        entry.collection,
        entry.record_id,
        f"{entry.op} {action}" if action else str(entry.op),
        describe(entry.collection, entry.record_id, record),
        entry.last_error or "",
        entry.attempts,
        entry.created_at,
        record,
    )


def failed_ops(session: Session) -> list[FailedOp]:
    entries = session.scalars(
        select(OutboxEntry).where(OutboxEntry.state == OutboxState.FAILED).order_by(OutboxEntry.seq)
    )
    return [_view(session, e) for e in entries]


def _failed(session: Session, entry_id: int) -> OutboxEntry:
    entry = session.get(OutboxEntry, entry_id)
    if entry is None or entry.state != OutboxState.FAILED:
        raise NotFound(f"no failed operation {entry_id}")
    return entry


def get_failed(session: Session, entry_id: int) -> FailedOp:
    return _view(session, _failed(session, entry_id))


def replay(session: Session, entry_id: int) -> FailedOp:
    """Queue a failed operation again, with a new key; the next sync sends it."""
    entry = _failed(session, entry_id)
    entry.state = OutboxState.PENDING
    forget_sent(entry)  # the record as it is now, under a new key
    entry.key = new_id()
    entry.attempts = 0
    entry.last_error = None
    session.flush()
    return _view(session, entry)


def discard(session: Session, entry_id: int) -> FailedOp:
    """Give a failed operation up; see the module's docstring for the record."""
    entry = _failed(session, entry_id)
    seen = _view(session, entry)
    spec = COLLECTIONS[entry.collection]
    session.delete(entry)
    session.flush()
    others = session.scalar(
        select(OutboxEntry.seq).where(OutboxEntry.record_id == seen.record_id).limit(1)
    )
    row = session.get(spec.model, seen.record_id)
    if others is not None or row is None:
        return seen
    table = spec.model.__table__  # type: ignore[attr-defined]
    session.info[APPLYING_REMOTE] = True
    try:
        if row.base is not None and row.server_version is not None:
            held = Held(spec.name, row.id, row.server_version, row.base, {}, row.base)
            apply_merged(session, held, row.base)
            session.execute(update(table).where(table.c.id == row.id).values(dirty=False))
        else:  # never accepted there: nobody else has it
            session.execute(
                update(table).where(table.c.id == row.id).values(deleted=True, dirty=False)
            )
        session.expire(row)
    finally:
        session.info.pop(APPLYING_REMOTE, None)
    return seen
