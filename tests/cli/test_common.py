"""What every command shares: date ranges, exit codes, usage errors."""

from __future__ import annotations

import pytest

from cli import main
from core.store import Store
from tests.conftest import Org

BACKWARDS = ["--from", "2026-06-07", "--to", "2026-06-01"]


@pytest.mark.parametrize(
    "argv",
    [
        ["shifts", "list"],
        ["leave", "list"],
        ["leave", "request", "--employee", "X", "--type", "paid"],
        ["templates", "expand", "some-template"],
        ["attendance", "report"],
        ["payroll", "export", "--out", "payroll.csv"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_every_range_that_ends_before_it_starts_is_refused_the_same_way(
    store: Store, org: Org, capsys, argv: list[str]
) -> None:
    assert main([*argv, *BACKWARDS, "--db", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "shiftdesk: --to: 2026-06-01 is before --from 2026-06-07; the range would be empty\n"
    )


def test_a_range_of_one_day_is_fine(store: Store, org: Org, capsys) -> None:
    day = ["--from", "2026-06-01", "--to", "2026-06-01"]
    assert main(["leave", "list", *day, "--db", str(store.path)]) == 0
    assert main(["shifts", "list", *day, "--db", str(store.path)]) == 0


@pytest.mark.parametrize(
    "group",
    ["departments", "employees", "shifts", "templates", "leave", "attendance", "payroll"],
)
def test_a_group_without_its_subcommand_is_a_usage_error(capsys, group: str) -> None:
    with pytest.raises(SystemExit) as info:
        main([group])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"usage: shiftdesk {group} [-h] SUBCOMMAND")
    assert "required: SUBCOMMAND" in captured.err


@pytest.mark.parametrize(
    ("argv", "prog"),
    [
        (["check", "--json"], "shiftdesk check"),
        (["shifts", "delete", "x", "--force"], "shiftdesk shifts delete"),
    ],
)
def test_an_unknown_option_is_reported_with_its_commands_usage(
    capsys, argv: list[str], prog: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {prog} [-h] [--db DB]")
    assert err.endswith(f"{prog}: error: unrecognized arguments: {argv[-1]}\n")
