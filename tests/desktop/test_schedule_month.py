"""The Month span is a compact calendar: 31 days across a 1440 px window with no
sideways scrolling, a chip per shift with its start time, the full shift in the
tooltip, and the week's gestures (a drag's live feedback) still working."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.models import LeaveRequest, LeaveStatus
from core.store import Store
from desktop.mainwindow import MainWindow
from desktop.schedule.layout import MONTH, WEEK, block_rects
from desktop.schedule.model import RowKind
from desktop.schedule.page import SchedulePage
from desktop.schedule.paint import LEAVE_FILL, _chip_font, chip_label, font, leave_text
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift, hover

JULY = date(2026, 7, 1)  # 31 days
JUNE = date(2026, 6, 1)  # the demo's three weeks


def _month_page(
    demo_window: Callable[[str], MainWindow], width: int, anchor: date = JULY
) -> SchedulePage:
    window = demo_window("schedule")
    window.resize(width, 900)
    page = window.pages["schedule"]
    assert isinstance(page, SchedulePage)
    page.anchor = anchor
    page.set_span("month")
    QApplication.processEvents()
    return page


def test_a_31_day_month_fits_a_1440_px_window_without_sideways_scrolling(
    demo_window: Callable[[str], MainWindow],
) -> None:
    page = _month_page(demo_window, 1440)
    view = page.view
    assert page.window().width() == 1440  # the toolbar lets the window be that narrow
    assert len(page.model.days) == 31
    assert view.metrics is MONTH
    header = view.horizontalHeader()
    right = header.sectionViewportPosition(30) + header.sectionSize(30)
    assert right <= view.viewport().width()
    assert view.horizontalScrollBar().maximum() == 0
    assert not view.horizontalScrollBar().isVisible()
    # The week needs its wide blocks back, and scrolls where they do not fit.
    page.set_span("two_weeks")
    QApplication.processEvents()
    assert view.metrics is WEEK
    assert header.sectionSize(0) >= WEEK.min_day_width


def test_month_cells_are_compact_chips_with_the_whole_shift_in_the_tooltip(
    demo_window: Callable[[str], MainWindow],
) -> None:
    page = _month_page(demo_window, 1440, JUNE)
    model, view = page.model, page.view
    row, day, shift = next(
        (r, d, model.roster.shifts(info.employee.id, d)[0])
        for r in range(model.rowCount())
        if (info := model.row_info(r)).kind == RowKind.EMPLOYEE and info.employee
        for d in model.days
        if len(model.roster.shifts(info.employee.id, d)) == 1
        and model.roster.leave_on(info.employee.id, d) is None
    )
    view.scrollTo(model.index(row, 0))
    QApplication.processEvents()
    assert view.rowHeight(row) <= 2 * MONTH.block + 3 * MONTH.pad
    index = model.index(row, model.days.index(day))
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert f"{shift.start_time}–{shift.end_time}" in tip
    employee = model.row_info(row).employee
    assert employee is not None
    center = view.block_center(shift.id, employee.id)
    assert view.visualRect(index).contains(center)
    image = view.viewport().grab().toImage()
    chip = QColor(image.pixel(center.x() - 8, center.y() - 5))
    assert chip != QColor("white")  # tinted with the team's colour, not an empty cell
    cell = view.visualRect(index)
    blank = QColor(image.pixel(cell.right() - 1, cell.bottom() - 1))
    assert chip != blank


def test_a_drag_in_the_month_gets_the_weeks_live_feedback(
    qtbot: QtBot, store: Store, org: Org, page: SchedulePage
) -> None:
    anna = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, MONDAY, "10:00", "14:00", org.ben)
    page.set_span("month")
    assert page.view.metrics is MONTH
    hover(page, anna, org.anna, org.ben, MONDAY)
    hint = page.view.drop_hint
    assert hint is not None
    assert hint.kind == "conflict"
    hover(page, anna, org.anna, org.ben, MONDAY.replace(day=2))
    assert page.view.drop_hint is not None
    assert page.view.drop_hint.kind == "ok"
    assert page.view.shift_at(page.view.block_center(anna, org.anna))[0] is not None
    assert page.view.shift_at(QPoint(-5, -5))[0] is None


def test_a_days_hidden_shifts_read_as_plus_n_where_the_start_time_does_not_fit(
    demo_window: Callable[[str], MainWindow],
) -> None:
    """Three open shifts on a 31-day month's narrow day: two chips, the second says
    "+2" (itself and the hidden one) instead of a start time cut on both sides."""
    page = _month_page(demo_window, 1440)
    view = page.view
    cell = view.visualRect(view.model().index(0, 0))
    (_first, last) = block_rects(cell, 3, metrics=MONTH)
    width = last.adjusted(5, 0, -2, 0).width()
    _font, metrics = _chip_font(view.font(), False)
    label = chip_label("08:00", 1, width, metrics)
    assert metrics.horizontalAdvance("08+1") > width  # what the chip used to print
    assert label == "+2"
    assert metrics.horizontalAdvance(label) <= width
    assert chip_label("08:00", 1, 200, metrics) == "08:00+1"  # room: the time stays
    assert chip_label("08:00", 0, width, metrics) in ("08:00", "08")


def test_leave_on_a_month_day_with_a_shift_fills_the_cell_and_reads_as_a_code(
    store: Store, org: Org, page: SchedulePage
) -> None:
    """Approved leave on a day Anna also works: the whole cell is leave-yellow behind
    her chip (not a 4 px line); a day of leave alone says "SL", not "S…"."""
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.anna,
                leave_type="sick",
                start_date=MONDAY,
                end_date=MONDAY + timedelta(days=1),
                status=LeaveStatus.APPROVED,
            )
        )
    page.set_span("month")
    page.reload()
    QApplication.processEvents()
    view = page.view
    cell = view.visualRect(page.model.index_of(org.anna, MONDAY))
    image = view.viewport().grab().toImage()
    assert QColor(image.pixel(cell.right() - 1, cell.bottom() - 2)) == LEAVE_FILL
    leave = page.model.roster.leave_on(org.anna, MONDAY)
    assert leave is not None
    width = cell.adjusted(6, 3, -4, 0).width()
    metrics = QFontMetrics(font(view.font(), 11, bold=True))
    assert leave_text(leave, width, metrics) == "SL"
    assert leave_text(leave, 400, metrics) == "Sick leave"
