from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from cli import main
from core.attendance import approve_day
from core.leave import approve_leave, request_leave
from core.models import Shift
from core.payroll import payroll
from core.store import Store, open_store
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import add_shift, punches, work

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


def test_export_pays_a_day_worked_on_leave_once_lists_it_and_warns(
    store: Store, org: Org, tmp_path: Path, capsys
) -> None:
    """What a manager checks: the workbook's totals against its days, the day worked
    on leave listed to decide, the leave rule on the Policy sheet, a warning first."""
    sunday = MONDAY + timedelta(days=6)
    for n, (start, end) in enumerate([("09:00", "17:00")] * 4 + [("10:00", "16:00")] * 3):
        add_shift(store, org, MONDAY + timedelta(days=n), start, end, org.anna)
    for n in range(4):  # Monday to Thursday worked
        punches(store, org, org.anna, MONDAY + timedelta(days=n), ("in", "09:00"), ("out", "17:00"))
    friday = MONDAY + timedelta(days=4)
    with store.session() as s:
        leave_id = request_leave(
            s, employee_id=org.anna, start_date=friday, end_date=sunday, leave_type="sick"
        ).ids[0]
        assert approve_leave(s, leave_id, actor="sam", on_clash="keep").applied
    punches(store, org, org.anna, friday, ("in", "10:00"), ("out", "16:00"))  # came anyway
    out = tmp_path / "week.xlsx"
    args = ["payroll", "export", *PERIOD, "--out", str(out), "--db", str(store.path)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert err.strip() == (
        "warning: 7 days unapproved, 1 with problems (1 worked on approved leave)"
        f" in {MONDAY} to {sunday}"
    )
    book = openpyxl.load_workbook(out, data_only=True)
    summary, detail = book["Summary"], book["Detail"]
    assert summary["B3"].value == "Anna Berg"
    # 38 h worked (4 × 8 + 6 on Friday) and 12 h of leave (Saturday, Sunday): 50 h, once.
    regular, overtime, leave = (Decimal(str(summary[c].value)) for c in ("D3", "E3", "G3"))
    assert (regular, overtime, leave) == (Decimal(38), Decimal(0), Decimal(12))
    assert Decimal(str(summary["M3"].value)) == Decimal("1000.00")
    header = [c.value for c in detail[1]]
    days = [dict(zip(header, (c.value for c in row), strict=True)) for row in detail.iter_rows(2)]
    assert sum(Decimal(str(d["Worked h"])) for d in days) == Decimal(38)
    assert sum(Decimal(str(d["Paid leave h"])) for d in days) == leave
    friday_row = next(d for d in days if d["Day"] == "Fri")
    assert (friday_row["Worked h"], friday_row["Paid leave h"]) == (6, 0)
    assert "worked on approved leave" in friday_row["Flags"]
    decide = book["To decide"]
    assert [c.value for c in decide["B"]][1:] == [datetime(2026, 6, 5)]
    policy = {row[0].value: row[1].value for row in book["Policy"].iter_rows(2)}
    assert "the hours the person was scheduled that day" in policy["Paid leave"]
    assert "past the contract hours" in policy["Paid leave"]
    assert "scheduled hours not worked" in policy["Paid leave"]

    with store.session() as s:
        approve_day(s, employee_id=org.anna, work_date=friday, actor="sam")
    assert main(args) == 0
    assert "1 with problems" not in capsys.readouterr().err
    assert "To decide" not in openpyxl.load_workbook(out).sheetnames


def test_close_then_the_workbook_says_so_and_edits_are_refused(
    store: Store, org: Org, tmp_path: Path, capsys
) -> None:
    work(store, org, org.anna, MONDAY, "08:00", "18:00")
    db = ["--db", str(store.path)]
    assert main(["payroll", "close", *PERIOD, "--by", "anna", *db]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("pay period 1–7 Jun 2026 closed: ")
    again = main(["payroll", "close", *PERIOD, "--by", "anna", *db])
    assert again == 1
    assert "is closed already (by anna)" in capsys.readouterr().err
    out = tmp_path / "june.xlsx"
    assert main(["payroll", "export", *PERIOD, "--out", str(out), *db]) == 0
    book = openpyxl.load_workbook(out, data_only=True)
    assert "Closed by anna on " in book["Summary"]["A1"].value
    stated = {row[0].value: row[1].value for row in book["Policy"].iter_rows()}
    assert stated["Pay period"].startswith("Closed by anna on ")
    add = ["shifts", "add", "--employee", org.ben, "--date", str(MONDAY)]
    assert main([*add, "--start", "09:00", "--end", "17:00", *db]) == 3
    said = capsys.readouterr().err
    assert "refused: Pay period 1–7 Jun 2026 is closed (by anna" in said
    assert "conflict" not in said  # nothing clashes: the period is closed
    with store.session() as s:
        (shift_id,) = s.scalars(select(Shift.id).where(Shift.shift_date == MONDAY))
    assert main(["shifts", "delete", shift_id, *db]) == 1
    said = capsys.readouterr().err
    assert "Pay period 1–7 Jun 2026 is closed (by anna" in said
    assert "shift_date" not in said  # the sentence, without a column's name


def test_reopen_needs_a_reason_and_reopens(store: Store, org: Org, capsys) -> None:
    db = ["--db", str(store.path)]
    assert main(["payroll", "close", *PERIOD, "--by", "anna", *db]) == 0
    with pytest.raises(SystemExit) as usage:
        main(["payroll", "reopen", *PERIOD, *db])
    assert usage.value.code == 2
    capsys.readouterr()
    reopened = ["payroll", "reopen", *PERIOD, "--by", "ben", "--reason", "missed night", *db]
    assert main(reopened) == 0
    assert "pay period 1–7 Jun 2026 reopened" in capsys.readouterr().out
    add = ["shifts", "add", "--employee", org.ben, "--date", str(MONDAY)]
    assert main([*add, "--start", "09:00", "--end", "17:00", *db]) == 0


def test_periods_lists_closes_and_reopens_as_json(store: Store, org: Org, capsys) -> None:
    db = ["--db", str(store.path)]
    assert main(["payroll", "close", *PERIOD, "--by", "anna", *db]) == 0
    reopen = ["payroll", "reopen", *PERIOD, "--by", "ben", "--reason", "late punches", *db]
    assert main(reopen) == 0
    capsys.readouterr()
    assert main(["payroll", "periods", "--json", *db]) == 0
    [period] = json.loads(capsys.readouterr().out)["periods"]
    assert (period["from"], period["to"], period["closed_by"]) == (
        "2026-06-01",
        "2026-06-07",
        "anna",
    )
    assert (period["reopened_by"], period["reopen_reason"]) == ("ben", "late punches")
    assert main(["payroll", "periods", *db]) == 0
    assert "1–7 Jun 2026" in capsys.readouterr().out
