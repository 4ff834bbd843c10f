from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import main
from core.store import open_store


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
    monkeypatch.setenv("SHIFTDESK_DB", str(path))
    assert main(["check"]) == 0
    assert str(path) in capsys.readouterr().out
