from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.changes import Changes
from core.errors import NotFound, ValidationError
from core.leave import (
    LEAVE_TRANSITIONS,
    approval_conflicts,
    approve_leave,
    cancel_leave,
    clash_counts,
    delete_leave,
    edit_leave,
    leave_clashes,
    list_leave,
    reject_leave,
    request_leave,
)
from core.models import Employee, LeaveRequest, LeaveStatus, Shift, ShiftStatus
from core.scheduling import ShiftDraft, create_shift, edit_shift
from core.store import Store
from tests.conftest import MONDAY, Org

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


def _request(store: Store, who: str, first=MONDAY, last=None, **kwargs) -> str:
    with store.session() as s:
        result = request_leave(
            s,
            employee_id=who,
            start_date=first,
            end_date=last or first,
            leave_type=kwargs.pop("leave_type", "paid"),
            **kwargs,
        )
    assert result.applied
    return result.ids[0]


def _shift(store: Store, org: Org, day=MONDAY, start="09:00", end="17:00", **kwargs) -> str:
    kwargs.setdefault("employee_ids", (org.anna,))
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, day, start, end, **kwargs))
    assert result.applied, result.conflicts
    return result.ids[0]


def _leave(store: Store, leave_id: str) -> LeaveRequest:
    with store.session() as s:
        return s.get(LeaveRequest, leave_id)


def _shift_state(store: Store, shift_id: str) -> tuple:
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        return (tuple(shift.employee_ids), tuple(shift.assigned_department_ids), shift.flag)


# --- the state machine ----------------------------------------------------------------------

OPS = {
    LeaveStatus.APPROVED: lambda s, lid: approve_leave(s, lid, actor="sam"),
    LeaveStatus.REJECTED: lambda s, lid: reject_leave(s, lid, actor="sam"),
    LeaveStatus.CANCELLED: lambda s, lid: cancel_leave(s, lid, actor="sam"),
}


def _in_status(store: Store, org: Org, status: LeaveStatus) -> str:
    leave_id = _request(store, org.anna)
    if status != LeaveStatus.PENDING:
        with store.session() as s:
            assert OPS[status](s, leave_id).applied
    return leave_id


@pytest.mark.parametrize("start", list(LeaveStatus))
@pytest.mark.parametrize("target", list(OPS))
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    store: Store, org: Org, start: LeaveStatus, target: LeaveStatus
) -> None:
    leave_id = _in_status(store, org, start)
    if target in LEAVE_TRANSITIONS[start]:
        with store.session() as s:
            assert OPS[target](s, leave_id).applied
        leave = _leave(store, leave_id)
        assert (leave.status, leave.decided_by) == (target, "sam")
        assert leave.decided_at is not None
    else:
        with store.session() as s, pytest.raises(ValidationError) as info:
            OPS[target](s, leave_id)
        assert info.value.field == "status"
        assert f"is {start}, so it cannot be {target}" in info.value.problem
        assert _leave(store, leave_id).status == start


def test_the_transition_table_is_the_documented_one() -> None:
    assert dict(LEAVE_TRANSITIONS) == {
        "pending": {"approved", "rejected", "cancelled"},
        "approved": {"cancelled"},
        "rejected": set(),
        "cancelled": set(),
    }


def test_undo_of_a_decision_puts_the_request_back_to_pending(store: Store, org: Org) -> None:
    leave_id = _request(store, org.anna)
    with store.session() as s:
        rejected = reject_leave(s, leave_id, actor="sam")
    with store.session() as s:
        redo = rejected.undo(s)
    leave = _leave(store, leave_id)
    assert (leave.status, leave.decided_by, leave.decided_at) == ("pending", None, None)
    with store.session() as s:
        redo.undo(s)
    assert _leave(store, leave_id).status == "rejected"


def test_deciding_without_saying_who_is_refused(store: Store, org: Org) -> None:
    leave_id = _request(store, org.anna)
    with store.session() as s, pytest.raises(ValidationError, match="actor"):
        reject_leave(s, leave_id, actor="  ")


