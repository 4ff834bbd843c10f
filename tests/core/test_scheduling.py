from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.changes import Changes
from core.errors import NotFound, ValidationError
from core.models import OutboxEntry, Shift
from core.scheduling import (
    Publication,
    ShiftDraft,
    copy_shift,
    copy_week,
    create_shift,
    delete_shifts,
    edit_shift,
    fill_open_shifts,
    move_shift,
    preview_move,
    publish_range,
)
from core.shift_list import shift_rows
from core.store import Store
from tests.conftest import MONDAY, Org


def _create(store: Store, org: Org, day=MONDAY, start="09:00", end="17:00", who=None) -> str:
    with store.session() as s:
        result = create_shift(
            s, ShiftDraft(org.site_id, day, start, end, employee_ids=(who or org.anna,))
        )
    assert result.applied
    return result.ids[0]


def _state(store: Store, shift_id: str) -> tuple:
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        return (shift.deleted, shift.shift_date, shift.start_time, tuple(shift.employee_ids))


def test_move_to_another_day_and_person_then_undo_and_redo(store: Store, org: Org) -> None:
    sid = _create(store, org)
    original = _state(store, sid)
    with store.session() as s:
        moved = move_shift(s, sid, day=MONDAY + timedelta(days=2), employee_id=org.ben)
    assert moved.applied
    assert moved.changed == Changes.SHIFTS
    assert _state(store, sid) == (False, MONDAY + timedelta(days=2), "09:00", (org.ben,))
    with store.session() as s:
        undone = moved.undo(s)
    assert _state(store, sid) == original
    with store.session() as s:
        undone.undo(s)
    assert _state(store, sid)[3] == (org.ben,)


def test_move_onto_a_conflict_is_refused_and_changes_nothing(store: Store, org: Org) -> None:
    sid = _create(store, org)
    _create(store, org, day=MONDAY + timedelta(days=1), who=org.ben)
    with store.session() as s:
        preview = preview_move(s, sid, day=MONDAY + timedelta(days=1), employee_id=org.ben)
        result = move_shift(s, sid, day=MONDAY + timedelta(days=1), employee_id=org.ben)
    assert preview.conflicts
    assert result.conflicts
    assert not result.applied
    assert "Ben Cole already works" in result.conflicts[0].reason
    assert _state(store, sid)[1] == MONDAY


def test_moving_a_shift_within_its_own_time_does_not_clash_with_itself(store, org) -> None:
    sid = _create(store, org)
    with store.session() as s:
        assert edit_shift(s, sid, start_time="10:00").applied


def test_copy_creates_an_unpublished_twin(store: Store, org: Org) -> None:
    sid = _create(store, org)
    with store.session() as s:
        result = copy_shift(s, sid, day=MONDAY + timedelta(days=1))
    assert result.applied
    assert result.ids[0] != sid
    assert _state(store, result.ids[0])[1] == MONDAY + timedelta(days=1)
    with store.session() as s:
        result.undo(s)
    assert _state(store, result.ids[0])[0] is True


def test_delete_and_undo(store: Store, org: Org) -> None:
    sid = _create(store, org)
    with store.session() as s:
        result = delete_shifts(s, [sid])
    assert _state(store, sid)[0] is True
    with store.session() as s, pytest.raises(NotFound):
        edit_shift(s, sid, start_time="10:00")
    with store.session() as s:
        result.undo(s)
    assert _state(store, sid)[0] is False


def test_invalid_input_names_the_field(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(ValidationError) as info:
        create_shift(s, ShiftDraft(org.site_id, MONDAY, "25:00", "17:00", (org.anna,)))
    assert info.value.field == "start"


def test_copy_week_skips_conflicts_and_undoes_as_one_step(store: Store, org: Org) -> None:
    for n in range(3):
        _create(store, org, day=MONDAY + timedelta(days=n))
    next_monday = MONDAY + timedelta(days=7)
    blocker = _create(store, org, day=next_monday, start="12:00", end="13:00")
    with store.session() as s:
        result = copy_week(s, MONDAY, next_monday)
    assert len(result.ids) == 2
    assert len(result.skipped) == 1
    assert [c.other_id for c in result.skipped[0].conflicts] == [blocker]
    with store.session() as s:
        count = s.scalar(select(func.count()).select_from(Shift).where(~Shift.deleted))
        assert count == 6
        result.undo(s)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Shift).where(~Shift.deleted)) == 4


def test_publish_range_and_undo(store: Store, org: Org) -> None:
    ids = [_create(store, org, day=MONDAY + timedelta(days=n)) for n in range(2)]
    with store.session() as s:
        result = publish_range(s, MONDAY, MONDAY + timedelta(days=6))
        assert all(s.get(Shift, i).published for i in ids)
        result.undo(s)
        assert not any(s.get(Shift, i).published for i in ids)


def _publication(store: Store, shift_id: str, day=MONDAY) -> Publication:
    with store.session() as s:
        (row,) = [r for r in shift_rows(s, day, day + timedelta(days=6)) if r.id == shift_id]
        return row.publication


