"""``shiftdesk policy``: the long-shift limit shown and set from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from cli import main
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