def test_unknown_request_is_not_found(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(NotFound):
        approve_leave(s, "no-such-id", actor="sam")


# --- requesting -----------------------------------------------------------------------------


def test_request_is_pending_with_a_trimmed_reason(store: Store, org: Org) -> None:
    leave_id = _request(store, org.anna, MONDAY, WEDNESDAY, reason=" Family ")
    leave = _leave(store, leave_id)
    assert (leave.status, leave.reason, leave.start_time) == ("pending", "Family", None)
    assert (leave.start_date, leave.end_date, leave.decided_by) == (MONDAY, WEDNESDAY, None)


def test_undo_of_a_request_deletes_it_and_redo_brings_it_back(store: Store, org: Org) -> None:
    with store.session() as s:
        result = request_leave(
            s, employee_id=org.anna, start_date=MONDAY, end_date=MONDAY, leave_type="sick"
        )
    leave_id = result.ids[0]
    assert result.changed == Changes.LEAVE
    with store.session() as s:
        redo = result.undo(s)
    assert _leave(store, leave_id).deleted
    with store.session() as s:
        assert list_leave(s) == []
        redo.undo(s)
    assert not _leave(store, leave_id).deleted
    assert _leave(store, leave_id).leave_type == "sick"


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"end_date": MONDAY - timedelta(days=1)}, "end_date", "before the start date"),
        ({"leave_type": "holiday"}, "leave_type", "'holiday' is not one of"),
        ({"start_time": "09:00"}, "end_time", "needs both"),
        ({"end_time": "12:00"}, "start_time", "needs both"),
        (
            {"end_date": TUESDAY, "start_time": "09:00", "end_time": "12:00"},
            "end_date",
            "one date",
        ),
        ({"start_time": "12:00", "end_time": "12:00"}, "end_time", "not after the start"),
        ({"start_time": "13:00", "end_time": "09:00"}, "end_time", "not after the start"),
        ({"start_time": "9am", "end_time": "12:00"}, "start_time", "HH:MM"),
    ],
)
def test_bad_requests_name_the_field(
    store: Store, org: Org, kwargs: dict, field: str, words: str
) -> None:
    args = {"start_date": MONDAY, "end_date": MONDAY, "leave_type": "paid", **kwargs}
    with store.session() as s, pytest.raises(ValidationError) as info:
        request_leave(s, employee_id=org.anna, **args)
    assert info.value.field == field
    assert words in info.value.problem
    with store.session() as s:
        assert list_leave(s) == []


def test_request_for_an_inactive_employee_is_refused(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).active = False
    with store.session() as s, pytest.raises(ValidationError, match="inactive"):
        request_leave(
            s, employee_id=org.anna, start_date=MONDAY, end_date=MONDAY, leave_type="paid"
        )


