"""A conflict's resolution as one undo step: the store as it was before the choice,
and the conflict open again.

A resolution rewrites the record's row (and a shift's people), its outbox entries,
and, where mine is kept over a deletion on the server, adds a record. Undo puts the
exact rows from before back, while nothing of the resolution has reached the server
and nothing touched the record since; otherwise it is refused, as any undo of a
record that moved on is. Redo resolves again with the same choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, Table, delete, insert, select
from sqlalchemy.orm import Session

from core.changes import Changes, of_model
from core.errors import NotFound
from core.models import OutboxEntry, Shift, ShiftDepartment, ShiftEmployee
from core.models.sync import ConflictStatus, SyncConflict
from core.outbox import APPLYING_REMOTE
from core.results import OpResult
from core.undo import UndoRefused
from core.wire import COLLECTIONS
from sync.conflicts import Resolved, resolve_conflict
from sync.describe import describe

#: Every row a record is made of, per table and the column naming the record.
Rows = dict[str, list[dict[str, Any]]]


def _tables(collection: str) -> list[tuple[Table, Column[Any]]]:
    model = COLLECTIONS[collection].model
    table: Table = model.__table__  # type: ignore[attr-defined]
    keyed = [(table, table.c.id)]
    if model is Shift:
        for link in (ShiftEmployee.__table__, ShiftDepartment.__table__):
            keyed.append((link, link.c.shift_id))  # type: ignore[attr-defined]
    outbox: Table = OutboxEntry.__table__  # type: ignore[assignment]
    return [*keyed, (outbox, outbox.c.record_id)]


def _take(session: Session, collection: str, record_id: str) -> Rows:
    session.flush()
    return {
        table.name: [
            dict(r) for r in session.execute(select(table).where(column == record_id)).mappings()
        ]
        for table, column in _tables(collection)
    }


def _put(session: Session, collection: str, record_id: str, rows: Rows) -> None:
    for table, column in _tables(collection):
        session.execute(delete(table).where(column == record_id))
    for table, _ in _tables(collection):
        if rows.get(table.name):
            session.execute(insert(table), rows[table.name])


def resolve_step(session: Session, conflict_id: str, choice: str | Mapping[str, str]) -> OpResult:
    """:func:`sync.conflicts.resolve_conflict`, as a result whose ``undo`` takes it back."""
    return resolve_undoably(session, conflict_id, choice)[0]


def resolve_undoably(
    session: Session, conflict_id: str, choice: str | Mapping[str, str]
) -> tuple[OpResult, Resolved]:
    """:func:`resolve_step`, with what the resolution did, for a person to read."""
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None or conflict.status != ConflictStatus.OPEN:
        raise NotFound(f"no open conflict {conflict_id}")
    collection, record_id = conflict.collection, conflict.record_id
    before = _take(session, collection, record_id)
    done = resolve_conflict(session, conflict_id, choice)
    after = _take(session, collection, record_id)
    added = _take(session, collection, done.kept_id) if done.kept_id != record_id else None
    changed = of_model(COLLECTIONS[collection].model) | Changes.SYNC
    label = describe(collection, record_id, conflict.mine or conflict.theirs)

    def undo(s: Session) -> OpResult:
        moved = _take(s, collection, record_id) != after or (
            added is not None and _take(s, collection, done.kept_id) != added
        )
        if moved:
            raise UndoRefused([(label, ["sent to the server or changed since"])])
        s.info[APPLYING_REMOTE] = True
        try:
            _put(s, collection, record_id, before)
            if added is not None:
                _put(s, collection, done.kept_id, {})
            again = s.get(SyncConflict, conflict_id)
            assert again is not None
            again.status = ConflictStatus.OPEN
            again.resolved_at = None
            again.resolution = None
            s.flush()
        finally:
            s.info.pop(APPLYING_REMOTE, None)
        s.expire_all()
        return OpResult(changed, ids=(record_id,), undo=redo)

    def redo(s: Session) -> OpResult:
        return resolve_step(s, conflict_id, choice)

    return OpResult(changed, ids=(record_id, done.kept_id), undo=undo), done
