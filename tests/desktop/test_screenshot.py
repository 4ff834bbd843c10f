"""The main window on demo data, saved as the README's screenshots.

The week shown is the demo's last: a roster being built (not yet published), a
double booking left by an offline edit, sick leave, and one cancelled shift.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.store import Store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.schedule.page import SchedulePage
from tests.desktop.helpers import hover

ROOT = Path(__file__).resolve().parents[2]
WEEK = date(2026, 6, 15)


def _person(page: SchedulePage, name: str) -> str:
    for dept in page.model.roster.departments:
        for emp in dept.employees:
            if emp.name == name:
                return emp.id
    raise LookupError(name)


def _window(qtbot: QtBot, store: Store, settings: QSettings) -> tuple[MainWindow, SchedulePage]:
    window = MainWindow(AppContext(store), settings)
    qtbot.addWidget(window)
    window.resize(1560, 1000)
    page = window.pages["schedule"]
    assert isinstance(page, SchedulePage)
    page.anchor = WEEK
    page.reload()
    window.show()
    qtbot.waitExposed(window)
    return window, page


def _save(window: MainWindow, name: str) -> Path:
    QApplication.processEvents()  # pending layout requests, as the event loop would
    target = ROOT / "docs" / name
    target.parent.mkdir(exist_ok=True)
    assert window.grab().save(str(target))
    return target


def test_main_window_renders_the_demo_roster_and_saves_a_screenshot(
    qtbot: QtBot, themed, demo_store: Store, settings: QSettings
) -> None:
    window, page = _window(qtbot, demo_store, settings)
    front_desk = page.model.roster.departments[0]
    assert front_desk.name == "Front Desk"
    page.model.toggle_department(front_desk.id)  # shows the teams below it
    page.reload()
    mia = _person(page, "Ulla Ulrich")
    (shift, *_) = page.model.roster.shifts(mia, date(2026, 6, 20))
    page.controller.edit(shift.id, status="cancelled")
    assert page.model.roster.shifts(mia, date(2026, 6, 20))[0].cancelled
    assert page.bar.range_label.text() == "15 Jun – 21 Jun 2026"
    wim = _person(page, "Wim Frank")
    assert page.model.problems_of(page.model.roster.shifts(wim, WEEK)[0].id, wim).conflicts
    qtbot.waitUntil(lambda: not page.problems_pending)
    path = _save(window, "screenshot.png")
    assert path.stat().st_size > 50_000


def test_drag_feedback_screenshot_shows_the_reason_over_the_target(
    qtbot: QtBot, themed, demo_store: Store, settings: QSettings
) -> None:
    window, page = _window(qtbot, demo_store, settings)
    mia, zoe = _person(page, "Mia Berg"), _person(page, "Zoe Braun")
    page.model.toggle_department(page.model.roster.departments[0].id)
    page.reload()
    (shift,) = page.model.roster.shifts(mia, WEEK)
    hover(page, shift.id, mia, zoe, WEEK)
    assert page.view.drop_hint.text == (
        "Cannot drop: Zoe Braun already works 08:00–16:00 on Mon 15 Jun"
    )
    assert window.statusBar().currentMessage() == page.view.drop_hint.text
    _save(window, "drag-feedback.png")
