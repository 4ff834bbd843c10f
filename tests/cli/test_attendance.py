from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli import main
from core.models import AttendanceApproval, ClockEvent, Employee
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import add_shift, day, punches

DB = "--db"


@pytest.fixture
def coded(store: Store, org: Org) -> Org:
    with store.session() as s:
        s.get(Employee, org.anna).code = "E001"
    return org


def _db(store: Store) -> str:
    return str(store.path)


def test_import_reports_how_many_punches(store: Store, coded: Org, tmp_path: Path, capsys) -> None:
    path = tmp_path / "punches.csv"
    path.write_text(
        "employee,timestamp,kind,device\n"
        "E001,2026-06-01T09:00,in,door\n"
        "E001,2026-06-01T17:00,out,door\n"
    )
    assert main(["attendance", "import", str(path), DB, _db(store)]) == 0
    assert capsys.readouterr().out.strip() == "imported 2 punches"
    assert main(["attendance", "import", str(path), DB, _db(store)]) == 1
    assert capsys.readouterr().err.count("this punch is stored already") == 2
    args = ["attendance", "import", str(path), "--skip-existing", DB, _db(store)]
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == "imported 0 punches, skipped 2 already stored"


def test_bad_import_is_one_line_naming_each_line_and_exit_1(
    store: Store, coded: Org, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "punches.csv"
    path.write_text(
        "employee,timestamp,kind\nE001,2026-06-01T09:00,in\nE404,2026-06-01T09:00,in\n"
        "E001,soon,out\n"
    )
    assert main(["attendance", "import", str(path), DB, _db(store)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "line 3: employee" in err
    assert "line 4: timestamp" in err
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ClockEvent)) == 0


def test_report_as_json_for_one_employee_by_code(store: Store, coded: Org, capsys) -> None:
    add_shift(store, coded, MONDAY, "09:00", "17:00", coded.anna)
    add_shift(store, coded, MONDAY, "09:00", "17:00", coded.ben)
    punches(store, coded, coded.anna, MONDAY, ("in", "09:12"), ("out", "17:00"))
    end = str(MONDAY + timedelta(days=6))
    args = ["attendance", "report", "--from", str(MONDAY), "--to", end, "--employee", "E001"]
    assert main([*args, "--json", DB, _db(store)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["from"] == str(MONDAY)
    (only,) = document["days"]
    assert (only["employee"], only["code"], only["work_date"]) == (
        "Anna Berg",
        "E001",
        "2026-06-01",
    )
    assert (only["late_minutes"], only["worked_minutes"], only["flags"]) == (7, 468, ["late"])
    assert only["first_in"] == "2026-06-01T09:12:00+02:00"


def test_report_as_a_table(store: Store, coded: Org, capsys) -> None:
    add_shift(store, coded, MONDAY, "09:00", "17:00", coded.ben)
    assert (
        main(["attendance", "report", "--from", str(MONDAY), "--to", str(MONDAY), DB, _db(store)])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["date", "employee", "shift"]
    assert lines[1].split() == [
        "2026-06-01",
        "Ben",
        "Cole",
        "09:00–17:00",
        "-",
        "-",
        "0.00",
        "0",
        "0",
        "0.00",
        "no",
        "absent",
    ]


def test_report_with_a_bad_date_names_the_option(store: Store, coded: Org, capsys) -> None:
    assert (
        main(["attendance", "report", "--from", "June", "--to", "2026-06-07", DB, _db(store)]) == 1
    )
    assert "--from" in capsys.readouterr().err


def test_unknown_employee_is_one_line_and_exit_1(store: Store, coded: Org, capsys) -> None:
    args = ["attendance", "report", "--from", str(MONDAY), "--to", str(MONDAY)]
    assert main([*args, "--employee", "E777", DB, _db(store)]) == 1
    assert capsys.readouterr().err.strip() == "shiftdesk: no employee with id E777"


def test_correct_then_approve_a_day(store: Store, coded: Org, capsys) -> None:
    add_shift(store, coded, MONDAY, "22:00", "06:00", coded.anna)
    punches(store, coded, coded.anna, MONDAY, ("in", "22:00"))
    base = ["--employee", "E001", "--date", str(MONDAY), DB, _db(store)]
    correct = ["attendance", "correct", "--out", "06:00", "--break", "30"]
    assert main([*correct, "--reason", "Forgot to clock out", "--by", "sam", *base]) == 0
    correction_id = capsys.readouterr().out.split()[-1]
    record = day(store, coded.anna, MONDAY)
    assert record.correction.id == correction_id
    assert (record.worked_minutes, record.missing_punch) == (450, False)
    assert main(["attendance", "approve", "--by", "sam", *base]) == 0
    approval_id = capsys.readouterr().out.split()[-1]
    with store.session() as s:
        assert s.get(AttendanceApproval, approval_id).approved_by == "sam"
    assert day(store, coded.anna, MONDAY).approved


def test_report_as_json_gives_a_correction_in_the_site_s_local_time(
    store: Store, coded: Org, capsys
) -> None:
    add_shift(store, coded, MONDAY, "22:00", "06:00", coded.anna)
    punches(store, coded, coded.anna, MONDAY, ("in", "22:00"))
    base = ["--employee", "E001", "--date", str(MONDAY), DB, _db(store)]
    correct = ["attendance", "correct", "--out", "06:00", "--reason", "Forgot", "--by", "sam"]
    assert main([*correct, *base]) == 0
    capsys.readouterr()
    report = ["attendance", "report", "--from", str(MONDAY), "--to", str(MONDAY), "--json"]
    assert main([*report, DB, _db(store)]) == 0
    (record,) = json.loads(capsys.readouterr().out)["days"]
    correction = record["correction"]
    assert (correction["clock_in"], correction["clock_out"]) == (None, "2026-06-02T06:00:00+02:00")
    assert (correction["reason"], correction["author"]) == ("Forgot", "sam")
    assert record["first_in"] == "2026-06-01T22:00:00+02:00"


def test_correct_without_a_reason_is_a_usage_error(store: Store, coded: Org) -> None:
    with pytest.raises(SystemExit) as info:
        main(["attendance", "correct", "--employee", "E001", "--date", str(MONDAY), "--by", "x"])
    assert info.value.code == 2


def test_a_correction_that_sets_nothing_is_refused_and_keeps_the_earlier_one(
    store: Store, coded: Org, capsys
) -> None:
    add_shift(store, coded, MONDAY, "09:00", "17:00", coded.anna)
    punches(store, coded, coded.anna, MONDAY, ("in", "09:00"))
    base = ["--employee", "E001", "--date", str(MONDAY), "--by", "Sam", DB, _db(store)]
    assert main(["attendance", "correct", "--out", "17:00", "--reason", "forgot", *base]) == 0
    first = capsys.readouterr().out.split()[-1]
    assert main(["attendance", "correct", "--reason", "x", *base]) == 1
    assert "correction: sets nothing" in capsys.readouterr().err
    assert day(store, coded.anna, MONDAY).correction.id == first


def test_report_shows_a_recorrected_approved_day_as_unapproved_without_a_signer(
    store: Store, coded: Org, capsys
) -> None:
    add_shift(store, coded, MONDAY, "09:00", "17:00", coded.anna)
    punches(store, coded, coded.anna, MONDAY, ("in", "09:00"), ("out", "17:00"))
    base = ["--employee", "E001", "--date", str(MONDAY), "--by", "Sam", DB, _db(store)]
    report = ["attendance", "report", "--from", str(MONDAY), "--to", str(MONDAY), DB, _db(store)]
    assert main(["attendance", "approve", *base]) == 0
    capsys.readouterr()
    assert main(report) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-2:] == ["yes", "-"]
    assert main(["attendance", "correct", "--break", "30", "--reason", "lunch", *base]) == 0
    capsys.readouterr()
    assert main([*report, "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)["days"]
    assert (record["approved"], record["approved_by"], record["needs_reapproval"]) == (
        False,
        None,
        True,
    )
    assert main(report) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-2:] == ["again", "corrected"]


def test_correct_refuses_a_clock_in_that_does_not_exist(store: Store, coded: Org, capsys) -> None:
    base = ["--employee", "E001", "--date", "2026-03-29", "--by", "Sam", DB, _db(store)]
    assert main(["attendance", "correct", "--in", "02:30", "--reason", "x", *base]) == 1
    assert capsys.readouterr().err.strip() == (
        "shiftdesk: --in: 02:30 does not exist on Sun 29 Mar in Europe/Berlin: clocks go forward"
    )
