"""``shiftdesk`` with no command: open the app on a database (a demo one on first run)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from core.demo import build_demo
from core.errors import StoreError
from core.store import ENV_DB, Store, default_path, open_store
from desktop import theme
from desktop.context import AppContext
from desktop.mainwindow import MainWindow


def fill_first_run(store: Store) -> None:
    """A brand-new database gets the demo company, so the first look is a real roster."""
    build_demo(store)


def open_first_store(path: Path) -> Store:
    first_run = not path.exists()
    store = open_store(path)
    if first_run:
        fill_first_run(store)
    return store


def database_path(db_path: str | None, settings: QSettings) -> Path:
    """The file named on the command line, else $SHIFTDESK_DB, else the database
    opened last time (if it is still there), else the default store."""
    if db_path:
        return Path(db_path).expanduser()
    last = str(settings.value("database", "") or "")
    if not os.environ.get(ENV_DB) and last and Path(last).exists():
        return Path(last)
    return default_path()


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setOrganizationName("ShiftDesk")
    app.setApplicationName("ShiftDesk")
    app.setApplicationDisplayName("ShiftDesk")
    theme.apply(app)
    return app


def main(db_path: str | None = None) -> int:
    app = application()
    settings = QSettings()
    path = database_path(db_path, settings)
    try:
        store = open_first_store(path)
    except StoreError as error:
        QMessageBox.critical(None, "Cannot open the database", str(error))
        return 1
    context = AppContext(store)
    window = MainWindow(context, settings)
    window.show()
    try:
        return app.exec()
    finally:
        context.store.close()
