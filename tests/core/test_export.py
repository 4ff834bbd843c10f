from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from core.errors import ValidationError
from core.export import export_payroll
from core.export.columns import DETAIL, SUMMARY
from core.models import Employee
from core.pay_periods import close_period
from core.payroll import Payroll, payroll
from core.policy import set_policy as set_policy_now
from core.store import Store
from tests.conftest import MONDAY, Org, open_copy
from tests.core.attendance_helpers import (
    add_shift,
    approved_leave,
    at,
    punches,
    set_policy,
    work,
)

SUNDAY = MONDAY + timedelta(days=6)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, migrated_file: Path) -> Payroll:
    """A week with overtime of both kinds, lateness, leave, an odd rate and a night;
    built once for the module: the tests only export and read it, and it is frozen
    plain data, so it outlives its store."""
    path = tmp_path_factory.mktemp("export") / "week.shiftdesk"
    with open_copy(migrated_file, path) as store:
        return _week(store, Org(store))


def _week(store: Store, org: Org) -> Payroll:
    set_policy(store, org, late_penalty_per_minute=Decimal("0.15"))
    with store.session() as s:
        s.get(Employee, org.cara).hourly_rate = Decimal("13.37")
        s.get(Employee, org.anna).code = "E001"
    for n in range(5):
        work(store, org, org.anna, MONDAY + timedelta(days=n), "08:00", "18:00")
    work(store, org, org.anna, MONDAY + timedelta(days=5), "08:00", "13:00")
    add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)
    punches(store, org, org.ben, MONDAY, ("in", "09:23"), ("out", "16:41"))
    approved_leave(store, org, org.ben, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2))
    add_shift(store, org, MONDAY, "22:00", "06:07", org.cara)
    punches(store, org, org.cara, MONDAY, ("in", "21:58"), ("out", "06:11"))
    with store.session() as s:
        return payroll(s, MONDAY, SUNDAY, now=at(MONDAY, "12:00") + timedelta(days=8))


def _dec(value: object) -> Decimal:
    return Decimal(str(value))


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


def _evaluate(formula: str, values: openpyxl.worksheet.worksheet.Worksheet) -> Decimal:
    """Recalculate one of our formulas from the sheet's cells, as Excel would."""

    def cell(ref: str) -> Decimal:
        return _dec(values[ref].value or 0)

    def sum_range(match: re.Match[str]) -> str:
        total = sum((cell(row[0].coordinate) for row in values[match[1]]), Decimal(0))
        return f"Decimal('{total}')"

    expr = re.sub(r"SUM\(([A-Z]+\d+:[A-Z]+\d+)\)", sum_range, formula.lstrip("="))
    expr = re.sub(r"\b([A-Z]{1,2}\d+)\b", lambda m: f"cell('{m[1]}')", expr)
    expr = expr.replace("ROUND(", "_round(")
    return eval(expr, {"cell": cell, "_round": _round, "Decimal": Decimal})


def _books(path: Path):
    return openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def test_workbook_summary_matches_core_figure_by_figure(report: Payroll, tmp_path: Path) -> None:
    path = export_payroll(report, tmp_path / "payroll.xlsx")
    formulas, values = (book["Summary"] for book in _books(path))
    assert [c.value for c in formulas[2]] == [c.header for c in SUMMARY]
    assert len(report.lines) == 4
    for n, line in enumerate(report.lines, start=3):
        for col, column in enumerate(SUMMARY, start=1):
            expected = column.value(line)
            written = formulas.cell(n, col).value
            cached = values.cell(n, col).value
            if column.formula:
                assert written.startswith("="), column.header
                assert _dec(cached) == expected, (line.person.name, column.header)
                assert _evaluate(written, values) == expected, (line.person.name, column.header)
            elif isinstance(expected, str):
                assert (written or "") == expected
            else:
                assert _dec(written) == expected, (line.person.name, column.header)


def test_workbook_totals_row_sums_every_money_and_hours_column(
    report: Payroll, tmp_path: Path
) -> None:
    path = export_payroll(report, tmp_path / "payroll.xlsx")
    formulas, values = (book["Summary"] for book in _books(path))
    row = len(report.lines) + 3
    assert formulas.cell(row, 2).value == "Total"
    assert report.total("gross") == sum(line.gross for line in report.lines) > 0
    summed = 0
    for col, column in enumerate(SUMMARY, start=1):
        formula = formulas.cell(row, col).value
        if not column.total:
            assert formula is None or (col, formula) == (2, "Total")
            continue
        summed += 1
        letter = formulas.cell(row, col).column_letter
        assert formula == f"=SUM({letter}3:{letter}{row - 1})"
        expected = sum((_dec(column.value(line)) for line in report.lines), Decimal(0))
        assert _dec(values.cell(row, col).value) == expected, column.header
        assert _evaluate(formula, values) == expected, column.header
    assert summed == 9


