"""Open shifts: left by "take them off" on a leave approval, or made in the dialog,
they wait in their department's "Open shifts" row until dragged onto a person."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from core.leave import approve_leave, request_leave
from core.models import Shift
from desktop.schedule.dialog import NOBODY, ShiftDialog
from desktop.schedule.model import CELL_ROLE, OPEN_SHIFTS, RowKind
from tests.conftest import MONDAY
from tests.desktop.helpers import add_shift, drop, hover

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


def _people_on(store, shift_id):
    with store.session() as s:
        return tuple(s.get(Shift, shift_id).employee_ids)


def _dan_on_leave_and_taken_off(page, store, org) -> tuple[str, str]:
    """Dan's Monday and Tuesday shifts, then his leave approved with "take Dan off"."""
    monday = add_shift(store, org, MONDAY, "09:00", "17:00", org.dan, department_id=org.floor_id)
    tuesday = add_shift(store, org, TUESDAY, "07:00", "15:00", org.dan, department_id=org.floor_id)
    with page.context.store.session() as s:
        leave_id = request_leave(
            s, employee_id=org.dan, start_date=MONDAY, end_date=TUESDAY, leave_type="paid"
        ).ids[0]
    result = page.context.run(
        "Approve leave", partial(approve_leave, leave_id=leave_id, actor="sam", on_clash="unassign")
    )
    assert [w.reason for w in result.warnings if w.kind == "open_shift"] == [
        "09:00–17:00 on Mon 01 Jun is now an open shift",
        "07:00–15:00 on Tue 02 Jun is now an open shift",
    ]
    return monday, tuesday


def test_shifts_taken_off_on_leave_approval_wait_in_the_open_shifts_row(page, store, org) -> None:
    monday, _tuesday = _dan_on_leave_and_taken_off(page, store, org)
    model = page.model
    row = model.open_row_of(org.floor_id)
    assert row == model.row_of(org.cara) - 1  # right under the Floor band
    assert model.row_info(row).kind == RowKind.OPEN
    assert model.headerData(row, Qt.Orientation.Vertical) == OPEN_SHIFTS
    assert model.open_row_of(org.kitchen_id) == -1  # Kitchen has none: no row
    assert model.index_of_open(org.floor_id, MONDAY).data() == "09:00–17:00 (not published)"
    assert model.index_of_open(org.floor_id, TUESDAY).data() == "07:00–15:00 (not published)"
    assert model.roster.shifts(org.dan, MONDAY) == ()
    # The day totals count them, and say how many nobody works yet.
    band = model.index(row - 1, 0)
    assert band.data() == "1 shift · 8 h · 1 open"
    assert band.data(CELL_ROLE).team_open == 1
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Mon 01 Jun · 1 open"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Wed 03 Jun"
    # The row is drawn: its blocks are where the view hit-tests them.
    shift, _ = page.view.shift_at(page.view.open_block_center(monday, org.floor_id))
    assert shift is not None
    assert shift.id == monday


def test_dragging_an_open_shift_onto_a_person_assigns_it(qtbot, page, store, org) -> None:
    monday, _ = _dan_on_leave_and_taken_off(page, store, org)
    view = page.view
    qtbot.mousePress(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.open_block_center(monday, org.floor_id),
    )
    assert view.selected_shifts == {monday}  # pressed on it: the drag starts from here
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton)
    # The usual live feedback: Dan is on leave that day, Cara is free.
    hover(page, monday, "", org.dan, MONDAY)
    assert view.drop_hint.kind == "conflict"
    assert view.drop_hint.text == "Cannot drop: Dan Evans is on approved paid leave 01 Jun–02 Jun"
    hover(page, monday, "", org.cara, MONDAY)
    assert view.drop_hint.text == "Move here"
    drop(page, monday, "", org.cara, MONDAY)
    assert _people_on(store, monday) == (org.cara,)
    assert [s.id for s in page.model.roster.shifts(org.cara, MONDAY)] == [monday]
    assert page.model.roster.open_on(org.floor_id, MONDAY) == ()
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Mon 01 Jun"
    assert page.context.undo_stack.undoText() == "Move shift"
    page.context.undo_stack.undo()
    assert _people_on(store, monday) == ()
    assert [s.id for s in page.model.roster.open_on(org.floor_id, MONDAY)] == [monday]


