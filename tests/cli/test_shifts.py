from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cli import main
from core.models import Employee, Shift
from core.store import Store
from tests.conftest import MONDAY, Org


def _run(store: Store, *args: str) -> int:
    return main([*args, "--db", str(store.path)])


def _add(store: Store, who: str, day=MONDAY, start="09:00", end="17:00", capsys=None) -> str:
    assert (
        _run(
            store,
            "shifts",
            "add",
            "--employee",
            who,
            "--date",
            str(day),
            "--start",
            start,
            "--end",
            end,
            "--location",
            "Pass",
        )
        == 0
    )
    return capsys.readouterr().out.split()[-1]


def test_add_prints_the_new_id_last_and_uses_the_employees_site(
    store: Store, org: Org, capsys
) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        assert (shift.site_id, shift.department_id, shift.location) == (
            org.site_id,
            org.kitchen_id,
            "Pass",
        )
        assert shift.employee_ids == [org.anna]


def test_add_accepts_a_payroll_code_for_the_employee(store: Store, org: Org, capsys) -> None:
    with store.session() as s:
        s.get(Employee, org.ben).code = "K2"
    shift_id = _add(store, "K2", capsys=capsys)
    with store.session() as s:
        assert s.get(Shift, shift_id).employee_ids == [org.ben]


def test_add_onto_a_clash_exits_3_naming_it(store: Store, org: Org, capsys) -> None:
    _add(store, org.anna, capsys=capsys)
    code = _run(
        store,
        "shifts",
        "add",
        "--employee",
        org.anna,
        "--date",
        str(MONDAY),
        "--start",
        "16:00",
        "--end",
        "20:00",
    )
    assert code == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Anna Berg already works 09:00–17:00 on Mon 01 Jun" in captured.err
    assert captured.err.count("\n") == 1


def test_warnings_go_to_stderr_and_the_shift_is_added(store: Store, org: Org, capsys) -> None:
    _add(store, org.anna, capsys=capsys)
    assert (
        _run(
            store,
            "shifts",
            "add",
            "--employee",
            org.anna,
            "--date",
            str(MONDAY + timedelta(days=1)),
            "--start",
            "01:00",
            "--end",
            "05:00",
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "warning: Anna Berg would rest only 8 h" in captured.err
    assert captured.out.startswith("added shift ")


def test_bad_time_is_exit_1_naming_the_field(store: Store, org: Org, capsys) -> None:
    code = _run(
        store,
        "shifts",
        "add",
        "--employee",
        org.anna,
        "--date",
        str(MONDAY),
        "--start",
        "25:00",
        "--end",
        "20:00",
    )
    assert code == 1
    assert "start: '25:00' is not a time" in capsys.readouterr().err


def test_list_as_json_and_for_one_employee(store: Store, org: Org, capsys) -> None:
    anna_shift = _add(store, org.anna, capsys=capsys)
    _add(store, org.cara, MONDAY + timedelta(days=1), capsys=capsys)
    week = ["--from", str(MONDAY), "--to", str(MONDAY + timedelta(days=6))]
    assert _run(store, "shifts", "list", *week, "--json") == 0
    rows = json.loads(capsys.readouterr().out)["shifts"]
    assert [r["date"] for r in rows] == ["2026-06-01", "2026-06-02"]
    assert rows[0]["employees"] == [{"id": org.anna, "name": "Anna Berg"}]
    assert _run(store, "shifts", "list", *week, "--employee", org.anna, "--json") == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["shifts"]] == [anna_shift]
    assert _run(store, "shifts", "list", *week) == 0
    assert "Anna Berg" in capsys.readouterr().out


def test_move_to_another_day_and_person(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    tuesday = str(MONDAY + timedelta(days=1))
    assert _run(store, "shifts", "move", shift_id, "--date", tuesday, "--employee", org.ben) == 0
    assert capsys.readouterr().out.split()[-1] == shift_id
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        assert (str(shift.shift_date), shift.employee_ids) == (tuesday, [org.ben])


def test_move_onto_a_clash_exits_3(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    _add(store, org.ben, capsys=capsys)
    assert _run(store, "shifts", "move", shift_id, "--employee", org.ben) == 3
    assert "Ben Cole already works" in capsys.readouterr().err


def test_move_with_nothing_to_change_is_a_usage_error(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    assert _run(store, "shifts", "move", shift_id) == 2
    assert "give --date, --employee or both" in capsys.readouterr().err


def test_delete_then_delete_again_is_exit_1(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    assert _run(store, "shifts", "delete", shift_id) == 0
    assert _run(store, "shifts", "delete", shift_id) == 1
    assert f"no shift with id {shift_id}" in capsys.readouterr().err


def test_list_needs_a_range(store: Store) -> None:
    with pytest.raises(SystemExit) as info:
        _run(store, "shifts", "list", "--from", str(MONDAY))
    assert info.value.code == 2


def test_equal_start_and_end_adds_a_24_hour_shift_and_warns(store: Store, org: Org, capsys) -> None:
    args = ["shifts", "add", "--employee", org.anna, "--date", str(MONDAY)]
    assert _run(store, *args, "--start", "10:00", "--end", "10:00") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("added shift ")
    assert "warning: lasts 24 hours: start and end are both 10:00" in captured.err


def test_a_time_in_the_spring_gap_is_exit_1_naming_it(store: Store, org: Org, capsys) -> None:
    args = ["shifts", "add", "--employee", org.anna, "--date", "2026-03-29"]
    assert _run(store, *args, "--start", "02:30", "--end", "10:00") == 1
    assert capsys.readouterr().err.strip() == (
        "shiftdesk: start: 02:30 does not exist on Sun 29 Mar in Europe/Berlin: clocks go forward"
    )
