from __future__ import annotations

import getpass
import json
from datetime import timedelta

import pytest

from cli import main
from core.models import LeaveRequest, Shift
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from tests.conftest import MONDAY, Org


def _run(store: Store, *args: str) -> int:
    return main([*args, "--db", str(store.path)])


def _request(store: Store, who: str, capsys, *extra: str) -> str:
    assert (
        _run(
            store,
            "leave",
            "request",
            "--employee",
            who,
            "--from",
            str(MONDAY),
            "--type",
            "paid",
            *extra,
        )
        == 0
    )
    return capsys.readouterr().out.split()[-1]


def _shift(store: Store, org: Org) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (org.anna,)))
    return result.ids[0]


def _status(store: Store, leave_id: str) -> str:
    with store.session() as s:
        return s.get(LeaveRequest, leave_id).status


def test_request_prints_its_id_and_list_shows_it_as_json(store: Store, org: Org, capsys) -> None:
    leave_id = _request(
        store, org.anna, capsys, "--to", str(MONDAY + timedelta(days=2)), "--reason", "Wedding"
    )
    assert _run(store, "leave", "list", "--json") == 0
    (row,) = json.loads(capsys.readouterr().out)["leave"]
    assert row["id"] == leave_id
    assert (row["employee"], row["start_date"], row["end_date"], row["status"], row["reason"]) == (
        "Anna Berg",
        "2026-06-01",
        "2026-06-03",
        "pending",
        "Wedding",
    )


def test_part_day_request(store: Store, org: Org, capsys) -> None:
    leave_id = _request(store, org.anna, capsys, "--start", "09:00", "--end", "11:30")
    with store.session() as s:
        leave = s.get(LeaveRequest, leave_id)
        assert (leave.start_time, leave.end_time, leave.end_date) == ("09:00", "11:30", MONDAY)
    assert _run(store, "leave", "list") == 0
    assert "09:00–11:30" in capsys.readouterr().out


def test_overlapping_request_is_exit_1_naming_the_other_dates(
    store: Store, org: Org, capsys
) -> None:
    _request(store, org.anna, capsys)
    assert (
        _run(
            store,
            "leave",
            "request",
            "--employee",
            org.anna,
            "--from",
            str(MONDAY),
            "--type",
            "sick",
        )
        == 1
    )
    assert "already has a pending paid leave request for 2026-06-01" in capsys.readouterr().err


def test_list_filters_by_status(store: Store, org: Org, capsys) -> None:
    first = _request(store, org.anna, capsys)
    second = _request(store, org.ben, capsys)
    assert _run(store, "leave", "reject", second) == 0
    capsys.readouterr()
    assert _run(store, "leave", "list", "--status", "pending", "--json") == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["leave"]] == [first]


def test_approve_records_the_os_user(store: Store, org: Org, capsys) -> None:
    leave_id = _request(store, org.anna, capsys)
    assert _run(store, "leave", "approve", leave_id) == 0
    assert capsys.readouterr().out.split()[-1] == leave_id
    with store.session() as s:
        leave = s.get(LeaveRequest, leave_id)
        assert (leave.status, leave.decided_by) == ("approved", getpass.getuser())


def test_approve_with_clashes_and_no_choice_exits_3_naming_the_shifts(
    store: Store, org: Org, capsys
) -> None:
    _shift(store, org)
    leave_id = _request(store, org.anna, capsys)
    assert _run(store, "leave", "approve", leave_id) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "1 shift(s) clash: Anna Berg works 09:00–17:00 on Mon 01 Jun" in err
    assert "--unassign or --keep" in err
    assert _status(store, leave_id) == "pending"


def test_approve_and_unassign(store: Store, org: Org, capsys) -> None:
    shift_id = _shift(store, org)
    leave_id = _request(store, org.anna, capsys)
    assert _run(store, "leave", "approve", leave_id, "--unassign") == 0
    captured = capsys.readouterr()
    assert "taken off 1 shift(s)" in captured.out
    assert "is now an open shift" in captured.err
    with store.session() as s:
        assert s.get(Shift, shift_id).employee_ids == []
    assert _status(store, leave_id) == "approved"


def test_approve_and_keep_flags_the_shift(store: Store, org: Org, capsys) -> None:
    shift_id = _shift(store, org)
    leave_id = _request(store, org.anna, capsys)
    assert _run(store, "leave", "approve", leave_id, "--keep") == 0
    assert "kept on 1 shift(s), now flagged" in capsys.readouterr().out
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        assert shift.employee_ids == [org.anna]
        assert "kept on this shift" in shift.flag


def test_unassign_and_keep_together_is_a_usage_error(store: Store, org: Org) -> None:
    with pytest.raises(SystemExit) as info:
        _run(store, "leave", "approve", "x", "--unassign", "--keep")
    assert info.value.code == 2


def test_cancel_then_reject_is_exit_1_naming_the_status(store: Store, org: Org, capsys) -> None:
    leave_id = _request(store, org.anna, capsys)
    assert _run(store, "leave", "cancel", leave_id) == 0
    assert _run(store, "leave", "reject", leave_id) == 1
    assert "status: the request is cancelled, so it cannot be rejected" in capsys.readouterr().err
    assert _status(store, leave_id) == "cancelled"


def test_unknown_leave_id_is_exit_1(store: Store, org: Org, capsys) -> None:
    assert _run(store, "leave", "approve", "nope") == 1
    assert "no leave request with id nope" in capsys.readouterr().err


def test_unknown_type_is_a_usage_error(store: Store, org: Org) -> None:
    with pytest.raises(SystemExit) as info:
        _run(
            store,
            "leave",
            "request",
            "--employee",
            org.anna,
            "--from",
            str(MONDAY),
            "--type",
            "holiday",
        )
    assert info.value.code == 2


def test_leave_on_a_closed_day_or_after_the_last_day_is_refused_in_one_line(
    store: Store, org: Org, capsys
) -> None:
    assert _run(store, "payroll", "close", "--from", str(MONDAY), "--to", str(MONDAY)) == 0
    assert _run(store, "employees", "edit", org.ben, "--employment-end", str(MONDAY)) == 0
    capsys.readouterr()
    assert _run(store, "leave", "request", "--employee", org.anna, "--from", str(MONDAY),
                "--type", "paid") == 1  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert err.startswith("shiftdesk: Pay period 1 Jun 2026 is closed (by ")
    assert err.endswith("reopen it to change it")
    nextday = str(MONDAY + timedelta(days=1))
    assert _run(store, "leave", "request", "--employee", org.ben, "--from", nextday,
                "--type", "paid") == 1  # fmt: skip
    assert capsys.readouterr().err.strip() == (
        "shiftdesk: start_date: Ben Cole left on 1 Jun 2026;"
        " leave can be taken only on days of employment"
    )
