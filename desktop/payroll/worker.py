"""Payroll export off the UI thread: its own session, progress by signal, a safe write.

The job computes the payroll afresh in a session it opens on its own thread (a
session never crosses threads) and writes it through
:func:`core.export.export_payroll`. It writes a temporary file beside the target
and moves it into place only when complete, so a failed export never leaves half a
file or destroys the previous one.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from core.errors import ShiftDeskError
from core.export import export_payroll
from core.payroll import payroll
from core.store import Store


class ExportSignals(QObject):
    #: Percent done and what is happening.
    progress = Signal(int, str)
    #: The path written.
    finished = Signal(str)
    #: Why nothing was written.
    failed = Signal(str)


def partial_path(path: Path) -> Path:
    """Where the file is written before it is complete: hidden, beside it, same suffix."""
    return path.with_name(f".{path.stem}.partial{path.suffix}")


class ExportJob(QRunnable):
    def __init__(self, store: Store, first: date, last: date, path: Path) -> None:
        super().__init__()
        self.store = store
        self.first = first
        self.last = last
        self.path = path
        self.signals = ExportSignals()

    def run(self) -> None:
        temporary = partial_path(self.path)
        try:
            self.signals.progress.emit(10, "Adding up hours…")
            with self.store.session() as session:
                report = payroll(session, self.first, self.last)
            self.signals.progress.emit(55, f"Writing {self.path.name}…")
            export_payroll(report, temporary)
            self.signals.progress.emit(90, "Saving…")
            os.replace(temporary, self.path)
        except ShiftDeskError as error:
            temporary.unlink(missing_ok=True)
            problem = str(getattr(error, "problem", error))
            # Core names the file it was given; the person chose the real one.
            self.signals.failed.emit(problem.replace(temporary.name, self.path.name))
            return
        except OSError as error:
            temporary.unlink(missing_ok=True)
            self.signals.failed.emit(f"cannot write {self.path}: {error.strerror or error}")
            return
        self.signals.progress.emit(100, "Done")
        self.signals.finished.emit(str(self.path))
