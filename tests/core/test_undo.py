"""Undo recorded per row and field: it applies where nothing changed since, and refuses
as a whole, writing nothing, where something did (another edit, or a pull)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from core import undo
from core.changes import Changes
from core.models import Company, OutboxEntry, PayPolicy, Shift, Site
from core.organisation import Setup, setup_store
from core.outbox import APPLYING_REMOTE
from core.results import OpResult
from core.scheduling import (
    ShiftDraft,
    create_shift,
    delete_shifts,
    edit_shift,
    fill_open_shifts,
    move_shift,
    plan_bulk,
    write_bulk,
)
from core.store import Store
from core.undo import UndoRefused, recording
from tests.conftest import MONDAY, Org


def _shift(store: Store, org: Org, **extra) -> str:
    with store.session() as s:
        result = create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", employee_ids=(org.anna,), **extra)
        )
    assert result.applied
    return result.ids[0]


def _pull(store: Store, shift_id: str, **values) -> None:
    """What applying another site's change does: write the row, queue nothing."""
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        shift = s.get(Shift, shift_id)
        for name, value in values.items():
            setattr(shift, name, value)


def _row(store: Store, shift_id: str) -> tuple:
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        return (shift.shift_date, shift.location, tuple(shift.employee_ids), shift.deleted)


def _outbox(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry))


def test_undo_after_a_pull_changed_a_moved_field_refuses_and_writes_nothing(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org, location="Bar")
    with store.session() as s:
        moved = move_shift(s, sid, day=MONDAY + timedelta(days=1), employee_id=org.ben)
        moved_too = edit_shift(s, sid, location="Terrace")
    _pull(store, sid, location="Lobby")
    before, queued = _row(store, sid), _outbox(store)
    with store.session() as s, pytest.raises(UndoRefused) as refused:
        moved_too.undo(s)
    assert "location" in str(refused.value)
    assert "the shift of Tue 02 Jun 09:00–17:00" in str(refused.value)
    assert _row(store, sid) == before
    assert _outbox(store) == queued
    # The move touched neither the location nor anything the pull changed: it undoes.
    with store.session() as s:
        moved.undo(s)
    assert _row(store, sid) == (MONDAY, "Lobby", (org.anna,), False)


def test_undo_applies_where_a_pull_changed_only_other_fields(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    with store.session() as s:
        moved = move_shift(s, sid, day=MONDAY + timedelta(days=2))
    _pull(store, sid, notes="bring keys")
    with store.session() as s:
        redo = moved.undo(s)
    with store.session() as s:
        shift = s.get(Shift, sid)
        assert (shift.shift_date, shift.notes) == (MONDAY, "bring keys")
        assert shift.start_utc.date() == MONDAY  # the derived instants went back too
    with store.session() as s:
        redo.undo(s)
    assert _row(store, sid)[0] == MONDAY + timedelta(days=2)


def test_redo_is_held_to_the_same_rule(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    with store.session() as s:
        edited = edit_shift(s, sid, location="Kitchen")
    with store.session() as s:
        redo = edited.undo(s)
    _pull(store, sid, location="Cellar")
    with store.session() as s, pytest.raises(UndoRefused):
        redo.undo(s)
    assert _row(store, sid)[1] == "Cellar"


def test_undo_of_a_create_deletes_softly_and_redo_brings_it_back(store: Store, org: Org) -> None:
    queued = _outbox(store)
    with store.session() as s:
        created = create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
        )
    sid = created.ids[0]
    assert created.changed == Changes.SHIFTS
    with store.session() as s:
        redo = created.undo(s)
    assert _row(store, sid)[3] is True
    assert _outbox(store) == queued  # never sent: the create and its delete cancel out
    with store.session() as s:
        redo.undo(s)
    assert _row(store, sid) == (MONDAY, "", (org.anna,), False)
    assert _outbox(store) == queued + 1


def test_undo_of_a_create_refuses_once_someone_edited_the_record(store: Store, org: Org) -> None:
    with store.session() as s:
        created = create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
        )
    sid = created.ids[0]
    with store.session() as s:
        edit_shift(s, sid, employee_ids=(org.anna, org.ben))
    with store.session() as s, pytest.raises(UndoRefused) as refused:
        created.undo(s)
    assert "employee_ids" in str(refused.value)
    assert _row(store, sid)[3] is False


def test_assigned_people_are_recorded_as_a_field_of_the_shift(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    with store.session() as s, recording(s) as recorder:
        shift = s.get(Shift, sid)
        shift.employees = []
    [change] = recorder.changes
    assert change.fields == {"employee_ids": ((org.anna,), ())}


def test_local_rows_are_removed_and_put_back_for_real(store: Store) -> None:
    with store.session() as s:
        setup = setup_store(s, Setup("Hotel", "Main", "Europe/Berlin"))
    with store.session() as s:
        redo = setup.undo(s)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Company)) == 0
        assert s.scalar(select(func.count()).select_from(PayPolicy)) == 0
    with store.session() as s:
        redo.undo(s)
    with store.session() as s:
        site = s.scalars(select(Site)).one()
        assert (site.name, site.timezone) == ("Main", "Europe/Berlin")


