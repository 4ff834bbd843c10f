"""Long store work off the UI thread, so the window never freezes.

A :class:`StoreJob` runs one function in its own session on a pool thread (a
session never crosses threads) and hands the value back by signal, which Qt
delivers on the UI thread. Only core's own errors are passed back as failures;
anything else is a bug and is left to surface.

The signals belong to the widget that asked: if it is gone when the work ends,
nothing is delivered to it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance
from sqlalchemy.orm import Session

from core.errors import ShiftDeskError
from core.store import Store


class JobSignals(QObject):
    #: The work's return value.
    finished = Signal(object)
    #: The core error (ValidationError, NotFound...) it raised instead.
    failed = Signal(object)


class StoreJob(QRunnable):
    def __init__(self, store: Store, work: Callable[[Session], Any], owner: QObject) -> None:
        super().__init__()
        self.store = store
        self.work = work
        self.signals = JobSignals(owner)

    def run(self) -> None:
        try:
            with self.store.session() as session:
                value = self.work(session)
        except ShiftDeskError as error:
            self._report(self.signals.failed, error)
            return
        self._report(self.signals.finished, value)

    @staticmethod
    def _report(signal: SignalInstance, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the owner was deleted meanwhile: nobody waits for this
            return


def start_job(
    store: Store,
    work: Callable[[Session], Any],
    owner: QObject,
    finished: Callable[[Any], None],
    failed: Callable[[ShiftDeskError], None],
    pool: QThreadPool | None = None,
) -> JobSignals:
    """Queue ``work`` on ``pool`` (the shared one unless given); ``finished`` or
    ``failed`` is called on the UI thread (connected before the job starts, so a
    quick one is not missed)."""
    job = StoreJob(store, work, owner)
    signals = job.signals
    signals.finished.connect(finished)
    signals.failed.connect(failed)
    signals.finished.connect(signals.deleteLater)
    signals.failed.connect(signals.deleteLater)
    (pool or QThreadPool.globalInstance()).start(job)
    return signals


class LatestJob(QObject):
    """A page's loads on the pool, where only the latest one counts: a newer
    :meth:`start` supersedes one still running, whose value is then dropped, so
    stepping periods or typing a filter never shows an older answer last."""

    def __init__(self, owner: QObject) -> None:
        super().__init__(owner)
        self._token: object | None = None

    @property
    def running(self) -> bool:
        """A load was started and its value has not arrived yet."""
        return self._token is not None

    def start(
        self,
        store: Store,
        work: Callable[[Session], Any],
        finished: Callable[[Any], None],
        failed: Callable[[ShiftDeskError], None],
    ) -> None:
        self._token = token = object()

        def deliver(then: Callable[[Any], None], value: object) -> None:
            if token is self._token:
                self._token = None
                then(value)

        start_job(store, work, self, partial(deliver, finished), partial(deliver, failed))
