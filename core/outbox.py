"""The outbox: what the server must hear of local edits, written in the edit's transaction.

Every entry is written here. A session hook turns each flushed change of a
replicated row into an entry (:func:`install`), so no operation can forget it;
bulk writes that bypass the ORM queue theirs with :func:`enqueue_many`. Sessions
that apply the server's changes set ``session.info[APPLYING_REMOTE]`` and are not
tracked.

An entry is folded into the record's earlier unsent ones where that is exact: a
record the server never saw that is deleted leaves nothing to send; an unsent
create or update absorbs later updates; reviving a record (undo of a delete)
cancels its unsent delete. A sent entry is never touched: its retry must carry the
same key and payload.

The entries of one operation share a group (the outermost
:func:`core.undo.recording` block is one operation; a flush outside any gets a
group of its own) and are numbered, within each flush, so that a record comes
after the records it names: those its wire fields refer to, as the server checks
them (a department before its employees, a shift's people before the shift), and
the other way round for deletes.

A state-machine decision (approving leave, say) travels as the action the server
exposes, not as the fields it writes: the operation runs its writes inside
:func:`action`, naming the fields the action stands for; the flush hook leaves
those out of the records' entries and queues the action after them, in the
operation's group. When a create of the record is still unsent, the create keeps
its values from before the decision (``fields["withheld"]``): the push sends the
record as it stood, then the action.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from graphlib import TopologicalSorter
from typing import Any

from sqlalchemy import delete, event, func, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from core import undo
from core.bulk import insert_columns, new_ids
from core.errors import ShiftDeskError
from core.models import (
    OutboxEntry,
    OutboxOp,
    OutboxState,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    Synced,
    new_id,
)
from core.timeutil import utcnow
from core.wire import COLLECTIONS

APPLYING_REMOTE = "applying_remote"

#: ``session.info`` key of the decisions whose writes are running (:func:`action`).
_ACTIONS = "outbox_actions"

#: Columns that are bookkeeping, not content: changing them is no edit to push.
_META = frozenset({"server_version", "etag", "base", "dirty", "created_at", "updated_at"})

#: A shift's assignment lists: the row model, the shift's relationship to its rows,
#: the row's column, and the attribute the wire reads (``core.wire``).
_ASSIGNMENTS: Mapping[type, tuple[str, str, str]] = {
    ShiftEmployee: ("employees", "employee_id", "employee_ids"),
    ShiftDepartment: ("departments", "department_id", "assigned_department_ids"),
}

_CHUNK = 5000


def install(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _before_flush)


def collection(model: type[Synced]) -> str:
    """The wire collection of a replicated model; a model that has none must say it is
    local-only (then nothing of it is queued)."""
    if not model.__collection__:
        raise RuntimeError(
            f"{model.__name__} is replicated but names no collection and is not local-only"
        )
    return model.__collection__


@cache
def _ranks() -> dict[str, int]:
    """Each collection's place in push order: after every collection its records name."""
    graph = {
        name: {
            f.kind.target.__collection__
            for f in spec.fields
            if f.kind.target is not None and getattr(f.kind.target, "__collection__", "")
        }
        for name, spec in COLLECTIONS.items()
    }
    return {name: n for n, name in enumerate(TopologicalSorter(graph).static_order())}


def push_rank(name: str, op: str) -> tuple[int, int]:
    """Sort key of an entry within a group: creates and updates with the named records
    first, then actions (a decision finds the records it names as the group left them),
    then deletes with the naming records first."""
    rank = _ranks().get(name, len(COLLECTIONS))
    if op == OutboxOp.ACTION:
        return (1, 0)
    return (2, -rank) if op == OutboxOp.DELETE else (0, rank)


def in_push_order(entries: Iterable[OutboxEntry]) -> list[OutboxEntry]:
    """Entries as they are to be pushed: group after group, in the order the groups
    began, and within a group by :func:`push_rank`, then as written. Each flush
    writes its entries in that order already; this also orders an operation that
    flushed a department's removal before its employees'."""
    entries = sorted(entries, key=lambda e: e.seq)
    began: dict[str, int] = {}
    for entry in entries:
        began.setdefault(entry.group_id, entry.seq)
    return sorted(
        entries,
        key=lambda e: (began[e.group_id], *push_rank(e.collection, e.op), e.seq),
    )