def test_workbook_detail_has_one_row_per_employee_day(report: Payroll, tmp_path: Path) -> None:
    path = export_payroll(report, tmp_path / "payroll.xlsx")
    sheet = openpyxl.load_workbook(path)["Detail"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in DETAIL]
    expected = [(line, day) for line in report.lines for day in line.days]
    assert len(rows) - 1 == len(expected) == 10
    for written, item in zip(rows[1:], expected, strict=True):
        for value, column in zip(written, DETAIL, strict=True):
            figure = column.value(item)
            if isinstance(figure, date):
                assert value == datetime(figure.year, figure.month, figure.day)
            elif isinstance(figure, str):
                assert (value or "") == figure
            else:
                assert _dec(value) == figure, column.header
    cara = next(r for r in rows if r[1] == "Cara Diaz")
    assert cara[4:7] == ("22:00–06:07 (+1)", "21:58", "06:11 (+1)")
    ben_monday = next(r for r in rows if r[1] == "Ben Cole" and r[2].date() == MONDAY)
    assert ben_monday[15] == "late, left early"


def test_hours_per_employee_in_detail_add_up_to_the_summary(
    report: Payroll, tmp_path: Path
) -> None:
    path = export_payroll(report, tmp_path / "payroll.xlsx")
    book = openpyxl.load_workbook(path)
    detail = list(book["Detail"].iter_rows(min_row=2, values_only=True))
    for line in report.lines:
        mine = [r for r in detail if r[1] == line.person.name]
        regular = sum((_dec(r[9]) for r in mine), Decimal(0))
        overtime = sum((_dec(r[10]) + _dec(r[11]) for r in mine), Decimal(0))
        assert (regular, overtime) == (line.regular_hours, line.overtime_hours)


def test_workbook_states_the_policy_and_period(report: Payroll, tmp_path: Path) -> None:
    path = export_payroll(report, tmp_path / "payroll.xlsx")
    sheet = openpyxl.load_workbook(path)["Policy"]
    stated = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert stated["Period from"] == datetime(2026, 6, 1)
    assert stated["Period to"] == datetime(2026, 6, 7)
    assert stated["Grace period (minutes)"] == 5
    assert _dec(stated["Overtime multiplier"]) == Decimal("1.5")
    assert _dec(stated["Lateness penalty per minute"]) == Decimal("0.15")
    assert _dec(stated["Daily overtime after (hours, 0 = off)"]) == 8
    assert stated["Payroll week starts on"] == "Monday"
    assert stated["Overnight shifts count toward their"] == "start day"
    assert stated["Unpaid break"] == "Punched breaks only"


def test_workbook_is_laid_out_for_reading(report: Payroll, tmp_path: Path) -> None:
    path = export_payroll(report, tmp_path / "payroll.xlsx")
    book = openpyxl.load_workbook(path)
    summary, detail = book["Summary"], book["Detail"]
    assert summary["A1"].value == "Testco – Payroll 01 Jun 2026 to 07 Jun 2026 (amounts in EUR)"
    assert summary.freeze_panes == "C3"
    assert detail.freeze_panes == "C2"
    assert book["Policy"].freeze_panes == "A2"
    assert summary.auto_filter.ref == "A2:N6"
    assert detail.auto_filter.ref == "A1:R11"
    assert summary["D3"].number_format == "0.00"
    assert summary["M3"].number_format == '#,##0.00 "EUR"'
    assert summary["M7"].number_format == '#,##0.00 "EUR"'
    assert detail["C2"].number_format == "yyyy-mm-dd"
    for sheet, first in ((summary, 2), (detail, 1)):
        for cells in sheet.iter_cols(min_row=first, max_row=sheet.max_row):
            width = sheet.column_dimensions[cells[0].column_letter].width
            texts = [c.value for c in cells if isinstance(c.value, str)]
            longest = max(len(t) for t in texts if not t.startswith("="))
            assert width >= min(longest, 38), (sheet.title, cells[0].value, texts)
            if longest > 38:  # longer text wraps inside its column
                assert all(c.alignment.wrap_text for c in cells[1:] if c.value), sheet.title


def test_every_sheet_is_set_up_for_printing(report: Payroll, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export_payroll(report, tmp_path / "payroll.xlsx"))
    titles = {"Summary": "$2:$2", "Detail": "$1:$1", "Policy": "$1:$1"}
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # One page wide (1 is the file format's default, so it may be left out), any tall.
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == titles[sheet.title]
        assert sheet.oddHeader.left.text == "Testco"
        assert sheet.oddHeader.center.text == "Payroll 01 Jun 2026 to 07 Jun 2026"
        assert sheet.oddFooter.right.text == "Page &P of &N"
    assert book["Summary"].print_title_cols == "$A:$B"
    assert book["Detail"].print_title_cols == "$A:$B"
    # The Employee ID column (M is gross pay, N the id) is left off the paper.
    assert book["Summary"].print_area == "'Summary'!$A$1:$M$7"


