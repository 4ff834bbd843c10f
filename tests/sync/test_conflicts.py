"""Resolving a conflict in the store: what the row becomes and what waits to be sent.

No server here: the store is brought to the state a push or pull leaves (a record
the server acknowledged, a local edit, the server's newer copy held for a merge),
then a person's choice is applied.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

from core.errors import ValidationError
from core.models import OutboxEntry, OutboxOp, Shift
from core.models.sync import ConflictStatus, SyncConflict
from core.replica import Held
from core.scheduling import ShiftDraft, create_shift, delete_shifts, edit_shift
from core.store import Store
from core.undo import UndoRefused
from core.wire import to_wire
from sync.conflicts import open_conflicts, resolve_conflict
from sync.rewind import resolve_step
from sync.settle import settle
from tests.conftest import MONDAY, Org


def _acknowledged(store: Store, org: Org) -> str:
    """A shift the server has at version 1, with nothing waiting."""
    with store.session() as s:
        sid = create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
        ).ids[0]
    with store.session() as s:
        s.execute(delete(OutboxEntry))
        shift = s.get(Shift, sid)
        shift.server_version, shift.etag, shift.dirty = 1, '"1"', False
        s.flush()
        shift.base = to_wire(shift)
    return sid


def _theirs(store: Store, sid: str, **fields: Any) -> dict[str, Any]:
    with store.session() as s:
        base = dict(s.get(Shift, sid).base)
    return {**base, **fields, "recordVersion": 2}


def _clash(store: Store, sid: str, theirs: dict[str, Any] | None) -> str:
    """Hold the server's copy against the local edits, as a pull does."""
    with store.session() as s:
        row = s.get(Shift, sid)
        held = Held("shifts", sid, 2, row.base, to_wire(row), theirs)
        assert settle(s, held) is False
        return s.scalars(select(SyncConflict.id)).one()


def _entries(store: Store, sid: str) -> list[tuple[str, list[str], int | None]]:
    with store.session() as s:
        return [
            (e.op, e.fields.get("changed", []), e.base_version)
            for e in s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == sid))
        ]


@pytest.fixture
def org(store: Store) -> Org:
    return Org(store)


def test_an_edit_made_after_the_conflict_is_kept_when_theirs_is_taken(
    store: Store, org: Org
) -> None:
    sid = _acknowledged(store, org)
    with store.session() as s:
        edit_shift(s, sid, location="Bar")
    conflict = _clash(store, sid, _theirs(store, sid, location="Pass"))
    with store.session() as s:
        edit_shift(s, sid, notes="bring keys")  # while the conflict waits
    with store.session() as s:
        (view,) = open_conflicts(s)
        assert [(f.name, f.mine, f.theirs) for f in view.fields] == [("location", "Bar", "Pass")]
        done = resolve_conflict(s, conflict, "theirs")
    assert done.queued == "update"
    with store.session() as s:
        shift = s.get(Shift, sid)
        assert (shift.location, shift.notes, shift.server_version) == ("Pass", "bring keys", 2)
        assert s.get(SyncConflict, conflict).status == ConflictStatus.RESOLVED
    assert _entries(store, sid) == [(OutboxOp.UPDATE, ["notes"], 2)]


def test_taking_theirs_for_everything_leaves_nothing_to_send(store: Store, org: Org) -> None:
    sid = _acknowledged(store, org)
    with store.session() as s:
        edit_shift(s, sid, location="Bar")
    conflict = _clash(store, sid, _theirs(store, sid, location="Pass"))
    with store.session() as s:
        resolve_conflict(s, conflict, "theirs")
    with store.session() as s:
        shift = s.get(Shift, sid)
        assert (shift.location, shift.dirty, shift.base["location"]) == ("Pass", False, "Pass")
    assert _entries(store, sid) == []


