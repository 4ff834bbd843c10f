from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from core.changes import Changes
from core.store import Store, open_store
from core.templates import TemplateDraft, create_template
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift, unnamed_controls


def _window(qtbot, store: Store, settings: QSettings) -> MainWindow:
    window = MainWindow(AppContext(store), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _not_sent(window: MainWindow) -> int:
    """The count in "Not connected · N changes not yet sent"."""
    text = window.pending_label.text()
    assert text.startswith("Not connected · "), text
    return int(text.split(" · ")[1].split()[0])


def test_status_bar_names_the_database_and_counts_changes_not_yet_sent(
    qtbot, themed, store, org, settings
) -> None:
    window = _window(qtbot, store, settings)
    assert window.db_label.text() == "Database: test.shiftdesk"
    before = _not_sent(window)
    page = window.pages["schedule"]
    page.anchor = MONDAY
    page.reload()
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    page.controller.delete([sid])
    assert window.pending_label.text() == f"Not connected · {before} changes not yet sent"
    page.context.undo_stack.undo()
    assert window.pending_label.text() == f"Not connected · {before + 1} changes not yet sent"
    assert window.statusBar().currentMessage() == "Undone: Delete shift"


def test_a_views_status_message_goes_when_the_view_changes_but_running_work_stays(
    qtbot, themed, store, org, settings
) -> None:
    window = _window(qtbot, store, settings)
    window.context.flipped.emit("Undone: Fill 6 open shifts")  # what an undo says
    assert window.statusBar().currentMessage() == "Undone: Fill 6 open shifts"
    window.show_view("templates")
    assert window.statusBar().currentMessage() == ""
    window.context.busy_changed.emit("Publishing 3 shifts…")
    window.show_view("schedule")
    assert window.statusBar().currentMessage() == "Publishing 3 shifts…"
    window.context.busy_changed.emit("")
    assert window.statusBar().currentMessage() == ""


def test_a_store_never_connected_never_says_its_changes_are_synced(
    qtbot, themed, store, org, settings
) -> None:
    from sqlalchemy import select

    from core.models import OutboxEntry

    window = _window(qtbot, store, settings)
    with store.session() as s:
        waiting = len(s.scalars(select(OutboxEntry)).all())
    assert waiting
    assert window.pending_label.text() == f"Not connected · {waiting} changes not yet sent"
    assert "Connect to server" in window.pending_label.toolTip()
    assert not window.conflict_badge.isVisible()
    with store.session() as s:
        for entry in s.scalars(select(OutboxEntry)):
            s.delete(entry)
    window.context.data_changed.emit(Changes.SYNC)
    assert window.pending_label.text() == "Not connected"


def test_a_file_that_is_not_a_database_is_refused_and_the_open_one_kept(
    qtbot, themed, store, org, settings, tmp_path: Path
) -> None:
    window = _window(qtbot, store, settings)
    junk = tmp_path / "notes.shiftdesk"
    junk.write_text("shopping list")
    assert not window.open_database(junk)
    box = window.findChild(QMessageBox, "ErrorBox")
    assert box.isVisible()
    assert box.text() == f"{junk} is not a ShiftDesk database (it is not an SQLite file)"
    assert junk.read_text() == "shopping list"
    assert window.context.store is store
    assert window.pages["schedule"].model.rowCount() == 6


def test_opening_another_database_switches_every_view_and_clears_undo(
    qtbot, themed, store, org, settings, tmp_path: Path
) -> None:
    window = _window(qtbot, store, settings)
    page = window.pages["schedule"]
    page.anchor = MONDAY
    page.reload()
    page.controller.delete([add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)])
    assert window.context.undo_stack.count() == 1
    other = tmp_path / "empty.shiftdesk"
    assert window.open_database(other)
    assert window.context.store.path == other
    assert window.context.undo_stack.count() == 0
    assert page.model.rowCount() == 0
    assert window.windowTitle() == "Schedule — empty.shiftdesk — ShiftDesk"
    window.context.store.close()


def test_geometry_view_and_filters_come_back_next_time(qtbot, themed, store, org, settings) -> None:
    window = _window(qtbot, store, settings)
    window.resize(790, 650)  # inside the offscreen screen (800 x 800)
    page = window.pages["schedule"]
    page.bar.span_buttons.buttons()[1].click()
    page.bar.department_box.setCurrentIndex(page.bar.department_box.findData(org.kitchen_id))
    page.bar.name_edit.setText("anna")
    page.model.toggle_department(org.kitchen_id)
    window.close()

    again = _window(qtbot, store, settings)
    restored = again.pages["schedule"]
    assert (again.width(), again.height()) == (790, 650)
    assert again.current_view == "schedule"
    assert restored.span == "two_weeks"
    assert restored.bar.department_box.currentData() == org.kitchen_id
    assert restored.bar.name_edit.text() == "anna"
    assert restored.model.collapsed == {org.kitchen_id}


def test_a_start_builds_only_the_page_it_shows_and_the_others_on_first_show(
    qtbot, themed, store, org, settings
) -> None:
    window = _window(qtbot, store, settings)
    assert [p.objectName() for p in window.pages.built()] == ["schedule-view"]
    assert "people" in window.pages
    assert len(window.pages.built()) == 1  # asking whether a view exists builds nothing
    window.show_view("people")
    people = window.pages["people"]
    assert window.stack.currentWidget() is people
    assert people.isVisible()
    assert [p.objectName() for p in window.pages.built()] == ["schedule-view", "people-view"]


