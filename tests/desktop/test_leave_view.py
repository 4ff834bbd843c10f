"""The Leave view on real widgets: filters, the request dialog, and decisions as
undo steps, with the clash choice an approval needs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from pytestqt.qtbot import QtBot

from core.leave import list_leave, request_leave
from core.models import LeaveRequest, Shift
from core.pay_periods import close_period
from core.store import Store
from desktop.context import AppContext
from desktop.leave.dialogs import ClashDialog, LeaveRequestDialog
from desktop.leave.model import COLUMNS, LeaveModel
from desktop.leave.page import LeavePage
from desktop.schedule.page import SchedulePage
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift, show_at


def _leave(store: Store, who: str, first: date, last: date | None = None, **kw) -> str:
    with store.session() as s:
        result = request_leave(
            s,
            employee_id=who,
            start_date=first,
            end_date=last or first,
            leave_type=kw.pop("leave_type", "paid"),
            **kw,
        )
    return result.ids[0]


def _status(store: Store, leave_id: str) -> str:
    with store.session() as s:
        leave = s.get(LeaveRequest, leave_id)
        assert leave is not None
        return leave.status


@pytest.fixture
def leave_page(qtbot: QtBot, context: AppContext, org: Org) -> LeavePage:
    return show_at(qtbot, LeavePage(context), 1400, 700)


def test_leave_model_passes_the_model_tester(qtmodeltester, store, org) -> None:
    _leave(store, org.anna, MONDAY, MONDAY + timedelta(days=2), reason="Wedding")
    _leave(store, org.ben, MONDAY, start_time="09:00", end_time="12:00", leave_type="sick")
    model = LeaveModel()
    with store.session() as s:
        model.set_rows(list_leave(s), "Europe/Berlin")
    qtmodeltester.check(model)
    texts = [[model.data(model.index(r, c)) for c in range(4)] for r in range(2)]
    assert texts == [
        ["Anna Berg", "Paid", "Mon 01 Jun – Wed 03 Jun 2026", "3 days"],
        ["Ben Cole", "Sick", "Mon 01 Jun 2026, 09:00–12:00", "part day"],
    ]


def test_filters_by_status_name_and_dates(leave_page: LeavePage, store, org) -> None:
    _leave(store, org.anna, MONDAY)
    _leave(store, org.ben, MONDAY + timedelta(days=20))
    _leave(store, org.cara, MONDAY + timedelta(days=1))
    leave_page.reload()
    leave_page.table.selectRow(0)
    leave_page.reject()
    assert leave_page.proxy.rowCount() == 3
    leave_page.status.setCurrentIndex(leave_page.status.findData("pending"))
    assert leave_page.proxy.rowCount() == 2
    leave_page.status.setCurrentIndex(0)
    leave_page.name.setText("cole")
    assert leave_page.proxy.rowCount() == 1
    assert leave_page.proxy.index(0, 0).data() == "Ben Cole"
    leave_page.name.clear()
    leave_page.first.setDate(QDate(2026, 6, 1))
    leave_page.last.setDate(QDate(2026, 6, 7))
    leave_page.dated.setChecked(True)
    assert sorted(leave_page.proxy.index(r, 0).data() for r in range(2)) == [
        "Anna Berg",
        "Cara Diaz",
    ]
    assert leave_page.proxy.rowCount() == 2
    leave_page.name.setText("nobody")
    assert leave_page.empty.text() == "No leave requests match these filters."


def test_buttons_follow_the_legal_transitions(leave_page: LeavePage, store, org) -> None:
    pending = _leave(store, org.anna, MONDAY)
    approved = _leave(store, org.ben, MONDAY)
    leave_page.reload()
    buttons = (leave_page.approve_button, leave_page.reject_button, leave_page.cancel_button)
    assert [b.isEnabled() for b in buttons] == [False, False, False]  # nothing chosen
    leave_page.select(approved)
    leave_page.approve()
    assert _status(store, approved) == "approved"
    assert [b.isEnabled() for b in buttons] == [False, False, True]
    leave_page.cancel()
    assert _status(store, approved) == "cancelled"
    assert [b.isEnabled() for b in buttons] == [False, False, False]
    leave_page.select(pending)
    assert [b.isEnabled() for b in buttons] == [True, True, True]


def test_reject_is_one_undo_step(leave_page: LeavePage, store, org) -> None:
    leave_id = _leave(store, org.anna, MONDAY)
    leave_page.reload()
    leave_page.select(leave_id)
    leave_page.reject_button.click()
    assert _status(store, leave_id) == "rejected"
    assert leave_page.context.undo_stack.undoText() == "Reject leave: Anna Berg, Mon 01 Jun 2026"
    row = leave_page.model.row_at(leave_page.model.row_of(leave_id))
    assert row.decided_by
    leave_page.context.undo_stack.undo()
    assert _status(store, leave_id) == "pending"


def _clash(leave_page: LeavePage, store: Store, org: Org) -> tuple[str, str, ClashDialog]:
    shift = add_shift(store, org, MONDAY + timedelta(days=1), "09:00", "17:00", org.anna)
    leave_id = _leave(store, org.anna, MONDAY, MONDAY + timedelta(days=2))
    leave_page.reload()
    leave_page.select(leave_id)
    leave_page.approve_button.click()
    dialog = leave_page.findChild(ClashDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert [dialog.shifts.item(n).text() for n in range(dialog.shifts.count())] == [
        "✖ Anna Berg works 09:00–17:00 on Tue 02 Jun"
    ]
    return shift, leave_id, dialog


def test_approving_a_clash_can_take_the_person_off_the_shift(
    leave_page: LeavePage, store, org
) -> None:
    shift, leave_id, dialog = _clash(leave_page, store, org)
    dialog.unassign_button.click()
    assert _status(store, leave_id) == "approved"
    with store.session() as s:
        assert s.get(Shift, shift).employee_ids == []
    assert "open shift" in leave_page.notice.text
    leave_page.context.undo_stack.undo()  # the approval and the unassignment together
    assert _status(store, leave_id) == "pending"
    with store.session() as s:
        assert s.get(Shift, shift).employee_ids == [org.anna]


def test_approving_a_clash_can_keep_the_person_on_flagged(
    leave_page: LeavePage, store, org
) -> None:
    shift, leave_id, dialog = _clash(leave_page, store, org)
    dialog.keep_button.click()
    assert _status(store, leave_id) == "approved"
    with store.session() as s:
        kept = s.get(Shift, shift)
        assert kept.employee_ids == [org.anna]
        assert "was kept on this shift" in kept.flag


def test_going_back_from_a_clash_changes_nothing(leave_page: LeavePage, store, org) -> None:
    shift, leave_id, dialog = _clash(leave_page, store, org)
    dialog.back_button.click()
    assert not dialog.isVisible()
    assert _status(store, leave_id) == "pending"
    assert leave_page.context.undo_stack.count() == 0
    with store.session() as s:
        assert s.get(Shift, shift).flag == ""


def test_the_schedule_shows_an_approval_through_data_changed(
    qtbot: QtBot, context: AppContext, leave_page: LeavePage, store, org
) -> None:
    schedule = SchedulePage(context)
    qtbot.addWidget(schedule)
    schedule.anchor = MONDAY
    schedule.reload()
    leave_id = _leave(store, org.cara, MONDAY)
    leave_page.reload()
    leave_page.select(leave_id)
    assert schedule.model.roster.leave_on(org.cara, MONDAY) is None
    leave_page.approve()
    assert schedule.model.roster.leave_on(org.cara, MONDAY) is not None


def _dialog(leave_page: LeavePage) -> LeaveRequestDialog:
    dialog = leave_page.open_request_dialog()
    assert dialog.isVisible()
    return dialog


def test_the_request_dialog_checks_as_the_user_types(leave_page: LeavePage, store, org) -> None:
    dialog = _dialog(leave_page)
    assert dialog.error_labels["employee"].text() == "choose who is away"
    assert not dialog.save_button.isEnabled()
    dialog.employee.setCurrentIndex(dialog.employee.findData(org.dan))
    dialog.start_date.setDate(QDate(2026, 6, 10))
    dialog.end_date.setDate(QDate(2026, 6, 8))
    assert dialog.error_labels["end_date"].text() == "the last day is before the first day"
    dialog.end_date.setDate(QDate(2026, 6, 10))
    dialog.part_day.setChecked(True)
    dialog.end_time.setText("25:00")
    assert dialog.error_labels["end_time"].text() == (
        "'25:00' is not a time in HH:MM (00:00 to 23:59)"
    )
    dialog.end_time.setText("12:00")
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert not dialog.isVisible()
    (row,) = leave_page.model.rows
    assert (row.employee, row.start_time, row.end_time, row.status) == (
        "Dan Evans",
        "09:00",
        "12:00",
        "pending",
    )
    assert leave_page.selected == row
    assert leave_page.context.undo_stack.undoText() == "Request leave"


def test_a_request_core_refuses_keeps_the_dialog_open_with_the_reason(
    leave_page: LeavePage, store, org
) -> None:
    _leave(store, org.dan, MONDAY, MONDAY + timedelta(days=4))
    dialog = _dialog(leave_page)
    dialog.employee.setCurrentIndex(dialog.employee.findData(org.dan))
    dialog.start_date.setDate(QDate(2026, 6, 3))
    dialog.end_date.setDate(QDate(2026, 6, 3))
    dialog.reason.setText("Dentist")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.error_labels["start_date"].text() == (
        "Dan Evans already has a pending paid leave request for 2026-06-01 to 2026-06-05"
    )
    assert dialog.reason.text() == "Dentist"  # nothing typed is lost


def test_a_pending_request_shows_its_clashes_before_approving(
    leave_page: LeavePage, store, org
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)
    leave_id = _leave(store, org.ben, MONDAY, reason="Moving house")
    leave_page.reload()
    leave_page.select(leave_id)
    details = leave_page.details
    assert details.heading.text() == "Ben Cole"
    assert "Moving house" in details.facts.text()
    assert details.clash_title.text() == "Approving clashes with 1 shift"
    assert details.clashes.text() == "✖ works 09:00–17:00 on Mon 01 Jun"
    assert leave_page.count.text() == "1 request · 1 pending"


def test_the_request_dialogs_until_follows_from(leave_page: LeavePage) -> None:
    dialog = _dialog(leave_page)
    dialog.start_date.setDate(QDate(2026, 6, 10))
    dialog.end_date.setDate(QDate(2026, 6, 12))
    dialog.start_date.setDate(QDate(2026, 6, 11))  # still before until: until stays
    assert dialog.end_date.date() == QDate(2026, 6, 12)
    dialog.start_date.setDate(QDate(2026, 6, 15))  # past until: until keeps the length
    assert dialog.end_date.date() == QDate(2026, 6, 16)
    assert dialog.error_labels["end_date"].text() == ""
    dialog.start_date.setDate(QDate(2026, 6, 1))  # earlier: until stays put
    assert dialog.end_date.date() == QDate(2026, 6, 16)


def test_the_request_dialogs_dates_take_iso_and_the_locales_short_form(
    qtbot, leave_page: LeavePage
) -> None:
    dialog = _dialog(leave_page)
    for edit, typed in ((dialog.start_date, "2026-06-01"), (dialog.end_date, "6/3/26")):
        edit.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        edit.setFocus()
        edit.lineEdit().selectAll()
        qtbot.keyClicks(edit, typed)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert dialog.start_date.date() == QDate(2026, 6, 1)
    assert dialog.end_date.date() == QDate(2026, 6, 3)
    assert dialog.end_date.text() == "Wed 03 Jun 2026"  # shown again in the field's own format


def test_the_list_says_how_many_shifts_each_request_clashes_with(
    leave_page: LeavePage, store, org
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, MONDAY + timedelta(days=1), "09:00", "17:00", org.anna)
    _leave(store, org.anna, MONDAY, MONDAY + timedelta(days=2))
    _leave(store, org.ben, MONDAY)
    leave_page.reload()
    column = COLUMNS.index("Clashes")
    assert leave_page.model.headerData(column, Qt.Orientation.Horizontal) == "Clashes"
    shown = {
        leave_page.proxy.index(r, 0).data(): leave_page.proxy.index(r, column).data()
        for r in range(leave_page.proxy.rowCount())
    }
    assert shown == {"Anna Berg": "2 shifts", "Ben Cole": "none"}
    add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)
    leave_page.context.refresh_all()  # a shift written elsewhere: the count follows
    ben = next(
        r
        for r in range(leave_page.proxy.rowCount())
        if "Ben" in leave_page.proxy.index(r, 0).data()
    )
    assert leave_page.proxy.index(ben, column).data() == "1 shift"


def test_a_decision_on_leave_in_a_closed_period_is_refused_in_one_sentence(
    qtbot, context, store, org
) -> None:
    with store.session() as s:
        leave = request_leave(
            s, employee_id=org.anna, start_date=MONDAY, end_date=MONDAY, leave_type="paid"
        ).ids[0]
        close_period(s, MONDAY, MONDAY + timedelta(days=6), actor="anna")
    page = show_at(qtbot, LeavePage(context), 1200, 700)
    page.select(leave)
    page.reject()
    assert page.notice.kind == "error"
    assert page.notice.text.startswith(
        "Reject refused: Pay period 1–7 Jun 2026 is closed (by anna,"
    )
    assert page.notice.text.endswith("); reopen it to change it.")


def test_a_request_on_a_closed_day_keeps_the_dialog_open_with_the_sentence(
    leave_page: LeavePage, store, org
) -> None:
    with store.session() as s:
        close_period(s, MONDAY, MONDAY + timedelta(days=6), actor="anna")
    dialog = _dialog(leave_page)
    dialog.employee.setCurrentIndex(dialog.employee.findData(org.dan))
    dialog.start_date.setDate(QDate(2026, 6, 3))
    dialog.end_date.setDate(QDate(2026, 6, 3))
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.error_labels["start_date"].text().startswith("Pay period 1–7 Jun 2026 is closed")