def _dialog(page) -> ShiftDialog:
    (dialog,) = [d for d in page.findChildren(ShiftDialog) if d.isVisible()]
    return dialog


def test_the_dialog_makes_an_open_shift_and_later_gives_it_to_someone(
    qtbot, page, store, org
) -> None:
    # Double-click on an empty day of a team's open shifts: a new open shift there.
    sid = add_shift(store, org, MONDAY, "06:00", "12:00", org.cara, department_id=org.floor_id)
    page.reload()
    page.open_new_dialog(org.cara, WEDNESDAY)
    dialog = _dialog(page)
    assert dialog.employee.itemText(0) == NOBODY
    dialog.employee.setCurrentIndex(0)
    assert dialog.open_hint.isVisibleTo(dialog)
    assert dialog.save_button.isEnabled()
    dialog.accept()
    assert not dialog.isVisible()
    (new,) = page.model.roster.open_on(org.floor_id, WEDNESDAY)
    assert (new.start_time, new.end_time, new.employee_ids) == ("09:00", "17:00", ())
    assert page.context.undo_stack.undoText() == "New shift"
    # Open it from its row, and give it to Dan.
    qtbot.mouseDClick(
        page.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=page.view.open_block_center(new.id, org.floor_id),
    )
    dialog = _dialog(page)
    assert dialog.windowTitle() == "Edit shift"
    assert dialog.employee.isEnabled()
    assert dialog.employee.currentText() == NOBODY
    dialog.employee.setCurrentIndex(dialog.employee.findData(org.dan))
    assert not dialog.open_hint.isVisibleTo(dialog)
    dialog.accept()
    assert _people_on(store, new.id) == (org.dan,)
    assert page.model.open_row_of(org.floor_id) == -1
    # And the other way: "nobody" takes Cara off her shift, which becomes open.
    page.open_edit_dialog(sid, org.cara)
    dialog = _dialog(page)
    dialog.employee.setCurrentIndex(0)
    dialog.accept()
    assert _people_on(store, sid) == ()
    assert [s.id for s in page.model.roster.open_on(org.floor_id, MONDAY)] == [sid]


def test_double_click_in_the_open_row_starts_an_open_shift_of_that_team(
    qtbot, page, store, org
) -> None:
    _dan_on_leave_and_taken_off(page, store, org)
    index = page.model.index_of_open(org.floor_id, WEDNESDAY)
    qtbot.mouseDClick(
        page.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=page.view.visualRect(index).center(),
    )
    dialog = _dialog(page)
    assert dialog.windowTitle() == "New shift"
    assert dialog.employee.currentText() == NOBODY
    assert dialog.department.currentData() == org.floor_id


# The real right-click pops the menu up, which the offscreen platform grabs nothing for.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_right_click_on_an_empty_open_shifts_cell_offers_a_new_one_and_fill(
    qtbot, page, store, org
) -> None:
    _dan_on_leave_and_taken_off(page, store, org)
    index = page.model.index_of_open(org.floor_id, WEDNESDAY)
    where = page.view.visualRect(index).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, where, page.view.viewport().mapToGlobal(where)
    )
    with qtbot.waitSignal(page.view.open_menu_requested) as asked:
        QApplication.sendEvent(page.view.viewport(), event)
    department, day, _pos = asked.args
    popped = QApplication.activePopupWidget()
    assert popped is not None
    assert page.fill_action in popped.actions()
    popped.close()
    assert (department, day) == (org.floor_id, WEDNESDAY)
    menu = page.open_cell_menu(department, day)
    assert page.fill_action in menu.actions()
    (new,) = [a for a in menu.actions() if a.text() == "New open shift…"]
    new.trigger()
    dialog = _dialog(page)
    assert dialog.employee.currentText() == NOBODY
    assert dialog.department.currentData() == org.floor_id
