"""Long store work off the UI thread, so the window never freezes.

A :class:`StoreJob` runs one function in its own session on a pool thread (a
session never crosses threads) and hands the value back by signal, which Qt
delivers on the UI thread. Only core's own errors are passed back as failures;
anything else is a bug and is left to surface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from sqlalchemy.orm import Session

from core.errors import ShiftDeskError
from core.store import Store


class JobSignals(QObject):
    #: The work's return value.
    finished = Signal(object)
    #: The core error (ValidationError, NotFound...) it raised instead.
    failed = Signal(object)


class StoreJob(QRunnable):
    def __init__(self, store: Store, work: Callable[[Session], Any]) -> None:
        super().__init__()
        self.store = store
        self.work = work
        self.signals = JobSignals()

    def run(self) -> None:
        try:
            with self.store.session() as session:
                value = self.work(session)
        except ShiftDeskError as error:
            self.signals.failed.emit(error)
            return
        self.signals.finished.emit(value)


def start_job(
    store: Store,
    work: Callable[[Session], Any],
    finished: Callable[[Any], None],
    failed: Callable[[ShiftDeskError], None],
) -> StoreJob:
    """Queue ``work`` on the shared pool; ``finished`` or ``failed`` is called on the
    UI thread (connected before the job starts, so a quick one is not missed).

    The caller keeps the job until it reports, so its signals outlive the thread.
    """
    job = StoreJob(store, work)
    job.setAutoDelete(False)
    job.signals.finished.connect(finished)
    job.signals.failed.connect(failed)
    QThreadPool.globalInstance().start(job)
    return job
