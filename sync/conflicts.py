"""Conflicts a supervisor settles: listed field by field, resolved by a choice.

A conflict (:class:`core.models.sync.SyncConflict`) keeps the base both sides had,
my record and theirs. Resolving it is a choice per conflicting field (or one for
all): keep mine, or take theirs. The outcome is itself an edit that syncs: the row
first becomes the server's copy (its version the If-Match of what follows), then
what the choice kept of mine is queued as an ordinary update, delete or create.

Keeping my copy of a record the server deleted cannot revive it there (a deletion
is final on the server, as the protocol promises): it is re-created under a new id,
with my content, and the old id takes the server's tombstone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationError
from core.models import OutboxEntry, OutboxOp, Synced, new_id
from core.models.sync import ConflictStatus, SyncConflict
from core.outbox import APPLYING_REMOTE, enqueue, enqueue_many
from core.replica import Held, apply_merged, apply_upsert
from core.timeutil import utcnow
from core.wire import COLLECTIONS, to_wire
from sync.describe import describe
from sync.merge import DELETED, Merge, merge, resolve

MINE = "mine"
THEIRS = "theirs"


@dataclass(frozen=True)
class FieldChoice:
    """One field both sides changed: what each side holds (None: deleted)."""

    name: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class ConflictView:
    id: str
    collection: str
    record_id: str
    label: str
    created_at: datetime
    fields: tuple[FieldChoice, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "collection": self.collection,
            "recordId": self.record_id,
            "label": self.label,
            "createdAt": self.created_at.isoformat(),
            "fields": [
                {"name": f.name, "base": f.base, "mine": f.mine, "theirs": f.theirs}
                for f in self.fields
            ],
        }


@dataclass(frozen=True)
class Resolved:
    conflict_id: str
    record_id: str
    #: The record's id after the resolution (a new one when mine was re-created).
    kept_id: str
    #: What the resolution queued for the server: "update", "delete", "create" or "".
    queued: str
    message: str
    #: The record named for a person ("shift 2026-06-01 09:00–17:00").
    label: str = ""


def _mine(session: Session, conflict: SyncConflict) -> dict[str, Any] | None:
    """The local record as it is now: edits made after the conflict was found count."""
    row = session.get(COLLECTIONS[conflict.collection].model, conflict.record_id)
    return to_wire(row) if row is not None else conflict.mine


def _view(session: Session, conflict: SyncConflict) -> ConflictView:
    mine = _mine(session, conflict)
    fields = tuple(
        FieldChoice(c.field, c.base, c.mine, c.theirs)
        for c in merge(conflict.base, mine, conflict.theirs).conflicts
    )
    record = mine or conflict.theirs
    return ConflictView(
        conflict.id,
        conflict.collection,
        conflict.record_id,
        describe(conflict.collection, conflict.record_id, record),
        conflict.created_at,
        fields,
    )


def open_conflicts(session: Session) -> list[ConflictView]:
    return [
        _view(session, c)
        for c in session.scalars(
            select(SyncConflict)
            .where(SyncConflict.status == ConflictStatus.OPEN)
            .order_by(SyncConflict.created_at, SyncConflict.id)
        )
    ]


def open_fields(session: Session, collection: str) -> dict[str, tuple[str, ...]]:
    """Records of ``collection`` with an open conflict, each with the fields both sides
    changed (:data:`sync.merge.DELETED` for a record deleted on one side): one query,
    for a view that marks them where it shows them."""
    rows = session.execute(
        select(SyncConflict.record_id, SyncConflict.base, SyncConflict.mine, SyncConflict.theirs)
        .where(SyncConflict.collection == collection, SyncConflict.status == ConflictStatus.OPEN)
        .order_by(SyncConflict.created_at, SyncConflict.id)
    ).all()
    return {rid: tuple(c.field for c in merge(b, m, t).conflicts) for rid, b, m, t in rows}


def _open(session: Session, conflict_id: str) -> SyncConflict:
    found = session.get(SyncConflict, conflict_id)
    if found is None or found.status != ConflictStatus.OPEN:
        raise NotFound(f"no open conflict {conflict_id}")
    return found


def get_conflict(session: Session, conflict_id: str) -> ConflictView:
    return _view(session, _open(session, conflict_id))


def _choices(merged: Merge, choice: str | Mapping[str, str]) -> dict[str, str]:
    names = [c.field for c in merged.conflicts]
    if isinstance(choice, str):
        if choice not in (MINE, THEIRS):
            raise ValidationError("choice", f"{choice!r} is neither mine nor theirs")
        return dict.fromkeys(names, choice)
    unknown = sorted(set(choice) - set(names))
    if unknown:
        raise ValidationError(
            "field",
            f"{', '.join(unknown)} not in conflict; the fields are {', '.join(names)}",
        )
    bad = sorted(k for k, v in choice.items() if v not in (MINE, THEIRS))
    if bad:
        raise ValidationError("field", f"choose mine or theirs for {', '.join(bad)}")
    missing = [n for n in names if n not in choice]
    if missing:
        raise ValidationError("field", f"choose mine or theirs for {', '.join(missing)} too")
    return dict(choice)


def _remote_version(conflict: SyncConflict) -> int:
    if conflict.theirs is not None:
        return int(conflict.theirs["recordVersion"])
    return int((conflict.remote_etag or '"0"').strip('"'))


def _attrs(collection: str, names: set[str]) -> list[str]:
    return [f.attr for f in COLLECTIONS[collection].fields if f.name in names]


def _recreate(session: Session, conflict: SyncConflict, record: Mapping[str, Any]) -> str:
    """Mine again under a new id, as a record the server never saw."""
    spec = COLLECTIONS[conflict.collection]
    new = new_id()
    copy = {**record, "id": new, "isActive": True}
    apply_upsert(session, conflict.collection, copy)  # a new row: inserted, not updated
    table = spec.model.__table__  # type: ignore[attr-defined]
    session.execute(
        update(table)
        .where(table.c.id == new)
        .values(server_version=None, etag=None, base=None, dirty=True)
    )
    enqueue_many(session, spec.model, [new])
    return new


def _settle(session: Session, conflict: SyncConflict, outcome: Merge) -> tuple[str, str]:
    """Write the resolution's bookkeeping (never tracked as an edit); returns the id
    kept and what was queued, or ``"delete"`` for the caller to do as an edit."""
    spec = COLLECTIONS[conflict.collection]
    theirs = conflict.theirs
    held = Held(
        conflict.collection, conflict.record_id, _remote_version(conflict), theirs, {}, theirs
    )
    session.execute(delete(OutboxEntry).where(OutboxEntry.record_id == conflict.record_id))
    if theirs is None:  # deleted there: their tombstone; mine, if kept, anew
        apply_merged(session, held, None)
        if outcome.record is None:
            return conflict.record_id, ""
        return _recreate(session, conflict, outcome.record), "create"
    kept = outcome.record if outcome.record is not None else theirs
    apply_merged(session, held, kept)  # the content kept, theirs as its base
    send = outcome.record is not None and bool(outcome.to_send)
    table = spec.model.__table__  # type: ignore[attr-defined]
    session.execute(update(table).where(table.c.id == conflict.record_id).values(dirty=send))
    row = session.get(spec.model, conflict.record_id)
    assert row is not None
    session.refresh(row)
    if send:
        enqueue(session, row, OutboxOp.UPDATE, _attrs(conflict.collection, set(outcome.to_send)))
        return conflict.record_id, "update"
    return conflict.record_id, "" if outcome.record is not None else "delete"


def resolve_conflict(
    session: Session, conflict_id: str, choice: str | Mapping[str, str]
) -> Resolved:
    """Settle a conflict by ``choice``: ``"mine"``, ``"theirs"``, or a mapping of each
    conflicting field to one of them; see the module's docstring."""
    conflict = _open(session, conflict_id)
    mine = _mine(session, conflict)
    merged = merge(conflict.base, mine, conflict.theirs)
    choices = _choices(merged, choice)
    outcome = resolve(merged, mine, choices)
    session.info[APPLYING_REMOTE] = True
    try:
        kept, queued = _settle(session, conflict, outcome)
    finally:
        session.info.pop(APPLYING_REMOTE, None)
    if queued == "delete":  # my deletion stands: an ordinary delete, queued by the edit
        row: Synced | None = session.get(COLLECTIONS[conflict.collection].model, kept)
        assert row is not None
        row.deleted = True
        session.flush()
    conflict.status = ConflictStatus.RESOLVED
    conflict.resolved_at = utcnow()
    conflict.resolution = {"choices": choices}
    if kept != conflict.record_id:
        conflict.resolution["keptAs"] = kept
    session.flush()
    label = describe(conflict.collection, conflict.record_id, mine or conflict.theirs)
    message = _said(label, queued, DELETED in choices)
    return Resolved(conflict.id, conflict.record_id, kept, queued, message, label)


def _said(label: str, queued: str, whole: bool) -> str:
    if queued == "create":
        return f"{label}: kept as a new record (the server had deleted it)"
    if queued == "delete":
        return f"{label}: deleted, as here"
    if queued == "update":
        return f"{label}: merged; the kept values go to the server on the next sync"
    return f"{label}: the server's copy taken" + (" (deleted)" if whole else "")