def test_policy_values_are_legible_on_paper(report: Payroll, tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(export_payroll(report, tmp_path / "payroll.xlsx"))["Policy"]
    assert 30 <= sheet.column_dimensions["B"].width <= 70
    for (value,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        assert value.alignment.horizontal == "left", value.value
        assert value.alignment.wrap_text, value.value


def test_detail_flags_are_words(report: Payroll, tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(export_payroll(report, tmp_path / "payroll.xlsx"))["Detail"]
    flags = {row[15] for row in sheet.iter_rows(min_row=2, values_only=True) if row[15]}
    assert flags
    assert not any("_" in text for text in flags)


def test_empty_period_still_gives_a_workbook_with_zero_totals(
    store: Store, org: Org, tmp_path: Path
) -> None:
    with store.session() as s:
        for emp in (org.anna, org.ben, org.cara, org.dan):
            s.get(Employee, emp).active = False
        report = payroll(s, MONDAY, SUNDAY)
    path = export_payroll(report, tmp_path / "empty.xlsx")
    sheet = openpyxl.load_workbook(path, data_only=True)["Summary"]
    assert sheet["B3"].value == "Total"
    assert sheet["M3"].value == 0


def test_csv_summary_carries_the_same_figures(report: Payroll, tmp_path: Path) -> None:
    path = export_payroll(report, tmp_path / "payroll.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(report.lines)
    for row, line in zip(rows, report.lines, strict=True):
        assert row["Employee"] == line.person.name
        assert Decimal(row["Gross pay"]) == line.gross
        assert Decimal(row["Overtime h"]) == line.overtime_hours
        assert Decimal(row["Lateness penalty"]) == line.penalty
    cara = next(r for r in rows if r["Employee"] == "Cara Diaz")
    assert (cara["Hourly rate"], cara["OT multiplier"]) == ("13.37", "1.50")


@pytest.mark.parametrize("name", ["payroll.pdf", "payroll"])
def test_unknown_file_type_is_refused(report: Payroll, tmp_path: Path, name: str) -> None:
    with pytest.raises(ValidationError) as info:
        export_payroll(report, tmp_path / name)
    assert info.value.field == "out"
    assert not (tmp_path / name).exists()


def test_missing_folder_is_named(report: Payroll, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        export_payroll(report, tmp_path / "no" / "payroll.xlsx")


def test_a_line_paid_at_two_multipliers_is_written_as_core_paid_it(
    store: Store, org: Org, tmp_path: Path
) -> None:
    """Monday is closed at ×1.5, then overtime pays ×2: Anna's overtime on both
    days leaves her multiplier blank and her overtime pay core's figure (no formula
    could price it); Ben's, all on Monday, keeps ×1.5 and its formula. Every cell,
    formula or not, and the totals agree with core; the Policy sheet gives each
    run of days its rules."""
    for who in (org.anna, org.ben):
        work(store, org, who, MONDAY, "08:00", "18:00")
    work(store, org, org.anna, MONDAY + timedelta(days=1), "08:00", "18:00")
    with store.session() as s:
        close_period(s, MONDAY, MONDAY, actor="anna")
        set_policy_now(s, overtime_multiplier="2")
        mixed = payroll(s, MONDAY, MONDAY + timedelta(days=1))
    path = export_payroll(mixed, tmp_path / "payroll.xlsx")
    formulas, values = (book["Summary"] for book in _books(path))
    rows = {line.person.id: n for n, line in enumerate(mixed.lines, start=3)}
    ot_pay = next(n for n, c in enumerate(SUMMARY, start=1) if c.name == "overtime_pay")
    anna = next(x for x in mixed.lines if x.person.id == org.anna)
    assert _dec(formulas.cell(rows[org.anna], ot_pay).value) == anna.overtime_pay
    assert formulas.cell(rows[org.ben], ot_pay).value.startswith("=ROUND(")
    for line in mixed.lines:
        n = rows[line.person.id]
        for col, column in enumerate(SUMMARY, start=1):
            expected, written = column.value(line), formulas.cell(n, col).value
            if isinstance(written, str) and written.startswith("="):
                assert _evaluate(written, values) == expected, (line.person.name, column.header)
            elif expected is None:
                assert written is None, (line.person.name, column.header)
            elif not isinstance(expected, str):
                assert _dec(written) == expected, (line.person.name, column.header)
    total = len(mixed.lines) + 3
    assert _evaluate(formulas.cell(total, ot_pay).value, values) == mixed.total("overtime_pay")
    stated = list(openpyxl.load_workbook(path)["Policy"].iter_rows(values_only=True))
    days = [value for label, value in stated if label == "Rules of the days"]
    multipliers = [_dec(value) for label, value in stated if label == "Overtime multiplier"]
    assert (days, multipliers) == (["1 Jun 2026", "2 Jun 2026"], [Decimal("1.5"), Decimal(2)])