# --- the flush hook ---------------------------------------------------------------------------


def _changed_columns(obj: Synced) -> set[str]:
    state = inspect(obj)
    return {
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in _META and state.attrs[attr.key].history.has_changes()
    }


def _changed_assignments(shift: Shift) -> set[str]:
    return {
        name
        for relation, column, name in _ASSIGNMENTS.values()
        if undo.collection_history(shift, relation, column) is not None
    }


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(APPLYING_REMOTE):
        return
    for obj in session.deleted:
        if isinstance(obj, Synced) and not obj.__made_with_company__:  # that goes with it
            raise RuntimeError(f"{type(obj).__name__} rows are soft-deleted so the delete can sync")
    edits: dict[Synced, tuple[OutboxOp, set[str]]] = {}
    for obj in session.new:
        if isinstance(obj, Synced) and not obj.__made_with_company__:  # made everywhere
            if obj.id is None:  # column defaults apply only later, in the flush
                obj.id = new_id()
            edits[obj] = (OutboxOp.CREATE, set())
    for obj in session.dirty:
        if not isinstance(obj, Synced) or obj in edits:
            continue
        fields = _changed_columns(obj)
        if isinstance(obj, Shift):
            fields |= _changed_assignments(obj)
        if fields:
            op = OutboxOp.DELETE if "deleted" in fields and obj.deleted else OutboxOp.UPDATE
            edits[obj] = (op, fields)
    # Assignment rows added or removed as rows, not (only) through the shift's lists.
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, ShiftEmployee | ShiftDepartment):
            shift = obj.shift if obj.shift is not None else session.get(Shift, obj.shift_id)
            if shift is not None:
                _, fields = edits.setdefault(shift, (OutboxOp.UPDATE, set()))
                fields.add(_ASSIGNMENTS[type(obj)][2])
    edits = {obj: edit for obj, edit in edits.items() if not type(obj).__local_only__}
    if not edits:
        return
    decisions: list[Decision] = session.info.get(_ACTIONS, [])
    group = undo.op_group(session) or new_id()
    now = utcnow()
    ordered = sorted(edits, key=lambda obj: push_rank(collection(type(obj)), edits[obj][0]))
    # What waits for each record, read once for all of them (an operation on a month
    # of shifts flushes 1,700 edits at once), not once per record.
    waiting = _queued_many(
        session, [obj.id for obj in ordered if edits[obj][0] is not OutboxOp.CREATE]
    )
    for obj in ordered:
        op, fields = edits[obj]
        covered, withheld = _covered(decisions, obj, op, fields)
        if covered is None:
            continue  # the action stands for all of it
        fields = fields - covered
        if op is OutboxOp.UPDATE and not fields and not withheld:
            continue
        obj.dirty = True
        obj.updated_at = now
        enqueue(
            session,
            obj,
            op,
            fields,
            group_id=group,
            withheld=withheld,
            queued=waiting.get(obj.id, []),
        )
    for decision in decisions:
        if decision.due and decision.obj in edits:
            decision.due = False
            _add_action(session, decision.obj, decision.name, decision.params, decision.base, group)


# --- one record ---------------------------------------------------------------------------------


def _unsent(entry: OutboxEntry) -> bool:
    return entry.attempts == 0 and entry.state == OutboxState.PENDING


def _queued(session: Session, record_id: str) -> list[OutboxEntry]:
    with session.no_autoflush:
        return list(
            session.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.record_id == record_id)
                .order_by(OutboxEntry.seq)
            )
        )


