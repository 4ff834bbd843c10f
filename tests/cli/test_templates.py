from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cli import main
from core.models import Employee, LeaveRequest, LeaveStatus, Shift
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from tests.conftest import MONDAY, Org


def _db(store: Store) -> list[str]:
    return ["--db", str(store.path)]


def _add(store: Store, capsys: pytest.CaptureFixture[str], rrule: str = "FREQ=DAILY") -> str:
    code = main(
        [
            "templates",
            "add",
            *_db(store),
            "--name",
            "Early",
            "--start",
            "06:00",
            "--end",
            "14:00",
            "--rrule",
            rrule,
            "--dtstart",
            MONDAY.isoformat(),
            "--location",
            "Bar",
        ]
    )
    assert code == 0
    return capsys.readouterr().out.split()[-1]


def _shift_count(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Shift).where(Shift.deleted.is_(False)))


def _expand(store: Store, tid: str, *extra: str) -> int:
    last = MONDAY + timedelta(days=2)
    return main(
        [
            "templates",
            "expand",
            tid,
            *_db(store),
            "--from",
            MONDAY.isoformat(),
            "--to",
            last.isoformat(),
            *extra,
        ]
    )


def test_preview_prints_one_iso_date_a_line_without_a_store(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "templates",
            "preview",
            "--rrule",
            "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
            "--dtstart",
            "2026-01-01",
            "--count",
            "3",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.splitlines() == ["2026-01-30", "2026-02-27", "2026-03-27"]


def test_preview_of_a_bad_rule_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["templates", "preview", "--rrule", "FREQ=MONTHLY;BYDAY=8MO", "--dtstart", "2026-01-01"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "rrule: BYDAY=8MO asks for Monday number 8 of a month" in err


def test_preview_reads_a_utc_until_in_the_given_zone(capsys: pytest.CaptureFixture[str]) -> None:
    rule = "FREQ=DAILY;UNTIL=20260602T223000Z"
    assert main(["templates", "preview", "--rrule", rule, "--dtstart", "2026-06-01"]) == 0
    in_utc = capsys.readouterr().out.split()
    args = ["--timezone", "Europe/Berlin"]
    assert main(["templates", "preview", "--rrule", rule, "--dtstart", "2026-06-01", *args]) == 0
    assert (in_utc[-1], capsys.readouterr().out.split()[-1]) == ("2026-06-02", "2026-06-03")


def test_add_prints_the_id_last_and_list_shows_it(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    assert main(["templates", "list", *_db(store), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["templates"]
    assert [(t["id"], t["name"], t["rrule"], t["location"]) for t in listed] == [
        (tid, "Early", "FREQ=DAILY", "Bar")
    ]
    assert main(["templates", "list", *_db(store)]) == 0
    assert tid in capsys.readouterr().out


def test_add_with_a_bad_time_names_the_field(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "templates",
            "add",
            *_db(store),
            "--name",
            "X",
            "--start",
            "6",
            "--end",
            "14:00",
            "--rrule",
            "FREQ=DAILY",
            "--dtstart",
            "2026-06-01",
        ]
    )
    assert code == 1
    assert capsys.readouterr().err.startswith("shiftdesk: start: '6' is not a time")


def test_expand_is_a_dry_run_listing_shifts_and_conflicts_for_a_payroll_code(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.anna,
                start_date=MONDAY + timedelta(1),
                end_date=MONDAY + timedelta(1),
                status=LeaveStatus.APPROVED,
            )
        )
        s.get(Employee, org.anna).code = "A-1"
    assert _expand(store, tid, "--employee", "A-1") == 0
    out = capsys.readouterr().out
    assert "Anna Berg" in out
    assert "conflict: Anna Berg is on approved paid leave" in out
    assert "3 shift(s) proposed, 1 with a conflict, 0 with warnings; nothing written" in out
    assert _shift_count(store) == 0


def test_expand_json_lists_every_proposed_shift(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    assert _expand(store, tid, "--department", org.floor_id, "--whole-department", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["committed"] is False
    assert [(x["date"], x["department_id"], x["conflicts"]) for x in document["shifts"]] == [
        ((MONDAY + timedelta(n)).isoformat(), org.floor_id, []) for n in range(3)
    ]


def test_a_department_gives_each_member_a_shift_unless_asked_for_one_whole(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    assert _expand(store, tid, "--department", "Floor", "--json") == 0  # the app's default
    shifts = json.loads(capsys.readouterr().out)["shifts"]
    assert sorted((x["date"], x["employee_id"]) for x in shifts) == sorted(
        ((MONDAY + timedelta(n)).isoformat(), who) for n in range(3) for who in (org.cara, org.dan)
    )
    assert _expand(store, tid, "--department", "Floor", "--per-member", "--json") == 0
    assert json.loads(capsys.readouterr().out)["shifts"] == shifts
    assert _expand(store, tid, "--department", "Floor", "--whole-department", "--commit") == 0
    assert "3 shift(s) written" in capsys.readouterr().out
    assert _shift_count(store) == 3


def test_commit_aborts_on_a_conflict_with_exit_3_naming_it(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    assert _expand(store, tid, "--employee", org.ben, "--commit") == 0
    capsys.readouterr()
    code = _expand(store, tid, "--employee", org.ben, "--employee", org.cara, "--commit")
    err = capsys.readouterr().err
    assert code == 3
    assert "Ben Cole already works 06:00–14:00" in err
    assert _shift_count(store) == 3


def test_commit_with_skip_writes_the_rest_and_names_the_skipped(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    assert _expand(store, tid, "--employee", org.ben, "--commit") == 0
    capsys.readouterr()
    code = _expand(
        store,
        tid,
        "--employee",
        org.ben,
        "--employee",
        org.cara,
        "--commit",
        "--on-conflict",
        "skip",
        "--json",
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(document["written"]) == 3
    assert len(document["skipped"]) == 3
    assert document["skipped"][0]["proposal"] == "Ben Cole 06:00–14:00 on Mon 01 Jun"
    assert _shift_count(store) == 6


def test_commit_with_skip_counts_proposals_and_names_them_not_the_blocker(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    with store.session() as s:
        for start, end in (("05:00", "07:00"), ("13:00", "15:00")):
            create_shift(
                s, ShiftDraft(org.site_id, MONDAY + timedelta(days=1), start, end, (org.ben,))
            )
    code = _expand(store, tid, "--employee", org.ben, "--commit", "--on-conflict", "skip")
    out = capsys.readouterr().out
    assert code == 0
    skipped = [line for line in out.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 1
    assert skipped[0].startswith("skipped: Ben Cole 06:00–14:00 on Tue 02 Jun: ")
    assert "05:00–07:00" in skipped[0]
    assert "13:00–15:00" in skipped[0]
    assert "2 shift(s) written, 1 skipped" in out


def test_dry_run_shows_warnings_beside_conflicts(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    with store.session() as s:
        create_shift(s, ShiftDraft(org.site_id, MONDAY, "13:00", "15:00", (org.ben,)))
        create_shift(
            s, ShiftDraft(org.site_id, MONDAY - timedelta(days=1), "20:00", "23:00", (org.ben,))
        )
    assert _expand(store, tid, "--employee", org.ben) == 0
    first_row = next(
        line for line in capsys.readouterr().out.splitlines() if MONDAY.isoformat() in line
    )
    assert "conflict: Ben Cole already works 13:00–15:00" in first_row
    assert "warning: Ben Cole would rest only 7 h" in first_row


def test_expand_of_an_unknown_template_fails_with_one_line(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _expand(store, "nope", "--employee", org.anna) == 1
    assert capsys.readouterr().err == "shiftdesk: no template with id nope\n"


def test_an_unknown_conflict_choice_is_a_usage_error(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        _expand(store, "x", "--on-conflict", "ignore")
    assert info.value.code == 2


def test_expand_takes_a_department_by_name_in_any_case(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    assert _expand(store, tid, "--department", "floor", "--whole-department", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert {x["department_id"] for x in document["shifts"]} == {org.floor_id}
    assert _expand(store, tid, "--department", "Cellar") == 1
    assert "no department named or with id Cellar" in capsys.readouterr().err


def test_add_takes_a_department_by_name(
    store: Store, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = _add(store, capsys)
    code = main(
        [
            "templates",
            "add",
            *_db(store),
            "--name",
            "Late",
            "--start",
            "14:00",
            "--end",
            "22:00",
            "--rrule",
            "FREQ=DAILY",
            "--dtstart",
            MONDAY.isoformat(),
            "--department",
            "KITCHEN",
        ]
    )
    assert code == 0
    late = capsys.readouterr().out.split()[-1]
    assert late != tid
    assert main(["templates", "list", "--json", *_db(store)]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["templates"]}
    assert rows[late]["department_id"] == org.kitchen_id


def test_preview_refuses_an_unknown_zone_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["templates", "preview", "--rrule", "FREQ=DAILY", "--dtstart", "2026-01-01"]
    assert main([*argv, "--timezone", "Mars/Olympus"]) == 1
    assert capsys.readouterr().err == (
        "shiftdesk: timezone: 'Mars/Olympus' is not an IANA time zone\n"
    )
