"""A page that is not shown does not derive its period again on every change elsewhere
(a month of attendance and payroll for 500 people takes seconds): it catches up
when it is shown next, before anyone can read it."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QSettings

from core.changes import Changes
from core.roster import range_for
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from tests.desktop.helpers import add_shift, loaded

LAST_WEEK = range_for(date.today() - timedelta(days=7), "week")[0]
PAGES = ("attendance", "payroll", "leave")


def _window(qtbot, store, settings: QSettings) -> MainWindow:
    window = MainWindow(AppContext(store), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for key in (*PAGES, "schedule"):  # each built and shown once, then the Schedule
        window.show_view(key)
    loaded(window.pages["attendance"])
    loaded(window.pages["payroll"])
    return window


def _attendance_days(window: MainWindow) -> int:
    """The days the Attendance page shows, once its period is worked out."""
    return len(loaded(window.pages["attendance"]).snapshot.days)


def test_hidden_pages_wait_for_their_turn_and_catch_up_when_shown(
    qtbot, store, org, settings
) -> None:
    window = _window(qtbot, store, settings)
    assert _attendance_days(window) == 0
    payroll_before = window.pages["payroll"].summary.text()

    add_shift(store, org, LAST_WEEK, "09:00", "17:00", org.anna)  # an absent day
    window.context.data_changed.emit(Changes.SHIFTS)

    # Nothing derived on the UI thread for pages nobody sees...
    assert all(window.pages[key].refresh.stale for key in PAGES)
    assert not window.pages["attendance"].loading
    assert _attendance_days(window) == 0
    assert window.pages["payroll"].summary.text() == payroll_before
    # ...until one is shown: then it shows the change.
    window.show_view("attendance")
    assert not window.pages["attendance"].refresh.stale
    assert _attendance_days(window) == 1
    assert window.pages["payroll"].refresh.stale


def test_the_shown_page_reloads_at_once(qtbot, store, org, settings) -> None:
    window = _window(qtbot, store, settings)
    window.show_view("attendance")
    add_shift(store, org, LAST_WEEK, "09:00", "17:00", org.anna)
    window.context.data_changed.emit(Changes.SHIFTS)
    assert not window.pages["attendance"].refresh.stale
    assert _attendance_days(window) == 1
