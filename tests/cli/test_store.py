from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from core.store import Store, open_store
from tests.conftest import Org
from tests.core.test_store import damage_page


def one_error_line(capsys) -> str:
    """The command's stderr, checked to be exactly one line with no traceback."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("shiftdesk: ")
    return err


def test_check_on_a_healthy_store(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.shiftdesk"
    open_store(path).close()
    assert main(["check", "--db", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


def test_check_on_a_foreign_file_is_one_line_and_exit_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert main(["check", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not a ShiftDesk database" in err


def test_backup_writes_a_copy(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.shiftdesk"
    open_store(path).close()
    out = tmp_path / "copy.shiftdesk"
    assert main(["backup", "--db", str(path), "--out", str(out)]) == 0
    assert main(["check", "--db", str(out)]) == 0


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["backup", "--db", "x"])
    assert info.value.code == 2


def test_db_from_the_environment(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "env.shiftdesk"
    open_store(path).close()
    monkeypatch.setenv("SHIFTDESK_DB", str(path))
    assert main(["check"]) == 0
    assert str(path) in capsys.readouterr().out


def test_check_reports_a_damaged_page_as_its_finding(store: Store, org: Org, capsys) -> None:
    path = store.path
    store.close()
    damage_page(path, 4)
    assert main(["check", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "malformed" in out or "Page 4" in out
    assert out.splitlines()[-1].endswith("problem(s) found")


def test_check_of_a_folder_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["check", "--db", str(tmp_path)]) == 1
    assert "is a folder, not a ShiftDesk database" in one_error_line(capsys)


def test_backup_into_a_missing_folder_is_one_line(store: Store, tmp_path: Path, capsys) -> None:
    out = tmp_path / "nodir" / "bk.shiftdesk"
    assert main(["backup", "--db", str(store.path), "--out", str(out)]) == 1
    assert "nodir does not exist" in one_error_line(capsys)


def test_an_os_error_reaching_the_command_line_is_one_line(tmp_path: Path, capsys) -> None:
    """Any OSError that reaches the command line's edge: here a folder to create is a file."""
    (tmp_path / "notes").write_text("not a folder")
    path = tmp_path / "notes" / "demo.shiftdesk"
    assert main(["demo", "--db", str(path), "--employees", "1", "--weeks", "1"]) == 1
    assert f"{tmp_path / 'notes'}: " in one_error_line(capsys)


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["employees", "list"],
        ["backup", "--out", "bk.shiftdesk"],
        ["shifts", "list", "--from", "2026-06-01", "--to", "2026-06-07"],
    ],
)
def test_a_mistyped_db_is_refused_and_nothing_is_created(
    tmp_path: Path, monkeypatch, capsys, argv: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "nope" / "dir" / "x.shiftdesk"
    assert main([*argv, "--db", str(path)]) == 1
    err = one_error_line(capsys)
    assert f"no ShiftDesk database at {path};" in err
    assert f"`shiftdesk setup --db {path}` creates one" in err
    assert list(tmp_path.iterdir()) == []


def test_the_default_store_must_exist_too(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "missing.shiftdesk"))
    assert main(["employees", "list"]) == 1
    assert "no ShiftDesk database at" in one_error_line(capsys)
    assert not (tmp_path / "missing.shiftdesk").exists()
