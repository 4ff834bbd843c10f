"""The main window on demo data, saved as the README's screenshots (into docs/ with
SHIFTDESK_SCREENSHOTS=docs).

The week shown is the demo's last: a roster being built (not yet published), a
shift a sick leave kept its person on, flagged, one cancelled shift, and the
two shifts Greta Ivanova's leave left open when it was approved with "take Greta
off".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from core.leave import approve_leave, request_leave
from desktop.mainwindow import MainWindow
from desktop.schedule.page import SchedulePage
from tests.desktop.helpers import hover

WEEK = date(2026, 6, 15)


def _person(page: SchedulePage, name: str) -> str:
    for dept in page.model.roster.departments:
        for emp in dept.employees:
            if emp.name == name:
                return emp.id
    raise LookupError(name)


def _schedule(demo_window: Callable[[str], MainWindow]) -> tuple[MainWindow, SchedulePage]:
    window = demo_window("schedule")
    page = window.pages["schedule"]
    assert isinstance(page, SchedulePage)
    page.anchor = WEEK
    page.reload()
    return window, page


def test_main_window_renders_the_demo_roster_and_saves_a_screenshot(
    qtbot: QtBot,
    demo_window: Callable[[str], MainWindow],
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    window, page = _schedule(demo_window)
    front_desk = page.model.roster.departments[0]
    assert front_desk.name == "Front Desk"
    page.model.toggle_department(front_desk.id)  # shows the teams below it
    page.reload()
    mia = _person(page, "Ulla Ulrich")
    (shift, *_) = page.model.roster.shifts(mia, date(2026, 6, 20))
    page.controller.edit(shift.id, status="cancelled")
    assert page.model.roster.shifts(mia, date(2026, 6, 20))[0].cancelled
    assert page.bar.range_label.text() == "15 Jun – 21 Jun 2026"
    greta = _person(page, "Greta Ivanova")
    with page.context.store.session() as s:
        leave = request_leave(
            s,
            employee_id=greta,
            start_date=date(2026, 6, 16),
            end_date=date(2026, 6, 17),
            leave_type="paid",
        )
    page.context.run(
        "Approve leave",
        partial(approve_leave, leave_id=leave.ids[0], actor="demo supervisor", on_clash="unassign"),
    )
    housekeeping = page.model.roster.departments[1]
    assert page.model.open_row_of(housekeeping.id) == 2  # under its band
    assert page.model.roster.uncovered(date(2026, 6, 16)) == 1
    qtbot.waitUntil(lambda: not page.problems_pending)
    wanda = _person(page, "Wanda Otto")  # off sick, kept on her shift for a second look
    assert any(
        page.model.problems_of(shift.id, wanda).conflicts
        for day in range(7)
        for shift in page.model.roster.shifts(wanda, WEEK + timedelta(days=day))
    )
    path = screenshot(window, "screenshot.png")
    assert path.stat().st_size > 50_000


def test_drag_feedback_screenshot_shows_the_reason_over_the_target(
    demo_window: Callable[[str], MainWindow], screenshot: Callable[[QWidget, str], Path]
) -> None:
    window, page = _schedule(demo_window)
    mia, zoe = _person(page, "Mia Berg"), _person(page, "Zoe Braun")
    page.model.toggle_department(page.model.roster.departments[0].id)
    page.reload()
    (shift,) = page.model.roster.shifts(mia, WEEK)
    hover(page, shift.id, mia, zoe, WEEK)
    assert page.view.drop_hint.text == (
        "Cannot drop: Zoe Braun already works 08:00–16:00 on Mon 15 Jun"
    )
    assert window.statusBar().currentMessage() == page.view.drop_hint.text
    screenshot(window, "drag-feedback.png")
