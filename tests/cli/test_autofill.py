from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from cli import main
from core.models import Employee, Shift
from core.store import Store
from tests.conftest import MONDAY, Org

ROOT = Path(__file__).resolve().parents[2]
FRIDAY = MONDAY + timedelta(days=4)


def _run(store: Store, *args: str) -> int:
    return main([*args, "--db", str(store.path)])


def _open(store: Store, capsys, department: str, day=FRIDAY, start="09:00", end="17:00") -> str:
    code = _run(
        store,
        "shifts",
        "add",
        "--open",
        "--department",
        department,
        "--date",
        str(day),
        "--start",
        start,
        "--end",
        end,
    )
    assert code == 0
    return capsys.readouterr().out.split()[-1]


def _fill(store: Store, *extra: str) -> int:
    return _run(
        store,
        "shifts",
        "autofill",
        "--from",
        str(MONDAY),
        "--to",
        str(MONDAY + timedelta(days=6)),
        *extra,
    )


def _who(store: Store, shift_id: str) -> list[str]:
    with store.session() as s:
        return s.get(Shift, shift_id).employee_ids


def test_dry_run_lists_proposals_with_reasons_and_writes_nothing(
    store: Store, org: Org, capsys
) -> None:
    with store.session() as s:
        s.get(Employee, org.ben).hourly_rate = Decimal("15.00")
    shift_id = _open(store, capsys, "Kitchen")
    assert _fill(store) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith(str(FRIDAY)))
    assert "09:00–17:00  Kitchen     Ben Cole" in line
    assert "0 of 40 contract hours, no shift within 48 h, own department, 15.00/h" in line
    assert out.splitlines()[-1] == (
        "1 of 1 open shift(s) can be filled, labour cost 120.00;"
        " nothing written (add --commit to assign them)"
    )
    assert _who(store, shift_id) == []


def test_commit_assigns_and_names_what_stays_open(store: Store, org: Org, capsys) -> None:
    filled = _open(store, capsys, "Floor")
    for emp in (org.anna, org.ben, org.cara, org.dan):
        with store.session() as s:
            s.get(Employee, emp).active = emp in (org.cara,)
    left = _open(store, capsys, "Floor", start="12:00", end="20:00")
    assert _fill(store, "--commit") == 0
    out = capsys.readouterr().out.splitlines()
    assert _who(store, filled) == [org.cara] or _who(store, left) == [org.cara]
    assert any(
        x.startswith(f"not filled: {FRIDAY}")
        and x.endswith("nobody can take it: 1 person already works then")
        for x in out
    )
    assert out[-1] == "1 open shift(s) filled, 1 left open, 0 skipped"


def test_department_filter_and_json(store: Store, org: Org, capsys) -> None:
    _open(store, capsys, "Floor")
    kitchen = _open(store, capsys, "Kitchen")
    assert _fill(store, "--department", "Kitchen", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["committed"] is False
    assert [p["shift_id"] for p in doc["proposals"]] == [kitchen]
    assert doc["proposals"][0]["employee"] in ("Anna Berg", "Ben Cole")
    assert doc["unfilled"] == []


def test_an_unknown_department_says_names_are_looked_up_too(store: Store, org: Org, capsys) -> None:
    assert _fill(store, "--department", "Nope") == 1
    assert "no department named or with id Nope" in capsys.readouterr().err


def test_a_backwards_range_is_refused(store: Store, org: Org, capsys) -> None:
    code = main(
        [
            "shifts",
            "autofill",
            "--db",
            str(store.path),
            "--from",
            "2026-06-07",
            "--to",
            "2026-06-01",
        ]
    )
    assert code == 1
    assert "--to" in capsys.readouterr().err


@pytest.mark.slow
def test_the_installed_command_fills_through_a_process_of_its_own(
    store: Store, org: Org, capsys
) -> None:
    shift_id = _open(store, capsys, "Kitchen")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "cli", "shifts", "autofill", "--db", str(store.path)]
    args += ["--from", str(MONDAY), "--to", str(FRIDAY), "--commit"]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 open shift(s) filled, 0 left open, 0 skipped"
    assert _who(store, shift_id) in ([org.anna], [org.ben])
