"""Schedule → "Fill open shifts…": the proposals with their reasons, ticked, applied
as one undo step; and the picture of the dialog on the demo hotel (autofill.png)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QWidget
from pytestqt.qtbot import QtBot

from core.models import Department, Employee, Shift, Site
from core.scheduling import ShiftDraft, create_shift
from desktop.mainwindow import MainWindow
from desktop.schedule.autofill_dialog import FillDialog, open_fill_dialog
from desktop.schedule.page import SchedulePage
from desktop.theme import WARNING
from tests.conftest import MONDAY
from tests.desktop.helpers import add_shift, settle, unnamed_controls

TUESDAY = MONDAY + timedelta(days=1)


def _open_shift(store, site_id, day, start, end, department_id) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(site_id, day, start, end, department_id=department_id))
    assert result.applied
    return result.ids[0]


def _who(store, shift_id) -> tuple[str, ...]:
    with store.session() as s:
        return tuple(s.get(Shift, shift_id).employee_ids)


def _planned(qtbot: QtBot, page: SchedulePage) -> FillDialog:
    page.fill_action.trigger()
    dialog = page.findChild(FillDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.plan is not None)
    return dialog


def test_fill_open_shifts_is_on_the_bar_in_the_grids_menu_and_on_a_shortcut(
    page: SchedulePage, org
) -> None:
    action = page.fill_action
    assert action.text() == "Fill open shifts…"
    assert action.shortcut().toString() == "Ctrl+Shift+F"
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    (button,) = [b for b in page.bar.findChildren(QToolButton) if b.defaultAction() is action]
    assert button.isVisible()
    assert button.x() > page.bar.publish_button.x()
    on_empty_cell = page.context_menu("", org.anna, MONDAY)
    assert action in on_empty_cell.actions()
    open_id = _open_shift(page.context.store, org.site_id, MONDAY, "09:00", "17:00", org.kitchen_id)
    page.reload()
    assert action in page.context_menu(open_id, "", MONDAY).actions()


def test_proposals_show_with_reasons_and_a_ticked_subset_applies_as_one_undo(
    qtbot: QtBot, page: SchedulePage, store, org
) -> None:
    with store.session() as s:
        s.get(Employee, org.ben).hourly_rate = Decimal("15.00")
    add_shift(store, org, MONDAY, "06:00", "14:00", org.anna)
    first = _open_shift(store, org.site_id, MONDAY, "09:00", "17:00", org.kitchen_id)
    second = _open_shift(store, org.site_id, TUESDAY, "09:00", "17:00", org.kitchen_id)
    page.reload()
    dialog = open_fill_dialog(page)
    assert dialog.busy.isVisibleTo(dialog)  # solving on a worker: the window stays live
    with qtbot.waitSignal(dialog.planned):
        pass
    assert not dialog.busy.isVisibleTo(dialog)
    tree = dialog.proposals
    assert tree.topLevelItemCount() == 2
    monday = tree.topLevelItem(0)
    assert monday.text(0) == "Mon 01 Jun 09:00–17:00"
    assert monday.text(2) == "Ben Cole"  # the cheaper one; Anna works then anyway
    assert monday.text(3) == ""  # no warnings
    assert monday.text(4).startswith("0 of 40 contract hours, no shift within 48 h")
    assert monday.checkState(0) == Qt.CheckState.Checked
    assert dialog.apply_button.text() == "Apply 2 proposals"
    assert dialog.summary.text() == (
        "2 open shifts: 2 can be filled. 2 ticked, labour cost 240.00."
    )
    tree.topLevelItem(1).setCheckState(0, Qt.CheckState.Unchecked)
    assert dialog.apply_button.text() == "Apply 1 proposal"
    steps = page.context.undo_stack.count()
    with qtbot.waitSignal(dialog.applied):
        dialog.apply_button.click()
        dialog.reject()  # Escape while it writes: the step must still be recorded
        assert dialog.isVisible()
    assert _who(store, first) == (org.ben,)
    assert _who(store, second) == ()
    assert page.context.undo_stack.count() == steps + 1
    assert page.context.undo_stack.undoText() == "Fill 1 open shift"
    assert page.notice.text == "Filled 1 open shift. Ctrl+Z takes them all back."
    # The grid shows it at once: Ben works Monday, Tuesday's shift is still open.
    assert page.model.roster.shifts(org.ben, MONDAY)[0].id == first
    # A month's fill is undone and redone on the writer thread, as it was applied.
    page.context.undo_stack.undo()
    assert page.context.busy
    assert page.notice.text == "Undoing: Fill 1 open shift…"
    settle(page.context)
    assert _who(store, first) == ()
    assert page.notice.text == "Undone: Fill 1 open shift"
    page.context.undo_stack.redo()
    assert page.context.busy
    settle(page.context)
    assert _who(store, first) == (org.ben,)


def test_warnings_have_their_own_amber_column_and_the_full_text_in_the_tooltip(
    qtbot: QtBot, page: SchedulePage, store, org
) -> None:
    _open_shift(store, org.site_id, MONDAY, "06:00", "20:00", org.kitchen_id)  # 14 h
    _open_shift(store, org.site_id, TUESDAY, "09:00", "17:00", org.kitchen_id)
    page.reload()
    dialog = open_fill_dialog(page)
    with qtbot.waitSignal(dialog.planned):
        pass
    long_day, plain = dialog.proposals.topLevelItem(0), dialog.proposals.topLevelItem(1)
    assert long_day.text(3) == "lasts 14 h, longer than 12 h"
    assert long_day.foreground(3).color() == WARNING
    assert not long_day.icon(3).isNull()
    assert "lasts 14 h" not in long_day.text(4)  # said once, in its own column
    assert "lasts 14 h, longer than 12 h" in long_day.toolTip(4)
    assert long_day.toolTip(0) == long_day.toolTip(4)
    assert plain.text(3) == ""
    assert plain.icon(3).isNull()
    assert "1 with warnings (marked)" in dialog.summary.text()


def test_shifts_nobody_can_take_are_listed_with_why(qtbot: QtBot, page: SchedulePage, store, org):
    for emp in (org.anna, org.ben, org.cara, org.dan):
        add_shift(store, org, MONDAY, "08:00", "18:00", emp)
    _open_shift(store, org.site_id, MONDAY, "09:00", "17:00", org.kitchen_id)
    dialog = open_fill_dialog(page)
    with qtbot.waitSignal(dialog.planned):
        pass
    assert dialog.proposals.topLevelItemCount() == 0
    assert dialog.unfilled.isVisibleTo(dialog)
    assert dialog.unfilled.topLevelItem(0).text(2) == (
        "nobody can take it: 4 people already work then"
    )
    assert not dialog.apply_button.isEnabled()
    assert unnamed_controls(dialog) == []


def test_fill_dialog_screenshot_on_the_demo_hotel(
    qtbot: QtBot,
    demo_window: Callable[[str], MainWindow],
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    window = demo_window("schedule")
    page = window.pages["schedule"]
    assert isinstance(page, SchedulePage)
    page.anchor = date(2026, 6, 15)
    page.reload()
    store = page.context.store
    with store.session() as s:
        site = s.query(Site).one().id
        teams = {d.name: d.id for d in s.query(Department)}
    wanted = [
        (0, "06:30", "14:30", "Front Desk"),
        (1, "22:30", "06:30", "Front Desk"),
        (2, "05:30", "13:30", "Kitchen"),
        (3, "08:00", "16:00", "Housekeeping"),
        (4, "17:00", "23:30", "Restaurant"),
        (5, "10:30", "16:30", "Restaurant"),
        (5, "08:00", "16:00", "Housekeeping"),
        (6, "07:00", "21:00", "Maintenance"),  # long: its warning shows
    ]
    for offset, start, end, team in wanted:
        day = date(2026, 6, 15) + timedelta(days=offset)
        _open_shift(store, site, day, start, end, teams[team])
    page.reload()
    dialog = _planned(qtbot, page)
    assert dialog.proposals.topLevelItemCount() + dialog.unfilled.topLevelItemCount() == 8
    assert all(
        "contract hours" in dialog.proposals.topLevelItem(n).text(4)
        for n in range(dialog.proposals.topLevelItemCount())
    )
    dialog.proposals.topLevelItem(2).setCheckState(0, Qt.CheckState.Unchecked)
    assert dialog.apply_button.text() == "Apply 7 proposals"
    dialog.resize(1100, 440)
    screenshot(dialog, "autofill.png")
