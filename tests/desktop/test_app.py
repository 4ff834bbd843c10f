from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core.errors import StoreMissing
from core.models import Employee
from core.store import ENV_DB
from desktop.app import (
    database_path,
    first_window,
    is_named,
    main,
    missing_text,
    open_first_store,
    start_window,
)
from desktop.collector import UiThreadCollector
from desktop.context import AppContext

ROOT = Path(__file__).resolve().parents[2]


def test_first_run_fills_a_new_database_with_the_demo(tmp_path: Path) -> None:
    path = tmp_path / "first.shiftdesk"
    store = open_first_store(path)
    with store.session() as s:
        assert s.query(Employee).count() == 40
        s.query(Employee).filter(Employee.code == "E0001").update({"first_name": "Kept"})
    store.close()
    again = open_first_store(path)  # an existing file is opened as it is
    with again.session() as s:
        assert s.query(Employee).count() == 40
        assert s.query(Employee).filter(Employee.first_name == "Kept").count() == 1
    again.close()


def test_the_database_is_the_named_one_else_the_environment_else_the_last_one(
    tmp_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = tmp_path / "last.shiftdesk"
    last.write_bytes(b"")
    settings.setValue("database", str(last))
    monkeypatch.delenv(ENV_DB, raising=False)
    assert (
        database_path(str(tmp_path / "named.shiftdesk"), settings) == tmp_path / "named.shiftdesk"
    )
    assert database_path(None, settings) == last
    monkeypatch.setenv(ENV_DB, str(tmp_path / "env.shiftdesk"))
    assert database_path(None, settings) == tmp_path / "env.shiftdesk"
    last.unlink()
    monkeypatch.delenv(ENV_DB)
    assert database_path(None, settings).name == "schedule.shiftdesk"


#: Closes the window once the event loop is up, printing its title; the code that
#: starts the app on ``sys.argv[1]`` follows it.
_LOOK_THEN_CLOSE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop.mainwindow import MainWindow

def look_then_close():
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            print(widget.windowTitle())
            widget.close()
    QApplication.quit()

QTimer.singleShot(0, look_then_close)
"""


def run_once(
    start: str, db: Path, config: Path, data: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs the app in its own process (exec() leaves a QApplication unusable for later
    tests) on ``db``, started by the Python code ``start``, with its settings in
    ``config``; the window closes as soon as it shows."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(config),
        "PYTHONPATH": str(ROOT),
    }
    env.pop(ENV_DB, None)
    if data is not None:
        env["XDG_DATA_HOME"] = str(data)
    return subprocess.run(
        [sys.executable, "-c", _LOOK_THEN_CLOSE + start, str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_main_opens_the_window_on_a_first_run_demo_and_returns_when_the_app_quits(
    tmp_path: Path,
) -> None:
    """The very first run (no --db, no default store yet) gets the demo."""
    done = run_once(
        "from desktop.app import main\nsys.exit(main(None))\n",
        tmp_path / "unused",
        tmp_path / "config",
        data=tmp_path / "data",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Schedule — schedule.shiftdesk — ShiftDesk"
    assert (tmp_path / "data" / "ShiftDesk" / "schedule.shiftdesk").exists()
    assert (tmp_path / "config" / "ShiftDesk" / "ShiftDesk.conf").exists()  # state saved


def test_a_mistyped_db_is_refused_and_no_store_is_made(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(ENV_DB, raising=False)
    typo = tmp_path / "shedule.shiftdesk"
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(f"{box.windowTitle()}: {box.text()}")
            box.accept()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    assert main(str(typo)) == 1
    assert seen == [f"No such database: {missing_text(typo)}"]
    assert f"There is no ShiftDesk database at {typo}" in capsys.readouterr().err
    assert not typo.exists()
    assert not (tmp_path / "data").exists()  # nor a default store in its place


def test_a_named_database_must_exist_the_default_one_is_made_on_first_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_DB, raising=False)
    with pytest.raises(StoreMissing):
        open_first_store(tmp_path / "typo.shiftdesk", named=True)
    assert not (tmp_path / "typo.shiftdesk").exists()
    assert is_named("x.shiftdesk")
    assert not is_named(None)
    monkeypatch.setenv(ENV_DB, str(tmp_path / "env.shiftdesk"))
    assert is_named(None)  # a name in the environment is a name too


def test_what_exists_at_the_first_window_is_kept_out_of_full_collections(
    qtbot, store, settings
) -> None:
    """A full collection walks every tracked object and holds every thread; the
    startup's long-lived objects are frozen, so it walks only what came after."""
    gc.unfreeze()
    try:
        window = first_window(AppContext(store), settings)
        qtbot.addWidget(window)
        assert window.isVisible()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the test process's objects are its own business


def test_the_window_starts_with_the_collector_installed_as_main_starts_it(
    qtbot, qapp, store, settings
) -> None:
    """main and the tools that measure the app (the stall survey, the cold-start
    bench) start the window through start_window, so all collect on the UI thread."""
    gc.unfreeze()
    try:
        window = start_window(qapp, AppContext(store), settings)
        qtbot.addWidget(window)
        assert window.isVisible()
        assert len(qapp.findChildren(UiThreadCollector)) == 1
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        for made in qapp.findChildren(UiThreadCollector):
            made.setParent(None)  # and freed with its wrapper