def _queued_many(session: Session, record_ids: Sequence[str]) -> dict[str, list[OutboxEntry]]:
    """:func:`_queued` for many records: {record id: its entries in order}."""
    found: dict[str, list[OutboxEntry]] = {}
    if not record_ids:
        return found
    with session.no_autoflush:
        for at in range(0, len(record_ids), _CHUNK):
            chunk = record_ids[at : at + _CHUNK]
            for entry in session.scalars(
                select(OutboxEntry)
                .where(_among(session, OutboxEntry.record_id, chunk))
                .order_by(OutboxEntry.seq)
            ):
                found.setdefault(entry.record_id, []).append(entry)
    return found


def enqueue(
    session: Session,
    obj: Synced,
    op: OutboxOp,
    fields: Iterable[str] = (),
    *,
    group_id: str | None = None,
    withheld: Mapping[str, Any] | None = None,
    queued: Sequence[OutboxEntry] | None = None,
) -> None:
    """Queue ``op`` on ``obj`` (``fields``: the attributes it changed), folding it into
    the record's unsent entries where that is exact (see the module's docstring).

    ``group_id`` defaults to the operation recording now, else a group of its own.
    ``withheld``: values, from before a decision, that a create of the record still
    unsent is to carry instead of the record's own (the action that follows sets them).
    ``queued``: the record's entries as :func:`_queued` reads them, when the caller
    read them already.
    """
    fields = set(fields)
    withheld = dict(withheld or {})
    group = group_id or undo.op_group(session) or new_id()
    if op is OutboxOp.CREATE:
        queued = []
    else:
        queued = _queued(session, obj.id) if queued is None else list(queued)
    never_sent = obj.server_version is None and all(_unsent(e) for e in queued)

    def last_unsent() -> OutboxEntry | None:
        return queued[-1] if queued and _unsent(queued[-1]) else None

    if op is OutboxOp.DELETE and never_sent:
        session.execute(delete(OutboxEntry).where(OutboxEntry.record_id == obj.id))
        obj.dirty = False
        return
    if op is OutboxOp.UPDATE and "deleted" in fields:  # revived
        last = last_unsent()
        if last is not None and last.op == OutboxOp.DELETE:
            session.delete(last)
            queued.pop()
            fields = fields - {"deleted"}
            if not fields:
                obj.dirty = bool(queued)
                return
        if never_sent and not queued:
            op = OutboxOp.CREATE  # its create went away with its delete
    last = last_unsent()
    if op is OutboxOp.UPDATE and last is not None and last.op in (OutboxOp.CREATE, OutboxOp.UPDATE):
        folded: dict[str, Any] = {
            **last.fields,
            "changed": sorted(set(last.fields.get("changed", [])) | fields),
        }
        if withheld and last.op == OutboxOp.CREATE:  # the earliest value stays
            folded["withheld"] = {**withheld, **last.fields.get("withheld", {})}
        last.fields = folded
        return
    if op is OutboxOp.UPDATE and not fields:
        return  # all it changed travels as an action
    entry_fields: dict[str, Any] = {
        "changed": sorted(fields - {"deleted"}) if op is OutboxOp.CREATE else sorted(fields)
    }
    if withheld and op is OutboxOp.CREATE:
        entry_fields["withheld"] = withheld
    session.add(
        OutboxEntry(
            collection=collection(type(obj)),
            record_id=obj.id,
            op=op,
            fields=entry_fields,
            base_version=None if op is OutboxOp.CREATE else obj.server_version,
            group_id=group,
        )
    )


def enqueue_action(
    session: Session,
    obj: Synced,
    action: str,
    params: Mapping[str, Any] | None = None,
    *,
    group_id: str | None = None,
) -> None:
    """Queue a state-machine decision on ``obj`` to travel as itself
    (``POST /v1/<collection>/<id>/<action>?<params>``), in ``group_id``, else the
    operation's group.

    An action is never folded and nothing folds into it; the field changes the
    decision made locally are queued by the flush hook as usual, so the caller
    decides which of them the action stands for (:func:`action` does both).
    """
    group = group_id or undo.op_group(session) or new_id()
    _add_action(session, obj, action, params, obj.server_version, group)


