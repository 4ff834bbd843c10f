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
wire sees them. Bulk writes that bypass the ORM report what they wrote through
:meth:`Recorder.note`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from core.changes import Changes, of_model
from core.errors import ShiftDeskError
from core.models import (
    Company,
    PayPolicy,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    Site,
    Synced,
)
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
        super().__init__(
            f"nothing was undone: {named}{more} changed since, and undoing would overwrite that"
        )


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

    def note(self, model: type, row_id: str, name: str, before: Any, after: Any) -> None:
        """Record one field's change (bulk writes call this; the ORM's are seen by the hook)."""
        row = self._rows.get((model, row_id))
        if row is None:
            row = self._rows[(model, row_id)] = _Row(model, row_id)
        if name in row.fields:
            row.fields[name][1] = after
        else:
            row.fields[name] = [before, after]

    def note_created(self, model: type, row_id: str, values: Mapping[str, Any]) -> None:
        """A row that did not exist and now holds ``values`` (``deleted`` False if replicated)."""
        for name, value in values.items():
            self.note(model, row_id, name, ABSENT, value)

    @property
    def changes(self) -> tuple[RowChange, ...]:
        found = []
        for row in self._rows.values():
            moved = {k: (b, a) for k, (b, a) in row.fields.items() if b != a}
            if moved:
                found.append(RowChange(row.model, row.row_id, moved))
        return tuple(found)

    def result(self, **extra: Any) -> OpResult:
        """The operation's result: what changed (derived from the rows), its ids and undo.

        ``extra`` adds warnings, or overrides ``ids`` or ``changed`` where the
        operation names its own.
        """
        changes = self.changes
        ids = extra.pop("ids", None) or tuple(dict.fromkeys(c.row_id for c in changes))
        step = Step(changes, ids)
        return OpResult(**{"changed": step.kinds, "undo": step, "ids": ids, **extra})


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
    """The recorders listening to ``session`` now (for bulk writes to :meth:`Recorder.note`)."""
    return list(session.info.get(_RECORDERS, ()))


def note_all(session: Session, model: type, row_id: str, name: str, before: Any, after: Any):
    for recorder in active(session):
        recorder.note(model, row_id, name, before, after)


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
            continue  # replicated rows are soft-deleted; tracking refuses a real delete
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

    changes: tuple[RowChange, ...]
    #: The ids its operation reported; the result of applying the step reports them too.
    ids: tuple[str, ...] = ()

    @property
    def kinds(self) -> Changes:
        kinds = Changes.NONE
        for change in self.changes:
            kinds |= of_model(change.model)
        return kinds

    def __call__(self, session: Session) -> OpResult:
        session.flush()
        refused = _stale(session, self.changes)
        if refused:
            raise UndoRefused(refused)
        with recording(session) as recorder:
            for change in reversed(self.changes):
                _put_back(session, change)
                if change.created or change.removed:
                    session.flush()  # inserts and removals in dependency order
        return recorder.result(ids=self.ids)


def _current(session: Session, model: type, ids: Sequence[str], names: Iterable[str]):
    """The current value of each named field of each row: {id: {field: value}}.

    One query per chunk of ids (and per assignment list), so checking an undo of a
    year of shifts does not cost a query per shift. A missing row reads ABSENT.
    """
    names = list(names)
    columns = [n for n in names if n not in _ASSIGNMENTS]
    found: dict[str, dict[str, Any]] = {rid: dict.fromkeys(names, ABSENT) for rid in ids}
    for at in range(0, len(ids), _CHUNK):
        chunk = list(ids[at : at + _CHUNK])
        query = select(model.id, *(getattr(model, c) for c in columns)).where(  # type: ignore[attr-defined]
            model.id.in_(chunk)  # type: ignore[attr-defined]
        )
        present = set()
        for row in session.execute(query):
            present.add(row[0])
            found[row[0]].update(zip(columns, row[1:], strict=True))
        for name in names:
            if name not in _ASSIGNMENTS:
                continue
            _, row_model, column = _ASSIGNMENTS[name]
            lists: dict[str, list[str]] = {rid: [] for rid in chunk if rid in present}
            for shift_id, value in session.execute(
                select(row_model.shift_id, getattr(row_model, column)).where(  # type: ignore[attr-defined]
                    row_model.shift_id.in_(chunk)  # type: ignore[attr-defined]
                )
            ):
                lists[shift_id].append(value)
            for rid, values in lists.items():
                found[rid][name] = tuple(sorted(values))
    return found


def _stale(session: Session, changes: Sequence[RowChange]) -> list[tuple[str, list[str]]]:
    """Records (labelled) and fields that no longer hold what the operation left."""
    by_model: dict[type, list[RowChange]] = {}
    for change in changes:
        by_model.setdefault(change.model, []).append(change)
    refused = []
    for model, group in by_model.items():
        names = {n for c in group for n in c.fields}
        current = _current(session, model, [c.row_id for c in group], names)
        for change in group:
            now = current[change.row_id]
            moved = [n for n, (_, after) in change.fields.items() if not _same(now[n], after)]
            if moved:
                refused.append((label(session, model, change.row_id), moved))
    return refused


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return tuple(a) == tuple(b)
    return bool(a == b) if a is not ABSENT and b is not ABSENT else a is b


def _put_back(session: Session, change: RowChange) -> None:
    model = change.model
    if change.created and not issubclass(model, Synced):
        row = session.get(model, change.row_id)
        if row is not None:
            session.delete(row)
        return
    if change.removed and not issubclass(model, Synced):
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
    kind = getattr(model, "__tablename__", model.__name__).replace("_", " ")
    return f"the {kind} {row_id[:8]}"


@labelled(Shift)
def _shift_label(shift: Shift) -> str:
    return f"the shift of {shift.shift_date:%a %d %b} {shift.start_time}–{shift.end_time}"
