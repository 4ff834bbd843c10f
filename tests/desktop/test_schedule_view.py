"""Moving, copying, refusing and undoing through the grid's own drag-and-drop path."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDragLeaveEvent, QDragMoveEvent
from PySide6.QtWidgets import QMessageBox

from core.models import Employee, LeaveRequest, LeaveStatus, Shift
from core.pay_periods import close_period
from core.scheduling import edit_shift
from desktop.schedule.view import shift_mime
from tests.conftest import MONDAY
from tests.desktop.helpers import add_shift, drop, hover, settle

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


def _where(store, shift_id):
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        return (shift.deleted, shift.shift_date, tuple(shift.employee_ids))


def test_dropping_a_shift_on_another_day_and_person_moves_it(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    drop(page, sid, org.anna, org.ben, TUESDAY)
    assert _where(store, sid) == (False, TUESDAY, (org.ben,))
    assert [s.id for s in page.model.roster.shifts(org.ben, TUESDAY)] == [sid]
    assert page.model.roster.shifts(org.anna, MONDAY) == ()
    assert page.view.drop_hint is None


def test_ctrl_drop_copies_and_leaves_the_original(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, published=True)
    page.reload()
    drop(page, sid, org.anna, org.cara, WEDNESDAY, copy=True)
    assert _where(store, sid) == (False, MONDAY, (org.anna,))
    (copy,) = page.model.roster.shifts(org.cara, WEDNESDAY)
    assert (copy.start_time, copy.end_time, copy.published) == ("09:00", "17:00", False)


def test_hovering_shows_at_once_whether_the_drop_would_clash_and_why(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, TUESDAY, "12:00", "20:00", org.ben)
    page.reload()
    messages = []
    page.status_message.connect(messages.append)
    hover(page, sid, org.anna, org.ben, TUESDAY)
    hint = page.view.drop_hint
    assert hint.kind == "conflict"
    assert hint.text == "Cannot drop: Ben Cole already works 12:00–20:00 on Tue 02 Jun"
    assert messages[-1] == hint.text
    hover(page, sid, org.anna, org.ben, WEDNESDAY)
    assert page.view.drop_hint.kind == "ok"
    assert page.view.drop_hint.text == "Move here"
    image = page.view.viewport().grab().toImage()
    center = page.view.visualRect(page.model.index_of(org.ben, WEDNESDAY)).topLeft()
    hinted = image.pixelColor(center.x() + 6, center.y() + 6)
    assert hinted.green() > hinted.red()  # the target is tinted green


def test_a_drop_onto_a_hard_conflict_is_refused_with_the_reason(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, TUESDAY, "12:00", "20:00", org.ben)
    page.reload()
    drop(page, sid, org.anna, org.ben, TUESDAY)
    assert _where(store, sid) == (False, MONDAY, (org.anna,))
    assert page.notice.kind == "error"
    assert page.notice.text == ("Move refused: Ben Cole already works 12:00–20:00 on Tue 02 Jun")
    assert page.context.undo_stack.count() == 0


def _warning_setup(page, store, org) -> str:
    add_shift(store, org, MONDAY, "14:00", "22:00", org.anna)
    sid = add_shift(store, org, WEDNESDAY, "06:00", "14:00", org.anna)
    page.reload()
    hover(page, sid, org.anna, org.anna, TUESDAY)
    assert page.view.drop_hint.kind == "warning"
    drop(page, sid, org.anna, org.anna, TUESDAY)
    return sid


def _question(page) -> QMessageBox:
    box = page.findChild(QMessageBox, "ConfirmDrop")
    assert box is not None
    assert box.isVisible()
    return box


def test_a_drop_that_breaks_a_soft_rule_asks_and_moves_when_confirmed(
    qtbot, page, store, org
) -> None:
    sid = _warning_setup(page, store, org)
    box = _question(page)
    assert "Anna Berg would rest only 8 h" in box.informativeText()
    assert _where(store, sid)[1] == WEDNESDAY  # nothing happens before the answer
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert _where(store, sid)[1] == TUESDAY
    assert page.notice.kind == "warning"


def test_a_drop_that_breaks_a_soft_rule_stays_put_when_cancelled(qtbot, page, store, org) -> None:
    sid = _warning_setup(page, store, org)
    box = _question(page)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert _where(store, sid)[1] == WEDNESDAY
    assert page.context.undo_stack.count() == 0


def test_a_drop_that_takes_a_week_over_contract_asks_first(qtbot, page, store, org) -> None:
    with store.session() as s:
        s.get(Employee, org.ben).contract_hours = Decimal(10)
    add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)
    sid = add_shift(store, org, TUESDAY, "09:00", "13:00", org.anna)
    page.reload()
    hover(page, sid, org.anna, org.ben, TUESDAY)
    assert page.view.drop_hint.kind == "warning"
    drop(page, sid, org.anna, org.ben, TUESDAY)
    assert _question(page).informativeText() == (
        "Ben Cole would work 12 h in the week of Mon 01 Jun, over the 10 h of their contract"
    )
    assert _where(store, sid)[2] == (org.anna,)


def test_undo_and_redo_a_move_refresh_the_grid(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    drop(page, sid, org.anna, org.ben, TUESDAY)
    stack = page.context.undo_stack
    assert stack.undoText() == "Move shift"
    stack.undo()
    settle(page.context)
    assert _where(store, sid) == (False, MONDAY, (org.anna,))
    assert [s.id for s in page.model.roster.shifts(org.anna, MONDAY)] == [sid]
    stack.redo()
    assert _where(store, sid) == (False, TUESDAY, (org.ben,))
    assert [s.id for s in page.model.roster.shifts(org.ben, TUESDAY)] == [sid]


def _answer(page, name: str, question: str, *, yes: bool = True) -> None:
    """The question the page asks before a bulk action, answered."""
    (box,) = [b for b in page.findChildren(QMessageBox, name) if b.isVisible()]
    assert box.text() == question
    button = QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.Cancel
    box.button(button).click()
    settle(page.context)  # copy and publish write on a worker


def test_ctrl_click_selects_several_shifts_and_delete_removes_them_in_one_step(
    qtbot, page, store, org
) -> None:
    first = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    second = add_shift(store, org, TUESDAY, "09:00", "17:00", org.ben)
    kept = add_shift(store, org, TUESDAY, "09:00", "17:00", org.cara)
    page.reload()
    view = page.view
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.block_center(first, org.anna)
    )
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        view.block_center(second, org.ben),
    )
    assert view.selected_shifts == {first, second}
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert not _where(store, first)[0]  # nothing before the answer
    _answer(page, "ConfirmDelete", "Delete 2 shifts?")
    assert _where(store, first)[0]
    assert _where(store, second)[0]
    assert not _where(store, kept)[0]
    assert page.context.undo_stack.undoText() == "Delete 2 shifts"
    assert view.selected_shifts == frozenset()
    page.context.undo_stack.undo()
    assert not _where(store, first)[0]
    assert not _where(store, second)[0]


def test_select_all_then_delete_asks_naming_the_published_and_reports_the_count(
    qtbot, page, store, org
) -> None:
    drafts = [
        add_shift(store, org, MONDAY + timedelta(days=d), "09:00", "17:00", org.anna)
        for d in range(3)
    ]
    published = [
        add_shift(store, org, TUESDAY, "09:00", "17:00", org.ben, published=True),
        add_shift(store, org, WEDNESDAY, "09:00", "17:00", org.cara, published=True),
    ]
    page.reload()
    view = page.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert view.selected_shifts == set(drafts + published)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    _answer(page, "ConfirmDelete", "Delete 5 shifts, 2 of them published?", yes=False)
    assert not any(_where(store, sid)[0] for sid in drafts + published)
    assert page.context.undo_stack.count() == 0
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    _answer(page, "ConfirmDelete", "Delete 5 shifts, 2 of them published?")
    assert all(_where(store, sid)[0] for sid in drafts + published)
    assert page.notice.kind == "info"
    assert page.notice.text == "Deleted 5 shifts."
    stack = page.context.undo_stack
    assert stack.count() == 1
    stack.undo()
    settle(page.context)
    assert not any(_where(store, sid)[0] for sid in drafts + published)


def test_undo_and_redo_say_what_they_reversed(qtbot, page, store, org) -> None:
    first = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    second = add_shift(store, org, TUESDAY, "09:00", "17:00", org.ben)
    page.reload()
    page.view.select_shifts({first, second})
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    _answer(page, "ConfirmDelete", "Delete 2 shifts?")
    assert page.notice.text == "Deleted 2 shifts."
    stack = page.context.undo_stack
    stack.undo()
    settle(page.context)
    assert not _where(store, first)[0]
    assert (page.notice.kind, page.notice.text) == ("info", "Undone: Delete 2 shifts")
    stack.redo()
    assert _where(store, first)[0]
    assert page.notice.text == "Redone: Delete 2 shifts"


def test_deleting_one_published_shift_asks_and_one_draft_does_not(qtbot, page, store, org) -> None:
    draft = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    published = add_shift(store, org, TUESDAY, "09:00", "17:00", org.ben, published=True)
    page.reload()
    page.view.select_shifts({published})
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert not _where(store, published)[0]
    _answer(page, "ConfirmDelete", "Delete this published shift?")
    assert _where(store, published)[0]
    assert page.notice.text == "Deleted 1 shift."
    page.view.select_shifts({draft})
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert _where(store, draft)[0]  # a single draft goes at once, and says so
    assert not [b for b in page.findChildren(QMessageBox, "ConfirmDelete") if b.isVisible()]
    assert page.notice.text == "Deleted 1 shift."


def test_copy_last_week_and_publish_are_single_undo_steps(page, store, org) -> None:
    last_week = MONDAY - timedelta(days=7)
    add_shift(store, org, last_week, "09:00", "17:00", org.anna)
    add_shift(store, org, last_week + timedelta(days=1), "09:00", "17:00", org.ben)
    page.reload()
    page.bar.copy_button.defaultAction().trigger()
    _answer(page, "ConfirmCopy", "Copy 2 shifts in all departments from the previous week?")
    assert page.notice.text == "Copied 2 shifts in all departments from the previous week."
    copied = page.model.roster.shifts(org.anna, MONDAY) + page.model.roster.shifts(org.ben, TUESDAY)
    assert [s.published for s in copied] == [False, False]
    page.bar.publish_button.defaultAction().trigger()
    _answer(page, "ConfirmPublish", "Publish 2 shifts in all departments?")
    assert page.notice.text == "Published 2 shifts in all departments."
    assert all(s.published for cell in page.model.roster.cells.values() for s in cell)
    stack = page.context.undo_stack
    stack.undo()
    settle(page.context)
    assert not any(s.published for cell in page.model.roster.cells.values() for s in cell)
    stack.undo()
    settle(page.context)
    assert page.model.roster.cells == {}


def test_navigation_and_filters_change_what_is_shown(qtbot, page, store, org) -> None:
    page.bar.next_button.defaultAction().trigger()
    assert page.range == (MONDAY + timedelta(days=7), MONDAY + timedelta(days=13))
    page.bar.span_buttons.buttons()[2].click()
    assert page.model.columnCount() == 30
    assert page.bar.range_label.text() == "June 2026"
    page.bar.name_edit.setText("cole")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert [
        page.model.headerData(r, Qt.Orientation.Vertical) for r in range(page.model.rowCount())
    ] == [
        "Kitchen",
        "Ben Cole",
    ]


def test_clicking_a_department_band_collapses_it(qtbot, page, org) -> None:
    header = page.view.verticalHeader()
    rows = page.model.rowCount()
    header.sectionClicked.emit(0)
    assert page.model.rowCount() == rows - 2
    assert page.model.row_info(0).collapsed


def _menu_action(menu, text):
    return next(a for a in menu.actions() if a.text() == text)


def test_right_click_menu_cancels_and_restores_a_shift(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    menu = page.context_menu(sid, org.anna, MONDAY)
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Edit…",
        "Cancel shift",
        "Publish",
        "Delete",
    ]
    _menu_action(menu, "Cancel shift").trigger()
    (shift,) = page.model.roster.shifts(org.anna, MONDAY)
    assert shift.cancelled
    assert page.model.index_of(org.anna, MONDAY).data() == "09:00–17:00 (cancelled)"
    _menu_action(page.context_menu(sid, org.anna, MONDAY), "Restore shift").trigger()
    assert not page.model.roster.shifts(org.anna, MONDAY)[0].cancelled
    assert page.context.undo_stack.count() == 2


def test_keyboard_selects_the_current_cell_and_enter_edits_it(qtbot, page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    other = add_shift(store, org, TUESDAY, "09:00", "17:00", org.ben)
    page.reload()
    view = page.view
    view.setFocus()
    view.setCurrentIndex(page.model.index_of(org.anna, MONDAY))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.selected_shifts == {sid}
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert view.selected_shifts == {sid, other}
    edits = []
    view.edit_requested.connect(lambda *args: edits.append(args))
    view.select_shifts({sid})
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert edits == [(sid, org.anna)]


def test_an_empty_result_says_why(qtbot, page, org) -> None:
    page.bar.name_edit.setText("nobody by this name")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.view.empty_text == "Nobody matches these filters."


def test_a_drag_resting_near_the_bottom_edge_scrolls_the_grid(qtbot, page, store, org) -> None:
    page.resize(1400, 260)  # fewer rows than the grid holds
    page.reload()
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    bar = page.view.verticalScrollBar()
    assert bar.maximum() > 0
    mime = shift_mime(sid, org.cara)
    bottom = page.view.viewport().rect().bottom() - 5
    event = QDragMoveEvent(
        QPoint(200, bottom),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.view.dragMoveEvent(event)
    qtbot.waitUntil(lambda: bar.value() > 0)
    page.view.dragLeaveEvent(QDragLeaveEvent())


def test_conflicts_in_view_show_at_once_and_the_rest_follow(qtbot, page, store, org) -> None:
    first = add_shift(store, org, MONDAY, "09:00", "17:00", org.cara)  # first person row
    last = add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)  # last person row
    with store.session() as s:
        for who in (org.cara, org.ben):
            s.add(
                LeaveRequest(
                    company_id=org.company_id,
                    employee_id=who,
                    start_date=MONDAY,
                    end_date=MONDAY,
                    status=LeaveStatus.APPROVED,
                )
            )
    page.resize(1400, 260)  # only the first rows are in view
    page.reload()
    assert page.view.rowAt(page.view.viewport().height() - 1) < page.model.row_of(org.ben)
    assert page.model.problems_of(first, org.cara).conflicts  # in view: checked at once
    assert page.problems_pending
    qtbot.waitUntil(lambda: not page.problems_pending)
    (conflict,) = page.model.problems_of(last, org.ben).conflicts
    assert conflict.reason == "Ben Cole is on approved paid leave 01 Jun"


def test_a_copy_repaints_the_hours_beside_the_names(qtbot, page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    assert page.model.roster.hours_of(org.cara) == 0
    with qtbot.waitSignal(page.model.headerDataChanged, timeout=2000) as blocker:
        drop(page, sid, org.anna, org.cara, WEDNESDAY, copy=True)
    assert blocker.args[0] == Qt.Orientation.Vertical
    assert page.model.roster.hours_of(org.cara) == 8


def _only(page, department_id) -> None:
    box = page.bar.department_box
    box.setCurrentIndex(box.findData(department_id))


def test_publish_acts_on_the_department_shown_and_says_so(page, store, org) -> None:
    kitchen = [
        add_shift(store, org, MONDAY, "09:00", "17:00", org.anna),
        add_shift(store, org, TUESDAY, "09:00", "17:00", org.ben),
    ]
    hidden = add_shift(store, org, MONDAY, "09:00", "17:00", org.cara)  # Floor
    _only(page, org.kitchen_id)
    page.bar.publish_button.defaultAction().trigger()
    _answer(page, "ConfirmPublish", "Publish 2 shifts in Kitchen?", yes=False)
    assert not _published(store, kitchen[0])  # nothing before a yes
    page.bar.publish_button.defaultAction().trigger()
    _answer(page, "ConfirmPublish", "Publish 2 shifts in Kitchen?")
    assert [_published(store, sid) for sid in kitchen] == [True, True]
    assert not _published(store, hidden)
    assert page.notice.text == "Published 2 shifts in Kitchen."
    stack = page.context.undo_stack
    assert (stack.count(), stack.undoText()) == (1, "Publish 2 shifts in Kitchen")
    stack.undo()
    settle(page.context)
    assert [_published(store, sid) for sid in kitchen] == [False, False]
    page.bar.publish_button.defaultAction().trigger()
    _answer(page, "ConfirmPublish", "Publish 2 shifts in Kitchen?")
    page.bar.publish_button.defaultAction().trigger()  # nothing left to publish there
    assert page.notice.text == "Every shift shown in Kitchen is already published."


def _published(store, shift_id) -> bool:
    with store.session() as s:
        return s.get(Shift, shift_id).published


def test_copy_last_week_copies_only_the_department_shown(page, store, org) -> None:
    last_week = MONDAY - timedelta(days=7)
    add_shift(store, org, last_week, "09:00", "17:00", org.anna)
    add_shift(store, org, last_week, "09:00", "17:00", org.cara)  # Floor
    shared = add_shift(store, org, last_week + timedelta(days=1), "09:00", "13:00", org.ben)
    with store.session() as s:  # Ben (Kitchen) and Dan (Floor) on one shift
        assert edit_shift(s, shared, employee_ids=(org.ben, org.dan)).applied
    _only(page, org.kitchen_id)
    page.bar.copy_button.defaultAction().trigger()
    _answer(page, "ConfirmCopy", "Copy 2 shifts in Kitchen from the previous week?")
    assert page.notice.text == "Copied 2 shifts in Kitchen from the previous week."
    with store.session() as s:
        copied = [
            (sh.shift_date, tuple(sh.employee_ids))
            for sh in s.query(Shift).filter(Shift.shift_date >= MONDAY).order_by(Shift.shift_date)
        ]
    assert copied == [(MONDAY, (org.anna,)), (TUESDAY, (org.ben,))]
    assert page.context.undo_stack.undoText() == "Copy 2 shifts in Kitchen from the previous week"


def test_hovering_before_a_persons_start_says_when_they_start(page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    with store.session() as s:
        s.get(Employee, org.ben).employment_start = WEDNESDAY
    page.reload()
    hover(page, sid, org.anna, org.ben, TUESDAY)
    assert page.view.drop_hint.kind == "conflict"
    assert page.view.drop_hint.text == "Cannot drop: Ben Cole starts on 3 Jun 2026"
    hover(page, sid, org.anna, org.ben, WEDNESDAY)
    assert page.view.drop_hint.kind == "ok"


def test_a_shift_in_a_closed_period_is_neither_moved_nor_deleted(qtbot, page, store, org) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    with store.session() as s:
        close_period(s, MONDAY, MONDAY, actor="anna")
    page.reload()
    hover(page, sid, org.anna, org.anna, TUESDAY)
    hint = page.view.drop_hint.text
    assert hint.startswith("Cannot drop: Pay period 1 Jun 2026 is closed (by anna, ")
    assert hint.endswith("); reopen it to change it")
    page.view.select_shifts({sid})
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert _where(store, sid) == (False, MONDAY, (org.anna,))
    assert page.notice.kind == "error"
    assert page.notice.text.startswith("Delete shift refused: Pay period 1 Jun 2026 is closed")
    assert page.context.undo_stack.count() == 0
