"""Every view's toolbar fits a 1366-pixel-wide screen (a common laptop), and date
pairs and default periods start where a supervisor would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, QSettings
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QWidget,
)

from core.roster import range_for
from core.store import Store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.views import VIEWS

TOOLBARS = ("ScheduleToolbar", "ReportToolbar")


def clipped(page: QWidget) -> list[str]:
    """The toolbar controls laid out narrower than their text needs, or pushed past
    the bar's right edge. A line edit scrolls its text, and a word-wrapped label
    wraps, so neither counts for its width."""
    found = []
    for bar in page.findChildren(QFrame):
        if bar.objectName() not in TOOLBARS or not bar.isVisible():
            continue
        for widget in bar.findChildren(QWidget):
            if not widget.isVisible():
                continue
            if isinstance(widget.parentWidget(), (QLineEdit, QAbstractSpinBox)):
                continue  # a field's own buttons
            right = widget.mapTo(bar, QPoint(widget.width(), 0)).x()
            if right > bar.width():
                found.append(f"{_name(widget)} ends at {right} px, past the bar's {bar.width()}")
                continue
            if isinstance(widget, QLineEdit):
                continue
            if isinstance(widget, QLabel) and widget.wordWrap():
                continue
            if widget.width() < widget.sizeHint().width():
                found.append(f"{_name(widget)}: {widget.width()} < {widget.sizeHint().width()} px")
    return found


def _name(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") else ""
    return repr(text) if text else widget.accessibleName() or type(widget).__name__


@pytest.fixture
def laptop(qtbot, themed, demo_store: Store, settings: QSettings) -> MainWindow:
    window = MainWindow(AppContext(demo_store), settings)
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.mark.parametrize("view", [spec.key for spec in VIEWS])
def test_each_views_toolbar_fits_1366_pixels(laptop: MainWindow, view: str) -> None:
    laptop.show_view(view)
    page = laptop.pages[view]
    dated = getattr(page, "dated", None)
    if dated is not None:
        dated.setChecked(True)  # the Leave list's dates shown too
    QApplication.processEvents()
    assert laptop.width() == 1366
    assert clipped(page) == []


def test_attendance_opens_on_last_week(laptop: MainWindow) -> None:
    laptop.show_view("attendance")
    this_week = range_for(date.today(), "week")[0]
    assert laptop.pages["attendance"].period.period == range_for(
        this_week - timedelta(days=7), "week"
    )


def test_the_leave_filters_until_follows_its_from(laptop: MainWindow) -> None:
    laptop.show_view("leave")
    page = laptop.pages["leave"]
    page.dated.setChecked(True)
    page.first.setDate(QDate(2026, 6, 1))
    page.last.setDate(QDate(2026, 6, 30))
    page.first.setDate(QDate(2026, 7, 6))  # past until: the month comes along
    assert page.last.date() == QDate(2026, 8, 4)


def test_a_template_applys_until_follows_its_from(laptop: MainWindow) -> None:
    laptop.show_view("templates")
    panel = laptop.pages["templates"].apply_panel
    panel.first.setDate(QDate(2026, 6, 1))
    panel.last.setDate(QDate(2026, 6, 28))
    panel.first.setDate(QDate(2026, 7, 6))
    assert panel.last.date() == QDate(2026, 8, 2)


def test_the_schedule_bar_fits_a_month_of_conflicts_and_warnings(laptop: MainWindow) -> None:
    """The demo's busiest month (500 people) has 38 conflicts and 178 warnings."""
    laptop.show_view("schedule")
    page = laptop.pages["schedule"]
    page.bar.show_conflicts(99, True, 999)
    QApplication.processEvents()
    assert page.bar.problems_button.text() == "99 conflicts…"
    assert page.bar.problems_button.toolTip().startswith("99 conflicts · 999 warnings…")
    assert clipped(page) == []
    page.bar.show_conflicts(0, True, 999)
    QApplication.processEvents()
    assert page.bar.problems_button.text() == "999 warnings…"
    assert clipped(page) == []


def test_the_people_table_fits_1366_pixels_beside_the_departments(laptop: MainWindow) -> None:
    laptop.show_view("people")
    QApplication.processEvents()
    table = laptop.pages["people"].table
    assert table.horizontalScrollBar().maximum() == 0  # every column in view
