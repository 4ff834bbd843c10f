"""Every operation that writes leaves in the outbox exactly what the server must hear:
which collection, which record, which operation, as one group.

Each test starts from a store the server has seen all of (every record at version 1,
the outbox empty), as a site is after a sync, so an edit reads as an update and a
removal as a delete.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from core import attendance, employees, leave, organisation, outbox, scheduling, templates, undo
from core.errors import ValidationError
from core.models import Base, LeaveRequest, LeaveShiftLink, OutboxEntry, Shift, Synced
from core.outbox import APPLYING_REMOTE
from core.scheduling import ShiftDraft
from core.store import Store
from core.undo import UndoRefused
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import at

TUESDAY = MONDAY + timedelta(days=1)


def _synced(store: Store) -> None:
    """As after a sync: the outbox empty and every record acknowledged at version 1."""
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        s.execute(delete(OutboxEntry))
        for mapper in Base.registry.mappers:
            if issubclass(mapper.class_, Synced):
                s.execute(update(mapper.class_).values(server_version=1, dirty=False))


def _outbox(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as s:
        entries = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        return [(e.collection, e.record_id, e.op) for e in entries]


def _groups(store: Store) -> int:
    with store.session() as s:
        return len(set(s.scalars(select(OutboxEntry.group_id))))


def _shift(store: Store, org: Org, who: str | None = None, day=MONDAY, **kw) -> str:
    draft = ShiftDraft(org.site_id, day, "09:00", "17:00", (who or org.anna,), **kw)
    with store.session() as s:
        result = scheduling.create_shift(s, draft)
    assert result.applied, result.conflicts
    return result.ids[0]


def _leave(store: Store, who: str, day=MONDAY) -> str:
    with store.session() as s:
        result = leave.request_leave(
            s, employee_id=who, start_date=day, end_date=day, leave_type="paid"
        )
    return result.ids[0]


def _template(store: Store, org: Org) -> str:
    draft = templates.TemplateDraft(
        org.site_id, "Early", "06:00", "14:00", "FREQ=DAILY;COUNT=2", MONDAY
    )
    with store.session() as s:
        return templates.create_template(s, draft).ids[0]


# --- core.scheduling ---------------------------------------------------------------------------


def test_create_shift(store: Store, org: Org) -> None:
    _synced(store)
    sid = _shift(store, org)
    assert _outbox(store) == [("shifts", sid, "create")]


def test_edit_shift(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    _synced(store)
    with store.session() as s:
        scheduling.edit_shift(s, sid, location="Bar")
    assert _outbox(store) == [("shifts", sid, "update")]


def test_move_shift_to_another_day(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    _synced(store)
    with store.session() as s:
        scheduling.move_shift(s, sid, day=TUESDAY)
    assert _outbox(store) == [("shifts", sid, "update")]


def test_move_shift_to_another_person(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    _synced(store)
    with store.session() as s:
        scheduling.move_shift(s, sid, employee_id=org.ben, from_employee_id=org.anna)
    assert _outbox(store) == [("shifts", sid, "update")]
    with store.session() as s:
        entry = s.scalars(select(OutboxEntry)).one()
        assert entry.fields == {"changed": ["employee_ids"]}
        assert entry.base_version == 1


def test_copy_shift(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    _synced(store)
    with store.session() as s:
        copy = scheduling.copy_shift(s, sid, day=TUESDAY).ids[0]
    assert _outbox(store) == [("shifts", copy, "create")]


def test_delete_shifts(store: Store, org: Org) -> None:
    first, second = _shift(store, org), _shift(store, org, org.ben)
    _synced(store)
    with store.session() as s:
        scheduling.delete_shifts(s, [first, second])
    assert sorted(_outbox(store)) == sorted(
        [("shifts", first, "delete"), ("shifts", second, "delete")]
    )
    assert _groups(store) == 1


def test_write_bulk(store: Store, org: Org) -> None:
    _synced(store)
    drafts = [ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (w,)) for w in (org.anna, org.ben)]
    with store.session() as s:
        ids = scheduling.write_bulk(s, scheduling.plan_bulk(s, drafts)).ids
    assert _outbox(store) == [("shifts", sid, "create") for sid in ids]
    assert _groups(store) == 1


def test_set_deleted_many(store: Store, org: Org) -> None:
    first, second = _shift(store, org), _shift(store, org, org.ben)
    _synced(store)
    with store.session() as s:
        undo.set_deleted_many(s, Shift, [first, second], deleted=True)
    assert sorted(_outbox(store)) == sorted(
        [("shifts", first, "delete"), ("shifts", second, "delete")]
    )


def test_copy_week(store: Store, org: Org) -> None:
    _shift(store, org)
    _synced(store)
    with store.session() as s:
        copied = scheduling.copy_week(s, MONDAY, MONDAY + timedelta(days=7)).ids
    assert len(copied) == 1
    assert _outbox(store) == [("shifts", copied[0], "create")]


def test_publish_range(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    _synced(store)
    with store.session() as s:
        scheduling.publish_range(s, MONDAY, MONDAY)
    assert _outbox(store) == [("shifts", sid, "update")]


# --- core.leave ---------------------------------------------------------------------------------


def test_request_leave(store: Store, org: Org) -> None:
    _synced(store)
    lid = _leave(store, org.anna)
    assert _outbox(store) == [("leaverequests", lid, "create")]


def test_edit_leave(store: Store, org: Org) -> None:
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        leave.edit_leave(s, lid, reason="wedding")
    assert _outbox(store) == [("leaverequests", lid, "update")]


def _in_push_order(store: Store) -> list[tuple[str, str, str, dict, int | None]]:
    with store.session() as s:
        entries = outbox.in_push_order(s.scalars(select(OutboxEntry)).all())
        return [(e.collection, e.record_id, e.op, e.fields, e.base_version) for e in entries]


def _action(lid: str, name: str, base: int | None = 1, **params) -> tuple:
    return ("leaverequests", lid, "action", {"action": name, "params": params}, base)


def test_approve_leave_without_clash_queues_the_action_not_the_status(
    store: Store, org: Org
) -> None:
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam")
    assert _in_push_order(store) == [_action(lid, "approve", onClash=None)]


def test_approve_leave_taking_the_last_person_off_a_shift_queues_only_the_action(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org)
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam", on_clash="unassign")
    with store.session() as s:
        assert s.get(Shift, sid).employee_ids == []
    # The server's approve?onClash=unassign takes her off itself, and links the shift
    # to the leave as this store did: sent apart, the shift would reach it without her
    # and the server would find no clash to link.
    assert _in_push_order(store) == [_action(lid, "approve", onClash="unassign")]
    assert _groups(store) == 1


def test_approve_leave_taking_one_of_two_people_off_a_shift(store: Store, org: Org) -> None:
    with store.session() as s:
        draft = ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (org.anna, org.ben))
        sid = scheduling.create_shift(s, draft).ids[0]
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam", on_clash="unassign")
    assert [e[:3] for e in _in_push_order(store)] == [("leaverequests", lid, "action")]
    with store.session() as s:
        assert s.get(Shift, sid).employee_ids == [org.ben]


def test_approve_leave_keeping_the_person_on_queues_only_the_action(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam", on_clash="keep")
    # The flag and the link are what the server's approve?onClash=keep writes itself.
    assert _in_push_order(store) == [_action(lid, "approve", onClash="keep")]
    with store.session() as s:
        link = s.get(LeaveShiftLink, leave.link_id(lid, sid))
        assert (link.leave_id, link.shift_id, link.deleted) == (lid, sid, False)
        assert link.note in s.get(Shift, sid).flag
        assert link.company_id == s.get(LeaveRequest, lid).company_id
        assert not link.dirty
        assert not s.get(Shift, sid).dirty


def test_reject_leave(store: Store, org: Org) -> None:
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        leave.reject_leave(s, lid, actor="sam")
    assert _in_push_order(store) == [_action(lid, "reject")]


def test_cancel_leave_takes_the_keep_note_off_the_shift(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    lid = _leave(store, org.anna)
    with store.session() as s:
        s.get(Shift, sid).flag = "Check the till."
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam", on_clash="keep")
    _synced(store)
    with store.session() as s:
        leave.cancel_leave(s, lid, actor="sam")
    assert _in_push_order(store) == [_action(lid, "cancel")]
    with store.session() as s:
        assert s.get(Shift, sid).flag == "Check the till."
        assert s.get(LeaveShiftLink, leave.link_id(lid, sid)).deleted
        assert leave.kept_links(s, lid) == []


def test_a_request_made_and_approved_offline_is_created_pending_then_approved(
    store: Store, org: Org
) -> None:
    _synced(store)
    sid = _shift(store, org)
    lid = _leave(store, org.anna)
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam", on_clash="unassign")
    entries = _in_push_order(store)
    assert [e[:3] for e in entries] == [
        ("shifts", sid, "create"),
        ("leaverequests", lid, "create"),
        ("leaverequests", lid, "action"),
    ]
    created = entries[1][3]
    assert "status" not in created["changed"]
    assert created["withheld"] == {"status": "pending", "decided_by": None, "decided_at": None}
    assert entries[2][3:] == ({"action": "approve", "params": {"onClash": "unassign"}}, None)


def test_approve_then_cancel_queue_two_actions_in_order(store: Store, org: Org) -> None:
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam")
    with store.session() as s:
        leave.cancel_leave(s, lid, actor="sam")
    assert [e[3]["action"] for e in _in_push_order(store)] == ["approve", "cancel"]


def test_undo_of_a_keep_approval_removes_its_links(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    lid = _leave(store, org.anna)
    with store.session() as s:
        result = leave.approve_leave(s, lid, actor="sam", on_clash="keep")
    with store.session() as s:
        assert [link.shift_id for link in leave.kept_links(s, lid)] == [sid]
        result.undo(s)
    with store.session() as s:
        assert leave.kept_links(s, lid) == []
        assert s.get(LeaveRequest, lid).status == "pending"
        assert "kept on this shift" not in s.get(Shift, sid).flag


def test_undo_of_a_cancellation_puts_the_links_back(store: Store, org: Org) -> None:
    sid = _shift(store, org)
    lid = _leave(store, org.anna)
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam", on_clash="keep")
    with store.session() as s:
        result = leave.cancel_leave(s, lid, actor="sam")
    with store.session() as s:
        result.undo(s)
    with store.session() as s:
        assert [link.shift_id for link in leave.kept_links(s, lid)] == [sid]
        assert "kept on this shift" in s.get(Shift, sid).flag


def test_undo_of_an_unsent_approval_withdraws_its_action_and_redo_queues_it_again(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org)
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        result = leave.approve_leave(s, lid, actor="sam", on_clash="keep")
    with store.session() as s:
        redo = result.undo(s)
    assert _in_push_order(store) == []
    with store.session() as s:
        assert not s.get(LeaveRequest, lid).dirty
        redo.undo(s)
    assert _in_push_order(store) == [_action(lid, "approve", onClash="keep")]
    with store.session() as s:
        assert [link.shift_id for link in leave.kept_links(s, lid)] == [sid]


def test_undo_and_redo_of_an_unassigning_approval_queue_nothing_then_the_action(
    store: Store, org: Org
) -> None:
    _shift(store, org)
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        result = leave.approve_leave(s, lid, actor="sam", on_clash="unassign")
    with store.session() as s:
        redo = result.undo(s)
    # The shift's people are back as the server has them; no decision is left to send.
    assert _in_push_order(store) == []
    with store.session() as s:
        redo.undo(s)
    assert [e[:3] for e in _in_push_order(store)] == [("leaverequests", lid, "action")]


def test_a_decision_the_server_has_is_not_undone(store: Store, org: Org) -> None:
    lid = _leave(store, org.anna)
    _synced(store)
    with store.session() as s:
        result = leave.reject_leave(s, lid, actor="sam")
    with store.session() as s:
        s.execute(update(OutboxEntry).values(attempts=1, state="sending"))
    with store.session() as s, pytest.raises(ValidationError, match="at the server"):
        result.undo(s)
    with store.session() as s:
        assert s.get(LeaveRequest, lid).status == "rejected"


# --- core.templates ------------------------------------------------------------------------------


def test_create_template(store: Store, org: Org) -> None:
    _synced(store)
    tid = _template(store, org)
    assert _outbox(store) == [("shifttemplates", tid, "create")]


def test_edit_template(store: Store, org: Org) -> None:
    tid = _template(store, org)
    _synced(store)
    with store.session() as s:
        templates.edit_template(s, tid, location="Hall")
    assert _outbox(store) == [("shifttemplates", tid, "update")]


def test_delete_template(store: Store, org: Org) -> None:
    tid = _template(store, org)
    _synced(store)
    with store.session() as s:
        templates.delete_template(s, tid)
    assert _outbox(store) == [("shifttemplates", tid, "delete")]


def test_restore_templates(store: Store, org: Org) -> None:
    tid = _template(store, org)
    with store.session() as s:
        deleted = templates.delete_template(s, tid)
    _synced(store)
    with store.session() as s, pytest.raises(UndoRefused):
        deleted.undo(s)  # the server has the tombstone: no route revives it
    assert _outbox(store) == []


def test_commit_expansion(store: Store, org: Org) -> None:
    tid = _template(store, org)
    _synced(store)
    with store.session() as s:
        expansion = templates.expand_template(s, tid, MONDAY, TUESDAY, (org.anna,))
        ids = templates.commit_expansion(s, expansion).ids
    assert len(ids) == 2
    assert sorted(_outbox(store)) == sorted(("shifts", sid, "create") for sid in ids)
    assert _groups(store) == 1


@pytest.mark.parametrize("many", [False, True])
def test_apply_template(store: Store, org: Org, many: bool) -> None:
    tid = _template(store, org)
    _synced(store)
    with store.session() as s:
        if many:
            apps = [templates.Application(tid, (org.anna,)), templates.Application(tid, (org.ben,))]
            ids = templates.apply_templates(s, apps, MONDAY, TUESDAY).ids
        else:
            ids = templates.apply_template(s, tid, MONDAY, TUESDAY, (org.anna,)).ids
    assert len(ids) == (4 if many else 2)
    assert sorted(_outbox(store)) == sorted(("shifts", sid, "create") for sid in ids)
    assert _groups(store) == 1


# --- core.attendance ---------------------------------------------------------------------------


def _correct(store: Store, org: Org) -> str:
    with store.session() as s:
        return attendance.correct_day(
            s,
            employee_id=org.anna,
            work_date=MONDAY,
            clock_in=at(MONDAY, "09:10"),
            reason="forgot to punch",
            author="sam",
        ).ids[0]


def _approve(store: Store, org: Org) -> str:
    with store.session() as s:
        return attendance.approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam").ids[0]


def test_correct_day(store: Store, org: Org) -> None:
    _synced(store)
    cid = _correct(store, org)
    assert _outbox(store) == [("attendancecorrections", cid, "create")]


def test_withdraw_correction(store: Store, org: Org) -> None:
    cid = _correct(store, org)
    _synced(store)
    with store.session() as s:
        attendance.withdraw_correction(s, cid, actor="sam")
    assert _outbox(store) == [("attendancecorrections", cid, "delete")]


def test_approve_day_then_again(store: Store, org: Org) -> None:
    _synced(store)
    aid = _approve(store, org)
    assert _outbox(store) == [("attendanceapprovals", aid, "create")]
    _synced(store)
    assert _approve(store, org) == aid
    assert _outbox(store) == [("attendanceapprovals", aid, "update")]


def test_approve_days(store: Store, org: Org) -> None:
    _synced(store)
    with store.session() as s:
        ids = attendance.approve_days(
            s, days=[(org.anna, MONDAY), (org.ben, MONDAY)], actor="sam"
        ).ids
    assert _outbox(store) == [("attendanceapprovals", aid, "create") for aid in ids]


def test_withdraw_approval(store: Store, org: Org) -> None:
    aid = _approve(store, org)
    _synced(store)
    with store.session() as s:
        attendance.withdraw_approval(s, aid, actor="sam")
    assert _outbox(store) == [("attendanceapprovals", aid, "delete")]


def test_import_punches_csv(store: Store, org: Org) -> None:
    _synced(store)
    text = (
        "employee,timestamp,kind\n"
        f"{org.anna},2026-06-01T09:00:00+02:00,in\n"
        f"{org.anna},2026-06-01T17:00:00+02:00,out\n"
    )
    with store.session() as s:
        assert attendance.import_punches_csv(s, text).imported == 2
    queued = _outbox(store)
    assert [(c, op) for c, _, op in queued] == [("clockevents", "create")] * 2
    assert _groups(store) == 1


# --- core.organisation and core.employees ---------------------------------------------------------


def test_setup_store_queues_nothing(tmp_path) -> None:
    from core.store import open_store

    store = open_store(tmp_path / "new.shiftdesk")
    with store.session() as s:
        organisation.setup_store(s, organisation.Setup("Co", "Main", "Europe/Berlin", "EUR"))
    assert _outbox(store) == []  # company, site and pay policy are this store's own
    store.close()


def test_add_department(store: Store, org: Org) -> None:
    _synced(store)
    with store.session() as s:
        dept = organisation.add_department(s, "Bar").ids[0]
    assert _outbox(store) == [("departments", dept, "create")]


def test_import_employees_queues_a_new_department_before_its_people(store: Store, org: Org) -> None:
    _synced(store)
    text = "first_name,last_name,code,department\nEva,Fisher,E100,Bar\nEmil,Fisher,E200,Kitchen\n"
    with store.session() as s:
        employees.import_employees_csv(s, text)
    with store.session() as s:
        eva = employees.get_employee(s, "E100").id
        emil = employees.get_employee(s, "E200").id
        bar = employees.get_employee(s, "E100").department_id
    assert _outbox(store) == [
        ("departments", bar, "create"),
        ("employees", eva, "create"),
        ("employees", emil, "create"),
    ]
    assert _groups(store) == 1
    _synced(store)
    with store.session() as s:
        employees.import_employees_csv(s, "first_name,last_name,code\nEva,Fisher-Lang,E100\n")
    assert _outbox(store) == [("employees", eva, "update")]
