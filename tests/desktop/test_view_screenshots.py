"""The Templates and Leave views on demo data, saved as docs/templates.png and
docs/leave.png (each test also checks what the picture shows)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.store import Store
from desktop.context import AppContext
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
