"""The sync controller against a real server: a long download leaves the window
responsive, a second run is refused while one runs, and automatic sync follows the
choice and the store."""

from __future__ import annotations

import itertools
import statistics
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from pytestqt.qtbot import QtBot

from core.models import Shift
from core.store import open_store
from desktop.context import AppContext
from desktop.sync.page import AUTO_KEY, MINUTES_KEY
from sync.credentials import save_key
from sync.history import sync_status
from tests.desktop.sync_server import (  # noqa: F401 - fixtures, found by name
    connect_from_dialog,
    db_url,
    open_window,
    seeded_tenant,
)
from tests.server.conftest import LiveServer, live  # noqa: F401

RECORDS = 4000
#: Enough for a first download to go through the same steps; the long download is
#: the test above's, and a second run is refused before the first can end anyway
#: (its end reaches the UI thread only when the event loop turns).
FEW_RECORDS = 100


def test_the_window_stays_responsive_while_a_first_download_runs(
    qtbot: QtBot,
    themed,
    settings: QSettings,
    tmp_path: Path,
    live: LiveServer,  # noqa: F811
) -> None:
    tenant = seeded_tenant(live, RECORDS)
    window = open_window(qtbot, open_store(tmp_path / "blank.shiftdesk"), settings)
    dialog = window.new_database_from_server(tmp_path / "office")
    assert dialog is not None
    dialog.url.setText(live.url)
    dialog.key.setText(tenant.key)
    ticks: list[float] = []
    clock = QTimer(window)
    clock.setInterval(20)
    clock.timeout.connect(lambda: dialog.running and ticks.append(time.perf_counter()))
    clock.start()
    said: list[str] = []
    started = time.perf_counter()
    with qtbot.waitSignal(dialog.connected, timeout=120_000):
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: "Receiving changes…" in dialog.message.text(), timeout=60_000)
        said.append(dialog.message.text())
    took = time.perf_counter() - started
    clock.stop()
    assert said[0].endswith("records so far")  # progress, while the download ran
    assert f"{RECORDS:,} records received" in dialog.message.text()
    # The event loop kept turning while the worker downloaded: the timer fired all
    # through, never held up for long (the UI thread only hears progress).
    assert len(ticks) >= 10
    assert len(ticks) >= took / 0.02 / 4, (len(ticks), took)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert statistics.median(gaps) < 0.1, statistics.median(gaps)
    assert max(gaps) < 2.0, max(gaps)  # the server shares this process and its GIL
    with window.context.store.session() as s:
        assert s.query(Shift).count() > RECORDS // 2
    assert window.context.store.path == tmp_path / "office.shiftdesk"


def test_a_second_run_is_refused_while_one_runs_and_views_hear_of_every_kind(
    qtbot: QtBot,
    themed,
    settings: QSettings,
    tmp_path: Path,
    live: LiveServer,  # noqa: F811
) -> None:
    tenant = seeded_tenant(live, FEW_RECORDS)
    window = open_window(qtbot, open_store(tmp_path / "blank.shiftdesk"), settings)
    dialog = window.new_database_from_server(tmp_path / "office")
    assert dialog is not None
    dialog.url.setText(live.url)
    dialog.key.setText(tenant.key)
    with qtbot.waitSignal(dialog.connected, timeout=120_000):
        dialog.ok_button.click()
    controller = window.context.sync
    page = window.pages["sync"]
    refusals: list[str] = []
    controller.failed.connect(refusals.append)
    moved: list[object] = []
    window.context.data_changed.connect(moved.append)
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        assert controller.sync_now()
        assert controller.running
        assert not page.sync_button.isEnabled()
        assert page.progress_row.isVisible()
        assert window.pending_label.text().startswith("Syncing…")
        assert not controller.sync_now()
    assert refusals == ["A sync is running already; this one waits for it to end."]
    assert not controller.running
    assert not page.progress_row.isVisible()
    assert page.sync_button.isEnabled()
    from desktop.sync.controller import EVERYTHING

    assert moved[-1] == EVERYTHING
    # The views reloaded once: the run's own writes are not news to the outside watch.
    assert not window.outside.check()


def test_automatic_sync_is_off_for_a_store_never_connected_and_follows_the_choice(
    qtbot: QtBot,
    themed,
    settings: QSettings,
    store,
    tmp_path: Path,
) -> None:
    context = AppContext(store)
    controller = context.sync
    controller.update_timer()
    assert not controller.auto
    assert not controller.timer.isActive()
    # A store linked to a server (as connecting leaves it) is on by default.
    from sync.link import make_link

    with store.session() as s:
        make_link(s, "http://127.0.0.1:9", "company")
    save_key("http://127.0.0.1:9", "secret")
    controller.update_timer()
    assert controller.auto
    assert controller.timer.interval() == 15 * 60_000
    controller.set_auto(True, 5)
    assert controller.timer.interval() == 5 * 60_000
    controller.set_auto(False)
    assert not controller.timer.isActive()
    controller.set_auto(None)
    assert controller.timer.isActive()
    controller.shutdown()
    assert not controller.timer.isActive()

    settings.setValue(AUTO_KEY, True)
    settings.setValue(MINUTES_KEY, 1)
    window = open_window(qtbot, store, settings)
    window_controller = window.context.sync
    assert window_controller.timer.isActive()
    assert window_controller.timer.interval() == 60_000
    page = window.pages["sync"]
    assert page.auto_box.isChecked()
    assert page.minutes.value() == 1
    page.auto_box.setChecked(False)
    assert not window_controller.timer.isActive()
    # A tick runs a sync: here the server is away, and the status bar says so.
    page.auto_box.setChecked(True)
    with qtbot.waitSignal(window_controller.finished, timeout=30_000) as run:
        window_controller.timer.timeout.emit()
    assert not run.args[0].completed
    with store.session() as s:
        assert sync_status(s).last.outcome == "failed"
    assert window.pending_label.text() == "Offline · never synced"
    page.auto_box.setChecked(False)
    window.close()
    with window.store_settings() as kept:  # the store's own choice, as its filters are
        assert kept.value(AUTO_KEY) in (False, "false")
    assert not window_controller.timer.isActive()
