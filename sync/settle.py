"""Settling a record whose server copy moved while local edits waited: the three-way
merge, and what its outcome does to the store. The pull and the push (on a 412) both
come here, so a record settles the same way whichever side noticed first."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import OutboxEntry, OutboxState
from core.models.sync import ConflictStatus, SyncConflict
from core.replica import Held, apply_merged
from core.wire import etag
from sync.merge import merge


def settle(session: Session, held: Held) -> bool:
    """Merge one held record; True when it merged, False when it is now a conflict."""
    outcome = merge(held.base, held.mine, held.theirs)
    if outcome.clean:
        apply_merged(session, held, outcome.record)
        return True
    # A record has one open conflict: seen again (the push's 412, then the pull), it
    # takes the newest copies rather than listing the same clash twice.
    conflict = session.scalar(
        select(SyncConflict).where(
            SyncConflict.collection == held.collection,
            SyncConflict.record_id == held.id,
            SyncConflict.status == ConflictStatus.OPEN,
        )
    )
    if conflict is None:
        conflict = SyncConflict(collection=held.collection, record_id=held.id)
        session.add(conflict)
    conflict.base = dict(held.base) if held.base else None
    conflict.mine = dict(held.mine)
    conflict.theirs = dict(held.theirs) if held.theirs else None
    conflict.remote_etag = etag(held.version)
    # Every entry of the record now waits on the conflict, whose resolution settles
    # them all: also one the server refused because the record is gone there (an
    # edit of a record deleted remotely), which is this very clash seen by the push.
    session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.record_id == held.id,
            OutboxEntry.state.in_([OutboxState.PENDING, OutboxState.FAILED]),
        )
        .values(state=OutboxState.CONFLICT)
    )
    return False