def test_a_published_shift_moved_or_edited_is_changed_since_published_until_published_again(
    store: Store, org: Org
) -> None:
    sid = _create(store, org)
    assert _publication(store, sid) is Publication.DRAFT
    with store.session() as s:
        publish_range(s, MONDAY, MONDAY + timedelta(days=6))
    assert _publication(store, sid) is Publication.PUBLISHED
    with store.session() as s:
        edit_shift(s, sid, notes="bring keys")  # staff see nothing new
    assert _publication(store, sid) is Publication.PUBLISHED
    with store.session() as s:
        moved = move_shift(s, sid, day=MONDAY + timedelta(days=1))
    assert _publication(store, sid) is Publication.CHANGED
    with store.session() as s:
        moved.undo(s)  # the move taken back: as staff last saw it
    assert _publication(store, sid) is Publication.PUBLISHED
    for change in ({"start_time": "10:00"}, {"employee_ids": (org.ben,)}):
        with store.session() as s:
            edit_shift(s, sid, **change)
        assert _publication(store, sid) is Publication.CHANGED
        with store.session() as s:
            edit_shift(s, sid, notes=f"again {change}", published=True)  # still changed
        assert _publication(store, sid) is Publication.CHANGED
        with store.session() as s:
            published = publish_range(s, MONDAY, MONDAY + timedelta(days=6))
            assert published.applied
        assert _publication(store, sid) is Publication.PUBLISHED
    with store.session() as s:
        edit_shift(s, sid, start_time="11:00", published=False)
    assert _publication(store, sid) is Publication.DRAFT


def test_moving_a_draft_leaves_it_a_draft(store: Store, org: Org) -> None:
    sid = _create(store, org)
    with store.session() as s:
        move_shift(s, sid, employee_id=org.ben)
        assert not s.get(Shift, sid).changed_since_published
    assert _publication(store, sid) is Publication.DRAFT


def test_every_edit_leaves_one_pending_entry_per_unsent_record(store: Store, org: Org) -> None:
    sid = _create(store, org)
    with store.session() as s:
        move_shift(s, sid, employee_id=org.ben)
        edit_shift(s, sid, location="Bar")
    with store.session() as s:
        entries = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == sid)).all()
    assert [e.op for e in entries] == ["create"]


def test_create_then_delete_before_push_leaves_nothing_to_send(store: Store, org: Org) -> None:
    sid = _create(store, org)
    with store.session() as s:
        delete_shifts(s, [sid])
    with store.session() as s:
        assert s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == sid)).all() == []
        assert s.get(Shift, sid).dirty is False


def test_edit_after_a_sent_create_is_queued_separately(store: Store, org: Org) -> None:
    sid = _create(store, org)
    with store.session() as s:
        s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == sid)).one().attempts = 1
    with store.session() as s:
        edit_shift(s, sid, employee_ids=[org.ben])
    with store.session() as s:
        query = select(OutboxEntry).where(OutboxEntry.record_id == sid)
        entries = s.scalars(query.order_by(OutboxEntry.seq)).all()
    assert [e.op for e in entries] == ["create", "update"]
    assert "employee_ids" in entries[1].fields["changed"]


def test_equal_start_and_end_applies_as_24_hours_with_a_warning(store: Store, org: Org) -> None:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, MONDAY, "10:00", "10:00", (org.anna,)))
        assert result.applied
        shift = s.get(Shift, result.ids[0])
        assert shift.end_utc - shift.start_utc == timedelta(hours=24)
    assert [w.reason for w in result.warnings] == ["lasts 24 hours: start and end are both 10:00"]
    with store.session() as s:
        moved = move_shift(s, result.ids[0], day=MONDAY + timedelta(days=3))
    assert "lasts 24 hours: start and end are both 10:00" in [w.reason for w in moved.warnings]


def test_a_start_in_the_spring_gap_is_refused_naming_the_field(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(ValidationError) as info:
        create_shift(s, ShiftDraft(org.site_id, date(2026, 3, 29), "02:30", "10:00", (org.anna,)))
    assert info.value.field == "start"
    assert info.value.problem == (
        "02:30 does not exist on Sun 29 Mar in Europe/Berlin: clocks go forward"
    )
    sid = _create(store, org, day=date(2026, 3, 28), start="20:00", end="23:00")
    with store.session() as s, pytest.raises(ValidationError) as info:
        edit_shift(s, sid, end_time="02:15")
    assert info.value.field == "end"


def test_copy_week_names_each_skipped_proposal_once_with_all_its_reasons(
    store: Store, org: Org
) -> None:
    _create(store, org, start="09:00", end="17:00")
    next_monday = MONDAY + timedelta(days=7)
    first = _create(store, org, day=next_monday, start="08:00", end="10:00")
    second = _create(store, org, day=next_monday, start="16:00", end="18:00")
    with store.session() as s:
        result = copy_week(s, MONDAY, next_monday)
    assert len(result.skipped) == 1
    skipped = result.skipped[0]
    assert {c.other_id for c in skipped.conflicts} == {first, second}
    assert skipped.proposal == "Anna Berg 09:00–17:00 on Mon 08 Jun"
    assert skipped.reason.startswith("Anna Berg 09:00–17:00 on Mon 08 Jun: Anna Berg already works")


def test_fill_open_shifts_checks_each_against_the_batch_and_applies_the_rest(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        ids = [
            create_shift(s, ShiftDraft(org.site_id, MONDAY, start, end)).ids[0]
            for start, end in (("09:00", "17:00"), ("12:00", "20:00"), ("09:00", "17:00"))
        ]
    with store.session() as s:
        result = fill_open_shifts(s, [(ids[0], org.anna), (ids[1], org.anna), (ids[2], org.ben)])
    assert result.ids == (ids[0], ids[2])
    (skipped,) = result.skipped
    assert skipped.reason == (
        "Anna Berg 12:00–20:00 on Mon 01 Jun: Anna Berg already works 09:00–17:00 on Mon 01 Jun"
    )
    assert [_state(store, i)[3] for i in ids] == [(org.anna,), (), (org.ben,)]
    with store.session() as s:
        result.undo(s)
    assert [_state(store, i)[3] for i in ids] == [(), (), ()]
