"""The reports' rows: attendance + payroll of a month, and its .xlsx export.

Both run on the demo store (fixed seed). The payroll's floor is SQLite fetching
the period's shifts and punches and nothing else; the export's floor is
XlsxWriter writing the Summary and Detail cells with typed writes
(``write_number`` / ``write_string`` / ``write_datetime``) and the same formats.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from bench.runner import Row, Sizes, runs
from core.export import export_payroll
from core.export.columns import DETAIL, SUMMARY, Kind, detail_rows
from core.payroll import Payroll, payroll
from core.store import open_store


def month_of(first: date) -> tuple[date, date]:
    return first, first + timedelta(days=30)


def payroll_rows(store_path: Path, first: date, sizes: Sizes) -> tuple[list[Row], Payroll]:
    start, end = month_of(first)
    now = datetime.combine(end + timedelta(days=7), time(12), tzinfo=UTC)
    store = open_store(store_path, create=False)
    report: Payroll | None = None

    def work() -> None:
        nonlocal report
        with store.session() as s:
            report = payroll(s, start, end, now=now)

    try:
        work()  # warm: imports, compiled statements
        times = runs(work, sizes.repeat)
    finally:
        store.close()
    assert report is not None
    lo = datetime.combine(start - timedelta(days=2), time(0)).isoformat(" ")
    hi = datetime.combine(end + timedelta(days=3), time(0)).isoformat(" ")

    def raw() -> None:
        conn = sqlite3.connect(store_path)
        try:
            conn.execute(
                "SELECT s.id, s.start_utc, s.end_utc, s.shift_date, se.employee_id FROM shift s"
                " JOIN shift_employee se ON se.shift_id = s.id"
                " WHERE s.start_utc >= ? AND s.start_utc < ? AND s.deleted = 0",
                (lo, hi),
            ).fetchall()
            conn.execute(
                "SELECT id, kind, at_utc, source, device_id, employee_id FROM clock_event"
                " WHERE at_utc >= ? AND at_utc < ? AND deleted = 0",
                (lo, hi),
            ).fetchall()
        finally:
            conn.close()

    floor = min(runs(raw, max(3, sizes.repeat)))
    days = sum(len(line.days) for line in report.lines)
    row = Row(
        f"attendance + payroll, {len(report.lines)} people × 1 month ({days} days)",
        times,
        floor,
        "< 1 s",
        1.0,
        note="floor: raw fetch of shifts + punches",
    )
    return [row], report


def _typed(report: Payroll, path: Path) -> None:
    """The floor: the Summary's and Detail's cells, each written by its typed call."""
    from xlsxwriter import Workbook

    book = Workbook(str(path))
    text = book.add_format({"text_wrap": True, "valign": "top"})
    number = book.add_format({"num_format": "0.00"})
    when = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, columns, items in (
        ("Summary", SUMMARY, list(report.lines)),
        ("Detail", DETAIL, detail_rows(report.lines)),
    ):
        sheet = book.add_worksheet(name)
        for col, column in enumerate(columns):
            sheet.write_string(0, col, column.header, text)
        for n, item in enumerate(items, start=1):
            for col, column in enumerate(columns):
                value = column.value(item)
                if column.kind is Kind.DATE:
                    sheet.write_datetime(n, col, datetime(value.year, value.month, value.day), when)
                elif isinstance(value, Decimal | int | float):
                    sheet.write_number(n, col, float(value), number)
                else:
                    sheet.write_string(n, col, str(value), text)
    book.close()


def xlsx_rows(report: Payroll, sizes: Sizes) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        times = runs(lambda: export_payroll(report, out / "payroll.xlsx"), sizes.repeat)
        floor = min(runs(lambda: _typed(report, out / "typed.xlsx"), sizes.repeat))
    cells = len(report.lines) * len(SUMMARY) + len(detail_rows(report.lines)) * len(DETAIL)
    return [
        Row(
            f"payroll .xlsx export ({cells} cells)",
            times,
            floor,
            "< 3 s",
            3.0,
            note="floor: the same cells by typed XlsxWriter writes",
        )
    ]
