"""Store work on a pool thread reports back on the UI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool
from pytestqt.qtbot import QtBot
from shiboken6 import isValid as shiboken_valid

from core.errors import NotFound
from core.store import Store
from core.templates import get_template
from desktop.jobs import LatestJob, start_job


def test_a_job_runs_off_the_ui_thread_and_reports_on_it(qtbot: QtBot, store: Store) -> None:
    seen: list[tuple[str, bool]] = []

    def done(worker: str) -> None:
        seen.append((worker, threading.current_thread() is threading.main_thread()))

    owner = QObject()
    start_job(store, lambda _s: threading.current_thread().name, owner, done, seen.append)
    qtbot.waitUntil(lambda: bool(seen))
    ((worker, on_ui_thread),) = seen
    assert worker != threading.main_thread().name
    assert on_ui_thread


def test_a_core_error_comes_back_as_a_failure(qtbot: QtBot, store: Store) -> None:
    failures: list[Exception] = []
    owner = QObject()
    start_job(store, lambda s: get_template(s, "missing"), owner, lambda _v: None, failures.append)
    qtbot.waitUntil(lambda: bool(failures))
    assert isinstance(failures[0], NotFound)
    assert str(failures[0]) == "no template with id missing"


def test_a_job_whose_owner_is_gone_delivers_nothing(qtbot: QtBot, store: Store) -> None:
    owner = QObject()
    seen: list[object] = []
    gate = threading.Event()

    def work(_session: object) -> str:
        gate.wait(5)
        return "late"

    start_job(store, work, owner, seen.append, seen.append)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken_valid(owner))
    gate.set()
    assert QThreadPool.globalInstance().waitForDone(5000)
    QCoreApplication.sendPostedEvents()  # a queued delivery, had there been one
    assert seen == []


def test_a_newer_load_supersedes_one_still_running(qtbot: QtBot, store: Store) -> None:
    """Stepping periods fast: the older answer, whenever it arrives, is never shown."""
    owner = QObject()
    load = LatestJob(owner)
    shown: list[str] = []
    load.start(store, lambda _s: "May", shown.append, shown.append)
    load.start(store, lambda _s: "June", shown.append, shown.append)  # before May is shown
    assert load.running
    qtbot.waitUntil(lambda: not load.running)
    QThreadPool.globalInstance().waitForDone(5000)
    QCoreApplication.processEvents()  # May's answer, too, has come by now
    assert shown == ["June"]
