"""The Templates and Leave views on demo data, saved as docs/templates.png and
docs/leave.png (each test also checks what the picture shows)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
)
from pytestqt.qtbot import QtBot

from core.store import Store
from desktop.context import AppContext
from desktop.leave.dialogs import LeaveRequestDialog
from desktop.leave.page import LeavePage
from desktop.mainwindow import MainWindow
from desktop.templates.page import TemplatesPage

ROOT = Path(__file__).resolve().parents[2]


def _window(qtbot: QtBot, store: Store, settings: QSettings, view: str) -> MainWindow:
    window = MainWindow(AppContext(store), settings)
    qtbot.addWidget(window)
    window.resize(1560, 1000)
    window.show_view(view)
    window.show()
    qtbot.waitExposed(window)
    return window


def _save(window: MainWindow, name: str) -> Path:
    QApplication.processEvents()  # pending layout requests, as the event loop would
    target = ROOT / "docs" / name
    assert window.grab().save(str(target))
    return target


def test_templates_view_screenshot_shows_a_rule_and_an_application_with_clashes(
    qtbot: QtBot, themed, demo_store: Store, settings: QSettings
) -> None:
    window = _window(qtbot, demo_store, settings, "templates")
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
    _save(window, "templates.png")


def test_leave_view_screenshot_shows_requests_and_a_decision(
    qtbot: QtBot, themed, demo_store: Store, settings: QSettings
) -> None:
    window = _window(qtbot, demo_store, settings, "leave")
    page = window.pages["leave"]
    assert isinstance(page, LeavePage)
    statuses = {row.status for row in page.model.rows}
    assert {"pending", "approved", "rejected"} <= statuses
    pending = [r for r in page.model.rows if r.status == "pending"]
    page.select(pending[0].id)
    assert page.approve_button.isEnabled()
    assert page.model.rows[0].start_date >= date(2026, 6, 1)
    _save(window, "leave.png")


def _unnamed(window: MainWindow) -> list[tuple[str, str, str]]:
    """Shown controls a screen reader could not name (text on a button names it; an
    edit inside a combo or spin box is named by its owner)."""
    controls = window.findChildren(QAbstractButton) + window.findChildren(QComboBox)
    controls += window.findChildren(QLineEdit) + window.findChildren(QAbstractSpinBox)
    return [
        (type(c).__name__, type(c.parent()).__name__, c.objectName())
        for c in controls
        if c.isVisibleTo(window)
        and c.isEnabled()
        and not c.accessibleName()
        and not (isinstance(c, QAbstractButton) and c.text())
        and c.parent() is not None
        and not isinstance(c.parent(), QComboBox | QLineEdit | QAbstractSpinBox)
    ]


def test_every_control_of_the_templates_and_leave_views_has_a_name(
    qtbot: QtBot, themed, demo_store: Store, settings: QSettings
) -> None:
    window = _window(qtbot, demo_store, settings, "templates")
    assert _unnamed(window) == []
    window.show_view("leave")
    assert _unnamed(window) == []


def test_ctrl_n_starts_something_new_in_the_view_shown(
    qtbot: QtBot, themed, demo_store: Store, settings: QSettings
) -> None:
    window = _window(qtbot, demo_store, settings, "templates")
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
