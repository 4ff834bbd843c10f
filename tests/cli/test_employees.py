from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from cli import main
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import add_shift

HEADER = "first_name,last_name,email,code,department,hourly_rate,contract_hours,active\n"


def test_list_as_json(store: Store, org: Org, capsys) -> None:
    assert main(["employees", "list", "--db", str(store.path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    anna = document["employees"][0]
    assert anna["name"] == "Anna Berg"
    assert (anna["department"], anna["hourly_rate"], anna["active"]) == ("Kitchen", "20.00", True)


def test_list_leaves_out_inactive_people_unless_all(store: Store, org: Org, capsys) -> None:
    csv = store.path.parent / "staff.csv"
    csv.write_text(HEADER + "Eva,Fisher,,E1,,,,no\n")
    assert main(["employees", "import", str(csv), "--db", str(store.path)]) == 0
    capsys.readouterr()
    assert main(["employees", "list", "--db", str(store.path)]) == 0
    assert "Eva Fisher" not in capsys.readouterr().out
    assert main(["employees", "list", "--all", "--db", str(store.path)]) == 0
    assert "Eva Fisher" in capsys.readouterr().out


def test_import_reports_what_it_did(store: Store, org: Org, tmp_path: Path, capsys) -> None:
    csv = tmp_path / "staff.csv"
    csv.write_text(HEADER + "Eva,Fisher,,E1,Bar,18,,\nFelix,Gray,,E2,,,,\n")
    assert main(["employees", "import", str(csv), "--db", str(store.path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["2 added, 0 updated", "new departments: Bar"]


def test_import_of_a_bad_file_is_one_line_and_exit_1(
    store: Store, org: Org, tmp_path: Path, capsys
) -> None:
    csv = tmp_path / "staff.csv"
    csv.write_text(HEADER + "Eva,Fisher,,E1,,,,\n,Gray,,E2,,,,\nHugo,Hill,,E3,,x,,\n")
    assert main(["employees", "import", str(csv), "--db", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "line 3: first_name is empty; line 4: hourly_rate 'x' is not a number" in err
    assert main(["employees", "list", "--json", "--db", str(store.path)]) == 0
    assert len(json.loads(capsys.readouterr().out)["employees"]) == 4


def test_import_without_a_file_is_a_usage_error(store: Store) -> None:
    with pytest.raises(SystemExit) as info:
        main(["employees", "import", "--db", str(store.path)])
    assert info.value.code == 2


def test_import_of_a_folder_is_one_line(store: Store, org: Org, tmp_path: Path, capsys) -> None:
    assert main(["employees", "import", str(tmp_path), "--db", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is a folder, not a CSV file" in err


def test_list_as_json_has_department_id_and_email(
    store: Store, org: Org, tmp_path: Path, capsys
) -> None:
    csv = tmp_path / "staff.csv"
    csv.write_text(HEADER + "Eva,Fisher,eva@example.com,E1,kitchen,,,\n")
    assert main(["employees", "import", str(csv), "--db", str(store.path)]) == 0
    capsys.readouterr()
    assert main(["employees", "list", "--json", "--db", str(store.path)]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["employees"]}
    assert (rows["Eva Fisher"]["department_id"], rows["Eva Fisher"]["email"]) == (
        org.kitchen_id,
        "eva@example.com",
    )
    assert rows["Cara Diaz"]["department_id"] == org.floor_id
    assert rows["Cara Diaz"]["email"] is None


def test_edit_sets_and_clears_employment_dates(store: Store, org: Org, capsys) -> None:
    db = ["--db", str(store.path)]
    edit = ["employees", "edit", org.anna, "--employment-start", "2026-06-03"]
    assert main([*edit, "--employment-end", "2026-06-05", *db]) == 0
    assert capsys.readouterr().out.split()[-1] == org.anna
    assert main(["employees", "list", "--json", *db]) == 0
    anna = json.loads(capsys.readouterr().out)["employees"][0]
    assert (anna["employment_start"], anna["employment_end"]) == ("2026-06-03", "2026-06-05")
    early = ["employees", "edit", org.anna, "--employment-end", "2026-06-01", *db]
    assert main(early) == 1
    assert capsys.readouterr().err.strip() == (
        "shiftdesk: employment_end: the employment would end (1 Jun 2026)"
        " before it starts (3 Jun 2026)"
    )
    assert main(["employees", "edit", org.anna, "--employment-end", "", *db]) == 0
    capsys.readouterr()
    assert main(["employees", "list", "--json", *db]) == 0
    assert json.loads(capsys.readouterr().out)["employees"][0]["employment_end"] is None
    add = ["shifts", "add", "--employee", org.anna, "--date", "2026-06-02"]
    assert main([*add, "--start", "09:00", "--end", "17:00", *db]) == 3
    assert "Anna Berg starts on 3 Jun 2026" in capsys.readouterr().err


def test_an_end_date_before_shifts_says_how_many_are_left_outside(
    store: Store, org: Org, capsys
) -> None:
    """Anna keeps her two shifts after her last day (the grid shows them as conflicts,
    payroll pays neither), and the edit says so, with the first of them."""
    for offset in (0, 2, 3):
        add_shift(store, org, MONDAY + timedelta(days=offset), "09:00", "17:00", org.anna)
    db = ["--db", str(store.path)]
    end = ["employees", "edit", org.anna, "--employment-end", str(MONDAY + timedelta(days=1))]
    assert main([*end, *db]) == 0
    said = capsys.readouterr().err
    assert "Anna Berg still has 2 shifts outside their employment (from Wed 03 Jun 2026)" in said
    assert main(["employees", "edit", org.anna, "--employment-end", "", *db]) == 0
    assert capsys.readouterr().err == ""  # none outside any more