def _bulk(store: Store, org: Org) -> OpResult:
    """Shifts written past the ORM, as a template or a copied week writes them: some
    with two people, one for a department too."""
    drafts = [
        ShiftDraft(
            org.site_id,
            MONDAY + timedelta(days=n),
            "09:00",
            "17:00",
            employee_ids=(org.anna, org.ben) if n % 2 else (org.cara,),
            department_ids=(org.kitchen_id,) if n == 3 else (),
            location="Bar" if n < 3 else "",
        )
        for n in range(6)
    ]
    with store.session() as s:
        written = write_bulk(s, plan_bulk(s, drafts))
    assert len(written.ids) == 6
    return written


def _live(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Shift).where(Shift.deleted.is_(False)))


def test_undo_of_a_bulk_write_refuses_where_a_pull_changed_any_of_its_shifts(
    store: Store, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(undo, "_CHUNK", 4)  # several chunks of ids, however few shifts
    written = _bulk(store, org)
    wed, fri = written.ids[2], written.ids[4]
    _pull(store, wed, location="Lobby")
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        s.get(Shift, fri).employees = []
    queued = _outbox(store)
    with store.session() as s, pytest.raises(UndoRefused) as refused:
        written.undo(s)
    assert refused.value.changed == (
        ("the shift of Wed 03 Jun 09:00–17:00", ("location",)),
        ("the shift of Fri 05 Jun 09:00–17:00", ("employee_ids",)),
    )
    assert (_live(store), _outbox(store)) == (6, queued)
    # Once both hold again what the write left, the undo applies to every shift.
    _pull(store, wed, location="Bar")
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        s.get(Shift, fri).assign((org.cara,), ())
    with store.session() as s:
        redo = written.undo(s)
    assert redo.changed == Changes.SHIFTS
    assert set(redo.ids) == set(written.ids)
    assert (_live(store), _outbox(store)) == (0, queued - 6)
    with store.session() as s:
        again = redo.undo(s)
    assert (_live(store), _outbox(store)) == (6, queued)
    with store.session() as s:
        again.undo(s)
    assert _live(store) == 0


def test_redo_of_a_bulk_write_refuses_once_a_pull_brought_a_shift_back(
    store: Store, org: Org
) -> None:
    written = _bulk(store, org)
    with store.session() as s:
        redo = written.undo(s)
    _pull(store, written.ids[0], deleted=False)
    with store.session() as s, pytest.raises(UndoRefused) as refused:
        redo.undo(s)
    assert refused.value.changed == (("the shift of Mon 01 Jun 09:00–17:00", ("deleted",)),)
    assert _live(store) == 1


def test_a_refusal_of_many_records_names_five_and_counts_the_rest(store: Store, org: Org) -> None:
    written = _bulk(store, org)
    for sid in written.ids:
        _pull(store, sid, notes="moved by the other site")
    with store.session() as s, pytest.raises(UndoRefused) as refused:
        written.undo(s)
    assert len(refused.value.changed) == 6
    assert str(refused.value).endswith(
        "the shift of Fri 05 Jun 09:00–17:00 (notes) and 1 more changed since,"
        " and undoing would overwrite that"
    )


def test_undo_of_a_delete_the_server_already_has_is_refused(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    with store.session() as s:  # as a push acknowledges the create
        s.info[APPLYING_REMOTE] = True
        s.get(Shift, sid).server_version = 1
        s.execute(delete(OutboxEntry))
    with store.session() as s:
        removed = delete_shifts(s, [sid])
    with store.session() as s:  # as a push acknowledges the delete
        s.info[APPLYING_REMOTE] = True
        s.get(Shift, sid).server_version = 2
        s.execute(delete(OutboxEntry))
    with store.session() as s, pytest.raises(UndoRefused) as refused:
        removed.undo(s)
    assert "deleted on the server" in str(refused.value)
    assert _row(store, sid)[3] is True


def test_undo_of_a_delete_not_yet_sent_cancels_it(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        s.get(Shift, sid).server_version = 1
        s.execute(delete(OutboxEntry))
    with store.session() as s:
        removed = delete_shifts(s, [sid])
    with store.session() as s:
        removed.undo(s)
    assert _row(store, sid)[3] is False
    assert _outbox(store) == 0


def test_undoing_a_fill_reads_its_shifts_a_chunk_at_a_time_not_one_by_one(
    store: Store, org: Org, statements: list[str]
) -> None:
    """A month's auto-fill is one step of 1,700 assigned shifts: its undo (and redo)
    loads them and their people in a few queries and writes them in one flush,
    instead of a load, two list loads and a flush per shift (seconds for a month)."""
    people = (org.anna, org.ben, org.cara, org.dan)
    with store.session() as s:
        drafts = [
            ShiftDraft(org.site_id, MONDAY + timedelta(days=n // 4), "09:00", "17:00")
            for n in range(40)
        ]
        ids = list(write_bulk(s, plan_bulk(s, drafts)).ids)
    with store.session() as s:
        filled = fill_open_shifts(s, [(i, people[n % 4]) for n, i in enumerate(ids)])
    assert len(filled.ids) == 40
    statements.clear()
    with store.session() as s:
        undone = filled.undo(s)
    per_shift_loads = [q for q in statements if "FROM shift_employee" in q]
    assert len(per_shift_loads) < 10, f"{len(per_shift_loads)} reads of assignments"
    with store.session() as s:
        assert all(not s.get(Shift, i).employee_ids for i in ids)
    with store.session() as s:
        undone.undo(s)
    with store.session() as s:
        assert [tuple(s.get(Shift, i).employee_ids) for i in ids] == [
            (people[n % 4],) for n in range(40)
        ]
