"""``shiftdesk`` itself: with no command it opens the desktop app, and a store
command starts without the desktop or the server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from core.store import Store
from tests.conftest import Org
from tests.desktop.test_app import run_once


def test_no_command_opens_the_desktop_app_on_the_db_given(
    tmp_path: Path, migrated_file: Path
) -> None:
    given = tmp_path / "given.shiftdesk"
    shutil.copyfile(migrated_file, given)  # a named database must exist
    done = run_once(
        "from cli import main\nsys.exit(main(['--db', sys.argv[1]]))\n",
        given,
        tmp_path / "config",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Schedule — given.shiftdesk — ShiftDesk"


def test_a_store_command_loads_neither_qt_nor_the_server(store: Store, org: Org) -> None:
    # In a fresh interpreter: this one has imported everything the other tests needed.
    probe = (
        "import sys; from cli import main; code = main(sys.argv[1:]); "
        "print(code, sorted({m.split('.')[0] for m in sys.modules}"
        " & {'PySide6', 'desktop', 'fastapi', 'uvicorn', 'server'}))"
    )
    argv = ["employees", "list", "--db", str(store.path)]
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=False
    )
    assert "Anna Berg" in done.stdout, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"
