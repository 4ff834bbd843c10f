"""New and edit dialogs, opened by double-click, checked by core as the user types."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import QDate, Qt

from core.models import Employee, Shift
from core.scheduling import ShiftDraft, create_shift
from desktop.schedule.dialog import ShiftDialog
from tests.conftest import MONDAY
from tests.desktop.helpers import add_shift, cell_center

TUESDAY = MONDAY + timedelta(days=1)


def _dialog(page) -> ShiftDialog:
    dialog = page.findChild(ShiftDialog)
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def test_double_click_on_an_empty_cell_opens_a_new_shift_for_that_person_and_day(
    qtbot, page, store, org
) -> None:
    qtbot.mouseDClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(page, org.ben, TUESDAY)
    )
    dialog = _dialog(page)
    assert dialog.windowTitle() == "New shift"
    assert dialog.employee.currentData() == org.ben
    assert dialog.day.date() == QDate(2026, 6, 2)
    assert dialog.department.currentData() == org.kitchen_id
    dialog.start.setText("07:00")
    dialog.end.setText("15:30")
    dialog.location.setText("Pass")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    (shift,) = page.model.roster.shifts(org.ben, TUESDAY)
    assert (shift.start_time, shift.end_time, shift.location) == ("07:00", "15:30", "Pass")
    assert page.context.undo_stack.undoText() == "New shift"


def test_a_bad_time_is_named_under_its_field_and_blocks_saving(qtbot, page, org) -> None:
    page.open_new_dialog(org.anna, MONDAY)
    dialog = _dialog(page)
    dialog.start.setText("25:00")
    label = dialog.error_labels["start"]
    assert label.isVisible()
    assert label.text() == "'25:00' is not a time in HH:MM (00:00 to 23:59)"
    assert dialog.start.property("invalid") is True
    assert not dialog.save_button.isEnabled()
    dialog.start.setText("08:00")
    assert not label.isVisible()
    assert dialog.save_button.isEnabled()


def test_a_clash_is_listed_before_saving_and_saving_stays_off(qtbot, page, store, org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    page.open_new_dialog(org.anna, MONDAY)
    dialog = _dialog(page)
    dialog.start.setText("12:00")
    dialog.end.setText("20:00")
    assert dialog.problems.text() == "✖ Anna Berg already works 09:00–17:00 on Mon 01 Jun"
    assert not dialog.save_button.isEnabled()


def test_double_click_on_a_shift_edits_it(qtbot, page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, location="Pass")
    page.reload()
    qtbot.mouseDClick(
        page.view.viewport(), Qt.MouseButton.LeftButton, pos=page.view.block_center(sid, org.anna)
    )
    dialog = _dialog(page)
    assert dialog.windowTitle() == "Edit shift"
    assert (dialog.start.text(), dialog.end.text(), dialog.location.text()) == (
        "09:00",
        "17:00",
        "Pass",
    )
    dialog.end.setText("18:00")
    dialog.employee.setCurrentIndex(dialog.employee.findData(org.cara))
    dialog.accept()
    with store.session() as s:
        shift = s.get(Shift, sid)
        assert (shift.end_time, shift.employee_ids) == ("18:00", [org.cara])
    page.context.undo_stack.undo()
    with store.session() as s:
        shift = s.get(Shift, sid)
        assert (shift.end_time, shift.employee_ids) == ("17:00", [org.anna])


def test_a_whole_department_shift_says_what_it_means(qtbot, page, store, org) -> None:
    with store.session() as s:
        sid = create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", department_ids=(org.kitchen_id,))
        ).ids[0]
    page.reload()
    dialog = page.open_edit_dialog(sid, org.ben)
    assert dialog is not None
    assert not dialog.employee.isEnabled()
    assert dialog.team_hint.isVisibleTo(dialog)
    assert dialog.team_hint.text() == (
        "Whole department: every member of Kitchen works this shift (2 people)."
        " Each of them has these hours scheduled and is expected to clock in,"
        " or is marked absent."
    )
    band = page.model.index(page.model.row_of(org.anna) - 1, 0)
    assert band.data() == "2 shifts · 16 h"  # once per member, as their hours count it


def test_a_long_shift_and_a_week_over_contract_warn_without_blocking(
    qtbot, page, store, org
) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).contract_hours = Decimal(20)
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, TUESDAY, "09:00", "17:00", org.anna)
    page.reload()
    page.open_new_dialog(org.anna, MONDAY + timedelta(days=2))
    dialog = _dialog(page)
    dialog.start.setText("06:00")
    dialog.end.setText("19:00")
    assert dialog.problems.text() == (
        "⚠ lasts 13 h, longer than 12 h\n"
        "⚠ Anna Berg would work 29 h in the week of Mon 01 Jun, over the 20 h of their contract"
    )
    assert dialog.problems.property("role") == "warning"
    assert dialog.save_button.isEnabled()
