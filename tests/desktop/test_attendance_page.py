"""The Attendance page: flags, filters, corrections and approvals, each one undo step."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from core.models import AttendanceCorrection
from core.pay_periods import close_period
from core.policy import set_policy
from core.roster import range_for
from desktop.attendance import page as attendance_module
from desktop.attendance.dialog import CorrectionDialog
from desktop.attendance.model import FLAGS, STATUS
from desktop.attendance.page import AttendancePage
from desktop.context import AppContext
from desktop.payroll.page import PayrollPage
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import work
from tests.desktop.attendance_helpers import TUESDAY, late_missing_absent
from tests.desktop.helpers import loaded, settle, show_at


@pytest.fixture
def attendance_page(qtbot, context, org) -> AttendancePage:
    page = AttendancePage(context)
    return loaded(show_at(qtbot, page, 1400, 800, lambda p: p.period.set_span("week", MONDAY)))


def _row(page: AttendancePage, key: tuple[str, date]) -> int:
    row = page.days.row_of(*key)
    assert row >= 0, key
    return row


def _text(page: AttendancePage, key: tuple[str, date], column: int) -> str:
    return page.days.index(_row(page, key), column).data()


def _select(page: AttendancePage, *keys: tuple[str, date]) -> None:
    selection = QItemSelection()
    for key in keys:
        row = _row(page, key)
        selection.select(page.days.index(row, 0), page.days.index(row, FLAGS))
    page.day_table.selectionModel().select(
        selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
    )


def _correction_count(store) -> int:
    with store.session() as s:
        return s.query(AttendanceCorrection).filter_by(deleted=False).count()


def test_late_missing_punch_and_absent_days_show_their_flags(attendance_page, store, org):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    assert _text(attendance_page, keys["late"], FLAGS) == "Late 7 min"
    assert _text(attendance_page, keys["missing"], FLAGS) == "Missing punch"
    assert _text(attendance_page, keys["absent"], FLAGS) == "Absent"
    assert _text(attendance_page, keys["clean"], FLAGS) == ""
    assert attendance_page.summary.text() == "4 employee-days · 3 with problems · 0 approved"
    # Painted as a chip: the late day's flag cell carries the late colour.
    index = attendance_page.days.index(_row(attendance_page, keys["late"]), FLAGS)
    rect = attendance_page.day_table.visualRect(index)
    image = attendance_page.day_table.viewport().grab().toImage()
    chip = image.pixelColor(rect.left() + 10, rect.center().y())
    assert (chip.red(), chip.green(), chip.blue()) == (0xFD, 0xE8, 0xC4)


def test_only_problem_days_and_the_name_filter_narrow_the_table(attendance_page, store, org):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    attendance_page.problems_only.setChecked(True)
    loaded(attendance_page)
    assert attendance_page.days.row_of(*keys["clean"]) == -1
    assert attendance_page.days.rowCount() == 3
    attendance_page.name_edit.setText("cara")
    loaded(attendance_page)
    assert attendance_page.days.rowCount() == 1
    assert attendance_page.days.day(0).employee_id == org.cara
    assert attendance_page.totals.rowCount() == 1


def test_totals_for_the_period_stay_the_periods_when_only_problems_are_shown(
    attendance_page, store, org
):
    keys = late_missing_absent(store, org)
    work(store, org, org.anna, TUESDAY, "09:00", "17:00")  # a clean day beside the late one
    attendance_page.reload()
    loaded(attendance_page)

    def totals() -> dict[str, tuple[str, ...]]:
        model = attendance_page.totals
        return {
            model.totals(r).person.name: tuple(
                model.index(r, c).data() for c in range(model.columnCount())
            )
            for r in range(model.rowCount())
        }

    everything = totals()
    attendance_page.problems_only.setChecked(True)
    loaded(attendance_page)
    assert attendance_page.days.row_of(*keys["clean"]) == -1  # the days narrow...
    assert totals() == everything  # ...the period's totals do not
    anna = everything["Anna Berg"]
    assert (anna[2], anna[4], anna[8], anna[9]) == ("2", "15.80", "1", "0 of 2")
    assert "Dan Evans" in totals()


def test_a_correction_without_a_reason_is_refused_inline_and_writes_nothing(
    attendance_page, store, org
):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    dialog = attendance_page.open_correction(_row(attendance_page, keys["missing"]))
    assert isinstance(dialog, CorrectionDialog)
    dialog.clock_out.setText("17:00")
    assert not dialog.save_button.isEnabled()
    assert dialog.error_labels["reason"].isVisibleTo(dialog)
    assert dialog.error_labels["reason"].text() == "Say why the day is corrected"
    dialog.reason.setText("   ")
    dialog.accept()
    loaded(attendance_page)
    assert dialog.isVisible()
    assert _correction_count(store) == 0
    assert attendance_page.context.undo_stack.count() == 0


def test_a_bad_time_is_named_under_its_field(attendance_page, store, org):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    dialog = attendance_page.open_correction(_row(attendance_page, keys["missing"]))
    dialog.reason.setText("Forgot to clock out")
    dialog.clock_out.setText("25:00")
    assert not dialog.save_button.isEnabled()
    assert dialog.error_labels["out"].text() == ("'25:00' is not a time in hh:mm (00:00 to 23:59)")
    dialog.clock_out.setText("17:00")
    assert dialog.save_button.isEnabled()


def test_a_correction_with_a_reason_fixes_the_day_and_undoes_in_one_step(
    qtbot, attendance_page, store, org
):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    dialog = attendance_page.open_correction(_row(attendance_page, keys["missing"]))
    dialog.clock_out.setText("17:00")
    dialog.reason.setText("Forgot to clock out; confirmed by the shift lead")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    loaded(attendance_page)
    assert _correction_count(store) == 1
    assert _text(attendance_page, keys["missing"], FLAGS) == ""
    assert _text(attendance_page, keys["missing"], 4) == "17:00"  # Out
    assert _text(attendance_page, keys["missing"], 6) == "8.00"  # Worked h, no break
    assert _text(attendance_page, keys["missing"], STATUS) == "Corrected"
    stack = attendance_page.context.undo_stack
    assert stack.count() == 1
    assert stack.undoText() == "Correct Ben Cole on 01 Jun"
    stack.undo()
    loaded(attendance_page)
    assert _correction_count(store) == 0
    assert _text(attendance_page, keys["missing"], FLAGS) == "Missing punch"
    assert _text(attendance_page, keys["missing"], STATUS) == ""
    stack.redo()
    loaded(attendance_page)
    assert _text(attendance_page, keys["missing"], STATUS) == "Corrected"


def test_an_excused_overnight_correction_puts_the_out_on_the_next_day(attendance_page, store, org):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    dialog = attendance_page.open_correction(_row(attendance_page, keys["late"]))
    dialog.clock_out.setText("01:00")
    dialog.reason.setText("Stayed for the inventory")
    dialog.excused.setChecked(True)
    dialog.accept()
    loaded(attendance_page)
    assert _text(attendance_page, keys["late"], 4) == "01:00 (+1)"
    assert "Late" not in _text(attendance_page, keys["late"], FLAGS)
    assert "Overtime" in _text(attendance_page, keys["late"], FLAGS)


def test_approving_selected_days_marks_them_and_undoes_as_one_step(attendance_page, store, org):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    _select(attendance_page, keys["late"], keys["clean"])
    assert attendance_page.approve_button.text() == "Approve 2 days"
    attendance_page.approve_button.click()
    loaded(attendance_page)
    assert _text(attendance_page, keys["late"], STATUS) == "✓ Approved"
    assert _text(attendance_page, keys["clean"], STATUS) == "✓ Approved"
    assert _text(attendance_page, keys["absent"], STATUS) == ""
    assert attendance_page.summary.text() == "4 employee-days · 3 with problems · 2 approved"
    assert attendance_page.selected_keys() == [keys["late"], keys["clean"]]
    stack = attendance_page.context.undo_stack
    assert (stack.count(), stack.undoText()) == (1, "Approve 2 days")
    stack.undo()
    loaded(attendance_page)
    assert _text(attendance_page, keys["late"], STATUS) == ""
    assert _text(attendance_page, keys["clean"], STATUS) == ""


def test_a_day_corrected_after_approval_asks_to_be_approved_again(attendance_page, store, org):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    _select(attendance_page, keys["absent"])
    attendance_page.approve_button.click()
    loaded(attendance_page)
    dialog = attendance_page.open_correction(_row(attendance_page, keys["absent"]))
    dialog.excused.setChecked(True)
    dialog.reason.setText("Doctor's note arrived")
    dialog.accept()
    loaded(attendance_page)
    index = attendance_page.days.index(_row(attendance_page, keys["absent"]), STATUS)
    assert index.data() == "Corrected"
    assert "approve it again" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert _text(attendance_page, keys["absent"], FLAGS) == ""


def test_the_span_and_filters_survive_a_restart(qtbot, context, settings, org):
    first = AttendancePage(context)
    qtbot.addWidget(first)
    first.period.set_span("month", TUESDAY)
    loaded(first)
    first.period.go(1)
    loaded(first)
    first.problems_only.setChecked(True)
    loaded(first)
    first.name_edit.setText("ann")
    loaded(first)
    first.save_state(settings)
    again = AttendancePage(context)
    qtbot.addWidget(again)
    again.restore_state(settings)
    assert again.period.span == "month"
    assert again.period.period == range_for(date.today(), "month")  # a new day, this month
    assert again.problems_only.isChecked()
    assert again.name_edit.text() == "ann"


def test_a_custom_period_steps_by_its_own_length(attendance_page):
    attendance_page.period.set_span("custom")
    loaded(attendance_page)
    attendance_page.period.to_edit.setDate(attendance_page.period.from_edit.date().addDays(2))
    assert attendance_page.period.period == (MONDAY, date(2026, 6, 3))
    attendance_page.period.go(1)
    loaded(attendance_page)
    assert attendance_page.period.period == (date(2026, 6, 4), date(2026, 6, 6))
    assert attendance_page.period.label.text() == "04 – 06 Jun 2026"


def test_correct_acts_on_the_one_selected_day(attendance_page, store, org):
    keys = late_missing_absent(store, org)
    attendance_page.reload()
    loaded(attendance_page)
    assert not attendance_page.correct_button.isEnabled()
    assert not attendance_page.approve_button.isEnabled()
    _select(attendance_page, keys["absent"])
    assert attendance_page.correct_button.isEnabled()
    attendance_page.correct_button.click()
    dialog = attendance_page.findChild(CorrectionDialog)
    assert dialog is not None
    assert dialog.day.employee_id == org.cara
    assert dialog.windowTitle() == "Correct Cara Diaz, Tue 02 Jun 2026"
    _select(attendance_page, keys["absent"], keys["late"])
    assert not attendance_page.correct_button.isEnabled()


def test_attendance_opens_on_last_week(qtbot, context, org):
    page = AttendancePage(context)
    qtbot.addWidget(page)
    assert page.period.span == "week"
    assert page.period.period == range_for(date.today() - timedelta(days=7), "week")


def test_a_restored_week_is_last_week_and_a_saved_custom_period_wins(qtbot, context, settings, org):
    first = AttendancePage(context)
    qtbot.addWidget(first)
    first.save_state(settings)
    again = AttendancePage(context)
    qtbot.addWidget(again)
    again.period.set_span("week", date.today())
    loaded(again)
    again.restore_state(settings)
    assert again.period.period == range_for(date.today() - timedelta(days=7), "week")
    first.period.set_custom(date(2026, 5, 4), date(2026, 5, 20))
    first.save_state(settings)
    again.restore_state(settings)
    assert again.period.span == "custom"
    assert again.period.period == (date(2026, 5, 4), date(2026, 5, 20))


def test_the_period_is_worked_out_off_the_ui_thread_while_the_page_says_so(
    attendance_page, store, org, monkeypatch
):
    """A month of 500 people takes a second to work out: the window must not freeze."""
    keys = late_missing_absent(store, org)
    gate = threading.Event()
    on_ui_thread: list[bool] = []
    real = attendance_module.attendance

    def held(*args, **kwargs):  # the real derivation, once the test has looked
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(attendance_module, "attendance", held)
    attendance_page.period.set_span("month", MONDAY)
    assert attendance_page.loading
    assert attendance_page.summary.text() == "Working out attendance for June 2026…"
    gate.set()
    loaded(attendance_page)
    assert on_ui_thread == [False]
    assert _text(attendance_page, keys["late"], FLAGS) == "Late 7 min"
    assert attendance_page.summary.text() == "4 employee-days · 3 with problems · 0 approved"


def test_reopening_a_pay_period_redraws_its_days_under_the_policy_as_it_stands(
    qtbot: QtBot, context: AppContext, org: Org
) -> None:
    """A closed week keeps its grace minutes; reopened from the payroll page, the
    attendance page shows its days under the policy's grace at once."""
    keys = late_missing_absent(context.store, org)
    with context.store.session() as s:
        close_period(s, MONDAY, MONDAY + timedelta(days=6), actor="anna")
        set_policy(s, grace_minutes=10)
    page = AttendancePage(context)
    loaded(show_at(qtbot, page, 1400, 800, lambda p: p.period.set_span("week", MONDAY)))
    assert _text(page, keys["late"], FLAGS) == "Late 7 min"
    payroll = PayrollPage(context)
    loaded(show_at(qtbot, payroll, 1200, 700, lambda p: p.period.set_span("week", MONDAY)))
    assert payroll.reopen_shown_period("grace back-dated")
    settle(context)
    loaded(page)
    assert _text(page, keys["late"], FLAGS) == "Late 2 min"
