"""The Schedule's month and its labour figures on demo data, saved as month.png and
labour.png (the README's pictures with SHIFTDESK_SCREENSHOTS=docs); each test also
checks what the picture shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from core.changes import Changes
from core.pay_periods import close_period
from core.store import Store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.schedule.model import CELL_ROLE
from desktop.schedule.page import SchedulePage
from desktop.schedule.paint import CLOSED_EDGE
from tests.conftest import open_copy
from tests.desktop.conftest import DEMO_START

WEEK = date(2026, 6, 15)


@pytest.fixture
def month_store(tmp_path: Path, demo_files: Callable[..., Path]) -> Iterator[Store]:
    """40 people over five weeks from DEMO_START: all of June is rostered."""
    template = demo_files(employees=40, weeks=5, seed=1, start=DEMO_START)
    with open_copy(template, tmp_path / "month.shiftdesk") as opened:
        yield opened


def _schedule(
    qtbot: QtBot, store: Store, settings: QSettings, width: int, height: int
) -> tuple[MainWindow, SchedulePage]:
    window = MainWindow(AppContext(store), settings)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show_view("schedule")
    window.show()
    qtbot.waitExposed(window)
    page = window.pages["schedule"]
    assert isinstance(page, SchedulePage)
    return window, page


def test_month_screenshot_fits_1440_px_and_shows_every_day(
    qtbot: QtBot,
    themed: QApplication,
    month_store: Store,
    settings: QSettings,
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    window, page = _schedule(qtbot, month_store, settings, 1440, 900)
    page.anchor = DEMO_START
    page.set_span("month")
    qtbot.waitUntil(lambda: not page.problems_pending and not page.labour_pending)
    assert page.bar.range_label.text() == "June 2026"
    assert page.view.horizontalScrollBar().maximum() == 0
    assert page.model.labour is not None
    assert page.model.labour.total.hours > 1000
    assert page.labour_bar.label.text().startswith("June 2026: ")
    screenshot(window, "month.png")


def test_labour_screenshot_shows_hours_cost_and_overtime_in_the_headers(
    qtbot: QtBot,
    themed: QApplication,
    demo_store: Store,
    settings: QSettings,
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    window, page = _schedule(qtbot, demo_store, settings, 1560, 1000)
    page.anchor = WEEK
    page.reload()
    qtbot.waitUntil(lambda: not page.labour_pending)
    plan = page.model.labour
    assert plan is not None
    assert all(plan.day(day).hours for day in page.model.days)
    assert plan.total.cost > 0
    assert page.labour_bar.label.text().startswith("Week: ")
    qtbot.waitUntil(lambda: not page.problems_pending)
    screenshot(window, "labour.png")


def test_a_closed_first_week_is_marked_in_the_month_and_the_week(
    qtbot: QtBot,
    themed: QApplication,
    month_store: Store,
    settings: QSettings,
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    window, page = _schedule(qtbot, month_store, settings, 1440, 900)
    page.anchor = DEMO_START
    page.set_span("month")
    with month_store.session() as s:
        close_period(s, DEMO_START, DEMO_START + timedelta(days=6), actor="anna")
    page.context.data_changed.emit(Changes.PAY_PERIODS)
    qtbot.waitUntil(lambda: not page.problems_pending and not page.labour_pending)
    days = len(page.model.days)
    assert [bool(page.model.closed(c)) for c in range(days)] == [True] * 7 + [False] * (days - 7)
    screenshot(window, "month-closed.png")
    # The closed days' headers carry the slate line along their top, the others not.
    header = page.view.horizontalHeader()
    image = header.grab().toImage()
    top = [image.pixelColor(header.sectionViewportPosition(c) + 3, 1).name() for c in (0, 6, 7)]
    assert top == [CLOSED_EDGE.name(), CLOSED_EDGE.name(), "#ffffff"]
    # So do the painter's inputs of every row's cell on those days.
    model = page.model
    assert all(model.index(r, 6).data(CELL_ROLE).closed for r in range(model.rowCount()))
    assert not any(model.index(r, 7).data(CELL_ROLE).closed for r in range(model.rowCount()))
    page.set_span("week")
    qtbot.waitUntil(lambda: not page.problems_pending and not page.labour_pending)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Mon 01 Jun · closed"
    screenshot(window, "week-closed.png")
