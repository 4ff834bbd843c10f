"""Store work on a pool thread reports back on the UI thread."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from core.errors import NotFound
from core.store import Store
from core.templates import get_template
from desktop.jobs import start_job


def test_a_job_runs_off_the_ui_thread_and_reports_on_it(qtbot: QtBot, store: Store) -> None:
    seen: list[tuple[str, bool]] = []

    def done(worker: str) -> None:
        seen.append((worker, threading.current_thread() is threading.main_thread()))

    job = start_job(store, lambda _s: threading.current_thread().name, done, seen.append)
    qtbot.waitUntil(lambda: bool(seen))
    ((worker, on_ui_thread),) = seen
    assert worker != threading.main_thread().name
    assert on_ui_thread
    assert job.store is store


def test_a_core_error_comes_back_as_a_failure(qtbot: QtBot, store: Store) -> None:
    failures: list[Exception] = []
    start_job(store, lambda s: get_template(s, "missing"), lambda _v: None, failures.append)
    qtbot.waitUntil(lambda: bool(failures))
    assert isinstance(failures[0], NotFound)
    assert str(failures[0]) == "no template with id missing"
