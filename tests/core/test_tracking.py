"""The outbox records exactly what the server must hear, whatever the edit path."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Department, OutboxEntry, Shift
from core.scheduling import (
    ShiftDraft,
    create_shift,
    delete_shifts,
    edit_shift,
    plan_bulk,
    write_bulk,
)
from core.store import Store
from core.tracking import APPLYING_REMOTE
from tests.conftest import MONDAY, Org


def _ops(store: Store, record_id: str) -> list[tuple[str, int]]:
    with store.session() as s:
        query = select(OutboxEntry).where(OutboxEntry.record_id == record_id)
        return [(e.op, e.attempts) for e in s.scalars(query.order_by(OutboxEntry.seq))]


def _mark_sent(store: Store, record_id: str, version: int = 1) -> None:
    """What the sync engine does once the server acknowledged every entry."""
    with store.session() as s:
        for entry in s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == record_id)):
            s.delete(entry)
        s.info[APPLYING_REMOTE] = True
        s.get(Shift, record_id).server_version = version


def _new_shift(store: Store, org: Org) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (org.anna,)))
    return result.ids[0]


def test_a_new_record_is_dirty_with_one_create(store: Store, org: Org) -> None:
    sid = _new_shift(store, org)
    assert _ops(store, sid) == [("create", 0)]
    with store.session() as s:
        assert s.get(Shift, sid).dirty


def test_undo_of_a_delete_of_an_unsent_record_queues_its_create_again(store, org) -> None:
    sid = _new_shift(store, org)
    with store.session() as s:
        deleted = delete_shifts(s, [sid])
    assert _ops(store, sid) == []
    with store.session() as s:
        deleted.undo(s)
    assert _ops(store, sid) == [("create", 0)]


def test_undo_of_a_delete_of_a_synced_record_cancels_the_delete(store, org) -> None:
    sid = _new_shift(store, org)
    _mark_sent(store, sid)
    assert _ops(store, sid) == []
    with store.session() as s:
        deleted = delete_shifts(s, [sid])
    assert _ops(store, sid) == [("delete", 0)]
    with store.session() as s:
        deleted.undo(s)
    assert _ops(store, sid) == []


def test_updates_to_a_synced_record_fold_into_one(store, org) -> None:
    sid = _new_shift(store, org)
    _mark_sent(store, sid)
    with store.session() as s:
        edit_shift(s, sid, location="Bar")
    with store.session() as s:
        edit_shift(s, sid, notes="Bring keys")
    with store.session() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == sid)).one()
    assert entry.op == "update"
    assert entry.fields["changed"] == ["location", "notes"]


def test_a_sent_entry_is_never_rewritten(store, org) -> None:
    sid = _new_shift(store, org)
    with store.session() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == sid)).one()
        entry.attempts = 1
    with store.session() as s:
        delete_shifts(s, [sid])
    assert _ops(store, sid) == [("create", 1), ("delete", 0)]


def test_changes_applied_from_the_server_are_not_queued(store: Store, org: Org) -> None:
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        dept = Department(company_id=org.company_id, site_id=org.site_id, name="Bar")
        s.add(dept)
    assert _ops(store, dept.id) == []


def test_bulk_removal_and_revival_queue_what_one_by_one_edits_would(store: Store, org: Org) -> None:
    drafts = [
        ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (who,))
        for who in (org.anna, org.ben, org.cara)
    ]
    with store.session() as s:
        written = write_bulk(s, plan_bulk(s, drafts))
    unsent, pushed, in_flight = written.ids
    _mark_sent(store, pushed)
    with store.session() as s:
        s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == in_flight)).one().attempts = 1

    def state(sid: str) -> tuple:
        with store.session() as s:
            shift = s.get(Shift, sid)
            return shift.deleted, shift.dirty, _ops(store, sid)

    with store.session() as s:
        removal = written.undo(s)
    assert state(unsent) == (True, False, [])
    assert state(pushed) == (True, True, [("delete", 0)])
    assert state(in_flight) == (True, True, [("create", 1), ("delete", 0)])
    with store.session() as s:
        removal.undo(s)
    assert state(unsent) == (False, True, [("create", 0)])
    assert state(pushed) == (False, False, [])
    assert state(in_flight) == (False, True, [("create", 1)])