def test_leave_outside_the_persons_employment_is_refused_naming_the_edge(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        anna = s.get(Employee, org.anna)
        anna.employment_start, anna.employment_end = TUESDAY, WEDNESDAY
    for first, last, field, problem in (
        (MONDAY, TUESDAY, "start_date", "Anna Berg starts on 2 Jun 2026"),
        (WEDNESDAY, WEDNESDAY + timedelta(days=1), "end_date", "Anna Berg left on 3 Jun 2026"),
    ):
        with store.session() as s, pytest.raises(ValidationError) as caught:
            request_leave(
                s, employee_id=org.anna, start_date=first, end_date=last, leave_type="paid"
            )
        assert (caught.value.field, caught.value.problem) == (
            field,
            f"{problem}; leave can be taken only on days of employment",
        )
    leave = _request(store, org.anna, TUESDAY, WEDNESDAY)
    with store.session() as s, pytest.raises(ValidationError, match="end_date: Anna Berg left"):
        edit_leave(s, leave, end_date=WEDNESDAY + timedelta(days=1))


def test_approving_leave_past_an_employment_end_set_since_is_refused(
    store: Store, org: Org
) -> None:
    leave = _request(store, org.anna, MONDAY, WEDNESDAY)
    with store.session() as s:
        s.get(Employee, org.anna).employment_end = TUESDAY
    with store.session() as s, pytest.raises(ValidationError) as caught:
        approve_leave(s, leave, actor="sam")
    assert caught.value.field == "end_date"
    assert _leave(store, leave).status == LeaveStatus.PENDING
    with store.session() as s:
        assert reject_leave(s, leave, actor="sam").applied  # saying no is always possible


@pytest.mark.parametrize("status", [LeaveStatus.PENDING, LeaveStatus.APPROVED])
def test_overlapping_an_open_request_is_refused_naming_its_dates(
    store: Store, org: Org, status: LeaveStatus
) -> None:
    _in_status(store, org, status)  # Anna, Monday
    with store.session() as s, pytest.raises(ValidationError) as info:
        request_leave(
            s,
            employee_id=org.anna,
            start_date=MONDAY - timedelta(days=3),
            end_date=TUESDAY,
            leave_type="unpaid",
        )
    assert info.value.field == "start_date"
    article = "an" if status is LeaveStatus.APPROVED else "a"
    assert f"already has {article} {status} paid leave request for {MONDAY}" in info.value.problem


@pytest.mark.parametrize("status", [LeaveStatus.REJECTED, LeaveStatus.CANCELLED])
def test_closed_requests_do_not_hold_their_dates(
    store: Store, org: Org, status: LeaveStatus
) -> None:
    _in_status(store, org, status)
    assert _request(store, org.anna)


def test_another_persons_leave_does_not_overlap(store: Store, org: Org) -> None:
    _request(store, org.anna)
    assert _request(store, org.ben)


def test_adjacent_whole_day_requests_are_fine(store: Store, org: Org) -> None:
    _request(store, org.anna, MONDAY, TUESDAY)
    assert _request(store, org.anna, WEDNESDAY)


def test_part_days_of_one_date_may_sit_back_to_back(store: Store, org: Org) -> None:
    _request(store, org.anna, start_time="08:00", end_time="12:00")
    assert _request(store, org.anna, start_time="12:00", end_time="14:00")
    with store.session() as s, pytest.raises(ValidationError, match="08:00–12:00"):
        request_leave(
            s,
            employee_id=org.anna,
            start_date=MONDAY,
            end_date=MONDAY,
            leave_type="paid",
            start_time="11:59",
            end_time="13:00",
        )


def test_part_day_inside_a_whole_day_request_is_refused(store: Store, org: Org) -> None:
    _request(store, org.anna, MONDAY, TUESDAY)
    with store.session() as s, pytest.raises(ValidationError, match="to"):
        request_leave(
            s,
            employee_id=org.anna,
            start_date=TUESDAY,
            end_date=TUESDAY,
            leave_type="paid",
            start_time="23:00",
            end_time="23:59",
        )


# --- clashes --------------------------------------------------------------------------------


def test_clashes_cover_overnight_shifts_from_the_day_before(store: Store, org: Org) -> None:
    overnight = _shift(store, org, MONDAY - timedelta(days=1), "22:00", "06:00")
    inside = _shift(store, org, TUESDAY)
    _shift(store, org, WEDNESDAY)  # after the leave
    _shift(store, org, MONDAY - timedelta(days=1), "08:00", "16:00")  # before it
    leave_id = _request(store, org.anna, MONDAY, TUESDAY)
    with store.session() as s:
        assert [x.id for x in leave_clashes(s, leave_id)] == [overnight, inside]


def test_part_day_leave_touching_a_shift_does_not_clash(store: Store, org: Org) -> None:
    _shift(store, org, MONDAY, "09:00", "12:00")
    clashing = _shift(store, org, MONDAY, "15:00", "18:00")
    leave_id = _request(store, org.anna, start_time="12:00", end_time="15:30")
    with store.session() as s:
        assert [x.id for x in leave_clashes(s, leave_id)] == [clashing]


def test_cancelled_and_deleted_shifts_and_other_peoples_do_not_clash(
    store: Store, org: Org
) -> None:
    cancelled = _shift(store, org)
    with store.session() as s:
        assert edit_shift(s, cancelled, status=ShiftStatus.CANCELLED).applied
    _shift(store, org, employee_ids=(org.ben,))
    leave_id = _request(store, org.anna)
    with store.session() as s:
        assert leave_clashes(s, leave_id) == []


def test_a_shift_bound_through_the_department_clashes(store: Store, org: Org) -> None:
    kitchen_shift = _shift(store, org, employee_ids=(), department_ids=(org.kitchen_id,))
    _shift(store, org, TUESDAY, employee_ids=(), department_ids=(org.floor_id,))
    leave_id = _request(store, org.anna, MONDAY, TUESDAY)
    with store.session() as s:
        assert [x.id for x in leave_clashes(s, leave_id)] == [kitchen_shift]
        (conflict,) = approval_conflicts(s, leave_id)
    assert conflict.other_id == kitchen_shift
    assert conflict.reason == "Anna Berg works 09:00–17:00 on Mon 01 Jun (assigned through Kitchen)"


# --- approving with clashes -----------------------------------------------------------------


def test_approval_with_clashes_and_no_choice_applies_nothing(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    leave_id = _request(store, org.anna)
    with store.session() as s:
        result = approve_leave(s, leave_id, actor="sam")
    assert not result.applied
    assert [(c.kind, c.other_id) for c in result.conflicts] == [("leave", sid)]
    assert result.conflicts[0].reason == "Anna Berg works 09:00–17:00 on Mon 01 Jun"
    assert _leave(store, leave_id).status == "pending"
    assert _shift_state(store, sid) == ((org.anna,), (), "")


def test_approval_without_clashes_needs_no_choice(store: Store, org: Org) -> None:
    _shift(store, org, TUESDAY)
    leave_id = _request(store, org.anna)
    with store.session() as s:
        result = approve_leave(s, leave_id, actor="sam")
    assert result.applied
    assert result.changed == Changes.LEAVE


def test_approve_and_unassign_leaves_an_open_shift_and_undoes_in_one_step(
    store: Store, org: Org
) -> None:
    alone = _shift(store, org)
    shared = _shift(store, org, TUESDAY, employee_ids=(org.anna, org.cara))
    leave_id = _request(store, org.anna, MONDAY, TUESDAY)
    with store.session() as s:
        result = approve_leave(s, leave_id, actor="sam", on_clash="unassign")
    assert result.applied
    assert result.changed == Changes.LEAVE | Changes.SHIFTS
    assert set(result.ids) == {leave_id, alone, shared}
    assert _leave(store, leave_id).status == "approved"
    assert _shift_state(store, alone) == ((), (), "")
    assert _shift_state(store, shared) == ((org.cara,), (), "")
    assert any("is now an open shift" in w.reason for w in result.warnings)
    with store.session() as s:
        assert not s.get(Shift, alone).deleted
        redo = result.undo(s)
    assert _leave(store, leave_id).status == "pending"
    assert _shift_state(store, alone) == ((org.anna,), (), "")
    assert _shift_state(store, shared) == (tuple(sorted((org.anna, org.cara))), (), "")
    with store.session() as s:
        redo.undo(s)
    assert _leave(store, leave_id).status == "approved"
    assert _shift_state(store, alone) == ((), (), "")


def test_approve_and_keep_flags_the_shift_and_undo_clears_the_flag(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    leave_id = _request(store, org.anna)
    with store.session() as s:
        result = approve_leave(s, leave_id, actor="sam", on_clash="keep")
    assert result.applied
    employees, _, flag = _shift_state(store, sid)
    assert employees == (org.anna,)
    assert flag == (
        "Anna Berg is on approved paid leave 01 Jun"
        " but was kept on this shift when sam approved it."
    )
    with store.session() as s:
        result.undo(s)
    assert _shift_state(store, sid) == ((org.anna,), (), "")
    assert _leave(store, leave_id).status == "pending"


def test_cancelling_a_kept_leave_clears_only_its_note_and_undo_restores_it(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org)
    other = _shift(store, org, day=TUESDAY)
    leave_id = _request(store, org.anna, MONDAY, TUESDAY)
    with store.session() as s:
        s.get(Shift, sid).flag = "Bring the keys."
    with store.session() as s:
        approve_leave(s, leave_id, actor="sam", on_clash="keep")
    assert "kept on this shift" in _shift_state(store, sid)[2]
    with store.session() as s:
        cancelled = cancel_leave(s, leave_id, actor="kim")
    assert cancelled.applied
    assert set(cancelled.ids) >= {sid, other}
    assert _shift_state(store, sid)[2] == "Bring the keys."
    assert _shift_state(store, other)[2] == ""
    with store.session() as s:
        cancelled.undo(s)
    assert _leave(store, leave_id).status == "approved"
    assert _shift_state(store, sid)[2] == (
        "Bring the keys. Anna Berg is on approved paid leave 01 Jun–02 Jun"
        " but was kept on this shift when sam approved it."
    )
    assert "kept on this shift" in _shift_state(store, other)[2]


def test_unassigning_from_a_department_shift_names_the_other_members(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org, employee_ids=(), department_ids=(org.kitchen_id,))
    leave_id = _request(store, org.anna)
    with store.session() as s:
        result = approve_leave(s, leave_id, actor="sam", on_clash="unassign")
        assert leave_clashes(s, leave_id) == []
    assert _shift_state(store, sid) == ((org.ben,), (), "")
    assert "was assigned to Kitchen" in result.warnings[0].reason
    with store.session() as s:
        result.undo(s)
    assert _shift_state(store, sid) == ((), (org.kitchen_id,), "")


def test_after_approval_the_leave_blocks_new_shifts(store: Store, org: Org) -> None:
    leave_id = _request(store, org.anna)
    with store.session() as s:
        approve_leave(s, leave_id, actor="sam")
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (org.anna,)))
    assert [c.kind for c in result.conflicts] == ["leave"]


def test_an_unknown_clash_choice_is_refused(store: Store, org: Org) -> None:
    leave_id = _request(store, org.anna)
    with store.session() as s, pytest.raises(ValidationError, match="on_clash"):
        approve_leave(s, leave_id, actor="sam", on_clash="ignore")


# --- listing --------------------------------------------------------------------------------


def test_list_filters_by_status_employee_and_dates(store: Store, org: Org) -> None:
    first = _request(store, org.anna, MONDAY, TUESDAY)
    second = _request(store, org.ben, date(2026, 7, 1))
    with store.session() as s:
        reject_leave(s, second, actor="sam")
    with store.session() as s:
        assert [r.id for r in list_leave(s)] == [first, second]
        assert [r.id for r in list_leave(s, status="rejected")] == [second]
        assert [r.id for r in list_leave(s, employee_id=org.anna)] == [first]
        assert [r.id for r in list_leave(s, first=TUESDAY, last=TUESDAY)] == [first]
        assert list_leave(s, first=WEDNESDAY, last=date(2026, 6, 30)) == []
        row = list_leave(s, status="rejected")[0]
        with pytest.raises(ValidationError, match="status"):
            list_leave(s, status="open")
    assert (row.employee, row.decided_by) == ("Ben Cole", "sam")


def test_a_request_made_elsewhere_keeps_its_id(store: Store, org: Org) -> None:
    leave_id = "5f0e6a4e-2b7c-4d51-9d3e-1a2b3c4d5e6f"
    assert _request(store, org.anna, leave_id=leave_id) == leave_id


def test_editing_a_pending_request_follows_the_rules_of_asking(store: Store, org: Org) -> None:
    leave_id = _request(store, org.anna)
    other = _request(store, org.anna, first=WEDNESDAY)
    with store.session() as s:
        result = edit_leave(s, leave_id, end_date=TUESDAY, reason=" moving ")
    assert result.applied
    with store.session() as s:
        leave = s.get(LeaveRequest, leave_id)
        assert (leave.end_date, leave.reason) == (TUESDAY, "moving")
        with pytest.raises(ValidationError) as overlap:
            edit_leave(s, leave_id, end_date=WEDNESDAY)
        assert overlap.value.field == "start_date"
        with pytest.raises(ValidationError) as backwards:
            edit_leave(s, other, end_date=MONDAY)
        assert backwards.value.field == "end_date"
    with store.session() as s:
        result.undo(s)
    with store.session() as s:
        assert s.get(LeaveRequest, leave_id).end_date == MONDAY


def test_a_decided_request_is_not_edited(store: Store, org: Org) -> None:
    leave_id = _request(store, org.anna)
    with store.session() as s:
        reject_leave(s, leave_id, actor="boss")
    with store.session() as s:
        with pytest.raises(ValidationError) as refused:
            edit_leave(s, leave_id, reason="please")
        assert refused.value.field == "status"
        with pytest.raises(ValidationError) as unknown:
            edit_leave(s, leave_id, status="pending")
        assert unknown.value.field == "status"


def test_a_request_that_never_took_effect_can_be_deleted_and_undo_brings_it_back(
    store: Store, org: Org
) -> None:
    pending = _request(store, org.anna)
    with store.session() as s:
        deleted = delete_leave(s, pending)
    assert deleted.changed == Changes.LEAVE
    assert _leave(store, pending).deleted is True
    with store.session() as s:
        deleted.undo(s)
    assert _leave(store, pending).deleted is False


def test_an_approved_request_is_cancelled_not_deleted(store: Store, org: Org) -> None:
    approved = _request(store, org.ben)
    with store.session() as s:
        approve_leave(s, approved, actor="sup")
    with store.session() as s, pytest.raises(ValidationError) as info:
        delete_leave(s, approved)
    assert info.value.field == "status"
    assert "cancel it" in info.value.problem


def test_clash_counts_match_each_requests_clashes_for_the_whole_list(
    store: Store, org: Org
) -> None:
    _shift(store, org, MONDAY)
    _shift(store, org, TUESDAY, "22:00", "06:00")  # runs overnight into Wednesday
    _shift(store, org, WEDNESDAY, employee_ids=(), department_ids=(org.kitchen_id,))
    _shift(store, org, TUESDAY, employee_ids=(org.ben,))
    week = _request(store, org.anna, MONDAY, TUESDAY)
    wednesday = _request(store, org.anna, WEDNESDAY)  # the night's tail and the team's day
    free = _request(store, org.ben, WEDNESDAY + timedelta(days=1))
    rejected = _request(store, org.ben, TUESDAY)
    with store.session() as s:
        assert reject_leave(s, rejected, actor="sam").applied
    with store.session() as s:
        counts = clash_counts(s, [week, wednesday, free, rejected])
        expected = {lid: len(leave_clashes(s, lid)) for lid in (week, wednesday, free)}
    assert counts == expected == {week: 2, wednesday: 2, free: 0}  # rejected: not counted