def _add_action(
    session: Session,
    obj: Synced,
    action: str,
    params: Mapping[str, Any] | None,
    base: int | None,
    group: str,
) -> None:
    session.add(
        OutboxEntry(
            collection=collection(type(obj)),
            record_id=obj.id,
            op=OutboxOp.ACTION,
            fields={"action": action, "params": dict(params or {})},
            base_version=base,
            group_id=group,
        )
    )


# --- decisions ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A column value as JSON holds it."""
    return value.isoformat() if isinstance(value, date | datetime) else value


@dataclass(eq=False)
class Decision:
    """A decision whose writes are running (see :func:`action`)."""

    obj: Synced
    name: str
    params: Mapping[str, Any]
    base: int | None
    #: What the decision's record held before, for each field the action sets.
    before: dict[str, Any]
    #: Per other record (model, id): the fields the action stands for; None: all of it.
    covers: dict[tuple[type, str], frozenset[str] | None] = field(default_factory=dict)
    #: The action is still to be queued: the hook does it in the flush that writes the
    #: decided record, after that flush's other entries and in its group.
    due: bool = True
    #: An unsent create of the record keeps ``before`` (False: undoing the decision).
    withholds: bool = True
    #: Per other record: what its covered fields held before the decision, which a
    #: still-unsent create of it keeps, so the server meets the record the decision
    #: was made on (a shift with the person on it) and makes the same writes.
    before_of: dict[tuple[type, str], dict[str, Any]] = field(default_factory=dict)

    def cover(self, obj: Synced | tuple[type, str], fields: Iterable[str] | None = None) -> None:
        """Say that the action stands for ``fields`` of ``obj`` (None: any change of
        it, a create or a delete too): the server's own handling of the action writes
        them, and the pull brings them back, so they are not queued themselves."""
        key = obj if isinstance(obj, tuple) else (type(obj), obj.id)
        if fields is not None and not isinstance(obj, tuple):
            kept = self.before_of.setdefault(key, {})
            for name in fields:
                if name not in kept:  # the earliest value stands
                    value = getattr(obj, name)
                    kept[name] = list(value) if isinstance(value, list | tuple) else _plain(value)
        if fields is None:
            self.covers[key] = None
        else:
            known = self.covers.get(key, frozenset())
            if known is not None:
                self.covers[key] = known | frozenset(fields)


def _covered(
    decisions: Sequence[Decision], obj: Synced, op: OutboxOp, fields: set[str]
) -> tuple[set[str] | None, dict[str, Any]]:
    """Of an edit, the fields the running decisions' actions stand for (None: all) and
    the values a still-unsent create of the record is to keep."""
    covered: set[str] = set()
    withheld: dict[str, Any] = {}
    for decision in decisions:
        if decision.obj is obj:
            covered |= set(decision.before)
            if decision.withholds and op in (OutboxOp.CREATE, OutboxOp.UPDATE):
                withheld.update({k: _plain(v) for k, v in decision.before.items()})
            continue
        key = (type(obj), obj.id)
        if key in decision.covers:
            named = decision.covers[key]
            if named is None:
                return None, {}
            covered |= named
            # Only a record the server has never acknowledged can have a create still
            # to send (and it is dirty already).
            if decision.withholds and obj.server_version is None:
                kept = decision.before_of.get(key, {})
                withheld.update({k: v for k, v in kept.items() if k not in withheld})
    return covered, withheld


@contextmanager
def action(
    session: Session,
    obj: Synced,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    sets: Iterable[str],
) -> Iterator[Decision]:
    """Run a decision's writes so that it travels as the action
    ``POST /v1/<collection>/<obj id>/<name>?<params>``, based on the record's version
    now, instead of as the fields ``sets`` of ``obj``; other records the action also
    writes on the server are named with :meth:`Decision.cover`.

    The action is queued by the flush hook (only sessions of a store have it; on the
    server the same writes simply happen) after the entries of the decision's other
    writes, in the group of the flush that writes ``obj`` (the operation's).
    """
    decision = Decision(
        obj,
        name,
        dict(params or {}),
        obj.server_version,
        {k: getattr(obj, k) for k in sets},
    )
    with _running(session, decision):
        yield decision


