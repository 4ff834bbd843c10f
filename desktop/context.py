"""What every view shares: the open store, the undo stack and the change signal.

Views are given a context instead of reaching for a global window. An operation
runs through :meth:`AppContext.run`, which opens one session for it, and, when
the operation applied, puts one step on the undo stack and tells every view
which kinds of data moved.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy.orm import Session

from core.changes import Changes
from core.pay_periods import PeriodClosed
from core.results import OpResult
from core.store import Store
from core.undo import UndoRefused
from desktop.sync.controller import SyncController

Operation = Callable[[Session], OpResult]

#: Every kind of data: what moved when we cannot know what (a write from outside).
EVERYTHING = ~Changes.NONE


class OpCommand(QUndoCommand):
    """One applied operation. Undo and redo each call the last result's ``undo``.

    The operation has already run when the command is pushed (it had to, to know
    whether it applied), so the first ``redo`` that ``QUndoStack.push`` makes is
    skipped.
    """

    def __init__(self, context: AppContext, text: str, result: OpResult) -> None:
        super().__init__(text)
        self._context = context
        self._result = result
        self._fresh = True

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
        try:
            with self._context.store.session() as session:
                self._result = self._result.undo(session)
        except UndoRefused as refused:
            self.setObsolete(True)
            self._context.undo_refused.emit(f"{self.text()}: {refused}")
            return
        except PeriodClosed as closed:  # paid history: refused until the period reopens
            self.setObsolete(True)
            self._context.undo_refused.emit(f"{self.text()}: {closed.problem}")
            return
        self._context.data_changed.emit(self._result.changed)
        self._context.flipped.emit(f"{done}: {self.text()}")


class AppContext(QObject):
    #: Another database was opened; everything must reload.
    store_changed = Signal()
    #: Kinds of data that moved (:class:`core.changes.Changes`), as ``OpResult.changed`` names them.
    data_changed = Signal(object)
    #: An undo or redo was refused because a record changed since; the sentence says which.
    undo_refused = Signal(str)
    #: An undo or redo applied; the sentence says which step ("Undone: Delete 5 shifts").
    flipped = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        #: Sync runs of this window's store, off the UI thread.
        self.sync = SyncController(self)

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

    def record(self, text: str, result: OpResult) -> OpResult:
        """Make an operation that already ran (on a worker thread, in its own
        session) an undo step, as :meth:`run` does for one it runs itself."""
        if result.applied:
            self.undo_stack.push(OpCommand(self, text, result))
            self.data_changed.emit(result.changed)
        return result
