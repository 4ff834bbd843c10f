"""``shiftdesk`` with no command: open the app on a database (a demo one on first run).

A database named with ``--db`` or $SHIFTDESK_DB must exist; only the default store,
on the very first run, is created (and filled with the demo).
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from core.errors import StoreError, StoreMissing
from core.store import ENV_DB, Store, default_path, open_store
from desktop import collector, theme
from desktop.context import AppContext
from desktop.mainwindow import MainWindow


def fill_first_run(store: Store) -> None:
    """A brand-new database gets the demo company, so the first look is a real roster."""
    from core.demo import build_demo  # only on the very first run

    build_demo(store)


def open_first_store(path: Path, *, named: bool = False) -> Store:
    """Open the store at ``path``. A database the person named (``--db`` or
    $SHIFTDESK_DB) must exist: a mistyped name is refused, as the command line does,
    instead of becoming a new store. Only the very first run, on the default store
    that is not there yet, creates one, with the demo in it."""
    if named:
        return open_store(path, create=False)
    first_run = not path.exists()
    store = open_store(path)
    if first_run:
        fill_first_run(store)
    return store


def missing_text(path: Path) -> str:
    """What the app says when the database it was told to open is not there."""
    return (
        f"There is no ShiftDesk database at {path}. Check the name, or make one:"
        f" `shiftdesk setup --db {path}` sets up your company,"
        f" `shiftdesk demo --db {path}` writes a demo, and File → New database… in the"
        " app sets one up."
    )


def database_path(db_path: str | None, settings: QSettings) -> Path:
    """The file named on the command line, else $SHIFTDESK_DB, else the database
    opened last time (if it is still there), else the default store."""
    if db_path:
        return Path(db_path).expanduser()
    last = str(settings.value("database", "") or "")
    if not os.environ.get(ENV_DB) and last and Path(last).exists():
        return Path(last)
    return default_path()


def is_named(db_path: str | None) -> bool:
    """Whether the person named the database (``--db`` or $SHIFTDESK_DB)."""
    return bool(db_path) or bool(os.environ.get(ENV_DB))


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setOrganizationName("ShiftDesk")
    app.setApplicationName("ShiftDesk")
    app.setApplicationDisplayName("ShiftDesk")
    theme.apply(app)
    return app


def first_window(context: AppContext, settings: QSettings) -> MainWindow:
    """The main window, shown. What exists by then (modules, classes, the widgets
    and their wrappers: some 130,000 objects on the 500-person demo) lives as long
    as the app, so it is moved out of the cyclic collector's sight: each full
    collection, which can start on any allocation and holds every thread, no
    longer walks it again (one took 80 to 230 ms on that demo, a freeze)."""
    window = MainWindow(context, settings)
    window.show()
    gc.freeze()
    return window


def start_window(app: QApplication, context: AppContext, settings: QSettings) -> MainWindow:
    """The app's start once its store is open: from here on no collection starts on
    a worker thread (:mod:`desktop.collector`), then the first window. :func:`main`
    and the tools that measure the app (``tests/desktop/stall_survey.py``, the
    cold-start bench) all start here, so they run as the app does."""
    collector.install(app)
    return first_window(context, settings)


def main(db_path: str | None = None) -> int:
    app = application()
    settings = QSettings()
    path = database_path(db_path, settings)
    try:
        store = open_first_store(path, named=is_named(db_path))
    except StoreMissing:
        print(f"shiftdesk: {missing_text(path)}", file=sys.stderr)
        QMessageBox.critical(None, "No such database", missing_text(path))
        return 1
    except StoreError as error:
        QMessageBox.critical(None, "Cannot open the database", str(error))
        return 1
    context = AppContext(store)
    _window = start_window(app, context, settings)  # referenced while the app runs
    try:
        return app.exec()
    finally:
        context.store.close()
