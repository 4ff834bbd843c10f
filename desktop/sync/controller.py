"""Sync from the window: one run at a time, on a worker thread, and on its own every
few minutes while the store is connected.

A run opens its own :class:`~core.store.Store` on the same file (a session or an
engine never crosses threads) and its own :class:`~sync.client.SyncClient`, runs
:func:`sync.engine.run_sync`, and reports progress by signal, which Qt delivers on
the UI thread. When it ends, every kind of data is said to have moved (a pull may
change anything), so every open view refreshes as it does after an edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, SignalInstance

from core.changes import Changes
from core.errors import ShiftDeskError, StoreError
from core.store import open_store
from desktop.notice import plural
from sync.client import SyncClient
from sync.credentials import load_key
from sync.engine import Progress, RunResult, explain, run_sync
from sync.errors import SyncError
from sync.link import Link, find_link

if TYPE_CHECKING:
    from desktop.context import AppContext

#: Every kind of data: what a pull may have changed, and what moved when the app
#: cannot know what (a write from outside; :mod:`desktop.context` uses it so).
EVERYTHING = ~Changes.NONE
#: How often an automatic sync runs unless the person chose otherwise.
DEFAULT_MINUTES = 15


def progress_text(step: Progress) -> str:
    """Says "Sending 3 of 12 changes…" or "Receiving… 2,000 records so far"."""
    if step.phase == "push":
        if step.total:
            return f"Sending changes… {step.done:,} of {step.total:,}"
        return "Sending changes…"
    return f"Receiving changes… {plural(step.done, 'record')} so far"


class RunSignals(QObject):
    progress = Signal(object)
    #: The run's :class:`RunResult` (completed or not: its outcome says).
    finished = Signal(object)
    #: One sentence: the run could not start (no key, no file, another run going).
    failed = Signal(str)


class SyncJob(QRunnable):
    """One run on a pool thread, with its own store and client."""

    def __init__(self, path: Path, server_url: str, key: str, signals: RunSignals) -> None:
        super().__init__()
        self.path = path
        self.server_url = server_url
        self.key = key
        self.signals = signals

    def run(self) -> None:
        try:
            store = open_store(self.path, create=False)
        except StoreError as error:
            self._report(self.signals.failed, str(error))
            return
        try:
            with SyncClient(self.server_url, self.key) as client:
                result = run_sync(
                    store, client, progress=lambda step: self._report(self.signals.progress, step)
                )
        except SyncError as error:  # before a run could start: nothing recorded
            self._report(self.signals.failed, _sentence(explain(error)))
            return
        except ShiftDeskError as error:
            self._report(self.signals.failed, _sentence(str(error)))
            return
        finally:
            store.close()
        self._report(self.signals.finished, result)

    @staticmethod
    def _report(signal: SignalInstance, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the controller is gone (the window closed): nobody waits
            return


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


class SyncController(QObject):
    """Starts runs, says how they go, and runs one every ``minutes`` when on."""

    #: A run started.
    started = Signal()
    #: A :class:`sync.engine.Progress` of the running run.
    progress = Signal(object)
    #: The run ended: its :class:`RunResult`.
    finished = Signal(object)
    #: A run could not start or stopped before it was recorded: one sentence.
    failed = Signal(str)
    #: A run started or ended.
    running_changed = Signal(bool)
    #: Automatic sync was turned on or off, or its interval changed.
    auto_changed = Signal()

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else context)
        self.context = context
        self.running = False
        self.last_result: RunResult | None = None
        #: The person's choice of automatic sync; None: on exactly when connected.
        self.auto_choice: bool | None = None
        self.minutes = DEFAULT_MINUTES
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.timer = QTimer(self)
        self.timer.setObjectName("AutoSyncTimer")
        self.timer.timeout.connect(self._tick)
        context.store_changed.connect(self.update_timer)

    # --- state --------------------------------------------------------------------------

    def link(self) -> Link | None:
        with self.context.store.session() as session:
            return find_link(session)

    @property
    def connected(self) -> bool:
        return self.link() is not None

    @property
    def auto(self) -> bool:
        """Whether runs start on their own: the person's choice, else on when connected."""
        connected = self.connected
        return connected and (self.auto_choice if self.auto_choice is not None else True)

    def set_auto(self, on: bool | None, minutes: int | None = None) -> None:
        self.auto_choice = on
        if minutes is not None:
            self.minutes = max(1, int(minutes))
        self.update_timer()

    def update_timer(self) -> None:
        """Start, restart or stop the automatic runs to match the choice and the store."""
        if self.auto:
            interval = self.minutes * 60_000
            if not self.timer.isActive() or self.timer.interval() != interval:
                self.timer.start(interval)
        else:
            self.timer.stop()
        self.auto_changed.emit()

    # --- runs ---------------------------------------------------------------------------

    def sync_now(self) -> bool:
        """Start a run; False (and ``failed`` says why) when one cannot start."""
        if self.running:
            self.failed.emit("A sync is running already; this one waits for it to end.")
            return False
        link = self.link()
        if link is None:
            self.failed.emit(
                "This database is not connected to a server: File → Connect to server… first."
            )
            return False
        key = load_key(link.server_url)
        if not key:
            self.failed.emit(
                f"No API key is kept for {link.server_url}: File → Connect to server… asks"
                " for it again."
            )
            return False
        signals = RunSignals(self)
        signals.progress.connect(self.progress)
        signals.finished.connect(self._finished)
        signals.failed.connect(self._failed)
        signals.finished.connect(signals.deleteLater)
        signals.failed.connect(signals.deleteLater)
        self._set_running(True)
        self.started.emit()
        self.pool.start(SyncJob(self.context.store.path, link.server_url, key, signals))
        return True

    def shutdown(self) -> None:
        """No more automatic runs, and the running one (if any) ends before this
        returns: what closing the window does, on the UI thread, so no timer is
        left to die with the context wherever Python happens to collect it."""
        self.timer.stop()
        self.pool.waitForDone()

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.running_changed.emit(running)

    def _finished(self, result: RunResult) -> None:
        self.last_result = result
        self._set_running(False)
        # The run wrote through its own connection, which the outside watch would
        # take for a stranger's and reload every view a second time: every view
        # reloads here, so what the run wrote counts as seen.
        self.context.store.changed_outside()
        self.context.data_changed.emit(EVERYTHING)
        self.finished.emit(result)

    def _failed(self, text: str) -> None:
        self._set_running(False)
        self.context.data_changed.emit(Changes.SYNC)
        self.failed.emit(text)

    def _tick(self) -> None:
        if not self.running and self.connected:
            self.sync_now()
