from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from core.models import Employee
from core.store import ENV_DB
from desktop.app import database_path, main, open_first_store
from desktop.mainwindow import MainWindow


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


def test_main_opens_the_window_on_a_fresh_demo_and_returns_when_the_app_quits(
    qapp, tmp_path: Path
) -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    seen: list[str] = []

    def look_then_quit() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.close()
        QApplication.quit()

    try:
        QTimer.singleShot(0, look_then_quit)
        assert main(str(tmp_path / "fresh.shiftdesk")) == 0
    finally:
        QSettings.setDefaultFormat(QSettings.Format.NativeFormat)
    assert seen == ["Schedule — fresh.shiftdesk — ShiftDesk"]
    assert (tmp_path / "ShiftDesk" / "ShiftDesk.ini").exists()  # the window saved its state