@contextmanager
def _running(session: Session, decision: Decision) -> Iterator[None]:
    stack: list[Decision] = session.info.setdefault(_ACTIONS, [])
    stack.append(decision)
    try:
        yield
        session.flush()
    finally:
        stack.remove(decision)
        if not stack:
            del session.info[_ACTIONS]


class AlreadySent(ShiftDeskError):
    """The decision to withdraw has been handed to the server (or is not queued)."""


@contextmanager
def withdrawal(
    session: Session, obj: Synced, name: str, *, sets: Iterable[str]
) -> Iterator[Decision]:
    """Run the undo of a decision whose action ``name`` on ``obj`` is still unsent: the
    action entry goes, and what the undo writes back (the fields ``sets``, and what is
    named with :meth:`Decision.cover`) is not queued, as the server never heard of it.

    Raises :class:`AlreadySent`, writing nothing, when the record's last action is not
    that one, unsent (the server has it: only another decision can reverse it).
    """
    session.flush()
    actions = [e for e in _queued(session, obj.id) if e.op == OutboxOp.ACTION]
    last = actions[-1] if actions else None
    if last is None or not _unsent(last) or last.fields.get("action") != name:
        raise AlreadySent(f"the {name} of {obj.id} has been sent")
    decision = Decision(obj, name, {}, obj.server_version, dict.fromkeys(sets))
    decision.due = False
    decision.withholds = False
    with _running(session, decision):
        yield decision
    session.delete(last)
    session.flush()
    obj.dirty = bool(_queued(session, obj.id))


# --- many records at once -----------------------------------------------------------------------
#
# Template application writes a year of shifts, and undoing it removes them again;
# loading each row and flushing it through ``enqueue`` costs a query per row. The
# functions below do what ``enqueue`` does for the cases bulk work meets, records
# the server never saw, in a few statements.


def enqueue_many(
    session: Session, model: type[Synced], ids: Sequence[str], *, group_id: str | None = None
) -> None:
    """Queue a create for each of ``ids``: rows a bulk statement just wrote (or revived)
    that the server never saw and that have nothing queued, in the order given, as
    one group (``group_id``, else the operation's if one is recording)."""
    if not ids:
        return
    insert_columns(
        session,
        OutboxEntry.__table__,
        len(ids),
        {"key": sorted(new_ids(len(ids))), "record_id": list(ids)},
        {
            "collection": collection(model),
            "op": OutboxOp.CREATE.value,
            "fields": {"changed": []},
            "created_at": utcnow(),
            "attempts": 0,
            "state": OutboxState.PENDING.value,
            "base_version": None,
            "group_id": group_id or undo.op_group(session) or new_id(),
        },
    )


def _among(session: Session, column: Any, ids: Sequence[str]) -> Any:
    """``column IN ids``. On SQLite the ids go as one JSON array read by ``json_each``:
    a plain IN list of thousands is compiled one bound parameter at a time, which cost
    more than the statements themselves."""
    if session.get_bind().dialect.name != "sqlite":
        return column.in_(list(ids))
    values = func.json_each(json.dumps(list(ids))).table_valued("value")
    return column.in_(select(values.c.value))


def _went() -> Any:
    """An entry tried or handed to a push: the server may have its record."""
    return (OutboxEntry.attempts > 0) | (OutboxEntry.state != OutboxState.PENDING)


def _unsent_records(session: Session, model: type[Synced], ids: list[str]) -> dict[str, bool]:
    """Of these ids, the records the server never saw, with whether any entry waits.

    Each statement returns only the exceptions (records pushed, entries sent or
    waiting) where it can, and a count for the rest: undoing a year of new shifts
    asks this of tens of thousands of records that are all unsent."""
    found: dict[str, bool] = {}
    for at in range(0, len(ids), _CHUNK):
        chunk = ids[at : at + _CHUNK]
        unseen = (_among(session, model.id, chunk), model.server_version.is_(None))
        count = session.scalar(select(func.count()).select_from(model).where(*unseen))
        never_pushed = (
            set(chunk)
            if count == len(chunk)
            else set(session.scalars(select(model.id).where(*unseen)))
        )
        entries = _among(session, OutboxEntry.record_id, chunk)
        sent = set(session.scalars(select(OutboxEntry.record_id).where(entries, _went())))
        queued = set(session.scalars(select(OutboxEntry.record_id).where(entries)))
        found.update((rid, rid in queued) for rid in never_pushed - sent)
    return found


