"""A real server on 127.0.0.1 for the desktop's sync tests, and the sites around it.

The server, its database and a fresh company per test come from
tests/server/conftest.py (imported by the test modules that need them, as
tests/sync/conftest.py does, so only those modules pay for importing FastAPI). The
server's database is SQLite only here: the desktop does not care which one it is.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from bench.sync_download import seed_feed
from core.employees import EmployeeDraft, add_employee
from core.organisation import Setup, resolve_site, setup_store
from core.scheduling import ShiftDraft, create_shift
from core.store import Store, open_store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.sync.connect import ConnectDialog
from sync.client import SyncClient
from sync.connect import connect
from sync.engine import RunResult, run_sync
from tests.conftest import MONDAY
from tests.server.conftest import LiveServer, Tenant, make_tenant


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server's database: one SQLite file for the session."""
    return f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}"


def set_up_site(path: Path, template: Path, tenant: Tenant) -> tuple[str, str]:
    """A store of the tenant's company (as File → New database makes one) with Anna
    and her Monday shift, 09:00–17:00, never synced; (Anna's id, the shift's id)."""
    shutil.copyfile(template, path)
    store = open_store(path)
    try:
        with store.session() as s:
            setup_store(
                s,
                Setup("Testco", "Main", "Europe/Berlin"),
                company_id=tenant.company_id,
                site_id=tenant.site_id,
            )
        with store.session() as s:
            anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
            shift = create_shift(
                s, ShiftDraft(resolve_site(s).id, MONDAY, "09:00", "17:00", employee_ids=(anna,))
            ).ids[0]
    finally:
        store.close()
    return anna, shift


def open_window(qtbot: QtBot, store: Store, settings: QSettings, view: str = "sync") -> MainWindow:
    window = MainWindow(AppContext(store), settings)
    qtbot.addWidget(window)
    window.resize(1400, 860)
    window.show_view(view)
    window.show()
    qtbot.waitExposed(window)
    return window


def connect_from_dialog(
    qtbot: QtBot, window: MainWindow, url: str, key: str, timeout: int = 30_000
) -> ConnectDialog:
    """File → Connect to server…, filled in and run to its end."""
    dialog = window.connect_to_server()
    dialog.url.setText(url)
    dialog.key.setText(key)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignals([dialog.connected], timeout=timeout):
        dialog.ok_button.click()
    return dialog


def sync_now(qtbot: QtBot, window: MainWindow, timeout: int = 30_000) -> RunResult:
    """The Sync page's Sync now, waited for; the run's result."""
    page = window.pages["sync"]
    with qtbot.waitSignal(window.context.sync.finished, timeout=timeout) as run:
        page.sync_button.click()
    return run.args[0]


def connect_site(path: Path, tenant: Tenant) -> Path:
    """Another site's store: a new file filled from the company, as a second laptop."""
    with SyncClient(tenant.live.url, tenant.key) as client:
        connect(path, client)
    return path


def sync_site(path: Path, tenant: Tenant) -> RunResult:
    store = open_store(path)
    try:
        with SyncClient(tenant.live.url, tenant.key) as client:
            return run_sync(store, client)
    finally:
        store.close()


#: A new seed for each seeded company: the records' ids come from it.
_SEEDS = itertools.count(100)


def seeded_tenant(live: LiveServer, records: int) -> Tenant:
    """A company whose server holds ``records`` records, written straight into the
    server's database as bench/sync_download.py seeds it (HTTP would take minutes)."""
    tenant = make_tenant(live, "Bigco")
    with live.db.transaction() as session:
        seed_feed(session, tenant.company_id, tenant.site_id, records, seed=next(_SEEDS))
    return tenant
