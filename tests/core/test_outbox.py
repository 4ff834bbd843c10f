"""The outbox records exactly what the server must hear, whatever the edit path."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from core import outbox
from core.models import (
    Base,
    Department,
    Employee,
    OutboxEntry,
    Shift,
    ShiftEmployee,
    Synced,
    new_id,
)
from core.outbox import APPLYING_REMOTE, enqueue_action
from core.scheduling import (
    ShiftDraft,
    create_shift,
    delete_shifts,
    edit_shift,
    fill_open_shifts,
    plan_bulk,
    write_bulk,
)
from core.store import Store
from core.undo import recording
from core.wire import COLLECTIONS
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


# --- every replicated model has a way out -----------------------------------------------------


def test_every_replicated_model_names_its_collection_or_is_local_only() -> None:
    replicated = [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)]
    assert replicated
    for model in replicated:
        if model.__local_only__:
            assert not model.__collection__, f"{model.__name__} is local-only yet names one"
            continue
        assert model.__collection__ in COLLECTIONS, (
            f"{model.__name__} leaves outbox entries for {model.__collection__!r},"
            " which is no collection of core.wire; name one or declare it local-only"
        )
        assert COLLECTIONS[model.__collection__].model is model


# --- groups and order --------------------------------------------------------------------------


def _entries(store: Store) -> list[OutboxEntry]:
    with store.session() as s:
        return list(s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))


def _clear(store: Store) -> None:
    with store.session() as s:
        s.execute(delete(OutboxEntry))


def test_one_operation_is_one_group_however_often_it_flushes(store: Store, org: Org) -> None:
    _clear(store)
    with store.session() as s:
        with recording(s):
            first = create_shift(s, ShiftDraft(org.site_id, MONDAY, "09:00", "12:00", (org.anna,)))
            s.flush()
            with recording(s):  # an operation calling another is still one operation
                edit_shift(s, first.ids[0], location="Bar")
                s.add(Department(company_id=org.company_id, site_id=org.site_id, name="Bar"))
            plan = plan_bulk(s, [ShiftDraft(org.site_id, MONDAY, "13:00", "17:00", (org.ben,))])
            write_bulk(s, plan)
        create_shift(s, ShiftDraft(org.site_id, MONDAY, "18:00", "20:00", (org.cara,)))
    entries = _entries(store)
    assert len(entries) == 4
    assert len({e.group_id for e in entries[:3]}) == 1
    assert entries[3].group_id != entries[0].group_id


def test_writes_outside_an_operation_get_a_group_per_flush(store: Store, org: Org) -> None:
    _clear(store)
    with store.session() as s:
        s.add(Department(company_id=org.company_id, site_id=org.site_id, name="Bar"))
        s.add(Department(company_id=org.company_id, site_id=org.site_id, name="Hall"))
        s.flush()
        s.add(Department(company_id=org.company_id, site_id=org.site_id, name="Yard"))
    groups = [e.group_id for e in _entries(store)]
    assert groups[0] == groups[1] != groups[2]


def test_a_record_is_queued_after_the_records_it_names(store: Store, org: Org) -> None:
    _clear(store)
    with store.session() as s, recording(s):
        bar = Department(id=new_id(), company_id=org.company_id, site_id=org.site_id, name="Bar")
        eva = Employee(
            id=new_id(),
            company_id=org.company_id,
            site_id=org.site_id,
            department_id=bar.id,
            first_name="Eva",
            last_name="Fisher",
        )
        shift = Shift(
            company_id=org.company_id,
            site_id=org.site_id,
            shift_date=MONDAY,
            start_time="09:00",
            end_time="17:00",
            start_utc=datetime(2026, 6, 1, 7, tzinfo=UTC),
            end_utc=datetime(2026, 6, 1, 15, tzinfo=UTC),
            employees=[ShiftEmployee(employee_id=eva.id)],
        )
        s.add_all([shift, eva, bar])  # the order a careless caller might use
    assert [e.collection for e in _entries(store)] == ["departments", "employees", "shifts"]


def test_deletes_are_queued_before_the_records_they_name(store: Store, org: Org) -> None:
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        s.execute(delete(OutboxEntry))
        for model in (Department, Employee):
            s.execute(update(model).values(server_version=1))
    with store.session() as s, recording(s):
        kitchen = s.get(Department, org.kitchen_id)
        anna, ben = s.get(Employee, org.anna), s.get(Employee, org.ben)
        kitchen.deleted = True
        anna.deleted = ben.deleted = True
    expected = [("employees", "delete"), ("employees", "delete"), ("departments", "delete")]
    assert [(e.collection, e.op) for e in _entries(store)] == expected
    _clear(store)
    with store.session() as s, recording(s):  # the department's removal flushed first
        s.get(Department, org.floor_id).deleted = True
        s.flush()
        s.get(Employee, org.cara).deleted = True
    queued = outbox.in_push_order(_entries(store))
    assert [(e.collection, e.op) for e in queued] == expected[1:]


def test_an_entry_remembers_the_version_its_edit_was_made_on(store: Store, org: Org) -> None:
    sid = _new_shift(store, org)
    _mark_sent(store, sid, version=7)
    with store.session() as s:
        edit_shift(s, sid, location="Bar")
    (entry,) = _entries(store)[-1:]
    assert (entry.op, entry.base_version, entry.state) == ("update", 7, "pending")
    with store.session() as s:
        created = s.scalars(select(OutboxEntry).where(OutboxEntry.op == "create").limit(1)).one()
        assert created.base_version is None


# --- actions ----------------------------------------------------------------------------------


def test_an_action_carries_its_name_and_parameters_and_is_never_folded(
    store: Store, org: Org
) -> None:
    sid = _new_shift(store, org)
    _mark_sent(store, sid, version=2)
    with store.session() as s, recording(s):
        enqueue_action(s, s.get(Shift, sid), "publish", {"notify": "yes"})
    with store.session() as s:
        edit_shift(s, sid, location="Bar")
    queued = [e for e in _entries(store) if e.record_id == sid]
    assert [(e.op, e.fields, e.base_version) for e in queued] == [
        ("action", {"action": "publish", "params": {"notify": "yes"}}, 2),
        ("update", {"changed": ["location"]}, 2),
    ]


# --- what waits -------------------------------------------------------------------------------


def test_counts_say_apart_what_waits_what_failed_and_what_conflicts(store: Store, org: Org) -> None:
    _clear(store)
    ids = []
    with store.session() as s:
        for who in (org.anna, org.ben, org.cara, org.dan):
            draft = ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (who,))
            ids.append(create_shift(s, draft).ids[0])
    with store.session() as s:
        states = dict(zip(ids, ["pending", "sending", "failed", "conflict"], strict=True))
        for entry in s.scalars(select(OutboxEntry)):
            entry.state = states[entry.record_id]
            entry.attempts = 0 if entry.state == "pending" else 1
    with store.session() as s:
        assert outbox.counts(s) == outbox.OutboxCounts(waiting=2, failed=1, conflicts=1)


def test_one_flush_of_many_edits_reads_the_outbox_once_and_queues_each_right(
    store: Store, org: Org, statements: list[str]
) -> None:
    """A month's auto-fill (or its undo) flushes 1,700 shift edits at once: what waits
    for those records is read in one query, not one per record, and each record is
    still queued as alone: folded into its unsent create, or a new update."""
    people = (org.anna, org.ben, org.cara, org.dan)
    with store.session() as s:
        drafts = [
            ShiftDraft(org.site_id, MONDAY, f"{6 + n // 4:02d}:00", f"{7 + n // 4:02d}:00")
            for n in range(40)
        ]
        ids = list(write_bulk(s, plan_bulk(s, drafts)).ids)
    sent = ids[::2]
    for sid in sent:
        _mark_sent(store, sid, version=3)
    statements.clear()
    with store.session() as s:
        filled = fill_open_shifts(s, [(sid, people[n % 4]) for n, sid in enumerate(ids)])
    assert len(filled.ids) == 40
    reads = [q for q in statements if q.lstrip().startswith("SELECT") and "FROM outbox" in q]
    assert len(reads) <= 3, reads
    with store.session() as s:
        for sid in ids:
            (entry,) = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == sid))
            if sid in sent:
                assert (entry.op, entry.base_version) == ("update", 3)
                assert entry.fields["changed"] == ["employee_ids"]
            else:
                assert (entry.op, entry.base_version) == ("create", None)