def _set_deleted(
    session: Session,
    model: type[Synced],
    ids: list[str],
    *,
    only: Sequence[Any] = (),
    **values: Any,
) -> list[str]:
    """Set ``values`` on the rows of ``ids`` that meet the conditions ``only``; their ids.

    Where every row of a chunk meets them (the statement's row count says so) no id
    is read back; else one query reads which did, the update leaving what they test
    unchanged."""
    changed: list[str] = []
    for at in range(0, len(ids), _CHUNK):
        chunk = ids[at : at + _CHUNK]
        among = (_among(session, model.id, chunk), *only)
        result = session.execute(
            update(model)
            .where(*among)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        if not only or result.rowcount == len(chunk):  # type: ignore[attr-defined]
            changed += chunk
        else:
            met = set(session.scalars(select(model.id).where(*among)))
            changed += [rid for rid in chunk if rid in met]
    # What synchronize_session="fetch" did, for the few rows a session holds, without
    # fetching every id back: the objects loaded are read again when next used.
    held = set(changed)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and obj.id in held:
            session.expire(obj, ["updated_at", *values])
    return changed


def soft_delete_many(session: Session, model: type[Synced], ids: list[str]) -> list[str]:
    """Soft-delete live records the server never saw; as :func:`enqueue` does, their
    unsent entries are dropped and nothing is left to send. Returns the other ids,
    for the caller to change through the ORM as usual.

    The test of which records the server never saw (no version, no entry sent or
    handed to a push) goes in the UPDATE itself: undoing a year of new shifts asks it
    of tens of thousands of records, all unsent, and one pass over them suffices."""
    session.flush()
    sent = select(OutboxEntry.seq).where(OutboxEntry.record_id == model.id, _went()).exists()
    unseen = (model.server_version.is_(None), ~sent)
    done = _set_deleted(session, model, ids, only=unseen, deleted=True, dirty=False)
    for at in range(0, len(done), _CHUNK):
        chunk = done[at : at + _CHUNK]
        session.execute(
            delete(OutboxEntry)
            .where(_among(session, OutboxEntry.record_id, chunk))
            .execution_options(synchronize_session=False)
        )
    gone = set(done)  # entries this session holds leave it, as "fetch" would have done
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OutboxEntry) and obj.record_id in gone:
            session.expunge(obj)
    return [rid for rid in ids if rid not in gone]


def revive_many(session: Session, model: type[Synced], ids: list[str]) -> list[str]:
    """Undelete records the server never saw and that have nothing waiting: as with
    :func:`enqueue`, each is queued as a create again. Returns the other ids."""
    session.flush()
    unsent = _unsent_records(session, model, ids)
    done = [rid for rid in ids if unsent.get(rid) is False]
    _set_deleted(session, model, done, deleted=False, dirty=True)
    enqueue_many(session, model, done)
    return [rid for rid in ids if unsent.get(rid) is not False]


# --- what waits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxCounts:
    """Entries by what they wait for: the next push, a fix, a supervisor's choice."""

    #: Pending, or handed to a push that has not finished.
    waiting: int = 0
    failed: int = 0
    conflicts: int = 0


def counts(session: Session) -> OutboxCounts:
    """How many entries wait to be pushed, failed, or wait for a conflict (one query)."""
    by_state = dict(
        session.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)).all()
    )
    return OutboxCounts(
        waiting=by_state.get(OutboxState.PENDING, 0) + by_state.get(OutboxState.SENDING, 0),
        failed=by_state.get(OutboxState.FAILED, 0),
        conflicts=by_state.get(OutboxState.CONFLICT, 0),
    )
