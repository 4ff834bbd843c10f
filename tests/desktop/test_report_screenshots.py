"""The Attendance and Payroll views on demo data, saved as attendance.png and
payroll.png (the README's pictures with SHIFTDESK_SCREENSHOTS=docs): what a
supervisor sees, with a correction and a sign-off made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from core.attendance import Flag
from desktop.attendance.model import STATUS
from desktop.attendance.page import AttendancePage
from desktop.mainwindow import MainWindow
from desktop.payroll.page import PayrollPage
from tests.desktop.helpers import loaded

WEEK = date(2026, 6, 8)


def test_attendance_view_renders_the_demo_week_and_saves_a_screenshot(
    demo_window: Callable[[str], MainWindow], screenshot: Callable[[QWidget, str], Path]
) -> None:
    window = demo_window("attendance")
    page = window.pages["attendance"]
    assert isinstance(page, AttendancePage)
    page.period.set_span("week", WEEK)
    loaded(page)
    page.problems_only.setChecked(True)
    days = [page.days.day(r) for r in range(page.days.rowCount())]
    seen = {flag for d in days for flag in d.flags}
    assert {Flag.LATE, Flag.MISSING_PUNCH, Flag.ABSENT, Flag.OVERTIME} <= seen
    missing = next(d for d in days if d.missing_punch)
    team = page.snapshot.departments[missing.employee_id]
    page.problems_only.setChecked(False)
    page.department_box.setCurrentIndex(page.department_box.findData(team))
    loaded(page)
    dialog = page.open_correction(page.days.row_of(missing.employee_id, missing.work_date))
    assert dialog is not None
    dialog.clock_out.setText("16:00")
    dialog.reason.setText("Forgot to clock out; confirmed by the shift lead")
    dialog.accept()
    loaded(page)
    row = page.days.row_of(missing.employee_id, missing.work_date)
    assert page.days.index(row, STATUS).data() == "Corrected"
    shown = [page.days.day(r) for r in range(page.days.rowCount())]
    clean = [(d.employee_id, d.work_date) for d in shown if not d.flags][:4]
    page.select_keys(clean)
    page.approve_selected()
    loaded(page)
    assert page.days.index(page.days.row_of(*clean[0]), STATUS).data() == "✓ Approved"
    page.day_table.clearSelection()
    page.day_table.scrollToTop()
    path = screenshot(window, "attendance.png")
    assert path.stat().st_size > 50_000


def test_payroll_view_renders_the_demo_month_and_saves_a_screenshot(
    qtbot: QtBot,
    demo_window: Callable[[str], MainWindow],
    screenshot: Callable[[QWidget, str], Path],
    tmp_path: Path,
) -> None:
    window = demo_window("payroll")
    page = window.pages["payroll"]
    assert isinstance(page, PayrollPage)
    page.period.set_span("month", WEEK)
    loaded(page)
    assert page.model.rowCount() == 41  # 40 people and the totals row
    target = tmp_path / "payroll-june-2026.xlsx"
    with qtbot.waitSignal(page.export_finished, timeout=20_000):
        page.export_to(target)
    assert target.exists()
    path = screenshot(window, "payroll.png")
    assert path.stat().st_size > 50_000
