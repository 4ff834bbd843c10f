"""File > Import employees from CSV: core's all-or-nothing import, off the UI thread.

The import is :func:`core.employees.import_employees_csv` run in its own session on
a worker (an HR file can be long). A file it accepts is written whole, becomes one
step on the undo stack, and every view is told employees (and departments, if the
file named new ones) moved; a file it refuses writes nothing, and each bad line is
listed in a dialog the user can read and copy while fixing the file.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.employees import CSV_COLUMNS, ImportResult, import_employees_csv
from core.errors import ShiftDeskError, ValidationError
from desktop.context import AppContext
from desktop.jobs import start_job
from desktop.notice import plural

CSV_FILTER = "CSV files (*.csv);;All files (*)"
#: Core joins a refused file's problems with "; ", each starting "line N: ".
_NEXT_LINE = re.compile(r"; (?=line \d+: )")


def bad_lines(error: ShiftDeskError) -> list[str]:
    """A refusal as one entry per bad line (or its one sentence when not about lines)."""
    if isinstance(error, ValidationError) and error.field == "file":
        return _NEXT_LINE.split(error.problem)
    return [str(error)]


def summary(result: ImportResult) -> str:
    """What an accepted file did, in a sentence."""
    if not result.added and not result.updated:
        return "Nothing changed: everyone in the file is already up to date."
    people = f"{len(result.added)} added, {len(result.updated)} updated."
    if not result.departments_created:
        return people
    return f"{people} New departments: {', '.join(result.departments_created)}."


class ProblemsDialog(QDialog):
    """Every bad line of a refused file, selectable, so it can be fixed line by line."""

    def __init__(self, path: Path, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportProblems")
        self.setWindowTitle("Employees not imported")
        self.setMinimumSize(520, 320)
        self.lines = lines
        count = plural(len(lines), "problem")
        heading = QLabel(
            f"Nothing was imported from {path.name} ({count}). Fix the file and import it again.",
            self,
        )
        heading.setWordWrap(True)
        heading.setToolTip(str(path))
        self.text = QPlainTextEdit("\n".join(lines), self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setAccessibleName("Problems in the file")
        columns = QLabel(
            f"Columns: {', '.join(CSV_COLUMNS)} (first_name, last_name and code are needed)", self
        )
        columns.setProperty("role", "hint")
        columns.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(columns)
        layout.addWidget(buttons)


class EmployeeImport(QObject):
    """The menu action and the work behind it; the window only adds :attr:`action`."""

    #: An accepted file's result, after the views were told.
    imported = Signal(object)
    #: A refused file's bad lines (nothing was written).
    refused = Signal(list)

    def __init__(self, context: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.context = context
        self.window = window
        self.action = QAction("&Import employees from CSV…", window)
        self.action.setStatusTip("Add or update people from an HR export; a bad file adds nobody")
        self.action.triggered.connect(self.ask)

    def ask(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import employees from CSV", "", CSV_FILTER
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> None:
        """Import on a worker; the action is off until the file is done."""
        path = Path(path)
        self.action.setEnabled(False)
        start_job(
            self.context.store,
            partial(import_employees_csv, source=path),
            self,
            partial(self._done, path),
            partial(self._refused, path),
        )

    def _done(self, path: Path, result: ImportResult) -> None:
        self.action.setEnabled(True)
        # One undo step (a file that changed nothing has none); the views are told.
        self.context.record(f"Import {path.name}", result, background=True)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Employees imported",
            f"Imported {path.name}: {summary(result)}",
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setObjectName("ImportDone")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.imported.emit(result)

    def _refused(self, path: Path, error: ShiftDeskError) -> None:
        self.action.setEnabled(True)
        lines = bad_lines(error)
        dialog = ProblemsDialog(path, lines, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.refused.emit(lines)
