"""``shiftdesk policy``: the long-shift limit shown and set from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main
from core.policy import FIELDS
from core.store import Store
from tests.conftest import Org


def test_the_long_shift_limit_is_set_shown_and_refused_out_of_range(
    store: Store, org: Org, capsys
) -> None:
    db = str(store.path)
    assert main(["policy", "set", "--db", db, "--max-shift-hours", "10"]) == 0
    assert capsys.readouterr().out == "long-shift limit now 10 h\n"
    assert main(["policy", "show", "--db", db, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["policy"]
    assert (shown["company"], shown["max_shift_hours"]) == ("Testco", "10.00")
    assert main(["policy", "set", "--db", db, "--max-shift-hours", "0"]) == 0
    assert capsys.readouterr().out == "long-shift limit now off\n"
    assert main(["policy", "set", "--db", db, "--max-shift-hours", "30"]) == 1
    assert capsys.readouterr().err == (
        "shiftdesk: max_shift_hours: 30 is outside 0 to 24 hours"
        " (0 turns the long-shift warning off)\n"
    )
    assert main(["policy", "set", "--db", db]) == 1
    assert "give --max-shift-hours" in capsys.readouterr().err
    assert main(["policy", "show", "--db", db]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["max_shift_hours", "0.00"] in lines


def test_policy_alone_is_a_usage_error(tmp_path: Path, capsys) -> None:
    try:
        code = main(["policy"])
    except SystemExit as exited:
        code = exited.code
    assert code == 2
    assert "SUBCOMMAND" in capsys.readouterr().err


def test_every_field_has_a_flag_and_show_lists_them_all(store: Store, org: Org, capsys) -> None:
    db = str(store.path)
    args = ["--daily-overtime-hours", "7.5", "--overnight-day", "end", "--week-start", "6"]
    assert main(["policy", "set", "--db", db, *args]) == 0
    assert capsys.readouterr().out == (
        "daily_overtime_hours now 7.50\nweek_start now 6\novernight_day now end\n"
    )
    assert main(["policy", "set", "--db", db, "--overtime-multiplier", "0.5"]) == 1
    assert capsys.readouterr().err == (
        "shiftdesk: overtime_multiplier: 0.5 is outside 1 to 10 (1 pays overtime as regular time)\n"
    )
    assert main(["policy", "show", "--db", db, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["policy"]
    assert set(shown) == {"company", *FIELDS}
    assert (shown["daily_overtime_hours"], shown["overtime_multiplier"]) == ("7.50", "1.5000")


def test_set_help_states_cores_bounds_for_each_field(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["policy", "set", "--help"])
    said = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "warn about a shift longer than N hours: 0 to 24 hours (0 turns the" in said
    assert "first day of the payroll week, or its name: 0 to 6 (0 = Monday ... 6 = Sunday)" in said
