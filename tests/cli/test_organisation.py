from __future__ import annotations

import json
from pathlib import Path

from cli import main
from core.store import Store
from tests.cli.test_employees import HEADER
from tests.conftest import Org


def _setup(path: Path, *extra: str) -> int:
    return main(
        [
            "setup",
            "--db",
            str(path),
            "--company",
            "Harbourview",
            "--site",
            "Quay",
            "--timezone",
            "Europe/Lisbon",
            *extra,
        ]
    )


def test_a_new_user_sets_up_a_store_and_imports_their_staff(tmp_path: Path, capsys) -> None:
    path = tmp_path / "my.shiftdesk"
    assert _setup(path, "--currency", "gbp") == 0
    out = capsys.readouterr().out
    site_id = out.split()[-1]
    assert "set up for Harbourview (GBP), site 'Quay' in Europe/Lisbon" in out
    csv = tmp_path / "emp.csv"
    csv.write_text(HEADER + "Eva,Fisher,eva@example.com,E1,Bar,18,,\n")
    assert main(["employees", "import", str(csv), "--db", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["1 added, 0 updated", "new departments: Bar"]
    assert main(["departments", "list", "--json", "--db", str(path)]) == 0
    (bar,) = json.loads(capsys.readouterr().out)["departments"]
    assert (bar["name"], bar["site_id"], bar["employees"]) == ("Bar", site_id, 1)


def test_a_second_setup_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "my.shiftdesk"
    assert _setup(path) == 0
    capsys.readouterr()
    assert _setup(path) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "set up already (company 'Harbourview')" in err


def test_setup_with_a_bad_zone_creates_no_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "sub" / "my.shiftdesk"
    assert (
        main(["setup", "--db", str(path), "--company", "A", "--site", "B", "--timezone", "Mars/X"])
        == 1
    )
    assert "timezone: 'Mars/X' is not an IANA time zone" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_departments_add_prints_its_id_last_and_list_shows_it(
    store: Store, org: Org, capsys
) -> None:
    db = ["--db", str(store.path)]
    assert main(["departments", "add", "Bar", "--color", "#112233", *db]) == 0
    bar_id = capsys.readouterr().out.split()[-1]
    assert main(["departments", "list", *db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "colour", "site", "employees"]
    assert lines[1].split() == [bar_id, "Bar", "#112233", "Main", "0"]
    assert main(["departments", "add", "bar", *db]) == 1
    assert "already" in capsys.readouterr().err


def test_departments_add_at_a_named_site(store: Store, org: Org, capsys) -> None:
    assert main(["departments", "add", "Bar", "--site", org.site_id, "--db", str(store.path)]) == 0
    capsys.readouterr()
    assert main(["departments", "add", "Spa", "--site", "nope", "--db", str(store.path)]) == 1
    assert "no site with id nope" in capsys.readouterr().err