def test_a_choice_is_needed_for_every_field_in_conflict(store: Store, org: Org) -> None:
    sid = _acknowledged(store, org)
    with store.session() as s:
        edit_shift(s, sid, location="Bar", notes="mine")
    conflict = _clash(store, sid, _theirs(store, sid, location="Pass", notes="theirs"))
    with store.session() as s, pytest.raises(ValidationError, match="notes too"):
        resolve_conflict(s, conflict, {"location": "mine"})
    with store.session() as s:
        resolve_conflict(s, conflict, {"location": "mine", "notes": "theirs"})
    with store.session() as s:
        shift = s.get(Shift, sid)
        assert (shift.location, shift.notes) == ("Bar", "theirs")
    assert _entries(store, sid) == [(OutboxOp.UPDATE, ["location"], 2)]


def test_keeping_my_edit_of_a_record_deleted_there_makes_it_anew(store: Store, org: Org) -> None:
    sid = _acknowledged(store, org)
    with store.session() as s:
        edit_shift(s, sid, location="Bar")
    conflict = _clash(store, sid, None)
    with store.session() as s:
        done = resolve_conflict(s, conflict, "mine")
    assert done.queued == "create"
    assert done.kept_id != sid
    with store.session() as s:
        assert s.get(Shift, sid).deleted
        copy = s.get(Shift, done.kept_id)
        assert (copy.location, copy.deleted, copy.server_version) == ("Bar", False, None)
        assert copy.employee_ids == [org.anna]
    assert _entries(store, sid) == []
    assert _entries(store, done.kept_id) == [(OutboxOp.CREATE, [], None)]


def test_keeping_my_deletion_of_a_record_changed_there_sends_the_delete(
    store: Store, org: Org
) -> None:
    sid = _acknowledged(store, org)
    with store.session() as s:
        delete_shifts(s, [sid])
    conflict = _clash(store, sid, _theirs(store, sid, location="Pass"))
    with store.session() as s:
        assert resolve_conflict(s, conflict, "mine").queued == "delete"
    with store.session() as s:
        assert s.get(Shift, sid).deleted
    assert _entries(store, sid) == [(OutboxOp.DELETE, ["deleted"], 2)]


def _state(store: Store, sid: str) -> tuple:
    with store.session() as s:
        shift = s.get(Shift, sid)
        conflict = s.scalars(select(SyncConflict)).one()
        return (
            shift.location,
            shift.notes,
            shift.server_version,
            shift.employee_ids,
            conflict.status,
            _entries(store, sid),
        )


def test_a_resolution_is_one_undo_step_and_redo_resolves_again(store: Store, org: Org) -> None:
    sid = _acknowledged(store, org)
    with store.session() as s:
        edit_shift(s, sid, location="Bar", employee_ids=(org.ben,))
    conflict = _clash(store, sid, _theirs(store, sid, location="Pass"))
    before = _state(store, sid)
    with store.session() as s:
        result = resolve_step(s, conflict, "theirs")
    resolved = _state(store, sid)
    assert resolved[0] == "Pass"
    assert resolved[4] == ConflictStatus.RESOLVED
    with store.session() as s:
        redo = result.undo(s)
    assert _state(store, sid) == before
    with store.session() as s:
        assert [c.id for c in open_conflicts(s)] == [conflict]
        redo.undo(s)
    assert _state(store, sid) == resolved


def test_a_resolution_the_server_has_is_not_undone(store: Store, org: Org) -> None:
    sid = _acknowledged(store, org)
    with store.session() as s:
        edit_shift(s, sid, location="Bar", notes="mine")
    conflict = _clash(store, sid, _theirs(store, sid, location="Pass"))
    with store.session() as s:
        result = resolve_step(s, conflict, "mine")
    with store.session() as s:  # a push took the resolution's update
        s.execute(update(OutboxEntry).values(attempts=1, state="sending"))
    with store.session() as s, pytest.raises(UndoRefused, match="sent to the server"):
        result.undo(s)
    with store.session() as s:
        assert s.get(SyncConflict, conflict).status == ConflictStatus.RESOLVED
