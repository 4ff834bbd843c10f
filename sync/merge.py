"""Three-way merge of one record: the base both sides started from, mine, and theirs.

Pure: wire records (``core.wire.to_wire`` shapes, camelCase dicts) in, a merged
record and the fields that truly conflict out; no store, no HTTP. The engine calls
it when a push meets 412 (the server's copy moved) and when a pull meets a record
with unsent local edits.

Field by field: a field only one side changed takes that side's value; both sides
setting the same value is no conflict; both changing it to different values is a
conflict of that field only, so the rest of the record still merges. Lists of ids
(the people and departments assigned to a shift) merge as sets: an id added on
either side is in, an id removed on either side is out. A record deleted on one
side and changed on the other is a conflict of the whole record, never a silent
resurrection or a silent loss.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.wire import RECORD_FIELDS

#: Fields whose values are sets of ids, merged element by element.
SET_FIELDS = frozenset({"assignedUserIds", "assignedDepartmentIds"})

#: Record fields are the server's bookkeeping (version, stamps); never merged.
IGNORED = frozenset(RECORD_FIELDS)

#: The pseudo-field a whole-record conflict (deleted on one side) is reported under.
DELETED = "isActive"

Record = Mapping[str, Any]


@dataclass(frozen=True)
class FieldConflict:
    """One field both sides changed, to different values (``None`` for a deleted side)."""

    field: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class Merge:
    """The outcome: ``record`` is None when the merged result is a deletion.

    With conflicts, ``record`` holds every field that merged cleanly and, for each
    conflicting field, *their* value (what the server has now), so resolving
    conflicts one field at a time starts from the server's copy.
    """

    record: dict[str, Any] | None
    conflicts: tuple[FieldConflict, ...] = ()
    #: Fields whose merged value differs from theirs: what a retried push must send.
    to_send: frozenset[str] = field(default_factory=frozenset)

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def deleted(self) -> bool:
        return self.record is None


def _content(record: Record | None) -> dict[str, Any] | None:
    if record is None or record.get("isActive") is False:
        return None
    return {k: v for k, v in record.items() if k not in IGNORED}


def _same(a: Any, b: Any, name: str) -> bool:
    if name in SET_FIELDS and isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return set(a) == set(b)
    return bool(a == b)


def _merge_sets(base: Any, mine: Any, theirs: Any) -> list[Any]:
    b, m, t = set(base or ()), set(mine or ()), set(theirs or ())
    return sorted(e for e in m | t if e not in b or (e in m and e in t))


def merge(base: Record | None, mine: Record | None, theirs: Record | None) -> Merge:
    """Merge ``mine`` and ``theirs`` against their common ``base``.

    A side given as None, or with ``isActive: false``, is deleted. A base of None
    means the sides share no ancestor (both created the same id): every field that
    differs is then a conflict.
    """
    b, m, t = _content(base), _content(mine), _content(theirs)
    if m is None or t is None:
        return _merge_deletion(theirs, b, m, t)
    ancestor = b or {}
    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    shared = b is not None  # without a common ancestor, any difference conflicts
    for name in dict.fromkeys([*ancestor, *t, *m]):
        bv = ancestor.get(name)
        mv, tv = m.get(name, bv), t.get(name, bv)
        if _same(mv, tv, name) or (shared and _same(mv, bv, name)):
            merged[name] = tv
        elif shared and _same(tv, bv, name):
            merged[name] = mv
        elif shared and name in SET_FIELDS:
            merged[name] = _merge_sets(bv, mv, tv)
        else:
            merged[name] = tv
            conflicts.append(FieldConflict(name, bv, mv, tv))
    record = {k: v for k, v in (theirs or {}).items() if k in IGNORED} | merged
    to_send = frozenset(name for name in merged if not _same(merged[name], t.get(name), name))
    return Merge(record, tuple(conflicts), to_send)


def _merge_deletion(theirs: Record | None, b: dict | None, m: dict | None, t: dict | None) -> Merge:
    if m is None and t is None:
        return Merge(None)
    if m is None:  # deleted here; stands if they did not change it since the base
        assert t is not None
        assert theirs is not None
        if b is not None and _unchanged(b, t):
            return Merge(None)
        # Their whole record, bookkeeping too: taking theirs stores it as it is there.
        return Merge(dict(theirs), (FieldConflict(DELETED, True, False, True),))
    # deleted there; my unchanged copy goes with it, a changed one conflicts
    if b is not None and _unchanged(b, m):
        return Merge(None)
    return Merge(None, (FieldConflict(DELETED, True, True, False),))


def _unchanged(base: Mapping[str, Any], side: Mapping[str, Any]) -> bool:
    return all(_same(side.get(k), base.get(k), k) for k in {*base, *side})


def resolve(merged: Merge, mine: Record | None, choices: Mapping[str, str]) -> Merge:
    """Settle a merge's conflicts: ``choices`` maps a conflicting field to ``"mine"`` or
    ``"theirs"``; a field not named stays in conflict. Choosing mine on a whole-record
    conflict keeps my copy (or my deletion)."""
    if not merged.conflicts:
        return merged
    record = dict(merged.record) if merged.record is not None else None
    left = []
    for conflict in merged.conflicts:
        choice = choices.get(conflict.field)
        if choice not in ("mine", "theirs"):
            left.append(conflict)
            continue
        if conflict.field == DELETED:
            if choice == "mine":
                record = dict(mine) if _content(mine) is not None else None
            elif record is None:
                record = None  # their deletion stands
            continue
        if choice == "mine" and record is not None:
            record[conflict.field] = conflict.mine
    to_send = merged.to_send | {
        c.field for c in merged.conflicts if choices.get(c.field) == "mine" and c.field != DELETED
    }
    return Merge(record, tuple(left), frozenset(to_send))