def test_a_page_built_after_the_start_gets_its_saved_filters(
    qtbot, themed, store, org, settings
) -> None:
    window = _window(qtbot, store, settings)
    window.show_view("people")
    window.pages["people"].search.setText("anna")
    window.show_view("schedule")
    window.close()

    again = _window(qtbot, store, settings)
    assert len(again.pages.built()) == 1
    again.show_view("people")
    assert again.pages["people"].search.text() == "anna"


def test_every_control_has_an_accessible_name_and_the_usual_shortcuts_exist(
    qtbot, themed, store, org, settings
) -> None:
    window = _window(qtbot, store, settings)
    assert unnamed_controls(window) == []
    shortcuts = {
        action.shortcut().toString()
        for action in window.findChildren(QAction)
        if not action.shortcut().isEmpty()
    }
    assert {
        "Ctrl+Z",
        "Ctrl+Shift+Z",
        "Ctrl+O",
        "Ctrl+1",
        "Ctrl+T",
        "Alt+Left",
        "Alt+Right",
        "Ctrl+N",
        "Ctrl+P",
    } <= shortcuts


def test_an_undo_refused_for_a_pulled_change_says_why_and_leaves_the_stack(
    qtbot, themed, store, org, settings
) -> None:
    from core.models import Shift
    from core.outbox import APPLYING_REMOTE
    from core.scheduling import edit_shift

    window = _window(qtbot, store, settings)
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    stack = window.context.undo_stack
    window.context.run("Set the location", lambda s: edit_shift(s, sid, location="Bar"))
    assert stack.count() == 1
    with store.session() as s:  # another site's change, as a pull applies it
        s.info[APPLYING_REMOTE] = True
        s.get(Shift, sid).location = "Lobby"
    stack.undo()
    box = window.findChild(QMessageBox, "ErrorBox")
    assert box is not None
    assert "Set the location" in box.text()
    assert "location" in box.text().split(":", 1)[1]
    assert stack.count() == 0
    with store.session() as s:
        assert s.get(Shift, sid).location == "Lobby"


def test_an_undo_into_a_period_closed_since_is_refused_with_its_sentence(
    qtbot, themed, store, org, settings
) -> None:
    from core.models import Shift
    from core.pay_periods import close_period
    from core.scheduling import edit_shift

    window = _window(qtbot, store, settings)
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    stack = window.context.undo_stack
    window.context.run("Set the location", lambda s: edit_shift(s, sid, location="Bar"))
    with store.session() as s:
        close_period(s, MONDAY, MONDAY, actor="anna")
    stack.undo()
    box = window.findChild(QMessageBox, "ErrorBox")
    assert box is not None
    assert "Set the location: Pay period 1 Jun 2026 is closed (by anna" in box.text()
    assert stack.count() == 0
    with store.session() as s:
        assert s.get(Shift, sid).location == "Bar"


def test_ctrl_z_in_a_search_field_undoes_the_last_action_unless_the_field_has_an_edit(
    qtbot, themed, store, org, settings
) -> None:
    window = _window(qtbot, store, settings)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.pages["schedule"]
    page.anchor = MONDAY
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    page.controller.delete([sid])
    assert window.context.undo_stack.canUndo()
    search = page.bar.name_edit
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "an")
    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert search.text() == ""  # the field's own typing goes first
    assert window.context.undo_stack.canUndo()
    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.context.undo_stack.canUndo()  # then the app's last action
    assert [s.id for s in page.model.roster.shifts(org.anna, MONDAY)] == [sid]
    assert page.notice.text == "Undone: Delete shift"


def test_filters_and_the_current_template_are_each_stores_own(
    qtbot, themed, store, org, settings, tmp_path: Path
) -> None:
    other_store = open_store(tmp_path / "other.shiftdesk")
    other = Org(other_store)
    with store.session() as s:
        early = create_template(
            s, TemplateDraft(org.site_id, "Early", "07:00", "15:00", "FREQ=DAILY", MONDAY)
        ).ids[0]
    window = _window(qtbot, store, settings)
    schedule = window.pages["schedule"]
    schedule.bar.department_box.setCurrentIndex(
        schedule.bar.department_box.findData(org.kitchen_id)
    )
    templates = window.pages["templates"]
    templates.select(early)

    window.use_store(other_store)  # another company: none of those choices apply
    assert not schedule.bar.department_box.currentData()  # all departments
    assert templates.current is None
    schedule.bar.department_box.setCurrentIndex(
        schedule.bar.department_box.findData(other.floor_id)
    )

    window.use_store(open_store(store.path))  # back: its own choices come back
    assert schedule.bar.department_box.currentData() == org.kitchen_id
    assert templates.current is not None
    assert templates.current.id == early
    window.close()

    again = _window(qtbot, window.context.store, settings)
    assert again.pages["schedule"].bar.department_box.currentData() == org.kitchen_id
    again.use_store(open_store(other_store.path))
    assert again.pages["schedule"].bar.department_box.currentData() == other.floor_id
    again.context.store.close()
