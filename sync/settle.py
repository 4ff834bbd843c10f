"""Settling a record whose server copy moved while local edits waited: the three-way
merge, and what its outcome does to the store. The pull and the push (on a 412) both
come here, so a record settles the same way whichever side noticed first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.models import OutboxEntry, OutboxOp, OutboxState, new_id
from core.models.sync import ConflictStatus, SyncConflict
from core.replica import Held, apply_merged
from core.timeutil import utcnow
from core.wire import COLLECTIONS, as_made, etag
from sync.merge import merge


def settle(session: Session, held: Held) -> bool:
    """Merge one held record; True when it merged, False when it is now a conflict.

    A record made with its company (the pay policy) that the server never
    acknowledged merges against the defaults both sides were made with: only what
    the site changed from them can clash, and what it merged in is then sent."""
    first = held.base is None and _made_with_company(held.collection)
    if first:
        held = replace(held, base=as_made(COLLECTIONS[held.collection]))
    outcome = merge(held.base, held.mine, held.theirs)
    if outcome.clean:
        # A conflict still open for the record is over: what it showed is stale now,
        # and resolving it would put a superseded copy back.
        _close(session, held)
    if outcome.clean and outcome.record is None and _live(held.theirs):
        _still_to_delete(session, held)
        return True
    if outcome.clean:
        apply_merged(session, held, outcome.record)
        if first:
            _send_merged(session, held, outcome.to_send)
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


def _made_with_company(collection: str) -> bool:
    return bool(COLLECTIONS[collection].model.__made_with_company__)


def _send_merged(session: Session, held: Held, names: Iterable[str]) -> None:
    """The record's first waiting entry sends what the merge kept of the site's copy
    as an update on the server's version (a create of it would only be refused
    again), under a key of its own."""
    spec = COLLECTIONS[held.collection]
    kept = {f.attr for f in spec.fields if f.name in set(names)}
    entry = session.scalars(
        select(OutboxEntry)
        .where(
            OutboxEntry.record_id == held.id,
            OutboxEntry.state.in_([OutboxState.PENDING, OutboxState.SENDING]),
        )
        .order_by(OutboxEntry.seq)
        .limit(1)
    ).first()
    if entry is None:
        return
    if entry.op == OutboxOp.CREATE:
        entry.op = OutboxOp.UPDATE
        entry.key = new_id()
    entry.fields = {"changed": sorted(kept | set(entry.fields.get("changed", [])))}
    entry.base_version = held.version
    session.flush()


def _live(record: Mapping[str, Any] | None) -> bool:
    return record is not None and record.get("isActive") is not False


def _still_to_delete(session: Session, held: Held) -> None:
    """Deleted here, and there only moved on without changing what was deleted: the
    deletion stands, and the server still has to hear of it. The row stands on their
    version; what was queued to change the record goes, its deletion is sent."""
    model = COLLECTIONS[held.collection].model
    table = model.__table__  # type: ignore[attr-defined]
    session.execute(
        update(table)
        .where(table.c.id == held.id)
        .values(
            server_version=held.version,
            etag=etag(held.version),
            base=dict(held.theirs or {}),
            dirty=True,
        )
    )
    session.execute(
        delete(OutboxEntry).where(
            OutboxEntry.record_id == held.id, OutboxEntry.op != OutboxOp.DELETE
        )
    )
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.record_id == held.id)
        .values(state=OutboxState.PENDING, base_version=held.version)
    )
    session.expire_all()


def _close(session: Session, held: Held) -> None:
    session.execute(
        update(SyncConflict)
        .where(
            SyncConflict.collection == held.collection,
            SyncConflict.record_id == held.id,
            SyncConflict.status == ConflictStatus.OPEN,
        )
        .values(
            status=ConflictStatus.RESOLVED,
            resolved_at=utcnow(),
            resolution={"settled": "merged by a later sync"},
        )
    )
    session.execute(  # and what waited on it carries the merged record
        update(OutboxEntry)
        .where(OutboxEntry.record_id == held.id, OutboxEntry.state == OutboxState.CONFLICT)
        .values(state=OutboxState.PENDING)
    )
