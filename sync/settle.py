"""Settling a record whose server copy moved while local edits waited: the three-way
merge, and what its outcome does to the store. The pull and the push (on a 412) both
come here, so a record settles the same way whichever side noticed first."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.models import OutboxEntry, OutboxState
from core.models.sync import SyncConflict
from core.replica import Held, apply_merged
from core.wire import etag
from sync.merge import merge


def settle(session: Session, held: Held) -> bool:
    """Merge one held record; True when it merged, False when it is now a conflict."""
    outcome = merge(held.base, held.mine, held.theirs)
    if outcome.clean:
        apply_merged(session, held, outcome.record)
        return True
    session.add(
        SyncConflict(
            collection=held.collection,
            record_id=held.id,
            base=dict(held.base) if held.base else None,
            mine=dict(held.mine),
            theirs=dict(held.theirs) if held.theirs else None,
            remote_etag=etag(held.version),
        )
    )
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.record_id == held.id, OutboxEntry.state == OutboxState.PENDING)
        .values(state=OutboxState.CONFLICT)
    )
    return False
