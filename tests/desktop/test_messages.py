"""Messages: one at a time, never stale, never moving what is under the pointer."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

from core.leave import request_leave
from desktop.leave.page import LeavePage
from desktop.schedule.dialog import ShiftDialog
from tests.conftest import MONDAY
from tests.desktop.helpers import add_shift, drop, show_at

TUESDAY = MONDAY + timedelta(days=1)


def _shown_rect(widget, page) -> QRect:
    return QRect(widget.mapTo(page, QPoint(0, 0)), widget.size())


def test_a_notice_floats_over_the_grid_instead_of_pushing_it_down(qtbot, page) -> None:
    before = _shown_rect(page.view, page)
    page.notice.show_message("warning", "Something to say, long enough to matter. " * 3)
    QApplication.processEvents()
    assert page.notice.isVisible()
    assert _shown_rect(page.view, page) == before  # the grid did not move
    notice = page.notice.geometry()
    assert before.contains(notice)  # over the grid, at its bottom
    assert notice.bottom() > before.center().y()
    page.resize(1000, 600)
    QApplication.processEvents()
    assert _shown_rect(page.view, page).contains(page.notice.geometry())


def test_each_action_replaces_the_last_message(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, TUESDAY, "12:00", "20:00", org.ben)
    page.reload()
    drop(page, sid, org.anna, org.ben, TUESDAY)  # refused: a clash
    assert page.notice.kind == "error"
    drop(page, sid, org.anna, org.cara, TUESDAY)  # a quiet move
    assert page.notice.text == ""  # the refusal of the last drop is gone


def test_moving_the_range_or_a_filter_clears_a_stale_message(page) -> None:
    page.notice.show_message("info", "Published 3 shifts in Kitchen.")
    page.go(1)
    assert page.notice.text == ""
    page.notice.show_message("info", "Published 3 shifts in Kitchen.")
    page.set_span("month")
    assert page.notice.text == ""
    page.notice.show_message("info", "Published 3 shifts in Kitchen.")
    page.bar.name_edit.setText("an")
    assert page.notice.text == ""


def test_undo_says_what_it_undid_on_the_view_that_is_shown(qtbot, context, store, org) -> None:
    leave = show_at(qtbot, LeavePage(context), 1200, 700)
    result = context.run(
        "Request leave",
        lambda s: request_leave(
            s, employee_id=org.anna, start_date=MONDAY, end_date=MONDAY, leave_type="paid"
        ),
    )
    assert result.applied
    context.undo_stack.undo()
    assert leave.notice.text == "Undone: Request leave"
    leave.hide()  # another view: the message is stale when the Leave view comes back
    leave.show()
    assert leave.notice.text == ""


def test_a_field_error_keeps_its_line_so_the_next_field_does_not_jump(qtbot, page, org) -> None:
    dialog = page.open_new_dialog(org.anna, MONDAY)
    assert isinstance(dialog, ShiftDialog)
    qtbot.waitExposed(dialog)
    end_at = dialog.end.mapTo(dialog, QPoint(0, 0))
    dialog.start.setText("25:00")
    QApplication.processEvents()
    assert dialog.error_labels["start"].isVisible()
    assert dialog.end.mapTo(dialog, QPoint(0, 0)) == end_at
    dialog.start.setText("08:00")
    QApplication.processEvents()
    assert not dialog.error_labels["start"].isVisible()
    assert dialog.end.mapTo(dialog, QPoint(0, 0)) == end_at
