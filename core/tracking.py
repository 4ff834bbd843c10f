"""Turns every local edit of a replicated row into an outbox entry, in the same flush.

Hooked to the local store's sessions, so no operation can forget it. Sessions that
apply the server's changes set ``session.info[APPLYING_REMOTE]`` and are not tracked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.bulk import insert_columns, new_ids
from core.models import (
    OutboxEntry,
    OutboxOp,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    Synced,
    new_id,
)
from core.timeutil import utcnow

APPLYING_REMOTE = "applying_remote"

#: Columns that are bookkeeping, not content: changing them is no edit to push.
_META = frozenset({"server_version", "etag", "base", "dirty", "created_at", "updated_at"})


def install(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _before_flush)


def _changed_columns(obj: Synced) -> set[str]:
    state = inspect(obj)
    return {
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in _META and state.attrs[attr.key].history.has_changes()
    }


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(APPLYING_REMOTE):
        return
    edits: dict[Synced, tuple[OutboxOp, set[str]]] = {}
    for obj in session.new:
        if isinstance(obj, Synced):
            if obj.id is None:  # column defaults apply only later, in the flush
                obj.id = new_id()
            edits[obj] = (OutboxOp.CREATE, set())
    touched_shifts: set[Shift] = set()
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, ShiftEmployee | ShiftDepartment):
            shift = obj.shift if obj.shift is not None else session.get(Shift, obj.shift_id)
            if shift is not None:
                touched_shifts.add(shift)
    for obj in session.dirty:
        if not isinstance(obj, Synced) or obj in edits:
            continue
        fields = _changed_columns(obj)
        if fields:
            op = OutboxOp.DELETE if "deleted" in fields and obj.deleted else OutboxOp.UPDATE
            edits[obj] = (op, fields)
    for shift in touched_shifts:
        if shift not in edits:
            edits[shift] = (OutboxOp.UPDATE, set())
        op, fields = edits[shift]
        fields.update(("employee_ids", "assigned_department_ids"))
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise RuntimeError(f"{type(obj).__name__} rows are soft-deleted so the delete can sync")
    now = utcnow()
    for obj, (op, fields) in edits.items():
        obj.dirty = True
        obj.updated_at = now
        _enqueue(session, obj, op, fields)


def _pending(session: Session, record_id: str) -> list[OutboxEntry]:
    with session.no_autoflush:
        return list(
            session.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.record_id == record_id)
                .order_by(OutboxEntry.seq)
            )
        )


def _enqueue(session: Session, obj: Synced, op: OutboxOp, fields: set[str]) -> None:
    """Append an entry, folding it into the record's unsent ones where that is exact.

    A record the server never saw that is deleted leaves nothing to send; an unsent
    create or update absorbs later updates; reviving a record (undo of a delete)
    cancels its unsent delete. A sent entry is never touched: its retry must carry
    the same key and payload.
    """
    pending = [] if op is OutboxOp.CREATE else _pending(session, obj.id)
    never_sent = obj.server_version is None and all(e.attempts == 0 for e in pending)

    def last_unsent() -> OutboxEntry | None:
        return pending[-1] if pending and pending[-1].attempts == 0 else None

    if op is OutboxOp.DELETE and never_sent:
        session.execute(delete(OutboxEntry).where(OutboxEntry.record_id == obj.id))
        obj.dirty = False
        return
    revived = op is OutboxOp.UPDATE and "deleted" in fields
    if revived:
        last = last_unsent()
        if last is not None and last.op == OutboxOp.DELETE:
            session.delete(last)
            pending.pop()
            fields = fields - {"deleted"}
            if not fields:
                obj.dirty = bool(pending)
                return
        if never_sent and not pending:
            op = OutboxOp.CREATE  # its create went away with its delete
    last = last_unsent()
    if op is OutboxOp.UPDATE and last is not None and last.op != OutboxOp.DELETE:
        last.fields = {"changed": sorted(set(last.fields.get("changed", [])) | fields)}
        return
    session.add(
        OutboxEntry(
            collection=type(obj).__collection__ or type(obj).__tablename__,
            record_id=obj.id,
            op=op,
            fields={
                "changed": sorted(fields - {"deleted"}) if op is OutboxOp.CREATE else sorted(fields)
            },
        )
    )


# --- bulk soft delete and revival ---------------------------------------------------
#
# Undoing a template application removes a year of shifts at once; loading each row
# and flushing it through ``_enqueue`` costs a query per row. The two functions
# below do what ``_enqueue`` does for the one case bulk undo meets, a record the
# server never saw, in a few statements; they hand back the ids they left alone,
# which the caller then changes through the ORM as usual.

_CHUNK = 5000


def _unsent_records(session: Session, model: type[Synced], ids: list[str]) -> dict[str, bool]:
    """Of these ids, the records the server never saw, with whether any entry waits."""
    found: dict[str, bool] = {}
    for at in range(0, len(ids), _CHUNK):
        chunk = ids[at : at + _CHUNK]
        never_pushed = set(
            session.scalars(
                select(model.id).where(model.id.in_(chunk), model.server_version.is_(None))
            )
        )
        sent = set(
            session.scalars(
                select(OutboxEntry.record_id).where(
                    OutboxEntry.record_id.in_(chunk), OutboxEntry.attempts > 0
                )
            )
        )
        waiting = set(
            session.scalars(select(OutboxEntry.record_id).where(OutboxEntry.record_id.in_(chunk)))
        )
        found.update((rid, rid in waiting) for rid in never_pushed - sent)
    return found


def _set_deleted(session: Session, model: type[Synced], ids: list[str], **values: Any) -> None:
    for at in range(0, len(ids), _CHUNK):
        session.execute(
            update(model)
            .where(model.id.in_(ids[at : at + _CHUNK]))
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session="fetch")
        )


def soft_delete_many(session: Session, model: type[Synced], ids: list[str]) -> list[str]:
    """Soft-delete live records the server never saw; as ``_enqueue`` does, their
    unsent entries are dropped and nothing is left to send. Returns the other ids."""
    session.flush()
    unsent = _unsent_records(session, model, ids)
    done = [rid for rid in ids if rid in unsent]
    _set_deleted(session, model, done, deleted=True, dirty=False)
    for at in range(0, len(done), _CHUNK):
        session.execute(
            delete(OutboxEntry).where(OutboxEntry.record_id.in_(done[at : at + _CHUNK]))
        )
    return [rid for rid in ids if rid not in unsent]


def revive_many(session: Session, model: type[Synced], ids: list[str]) -> list[str]:
    """Undelete records the server never saw and that have nothing waiting: as with
    ``_enqueue``, each is queued as a create again. Returns the other ids."""
    session.flush()
    unsent = _unsent_records(session, model, ids)
    done = [rid for rid in ids if unsent.get(rid) is False]
    _set_deleted(session, model, done, deleted=False, dirty=True)
    insert_columns(
        session,
        OutboxEntry.__table__,
        len(done),
        {"key": new_ids(len(done)), "record_id": done},
        {
            "collection": model.__collection__ or model.__tablename__,
            "op": OutboxOp.CREATE.value,
            "fields": {"changed": []},
            "created_at": utcnow(),
        },
    )
    return [rid for rid in ids if unsent.get(rid) is not False]
