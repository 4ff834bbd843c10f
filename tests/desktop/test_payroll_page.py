"""The Payroll page: preview figures from core, and export on its worker thread."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.attendance import approve_days
from core.employees import deactivate_employee
from core.pay_periods import close_period, closed_on
from core.payroll import payroll
from core.policy import set_policy
from desktop.payroll import page as payroll_module
from desktop.payroll.model import COLUMNS, PayrollModel
from desktop.payroll.page import FILE_FILTERS, PayrollPage, with_extension
from desktop.payroll.worker import partial_path
from tests.conftest import MONDAY
from tests.core.attendance_helpers import work
from tests.desktop.attendance_helpers import late_missing_absent
from tests.desktop.helpers import loaded, show_at

SUNDAY = MONDAY + timedelta(days=6)


@pytest.fixture
def payroll_page(qtbot, context, org) -> PayrollPage:
    late_missing_absent(context.store, org)
    page = PayrollPage(context)
    return loaded(show_at(qtbot, page, 1200, 700, lambda p: p.period.set_span("week", MONDAY)))


def _column(name: str) -> int:
    return [c.name for c in COLUMNS].index(name)


def test_payroll_model_passes_the_model_tester(qtmodeltester, store, org) -> None:
    late_missing_absent(store, org)
    model = PayrollModel()
    with store.session() as s:
        model.set_report(payroll(s, MONDAY, SUNDAY))
    qtmodeltester.check(model)


def test_a_period_with_one_person_to_pay_says_one_employee(qtbot, context, org) -> None:
    work(context.store, org, org.dan, MONDAY, "09:00", "17:00")
    with context.store.session() as s:
        for other in (org.anna, org.ben, org.cara):
            assert deactivate_employee(s, other).applied
    page = PayrollPage(context)
    loaded(show_at(qtbot, page, 1200, 700, lambda p: p.period.set_span("week", MONDAY)))
    assert page.model.rowCount() == 2  # Dan and the total
    assert page.summary.text().startswith("01 – 07 Jun 2026 · 1 employee · gross ")


def test_preview_figures_and_totals_equal_cores(payroll_page, store) -> None:
    with store.session() as s:
        report = payroll(s, MONDAY, SUNDAY)
    model = payroll_page.model
    assert model.rowCount() == len(report.lines) + 1
    for row, line in enumerate(report.lines):
        assert model.value(row, _column("name")) == line.person.name
        assert model.value(row, _column("regular")) == line.regular_hours
        assert model.value(row, _column("overtime")) == line.overtime_hours
        assert model.value(row, _column("leave")) == line.paid_leave_hours
        assert model.value(row, _column("late")) == line.late_minutes
        assert model.value(row, _column("penalty")) == line.penalty
        assert model.value(row, _column("gross")) == line.gross
    total = len(report.lines)
    assert model.index(total, _column("name")).data() == "Total"
    assert model.value(total, _column("gross")) == report.total("gross")
    assert model.value(total, _column("regular")) == report.total("regular_hours")
    assert model.value(total, _column("late")) == report.total("late_minutes")
    anna = model.index(0, _column("gross")).data()
    assert (model.index(0, 0).data(), anna) == ("Anna Berg", "156.00")  # 7.80 h × 20.00
    gross = f"{report.total('gross'):,.2f}"
    assert payroll_page.summary.text() == f"01 – 07 Jun 2026 · 4 employees · gross {gross} EUR"


def test_export_on_the_worker_writes_a_workbook_that_reads_back(
    qtbot, payroll_page, store, tmp_path: Path
) -> None:
    target = tmp_path / "june.xlsx"
    with qtbot.waitSignal(payroll_page.export_finished, timeout=20_000) as finished:
        job = payroll_page.export_to(target)
        assert job is not None
        assert payroll_page.panel.progress.isVisibleTo(payroll_page)
        assert not payroll_page.export_button.isEnabled()
    assert finished.args == [str(target)]
    book = openpyxl.load_workbook(target, data_only=True)  # the figures cached with formulas
    summary = book["Summary"]
    header = [cell.value for cell in summary[2]]  # below the title line
    rows = {r[header.index("Employee")]: r for r in summary.iter_rows(min_row=3, values_only=True)}
    with store.session() as s:
        report = payroll(s, MONDAY, SUNDAY)
    for line in report.lines:
        assert Decimal(str(rows[line.person.name][header.index("Gross pay")])) == line.gross
    assert not partial_path(target).exists()
    panel = payroll_page.panel
    assert panel.message.text() == f"Payroll saved to {target.name}"
    assert panel.message.toolTip() == str(target)
    assert panel.open_button.isVisibleTo(payroll_page)
    assert panel.file_url() == QUrl.fromLocalFile(str(target))
    assert panel.folder_url() == QUrl.fromLocalFile(str(tmp_path))
    assert payroll_page.export_button.isEnabled()


def test_export_to_csv_picks_the_format_by_extension(qtbot, payroll_page, tmp_path) -> None:
    target = tmp_path / "june.csv"
    with qtbot.waitSignal(payroll_page.export_finished, timeout=20_000):
        payroll_page.export_to(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Code,Employee,Hourly rate")
    assert len(lines) == 5


def test_an_export_to_a_missing_folder_fails_clearly(qtbot, payroll_page, tmp_path) -> None:
    target = tmp_path / "nowhere" / "june.xlsx"
    with qtbot.waitSignal(payroll_page.export_failed, timeout=20_000) as failed:
        payroll_page.export_to(target)
    assert failed.args == [f"the folder {tmp_path / 'nowhere'} does not exist"]
    assert payroll_page.panel.property("kind") == "error"
    assert payroll_page.panel.message.text().startswith("Export failed: the folder")
    assert not payroll_page.panel.open_button.isVisibleTo(payroll_page)
    assert payroll_page.model.rowCount() == 5  # the preview stays
    assert payroll_page.export_button.isEnabled()


def test_a_failed_write_leaves_what_was_there(qtbot, payroll_page, tmp_path) -> None:
    occupied = tmp_path / "june.xlsx"
    occupied.mkdir()  # a folder by that name: the file cannot take its place
    (occupied / "keep.txt").write_text("mine")
    with qtbot.waitSignal(payroll_page.export_failed, timeout=20_000) as failed:
        payroll_page.export_to(occupied)
    assert "june.xlsx" in failed.args[0]
    assert (occupied / "keep.txt").read_text() == "mine"
    assert not partial_path(occupied).exists()


def test_a_name_typed_without_extension_gets_the_chosen_types() -> None:
    csv_filter, xlsx_filter = (
        next(f for f, ext in FILE_FILTERS.items() if ext == wanted) for wanted in (".csv", ".xlsx")
    )
    assert with_extension("/tmp/june", csv_filter) == Path("/tmp/june.csv")
    assert with_extension("/tmp/june", xlsx_filter) == Path("/tmp/june.xlsx")
    assert with_extension("/tmp/june.CSV", xlsx_filter) == Path("/tmp/june.CSV")


def test_export_asks_first_when_days_are_unapproved_with_cores_counts(
    qtbot, payroll_page, context, monkeypatch
) -> None:
    asked_for_a_file: list[bool] = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: asked_for_a_file.append(True) or ("", "")
    )
    payroll_page.export_button.defaultAction().trigger()
    box = payroll_page.findChild(QMessageBox, "ConfirmExport")
    assert box is not None
    assert box.isVisible()
    # Anna late, Ben missing a punch, Cara absent, Dan clean: four days, three problems.
    assert box.text() == "4 days unapproved, 3 with problems — export anyway?"
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert asked_for_a_file == []
    with context.store.session() as s:
        days = [(d.record.employee_id, d.record.work_date) for d in _days(s)]
    context.run("Approve", partial(approve_days, days=days, actor="sam"))
    loaded(payroll_page)
    payroll_page.export_button.defaultAction().trigger()
    assert [b for b in payroll_page.findChildren(QMessageBox) if b.isVisible()] == []
    assert asked_for_a_file == [True]  # straight to the file, nothing to warn about


def _days(session):
    report = payroll(session, MONDAY, SUNDAY)
    return [day for line in report.lines for day in line.days]


def test_close_the_period_after_export_then_reopen_it_with_a_reason(
    qtbot, payroll_page, context, tmp_path
) -> None:
    assert not payroll_page.closed_label.isVisibleTo(payroll_page)
    with qtbot.waitSignal(payroll_page.export_finished, timeout=20_000):
        payroll_page.export_to(tmp_path / "june.xlsx")
    button = payroll_page.panel.close_period_button
    assert button.isVisibleTo(payroll_page)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    box = payroll_page.findChild(QMessageBox, "ConfirmClose")
    assert box is not None
    assert box.text() == "Close pay period 1–7 Jun 2026?"
    with qtbot.waitSignal(context.data_changed):
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    loaded(payroll_page)
    assert payroll_page.closed_label.text().startswith("Closed by ")
    assert payroll_page.reopen_button.isVisibleTo(payroll_page)
    assert not button.isVisibleTo(payroll_page)
    with context.store.session() as s:
        assert closed_on(s, None, MONDAY) is not None
    dialog = payroll_page.ask_reopen_reason()
    assert dialog.labelText() == "Why reopen pay period 1–7 Jun 2026?"
    dialog.setTextValue("late punches")
    with qtbot.waitSignal(context.data_changed):
        dialog.accept()
    loaded(payroll_page)
    assert not payroll_page.closed_label.isVisibleTo(payroll_page)
    with context.store.session() as s:
        assert closed_on(s, None, MONDAY) is None


def test_the_period_is_worked_out_off_the_ui_thread_while_the_page_says_so(
    payroll_page, monkeypatch
) -> None:
    """A month of 500 people takes over half a second: the window must not freeze,
    and Export waits for the figures it would warn about."""
    gate = threading.Event()
    on_ui_thread: list[bool] = []
    real = payroll_module.payroll

    def held(*args, **kwargs):  # the real payroll, once the test has looked
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(payroll_module, "payroll", held)
    payroll_page.period.set_span("month", MONDAY)
    assert payroll_page.loading
    assert payroll_page.summary.text() == "Working out payroll for June 2026…"
    assert not payroll_page.export_button.isEnabled()
    gate.set()
    loaded(payroll_page)
    assert on_ui_thread == [False]
    assert payroll_page.summary.text().startswith("June 2026 · 4 employees · gross ")
    assert payroll_page.export_button.isEnabled()


def test_an_export_that_ends_while_the_figures_load_leaves_export_waiting(
    qtbot, payroll_page, monkeypatch, tmp_path
) -> None:
    gate = threading.Event()
    real = payroll_module.payroll
    monkeypatch.setattr(payroll_module, "payroll", lambda *a, **k: (gate.wait(5), real(*a, **k))[1])
    with qtbot.waitSignal(payroll_page.export_finished, timeout=20_000):
        payroll_page.export_to(tmp_path / "june.xlsx")
        payroll_page.reload()  # a change came meanwhile
    assert payroll_page.loading
    assert not payroll_page.export_button.isEnabled()
    gate.set()
    loaded(payroll_page)
    assert payroll_page.export_button.isEnabled()


def test_the_rules_line_says_which_days_were_paid_under_which_rules(qtbot, context, org) -> None:
    """A closed Monday keeps ×1.5; the rest of the week is paid ×2: the line under
    the figures names each run of days with its rules, not only the policy's."""
    work(context.store, org, org.anna, MONDAY, "08:00", "18:00")
    with context.store.session() as s:
        close_period(s, MONDAY, MONDAY, actor="anna")
        set_policy(s, overtime_multiplier="2")
    page = PayrollPage(context)
    loaded(show_at(qtbot, page, 1200, 700, lambda p: p.period.set_span("week", MONDAY)))
    line = page.rules.text()
    assert line.startswith("1 Jun 2026: Overtime past 8 h a day or 40 h a week, paid × 1.5;")
    assert "2–7 Jun 2026: Overtime past 8 h a day or 40 h a week, paid × 2;" in line
