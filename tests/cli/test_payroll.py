from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from cli import main
from core.payroll import payroll
from core.store import Store, open_store
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import work

PERIOD = ["--from", str(MONDAY), "--to", "2026-06-07"]


def test_export_xlsx_prints_the_path_last(store: Store, org: Org, tmp_path: Path, capsys) -> None:
    work(store, org, org.anna, MONDAY, "08:00", "18:00")
    out = tmp_path / "june.xlsx"
    assert main(["payroll", "export", *PERIOD, "--out", str(out), "--db", str(store.path)]) == 0
    printed = capsys.readouterr().out
    assert printed.split()[-1] == str(out)
    assert "gross 220.00 EUR" in printed
    sheet = openpyxl.load_workbook(out, data_only=True)["Summary"]
    assert sheet["B3"].value == "Anna Berg"
    assert Decimal(str(sheet["M3"].value)) == Decimal("220.00")


def test_export_csv_by_extension(store: Store, org: Org, tmp_path: Path, capsys) -> None:
    out = tmp_path / "june.csv"
    assert main(["payroll", "export", *PERIOD, "--out", str(out), "--db", str(store.path)]) == 0
    assert capsys.readouterr().out.split()[-1] == str(out)
    assert out.read_text().splitlines()[0].startswith("Code,Employee,Hourly rate")


def test_export_to_another_format_is_one_line_and_exit_1(
    store: Store, org: Org, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "june.ods"
    assert main(["payroll", "export", *PERIOD, "--out", str(out), "--db", str(store.path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "shiftdesk: out: june.ods: the file must end in .xlsx or .csv"
    )
    assert not out.exists()


def test_demo_store_exports_a_workbook_that_adds_up(tmp_path: Path, capsys) -> None:
    db = tmp_path / "demo.shiftdesk"
    assert (
        main(
            ["demo", "--db", str(db), "--employees", "12", "--weeks", "2", "--start", "2026-05-04"]
        )
        == 0
    )
    out = tmp_path / "demo.xlsx"
    period = ["--from", "2026-05-04", "--to", "2026-05-17"]
    assert main(["payroll", "export", *period, "--out", str(out), "--db", str(db)]) == 0
    capsys.readouterr()
    store = open_store(db)
    try:
        with store.session() as s:
            report = payroll(s, MONDAY.replace(month=5, day=4), MONDAY.replace(month=5, day=17))
    finally:
        store.close()
    sheet = openpyxl.load_workbook(out, data_only=True)["Summary"]
    total_row = len(report.lines) + 3
    assert sheet.cell(total_row, 2).value == "Total"
    assert Decimal(str(sheet.cell(total_row, 13).value)) == report.total("gross") > 0
