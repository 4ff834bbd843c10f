"""What every view shares: the open store, the undo stack and the change signal.

Views are given a context instead of reaching for a global window. An operation
runs through :meth:`AppContext.run`, which opens one session for it, and, when
the operation applied, puts one step on the undo stack and tells every view
which kinds of data moved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy.orm import Session

from core.errors import ShiftDeskError
from core.pay_periods import PeriodClosed
from core.results import OpResult
from core.store import Store
from core.undo import UndoRefused
from desktop.jobs import start_job
from desktop.sync.controller import EVERYTHING, SyncController

Operation = Callable[[Session], OpResult]


class OpCommand(QUndoCommand):
    """One applied operation. Undo and redo each call the last result's ``undo``.

    The operation has already run when the command is pushed (it had to, to know
    whether it applied), so the first ``redo`` that ``QUndoStack.push`` makes is
    skipped. A step whose operation ran on a worker (``background``) is undone and
    redone on the worker too, and so is any step flipped while a background write
    is under way: the writes then happen in the order they were asked for.
    """

    def __init__(
        self, context: AppContext, text: str, result: OpResult, background: bool = False
    ) -> None:
        super().__init__(text)
        self._context = context
        self._result = result
        self._fresh = True
        self._background = background
        #: A background flip was refused: the step can never apply again.
        self._dead = False

    def redo(self) -> None:
        if self._fresh:
            self._fresh = False
            return
        self._flip("Redone")

    def undo(self) -> None:
        self._flip("Undone")

    def _flip(self, done: str) -> None:
        """Undo or redo. A record changed since (another edit, a pull) refuses the
        step as a whole; the step can never apply again, so it leaves the stack
        (an obsolete command is dropped by QUndoStack) and the window says why."""
        assert self._result.undo is not None
        if self._dead:
            self.setObsolete(True)
            return
        if self._background or self._context.busy:
            doing = "Undoing" if done == "Undone" else "Redoing"
            self._context.start_write(
                f"{doing}: {self.text()}…",
                self._result.undo,
                partial(self._flipped, done),
                self._refused_later,
            )
            return
        try:
            with self._context.store.session() as session:
                result = self._result.undo(session)
        except UndoRefused as refused:
            self.setObsolete(True)
            self._context.undo_refused.emit(f"{self.text()}: {refused}")
            return
        except PeriodClosed as closed:  # paid history: refused until the period reopens
            self.setObsolete(True)
            self._context.undo_refused.emit(f"{self.text()}: {closed.problem}")
            return
        self._flipped(done, result)

    def _flipped(self, done: str, result: OpResult) -> None:
        self._result = result
        self._context.data_changed.emit(result.changed)
        self._context.flipped.emit(f"{done}: {self.text()}")

    def _refused_later(self, error: ShiftDeskError) -> None:
        """A flip on the worker was refused: the stack has moved past this step
        already, so it is dropped the next time the stack reaches it."""
        self._dead = True
        self._context.undo_refused.emit(f"{self.text()}: {error}")


class AppContext(QObject):
    #: Another database was opened; everything must reload.
    store_changed = Signal()
    #: Kinds of data that moved (:class:`core.changes.Changes`), as ``OpResult.changed`` names them.
    data_changed = Signal(object)
    #: An undo or redo was refused because a record changed since; the sentence says which.
    undo_refused = Signal(str)
    #: An undo or redo applied; the sentence says which step ("Undone: Delete 5 shifts").
    flipped = Signal(str)
    #: What a background write is doing ("Publishing 12 shifts…"), "" once none runs.
    busy_changed = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        #: Sync runs of this window's store, off the UI thread.
        self.sync = SyncController(self)
        #: Background writes (a week copied, a range published, their undo) run one
        #: at a time, in the order asked, on this pool's single thread.
        self.writer = QThreadPool(self)
        self.writer.setMaxThreadCount(1)
        self._writing: list[str] = []

    @property
    def busy(self) -> bool:
        """A background write is queued or running."""
        return bool(self._writing)

    def start_write(
        self,
        doing: str,
        operation: Operation,
        done: Callable[[OpResult], None],
        failed: Callable[[ShiftDeskError], None],
    ) -> None:
        """Run ``operation`` on the writer thread in its own session; ``done`` (or
        ``failed``) is called on the UI thread, unless another database was opened
        meanwhile. ``doing`` says what runs, for busy indicators."""
        store = self.store
        self._writing.append(doing)
        self.busy_changed.emit(doing)

        def finish(then: Callable[[object], None], value: object) -> None:
            self._writing.remove(doing)
            self.busy_changed.emit(self._writing[-1] if self._writing else "")
            if store is self.store:
                then(value)

        start_job(
            store, operation, self, partial(finish, done), partial(finish, failed), self.writer
        )

    def run_in_background(
        self,
        text: str,
        doing: str,
        operation: Operation,
        done: Callable[[OpResult], None],
        failed: Callable[[ShiftDeskError], None],
    ) -> None:
        """:meth:`run` on the writer thread, for an operation that can take seconds:
        the window stays responsive; an applied result becomes an undo step (undone
        and redone on the writer too), then ``done`` gets it."""

        def recorded(result: OpResult) -> None:
            done(self.record(text, result, background=True))

        self.start_write(doing, operation, recorded, failed)

    def set_store(self, store: Store) -> None:
        """Switch databases; undo steps of the old one cannot apply to the new one."""
        old, self.store = self.store, store
        self.undo_stack.clear()
        old.close()
        self.store_changed.emit()

    def run(self, text: str, operation: Operation) -> OpResult:
        """Run one operation in its own session; an applied one becomes an undo step."""
        with self.store.session() as session:
            result = operation(session)
        return self.record(text, result)

    def refresh_all(self) -> None:
        """Every view reloads everything it shows (View → Refresh, a write from outside)."""
        self.data_changed.emit(EVERYTHING)

    def record(self, text: str, result: OpResult, background: bool = False) -> OpResult:
        """Make an operation that already ran (on a worker thread, in its own
        session) an undo step, as :meth:`run` does for one it runs itself;
        ``background`` for a step whose undo must run on the writer thread too."""
        if result.applied:
            self.undo_stack.push(OpCommand(self, text, result, background))
            self.data_changed.emit(result.changed)
        return result
