"""``shiftdesk demo``: its options reach the demo, and it never overwrites a file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from cli import main
from core.models import Employee, Shift
from core.store import open_store


def test_demo_writes_a_new_store_of_the_size_asked_for(tmp_path: Path, capsys) -> None:
    path = tmp_path / "demo.shiftdesk"
    argv = ["demo", "--db", str(path), "--employees", "6", "--weeks", "1", "--start", "2026-01-05"]
    assert main(argv) == 0
    assert capsys.readouterr().out == f"demo store written to {path}\n"
    store = open_store(path, create=False)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Employee)) == 6
        dates = s.scalars(select(Shift.shift_date)).all()
    store.close()
    assert str(min(dates)) == "2026-01-05"
    assert (max(dates) - min(dates)).days < 7


def test_demo_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    path = tmp_path / "demo.shiftdesk"
    path.write_text("precious")
    assert main(["demo", "--db", str(path)]) == 1
    assert "exists already" in capsys.readouterr().err
    assert path.read_text() == "precious"
