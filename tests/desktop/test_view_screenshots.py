"""The Templates and Leave views on demo data, saved as templates.png and leave.png
(the README's pictures with SHIFTDESK_SCREENSHOTS=docs); each test also checks what
the picture shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.leave.dialogs import LeaveRequestDialog
from desktop.leave.page import LeavePage
from desktop.mainwindow import MainWindow
from desktop.people.dialogs import EmployeeDialog
from desktop.people.page import PeoplePage
from desktop.templates.page import TemplatesPage
from tests.desktop.helpers import unnamed_controls


def test_templates_view_screenshot_shows_a_rule_and_an_application_with_clashes(
    qtbot: QtBot,
    demo_window: Callable[[str], MainWindow],
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    window = demo_window("templates")
    page = window.pages["templates"]
    assert isinstance(page, TemplatesPage)
    (early,) = [t for t in page.model.items if t.name == "Front desk early"]
    page.select(early.id)
    builder = page.editor.builder
    for code, button in builder.day_buttons.items():
        button.setChecked(code in ("MO", "TU", "WE", "TH", "FR"))
    page.editor.save_button.click()
    panel = page.apply_panel
    names = {v: k for k, v in panel.names.items()}
    panel.employees.set_chosen([names["Mia Berg"], names["Zoe Braun"], names["Leon Berg"]])
    panel.first.setDate(QDate(2026, 6, 15))
    panel.last.setDate(QDate(2026, 7, 10))
    with qtbot.waitSignal(panel.previewed):
        panel.preview()
    clashing = [s for s in panel.model.shifts if s.conflicts]
    assert clashing
    assert panel.apply_button.text().startswith("Apply ")
    screenshot(window, "templates.png")


def test_leave_view_screenshot_shows_requests_and_a_decision(
    demo_window: Callable[[str], MainWindow], screenshot: Callable[[QWidget, str], Path]
) -> None:
    window = demo_window("leave")
    page = window.pages["leave"]
    assert isinstance(page, LeavePage)
    statuses = {row.status for row in page.model.rows}
    assert {"pending", "approved", "rejected"} <= statuses
    pending = [r for r in page.model.rows if r.status == "pending"]
    page.select(pending[0].id)
    assert page.approve_button.isEnabled()
    assert page.model.rows[0].start_date >= date(2026, 6, 1)
    screenshot(window, "leave.png")


def test_every_control_of_the_templates_leave_and_people_views_has_a_name(
    demo_window: Callable[[str], MainWindow],
) -> None:
    window = demo_window("templates")
    assert unnamed_controls(window) == []
    window.show_view("leave")
    assert unnamed_controls(window) == []
    window.show_view("people")
    assert unnamed_controls(window) == []


def test_ctrl_n_starts_something_new_in_the_view_shown(
    qtbot: QtBot, demo_window: Callable[[str], MainWindow]
) -> None:
    window = demo_window("templates")
    window.activateWindow()
    qtbot.waitActive(window)
    templates = window.pages["templates"]
    assert isinstance(templates, TemplatesPage)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    # A button's shortcut animates a click, which lands a moment later.
    qtbot.waitUntil(lambda: templates.editor.heading.text() == "New template")
    window.show_view("leave")
    leave = window.pages["leave"]
    assert isinstance(leave, LeavePage)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: leave.findChild(LeaveRequestDialog) is not None)
    dialog = leave.findChild(LeaveRequestDialog)
    assert dialog.isVisible()
    dialog.reject()
    window.show_view("people")
    window.activateWindow()  # back from the dialog
    qtbot.waitActive(window)
    people = window.pages["people"]
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: people.findChild(EmployeeDialog) is not None)
    added = people.findChild(EmployeeDialog)
    assert added.isVisible()
    added.reject()


def test_people_view_screenshot_shows_everyone_and_the_departments(
    demo_window: Callable[[str], MainWindow], screenshot: Callable[[QWidget, str], Path]
) -> None:
    window = demo_window("people")
    page = window.pages["people"]
    assert isinstance(page, PeoplePage)
    assert page.proxy.rowCount() == 40
    assert page.departments.rowCount() >= 3
    page.inactive.setChecked(True)
    leaving = page.model.rows[1]
    page.select(leaving.id)
    assert page.toggle_active().applied
    assert page.model.row_at(page.model.row_of(leaving.id)).active is False
    assert page.active_button.text() == "Reactivate"
    assert f"{leaving.name} deactivated." in page.notice.text
    page.select_department(page.departments.rows[0].id)
    assert page.edit_button.isEnabled()
    assert page.rename_button.isEnabled()
    assert unnamed_controls(window) == []
    screenshot(window, "people.png")
