from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cli import main
from core.models import Employee, Shift
from core.scheduling import publish_range
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


def test_a_moved_published_shift_lists_as_changed_since_published(
    store: Store, org: Org, capsys
) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    with store.session() as s:
        publish_range(s, MONDAY, MONDAY)
    week = ["--from", str(MONDAY), "--to", str(MONDAY + timedelta(days=6))]
    assert _run(store, "shifts", "list", *week) == 0
    (line,) = capsys.readouterr().out.splitlines()[1:]
    assert "changed since published" not in line
    assert _run(store, "shifts", "move", shift_id, "--employee", org.ben) == 0
    capsys.readouterr()
    assert _run(store, "shifts", "list", *week) == 0
    (line,) = capsys.readouterr().out.splitlines()[1:]
    assert "scheduled (changed since published)" in line
    assert _run(store, "shifts", "list", *week, "--json") == 0
    (listed,) = json.loads(capsys.readouterr().out)["shifts"]
    assert listed["changed_since_published"] is True


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


def _shift(store: Store, shift_id: str) -> tuple:
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        return (
            str(shift.shift_date),
            shift.start_time,
            shift.end_time,
            shift.location,
            shift.notes,
            shift.employee_ids,
            shift.department_id,
            shift.end_utc - shift.start_utc,
        )


def test_edit_changes_what_is_named_and_keeps_the_rest(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    args = ["shifts", "edit", shift_id]
    assert _run(store, *args, "--start", "10:00", "--end", "18:30", "--notes", "Deep clean") == 0
    captured = capsys.readouterr()
    assert captured.out == f"edited shift {shift_id}\n"
    assert captured.err == ""
    assert _shift(store, shift_id) == (
        str(MONDAY),
        "10:00",
        "18:30",
        "Pass",
        "Deep clean",
        [org.anna],
        org.kitchen_id,
        timedelta(hours=8, minutes=30),
    )
    assert _run(store, *args, "--location", "Bar") == 0
    assert capsys.readouterr().out.split()[-1] == shift_id
    assert _shift(store, shift_id)[1:5] == ("10:00", "18:30", "Bar", "Deep clean")
    assert _run(store, *args, "--location", "", "--notes", "") == 0
    assert _shift(store, shift_id)[1:5] == ("10:00", "18:30", "", "")


def test_edit_to_an_end_before_the_start_runs_into_the_next_day(
    store: Store, org: Org, capsys
) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    assert _run(store, "shifts", "edit", shift_id, "--start", "22:00", "--end", "06:00") == 0
    assert _shift(store, shift_id)[7] == timedelta(hours=8)


def test_edit_into_an_overlap_exits_3_and_changes_nothing(store: Store, org: Org, capsys) -> None:
    _add(store, org.anna, capsys=capsys)
    late = _add(store, org.anna, start="18:00", end="22:00", capsys=capsys)
    before = _shift(store, late)
    code = _run(store, "shifts", "edit", late, "--start", "16:00", "--notes", "early")
    assert code == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Anna Berg already works 09:00–17:00 on Mon 01 Jun" in captured.err
    assert captured.err.count("\n") == 1
    assert _shift(store, late) == before


def test_edit_warnings_go_to_stderr_and_the_edit_applies(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    assert _run(store, "shifts", "edit", shift_id, "--end", "09:00") == 0
    captured = capsys.readouterr()
    assert captured.out == f"edited shift {shift_id}\n"
    assert "warning: lasts 24 hours: start and end are both 09:00" in captured.err
    assert _shift(store, shift_id)[7] == timedelta(hours=24)


def test_edit_of_an_unknown_or_deleted_shift_is_exit_1(store: Store, org: Org, capsys) -> None:
    assert _run(store, "shifts", "edit", "nope", "--notes", "x") == 1
    assert capsys.readouterr().err == "shiftdesk: no shift with id nope\n"
    shift_id = _add(store, org.anna, capsys=capsys)
    assert _run(store, "shifts", "delete", shift_id) == 0
    capsys.readouterr()
    assert _run(store, "shifts", "edit", shift_id, "--notes", "x") == 1
    assert capsys.readouterr().err == f"shiftdesk: no shift with id {shift_id}\n"


def test_edit_with_a_bad_time_is_exit_1_and_changes_nothing(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    before = _shift(store, shift_id)
    assert _run(store, "shifts", "edit", shift_id, "--start", "25:00", "--notes", "x") == 1
    assert "start: '25:00' is not a time" in capsys.readouterr().err
    assert _shift(store, shift_id) == before


def test_edit_with_nothing_to_change_is_a_usage_error(store: Store, org: Org, capsys) -> None:
    shift_id = _add(store, org.anna, capsys=capsys)
    assert _run(store, "shifts", "edit", shift_id) == 2
    assert "give --start, --end, --location or --notes" in capsys.readouterr().err


def test_add_open_makes_a_shift_for_nobody_in_a_department(store: Store, org: Org, capsys) -> None:
    args = ["shifts", "add", "--open", "--department", "Floor", "--date", str(MONDAY)]
    assert _run(store, *args, "--start", "09:00", "--end", "17:00") == 0
    shift_id = capsys.readouterr().out.split()[-1]
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        assert (shift.employee_ids, shift.department_id) == ([], org.floor_id)
    assert _run(store, "shifts", "list", "--from", str(MONDAY), "--to", str(MONDAY)) == 0
    assert "(open)" in capsys.readouterr().out
    assert (
        _run(
            store,
            "shifts",
            "add",
            "--open",
            "--date",
            str(MONDAY),
            "--start",
            "09:00",
            "--end",
            "17:00",
        )
        == 2
    )
    assert "--department" in capsys.readouterr().err
