"""Undo, recorded once for every operation: per row and per field, before and after.

An operation runs inside :func:`recording`; every flush of its session reports the
fields that moved (a session hook reads SQLAlchemy's attribute history), and the
operation hands back :meth:`Recorder.result`, whose ``undo`` is a :class:`Step`.

A step applies only where every field it would put back still holds the value the
operation left there. Anything else means the record changed since (another edit,
or a pull of another site's change), and the step refuses as a whole with
:class:`UndoRefused`, naming the records and fields, and writes nothing: an undo
must never push an old value over somebody else's edit. Applying a step records
again, so its result's ``undo`` is the redo, held to the same rule.

Replicated rows are soft-deleted, so "created" is ``deleted`` going from absent to
False and undoing it sets ``deleted``; rows of the few local tables that are not
replicated (company, site, pay policy) are really inserted and removed. A shift's
assigned people and departments are rows of their own tables, seen here as two
fields of the shift (``employee_ids``, ``department_ids``: sorted tuples), as the
wire sees them.

Bulk writes bypass the ORM (a year of shifts is 100,000 rows), so the hook does not
see them; they report a :class:`BulkChange` instead, which holds their rows column
by column, checks them a chunk of rows per query, and is put back through
:mod:`core.outbox`'s soft-delete and revival of many rows in a few statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from core.bulk import gc_paused
from core.changes import Changes, of_model
from core.errors import ShiftDeskError
from core.models import (
    Company,
    OutboxEntry,
    OutboxOp,
    PayPolicy,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    Site,
    Synced,
)
from core.pay_periods import refuse_overnight_change, refuse_rows
from core.results import OpResult

_RECORDERS = "undo_recorders"
_GROUP = "op_group"
_CHUNK = 5000

#: Columns that are bookkeeping, not content: a pull or a push changes them, an
#: operation's undo neither compares nor restores them.
BOOKKEEPING = frozenset(
    {"id", "server_version", "etag", "base", "dirty", "created_at", "updated_at"}
)

#: Local tables whose rows are inserted and removed for real (not soft-deleted).
_LOCAL_MODELS: tuple[type, ...] = (Company, Site, PayPolicy)


class _Absent:
    """The value of a field of a row that did not exist."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class UndoRefused(ShiftDeskError):
    """Some record changed since the operation; nothing was undone (or redone)."""

    def __init__(self, changed: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.changed = tuple((label, tuple(fields)) for label, fields in changed)
        named = "; ".join(f"{label} ({', '.join(fields)})" for label, fields in self.changed[:5])
        more = f" and {len(self.changed) - 5} more" if len(self.changed) > 5 else ""
        if all(fields[0] in SERVER_REASONS for _, fields in self.changed if fields):
            why = "the server has it so, and no site can change that back"
        else:
            why = "changed since, and undoing would overwrite that"
        super().__init__(f"nothing was undone: {named}{more} {why}")


#: Why an undo that changes nothing local is still refused: the server's copy rules.
SERVER_REASONS = frozenset({"deleted on the server", "kept on the server"})


def _removed_for_real(model: type) -> bool:
    """Rows of local tables, and the replicated row that goes with its company (the
    pay policy), are inserted and removed for real; other replicated rows softly."""
    return not issubclass(model, Synced) or model.__made_with_company__


def _tracked(obj: object) -> bool:
    return isinstance(obj, (Synced, *_LOCAL_MODELS))


def _content_columns(model: type) -> list[str]:
    return [a.key for a in inspect(model).column_attrs if a.key not in BOOKKEEPING]


# --- pseudo-fields: a shift's assignments --------------------------------------------------

_ASSIGNMENTS: Mapping[str, tuple[str, type, str]] = {
    # field of the shift -> (its relationship, the row model, the row's column)
    "employee_ids": ("employees", ShiftEmployee, "employee_id"),
    "department_ids": ("departments", ShiftDepartment, "department_id"),
}


def collection_history(obj: Shift, relation: str, column: str) -> tuple[tuple, tuple] | None:
    """(before, after) of one assignment list; None when it did not change.

    Read from the relationship's history, so it sees a row taken off the list
    before the flush's delete-orphan cascade removes it (the outbox reads it too)."""
    history = inspect(obj).attrs[relation].history
    if not history.added and not history.deleted:
        return None
    kept = [getattr(row, column) for row in history.unchanged]
    before = tuple(sorted(kept + [getattr(row, column) for row in history.deleted]))
    after = tuple(sorted(kept + [getattr(row, column) for row in history.added]))
    return None if before == after else (before, after)


def _set_assignments(shift: Shift, name: str, wanted: Sequence[str]) -> None:
    relation, row_model, column = _ASSIGNMENTS[name]
    current = getattr(shift, relation)
    keep = [row for row in current if getattr(row, column) in wanted]
    have = {getattr(row, column) for row in keep}
    setattr(
        shift,
        relation,
        keep + [row_model(**{column: value}) for value in wanted if value not in have],
    )


# --- recording ---------------------------------------------------------------------------


@dataclass
class _Row:
    model: type
    row_id: str
    #: field -> [before, after]; the first before and the last after win.
    fields: dict[str, list[Any]] = field(default_factory=dict)


class Recorder:
    """Collects what one operation changed, in the order rows were first touched."""

    def __init__(self) -> None:
        self._rows: dict[tuple[type, str], _Row] = {}
        #: Rows and bulk changes in the order they were first seen.
        self._order: list[_Row | BulkChange] = []

    def note(self, model: type, row_id: str, name: str, before: Any, after: Any) -> None:
        """Record one field's change (the ORM's are seen by the hook)."""
        row = self._rows.get((model, row_id))
        if row is None:
            row = self._rows[(model, row_id)] = _Row(model, row_id)
            self._order.append(row)
        if name in row.fields:
            row.fields[name][1] = after
        else:
            row.fields[name] = [before, after]

    def note_created(self, model: type, row_id: str, values: Mapping[str, Any]) -> None:
        """A row that did not exist and now holds ``values`` (``deleted`` False if replicated)."""
        for name, value in values.items():
            self.note(model, row_id, name, ABSENT, value)

    def note_bulk(self, change: BulkChange) -> None:
        """Many rows written past the ORM, all the same way (see :class:`BulkChange`).

        The operation may change other fields of those rows, not the same ones: each
        change is checked against what the operation left, on its own.
        """
        if change.ids:
            self._order.append(change)

    @property
    def changes(self) -> tuple[RowChange | BulkChange, ...]:
        found: list[RowChange | BulkChange] = []
        for entry in self._order:
            if isinstance(entry, BulkChange):
                found.append(entry)
                continue
            moved = {k: (b, a) for k, (b, a) in entry.fields.items() if b != a}
            if moved:
                found.append(RowChange(entry.model, entry.row_id, moved))
        return tuple(found)

    def result(self, *, into: type[OpResult] = OpResult, **extra: Any) -> OpResult:
        """The operation's result: what changed (derived from the rows), its ids and undo.

        ``extra`` adds warnings, or overrides ``ids`` or ``changed`` where the
        operation names its own; ``into`` is the result's type, for an operation
        whose result says more (it is given the rest of ``extra``).
        """
        changes = self.changes
        ids = extra.pop("ids", None) or tuple(dict.fromkeys(_row_ids(changes)))
        step = Step(changes, ids)
        return into(**{"changed": step.kinds, "undo": step, "ids": ids, **extra})


def _row_ids(changes: Iterable[RowChange | BulkChange]) -> Iterator[str]:
    for change in changes:
        if isinstance(change, BulkChange):
            yield from change.ids
        else:
            yield change.row_id


@dataclass(frozen=True)
class RowChange:
    model: type
    row_id: str
    #: field -> (before, after); ABSENT where the row did not exist.
    fields: Mapping[str, tuple[Any, Any]]

    @property
    def created(self) -> bool:
        return all(before is ABSENT for before, _ in self.fields.values())

    @property
    def removed(self) -> bool:
        return all(after is ABSENT for _, after in self.fields.values())

    def inverse_fields(self) -> dict[str, tuple[Any, Any]]:
        return {k: (a, b) for k, (b, a) in self.fields.items()}


class PerRow(tuple):
    """One value per row of a :class:`BulkChange`, in the order of its ids."""

    __slots__ = ()


@dataclass(frozen=True, eq=False)
class BulkChange:
    """Many replicated rows of one model that a bulk write created, deleted or revived.

    What a write past the ORM records instead of a :class:`RowChange` per row: the
    values are kept column by column, each side of a field either one value for
    every row or a :class:`PerRow` tuple. A creation holds every content field (so
    its undo refuses where anything of a row changed since, as a row's would); a
    deletion or revival holds ``deleted`` alone, as the hook would record it.
    """

    model: type
    ids: tuple[str, ...]
    #: field -> (before, after); before is ABSENT for every field of a creation.
    fields: Mapping[str, tuple[Any, Any]]

    @property
    def created(self) -> bool:
        return all(before is ABSENT for before, _ in self.fields.values())

    def after(self, name: str) -> tuple[Any, ...]:
        """What each row's field holds once the write is done, in the order of ``ids``."""
        value = self.fields[name][1]
        return value if isinstance(value, PerRow) else (value,) * len(self.ids)


@contextmanager
def recording(session: Session) -> Iterator[Recorder]:
    """Record every change ``session`` flushes inside the block (nested blocks see theirs,
    and their outer blocks see them too). Pending changes made before it are flushed
    first, so they are not taken for the operation's."""
    session.flush()
    recorder = Recorder()
    stack: list[Recorder] = session.info.setdefault(_RECORDERS, [])
    outermost = not stack
    if outermost:
        session.info[_GROUP] = _new_id()
    stack.append(recorder)
    try:
        yield recorder
        session.flush()
    finally:
        stack.remove(recorder)
        if outermost:
            del session.info[_GROUP]


def op_group(session: Session) -> str | None:
    """The id of the operation recording in ``session`` now (its outermost
    :func:`recording` block), None outside any: the outbox groups the entries one
    operation writes under it, so they travel together."""
    return session.info.get(_GROUP)


def active(session: Session) -> list[Recorder]:
    """The recorders listening to ``session`` now."""
    return list(session.info.get(_RECORDERS, ()))


def note_inserted(
    session: Session,
    model: type,
    ids: Sequence[str],
    columns: Mapping[str, Sequence[Any]],
    same: Mapping[str, Any],
    **fields: Sequence[Any],
) -> None:
    """Tell the recorders about rows :func:`core.bulk.insert_columns` wrote.

    ``columns`` and ``same`` are what it was given; a content column named in
    neither holds its default. ``fields`` adds pseudo-fields one value per row (a
    shift's ``employee_ids`` and ``department_ids``: sorted tuples).
    """
    recorders = active(session)
    if not recorders or not ids:
        return
    table = model.__table__  # type: ignore[attr-defined]
    values: dict[str, tuple[Any, Any]] = {}
    for name in _content_columns(model):
        if name in columns:
            values[name] = (ABSENT, _compact(columns[name]))
        elif name in same:
            values[name] = (ABSENT, same[name])
        else:
            default = table.c[name].default
            if default is not None and not default.is_scalar:
                raise ValueError(f"{name}: give a value per row, its default differs each time")
            values[name] = (ABSENT, default.arg if default is not None else None)
    for name, per_row in fields.items():
        values[name] = (ABSENT, _compact(per_row))
    change = BulkChange(model, tuple(ids), values)
    for recorder in recorders:
        recorder.note_bulk(change)


def _compact(values: Sequence[Any]) -> Any:
    """One value when every row holds the same (most columns of a template's shifts do:
    it checks in one pass and takes no room per row), else a PerRow."""
    if values and values.count(values[0]) == len(values):
        return values[0]
    return PerRow(values)


def set_deleted_many(session: Session, model: type, ids: Sequence[str], *, deleted: bool) -> None:
    """Soft-delete (or bring back) many replicated rows that all hold the other value.

    Rows the server never saw change in a few statements (:mod:`core.outbox`'s
    fast paths) and are recorded as one :class:`BulkChange`; any others go through
    the ORM, so their outbox entries are exactly those of a one-by-one change, and
    the hook records them.
    """
    from core import outbox  # the outbox reads the recorder's groups: import it late

    ids = list(ids)
    change = outbox.soft_delete_many if deleted else outbox.revive_many
    left = change(session, model, ids)  # type: ignore[arg-type]
    if len(left) < len(ids):
        rest = set(left)
        done = tuple(rid for rid in ids if rid not in rest)
        for recorder in active(session):
            recorder.note_bulk(BulkChange(model, done, {"deleted": (not deleted, deleted)}))
    for at in range(0, len(left), _CHUNK):
        query = select(model).where(model.id.in_(left[at : at + _CHUNK]))  # type: ignore[attr-defined]
        for row in session.scalars(query):
            if row.deleted != deleted:
                row.deleted = deleted
    session.flush()


def _old_value(session: Session, obj: object, key: str) -> Any:
    """The value a column had before this flush, read from the database if the session
    never loaded it."""
    history = inspect(obj).attrs[key].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    model = type(obj)
    with session.no_autoflush:
        return session.execute(
            select(getattr(model, key)).where(model.id == obj.id)  # type: ignore[attr-defined]
        ).scalar_one()


def _capture(session: Session, _context: Any, _instances: Any) -> None:
    recorders: list[Recorder] = session.info.get(_RECORDERS, [])
    if not recorders:
        return
    notes: list[tuple[type, str, str, Any, Any]] = []
    for obj in session.new:
        if not _tracked(obj):
            continue
        model = type(obj)
        if obj.id is None:  # type: ignore[attr-defined]
            obj.id = _new_id()  # type: ignore[attr-defined]
        _fill_defaults(obj)
        values = {key: getattr(obj, key) for key in _content_columns(model)}
        if isinstance(obj, Synced):
            values["deleted"] = bool(obj.deleted)
        if isinstance(obj, Shift):
            values["employee_ids"] = tuple(obj.employee_ids)
            values["department_ids"] = tuple(obj.assigned_department_ids)
        notes += [(model, obj.id, k, ABSENT, v) for k, v in values.items()]  # type: ignore[attr-defined]
    for obj in session.dirty:
        if not _tracked(obj) or obj in session.new:
            continue
        model = type(obj)
        state = inspect(obj)
        for key in _content_columns(model):
            history = state.attrs[key].history
            if history.added or history.deleted:
                after = history.added[0] if history.added else None
                notes.append((model, obj.id, key, _old_value(session, obj, key), after))  # type: ignore[attr-defined]
        if isinstance(obj, Shift):
            for name, (relation, _, column) in _ASSIGNMENTS.items():
                moved = collection_history(obj, relation, column)
                if moved is not None:
                    notes.append((Shift, obj.id, name, *moved))
    for obj in session.deleted:
        if not isinstance(obj, _LOCAL_MODELS):
            continue  # replicated rows are soft-deleted; the outbox refuses a real delete
        model = type(obj)
        notes += [
            (model, obj.id, key, _old_value(session, obj, key), ABSENT)  # type: ignore[attr-defined]
            for key in _content_columns(model)
        ]
    for recorder in recorders:
        for note in notes:
            recorder.note(*note)


def _fill_defaults(obj: object) -> None:
    """Give a new row its column defaults now, as the INSERT would, so the values
    recorded are the values stored (a default is otherwise applied only in the flush)."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in state.dict:
            continue
        default = attr.columns[0].default
        if default is None:
            continue
        if default.is_scalar:
            setattr(obj, attr.key, default.arg)
        elif default.is_callable:
            setattr(obj, attr.key, default.arg(None))


def _new_id() -> str:
    from core.models import new_id

    return new_id()


event.listen(Session, "before_flush", _capture)


# --- applying a step -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """The inverse of one operation's changes, applied all or nothing."""

    changes: tuple[RowChange | BulkChange, ...]
    #: The ids its operation reported; the result of applying the step reports them too.
    ids: tuple[str, ...] = ()
    #: Done each time the step applies, after the rows went back, in the same session;
    #: it goes with the inverse step too (an operation's audit line, say).
    then: Callable[[Session, Step], None] | None = field(default=None, compare=False)

    @property
    def kinds(self) -> Changes:
        kinds = Changes.NONE
        for change in self.changes:
            kinds |= of_model(change.model)
        return kinds

    def __call__(self, session: Session) -> OpResult:
        if not any(isinstance(change, BulkChange) for change in self.changes):
            return self._apply(session)
        # A bulk step reads and writes tens of thousands of rows (a year of shifts);
        # each collection their rows set off would walk them and free nothing, as
        # for the template application that wrote them (:func:`core.bulk.gc_paused`).
        with gc_paused():
            return self._apply(session)

    def _apply(self, session: Session) -> OpResult:
        session.flush()
        refused = _stale(session, self.changes)
        if refused:
            raise UndoRefused(refused)
        touched: dict[type, set[str]] = {}
        for change in self.changes:
            touched.setdefault(change.model, set()).update(_row_ids((change,)))
        refuse_rows(session, touched)  # nothing in a closed pay period moves, either way
        _refuse_overnight_moves(session, self.changes)
        with recording(session) as recorder:
            loaded = _load_rows(session, self.changes)  # held: the session keeps rows weakly
            # Flushed once at the end (bar the ordering flushes below), not once per
            # row as each row's load would: a month's fill is 1,700 rows.
            with session.no_autoflush:
                for change in reversed(self.changes):
                    _put_back(session, change)
                    if isinstance(change, RowChange) and (change.created or change.removed):
                        session.flush()  # inserts and removals in dependency order
            session.flush()
            del loaded
            refuse_rows(session, touched)
            if self.then is not None:
                self.then(session, self)
        result = recorder.result(ids=self.ids)
        assert isinstance(result.undo, Step)
        return replace(result, undo=replace(result.undo, then=self.then))


def _refuse_overnight_moves(session: Session, changes: Iterable[RowChange | BulkChange]) -> None:
    """Refuse a step that changes a policy's overnight day, as :func:`core.policy.set_policy`
    refuses the change itself (:func:`refuse_overnight_change`): putting the old day back
    would move a closed period's night hours just the same. Asked before anything moves."""
    for change in changes:
        if isinstance(change, RowChange) and change.model is PayPolicy:
            before, after = change.fields.get("overnight_day", (None, None))
            if before != after:
                policy = session.get(PayPolicy, change.row_id)
                if policy is not None:
                    refuse_overnight_change(session, policy.company_id)


def _column(model: type, name: str) -> Any:
    return inspect(model).column_attrs[name].columns[0]


def _read(
    session: Session, model: type, ids: Sequence[str], names: Iterable[str]
) -> dict[str, list[Any]]:
    """The stored value of each named field of each row, as SQLite holds it (an
    assignment list as a sorted tuple): {field: values in the order of ids}.

    One plain SQL query per chunk of ids (and per assignment list), so reading a
    year of shifts costs SQLite's work and little more: no query per shift, and no
    conversion per value (see :func:`_columns`). A missing row reads ABSENT.
    """
    names = list(names)
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    table = inspect(model).local_table
    key = _column(model, "id")
    plain = [n for n in names if n not in _ASSIGNMENTS]
    select_rows = (
        f"SELECT {', '.join(quote(c.name) for c in [key, *(_column(model, n) for n in plain)])}"
        f" FROM {quote(table.name)} WHERE {quote(key.name)} IN "
    )
    found: dict[str, list[Any]] = {name: [] for name in names}
    missing = (None, *(ABSENT,) * len(plain))
    for at in range(0, len(ids), _CHUNK):
        chunk = tuple(ids[at : at + _CHUNK])
        marks = f"({', '.join('?' * len(chunk))})"
        fetched = connection.exec_driver_sql(select_rows + marks, chunk).fetchall()
        rows = {row[0]: row for row in fetched}
        aligned = [rows.get(rid, missing) for rid in chunk]
        for name, values in zip(plain, list(zip(*aligned, strict=True))[1:], strict=True):
            found[name].extend(values)
        for name in names:
            if name not in _ASSIGNMENTS:
                continue
            _, row_model, column = _ASSIGNMENTS[name]
            lists: dict[str, list[str]] = {}
            for shift_id, value in connection.exec_driver_sql(
                f"SELECT shift_id, {quote(column)} FROM {quote(row_model.__tablename__)}"
                f" WHERE shift_id IN {marks} ORDER BY shift_id, {quote(column)}",
                chunk,
            ).fetchall():
                lists.setdefault(shift_id, []).append(value)
            found[name].extend(
                tuple(lists.get(rid, ())) if rid in rows else ABSENT for rid in chunk
            )
    return found


def _converted(session: Session, model: type, name: str, stored: list[Any]) -> list[Any]:
    """Stored values as the ORM hands them back (each distinct one converted once)."""
    if name in _ASSIGNMENTS:
        return stored
    dialect = session.connection().dialect
    process = _column(model, name).type.dialect_impl(dialect).result_processor(dialect, None)
    if process is None:
        return stored
    done = {v: ABSENT if v is ABSENT else process(v) for v in set(stored)}
    return list(map(done.__getitem__, stored))


def _columns(
    session: Session, model: type, ids: Sequence[str], names: Iterable[str]
) -> dict[str, tuple[Any, ...]]:
    """The current value of each named field of each row: {field: values in ids' order}."""
    stored = _read(session, model, ids, names)
    return {n: tuple(_converted(session, model, n, values)) for n, values in stored.items()}


def _current(
    session: Session, model: type, ids: Sequence[str], names: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The current value of each named field of each row: {id: {field: value}}."""
    columns = _columns(session, model, ids, names)
    return {rid: {name: values[n] for name, values in columns.items()} for n, rid in enumerate(ids)}


def _stale(
    session: Session, changes: Sequence[RowChange | BulkChange]
) -> list[tuple[str, list[str]]]:
    """Records (labelled) and fields that no longer hold what the operation left."""
    by_model: dict[type, list[RowChange]] = {}
    refused = []
    for change in changes:
        if isinstance(change, BulkChange):
            refused += _stale_bulk(session, change, named=max(0, 5 - len(refused)))
        else:
            by_model.setdefault(change.model, []).append(change)
    for model, group in by_model.items():
        names = {n for c in group for n in c.fields}
        current = _current(session, model, [c.row_id for c in group], names)
        for change in group:
            now = current[change.row_id]
            moved = [n for n, (_, after) in change.fields.items() if not _same(now[n], after)]
            if moved:
                refused.append((label(session, model, change.row_id), moved))
            elif _tombstone_on_server(session, model, change):
                refused.append((label(session, model, change.row_id), ["deleted on the server"]))
            elif _kept_by_server(session, model, change):
                refused.append((label(session, model, change.row_id), ["kept on the server"]))
    return refused


def _kept_by_server(session: Session, model: type, change: RowChange) -> bool:
    """Would this step remove an append-only record (a punch) the server already has?

    The server never removes those (a punch is corrected by a correction, not
    erased), so the undo is refused rather than queued as a delete no one accepts."""
    if not getattr(model, "__append_only__", False) or "deleted" not in change.fields:
        return False
    if change.fields["deleted"][1] is not False:
        return False  # not a removal
    row = session.get(model, change.row_id)
    return row is not None and row.server_version is not None


def _tombstone_on_server(session: Session, model: type, change: RowChange) -> bool:
    """Would this step bring back a record whose deletion the server already has?

    No route revives a tombstone (the server's copy is gone for every site), so such
    an undo is refused: the record is to be made again. A deletion still waiting in
    the outbox is simply cancelled by the revival."""
    deleted = change.fields.get("deleted")
    if deleted is None or deleted[1] is not True or not issubclass(model, Synced):
        return False
    row = session.get(model, change.row_id)
    if row is None or row.server_version is None:
        return False
    unsent_delete = session.scalar(
        select(OutboxEntry.seq).where(
            OutboxEntry.record_id == change.row_id,
            OutboxEntry.op == OutboxOp.DELETE,
            OutboxEntry.attempts == 0,
        )
    )
    return unsent_delete is None


def _stale_bulk(session: Session, change: BulkChange, named: int) -> list[tuple[str, list[str]]]:
    """As :func:`_stale`, for a bulk change: a quick pass over what SQLite stores
    finds the rows that may have changed, and only those are compared field by field
    as the ORM reads them. The first ``named`` records are labelled as people read
    them, the rest by id."""
    model = change.model
    suspects = _suspects(session, change)
    if not suspects:
        return []
    ids = [change.ids[n] for n in suspects]
    now = _columns(session, model, ids, change.fields)
    after = {name: change.after(name) for name in change.fields}
    refused = []
    for at, n in enumerate(suspects):
        moved = [name for name in change.fields if not _same(now[name][at], after[name][n])]
        if moved:
            row_id = change.ids[n]
            who = (
                label(session, model, row_id) if len(refused) < named else _id_label(model, row_id)
            )
            refused.append((who, moved))
    return refused


_SEPARATOR = "\x1f"  # joins an assignment list in SQL; no id holds it


def _suspects(session: Session, change: BulkChange) -> list[int]:
    """Positions of the rows of ``change`` that may no longer hold what it left.

    One statement per chunk of ids tests in SQL every field that holds one value for
    all rows (most do; a deletion's only field does), and reads per row only those
    that differ from row to row (an assignment list joined into one text), which are
    compared with what the write stored; where none differ, it only counts the rows
    that hold. A row it passes holds what the write left; a row it flags is compared
    exactly by the caller (a list joined in another order is no change).
    """
    model = change.model
    dialect = session.connection().dialect
    quote = dialect.identifier_preparer.quote
    table = quote(inspect(model).local_table.name)
    key = quote(_column(model, "id").name)

    def stored(name: str, value: Any) -> Any:
        bind = _column(model, name).type.dialect_impl(dialect).bind_processor(dialect)
        return value if bind is None or value is None else bind(value)

    tests: list[str] = []
    params: list[Any] = []
    outputs = [key]
    varying: list[list[Any]] = []
    for name, (_, after) in change.fields.items():
        if name in _ASSIGNMENTS:
            _, row_model, column = _ASSIGNMENTS[name]
            rows = f"FROM {quote(row_model.__tablename__)} WHERE shift_id = {table}.{key}"
            joined = f"(SELECT group_concat({quote(column)}, char(31)) {rows})"
            if isinstance(after, PerRow):
                outputs.append(joined)
                varying.append([_SEPARATOR.join(v) if v else None for v in after])
            elif after:
                tests.append(f"{joined} IS ?")
                params.append(_SEPARATOR.join(after))
            else:
                tests.append(f"NOT EXISTS (SELECT 1 {rows})")
        elif isinstance(after, PerRow):
            outputs.append(quote(_column(model, name).name))
            try:
                done = {v: stored(name, v) for v in set(after)}
            except TypeError:  # unhashable values
                varying.append([stored(name, v) for v in after])
            else:
                varying.append(list(map(done.__getitem__, after)))
        else:
            tests.append(f"{quote(_column(model, name).name)} IS ?")
            params.append(stored(name, after))
    holds = f"({' AND '.join(tests)})" if tests else "1"
    outputs.append(holds)
    query = f"SELECT {', '.join(outputs)} FROM {table} WHERE {key} IN "
    count = f"SELECT count(*) FROM {table} WHERE {holds} AND {key} IN "
    cursor = session.connection().connection.cursor()
    flagged: list[int] = []
    missing = (None, *(ABSENT for _ in varying), 0)
    for at in range(0, len(change.ids), _CHUNK):
        chunk = change.ids[at : at + _CHUNK]
        marks = f"({', '.join('?' * len(chunk))})"
        # With nothing to read per row, counting the rows that hold is enough.
        counted = None if varying else cursor.execute(count + marks, (*params, *chunk))
        if counted is not None and counted.fetchone()[0] == len(chunk):
            continue
        fetched = cursor.execute(query + marks, (*params, *chunk)).fetchall()
        if [row[0] for row in fetched] != list(chunk):  # rows missing, or in another order
            by_id = {row[0]: row for row in fetched}
            fetched = [by_id.get(rid, missing) for rid in chunk]
        columns = list(zip(*fetched, strict=True))[1:]
        expected = [values[at : at + _CHUNK] for values in varying]
        expected.append([1] * len(chunk))
        bad: set[int] = set()
        for found, wanted in zip(columns, expected, strict=True):
            if list(found) != wanted:
                bad.update(n for n, (a, b) in enumerate(zip(found, wanted, strict=True)) if a != b)
        flagged += sorted(at + n for n in bad)
    cursor.close()
    return flagged


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return tuple(a) == tuple(b)
    return bool(a == b) if a is not ABSENT and b is not ABSENT else a is b


def _load_rows(session: Session, changes: Sequence[RowChange | BulkChange]) -> list[object]:
    """Load the rows a step puts back one by one, a chunk per query (with the
    assignment lists it sets), so :func:`_put_back` finds each in the session
    instead of asking SQLite for it, and its people and departments, row by row.
    The caller holds the list while it puts them back."""
    loaded: list[object] = []
    wanted: dict[type, tuple[list[str], set[str]]] = {}
    for change in changes:
        if isinstance(change, BulkChange):
            continue
        ids, relations = wanted.setdefault(change.model, ([], set()))
        ids.append(change.row_id)
        relations.update(_ASSIGNMENTS[n][0] for n in change.fields if n in _ASSIGNMENTS)
    for model, (ids, relations) in wanted.items():
        key = model.id  # type: ignore[attr-defined]
        options = [selectinload(getattr(model, relation)) for relation in sorted(relations)]
        for at in range(0, len(ids), _CHUNK):
            query = select(model).where(key.in_(ids[at : at + _CHUNK])).options(*options)
            loaded += session.scalars(query).all()
    return loaded


def _put_back(session: Session, change: RowChange | BulkChange) -> None:
    if isinstance(change, BulkChange):
        _put_back_bulk(session, change)
        return
    model = change.model
    if change.created and _removed_for_real(model):
        row = session.get(model, change.row_id)
        if row is not None:
            session.delete(row)
        return
    if change.removed and _removed_for_real(model):
        session.add(model(id=change.row_id, **{k: b for k, (b, _) in change.fields.items()}))
        return
    row = session.get(model, change.row_id)
    if row is None:  # pragma: no cover - _stale found it present
        raise UndoRefused([(label(session, model, change.row_id), ["deleted"])])
    if change.created:  # a replicated row: undoing its creation deletes it, softly
        row.deleted = True
        return
    for name, (before, _) in change.fields.items():
        if before is ABSENT:
            continue
        if name in _ASSIGNMENTS:
            _set_assignments(row, name, before)
        elif getattr(row, name) != before:
            setattr(row, name, before)


def _put_back_bulk(session: Session, change: BulkChange) -> None:
    """Undo a bulk creation (soft-delete its rows) or flip their ``deleted`` back."""
    if change.created:
        set_deleted_many(session, change.model, change.ids, deleted=True)
        return
    if set(change.fields) != {"deleted"}:  # pragma: no cover - no bulk write records others
        raise TypeError("a bulk change puts back rows created, deleted or revived, no other field")
    before, _ = change.fields["deleted"]
    set_deleted_many(session, change.model, change.ids, deleted=bool(before))


# --- naming records for people ---------------------------------------------------------

_LABELS: dict[type, Callable[[Any], str]] = {}


def labelled(model: type) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Register how a refusal names a row of ``model`` (the rest say kind and id)."""

    def register(fn: Callable[[Any], str]) -> Callable[[Any], str]:
        _LABELS[model] = fn
        return fn

    return register


def label(session: Session, model: type, row_id: str) -> str:
    row = session.get(model, row_id)
    if row is not None and model in _LABELS:
        return _LABELS[model](row)
    return _id_label(model, row_id)


def _id_label(model: type, row_id: str) -> str:
    kind = getattr(model, "__tablename__", model.__name__).replace("_", " ")
    return f"the {kind} {row_id[:8]}"


@labelled(Shift)
def _shift_label(shift: Shift) -> str:
    return f"the shift of {shift.shift_date:%a %d %b} {shift.start_time}–{shift.end_time}"
