"""File > Export roster…: the shown range and filters as a printable rota (.pdf) or a
calendar (.ics).

The dialog starts from what the Schedule shows (its range, and its site,
department, location and name filters, named in a sentence) and writes through
:func:`core.export.roster_file.export_roster`, the command line's own export, on a
worker: a month for hundreds of people takes longer than the window may freeze.
The file is written aside and moved into place only when whole, so a failure
leaves no half file and keeps the one that was there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.errors import ShiftDeskError, ValidationError
from core.export.files import writing
from core.export.roster_scope import RosterScope
from core.roster import RosterFilter
from desktop.context import AppContext
from desktop.dates import DateEdit, to_date, to_qdate
from desktop.forms import error_label, with_error
from desktop.jobs import start_job
from desktop.notice import plural
from desktop.payroll.worker import partial_path

#: Format choices: label, suffix.
FORMATS = (("Printable rota (PDF)", ".pdf"), ("Calendar for phones (.ics)", ".ics"))


def suggested_name(first: date, last: date, suffix: str, naming: Sequence[str] = ()) -> str:
    """``rota-kitchen-2026-06-01-to-2026-06-07.pdf``: the filters shown (``naming``: a
    department, a location, a name typed) are in the name, so a calendar exported for
    each person or team in turn does not overwrite the one before."""
    words = "-".join(filter(None, (_slug(word) for word in naming)))
    return f"rota-{words + '-' if words else ''}{first:%Y-%m-%d}-to-{last:%Y-%m-%d}{suffix}"


def _slug(word: str) -> str:
    """Letters and digits of any script, lower case, joined by single dashes."""
    return "-".join("".join(c if c.isalnum() else " " for c in word.lower()).split())


@dataclass(frozen=True)
class ExportRequest:
    """What the dialog asks the worker to write."""

    scope: RosterScope
    path: Path
    per_department: bool = True


def write_export(session: Session, request: ExportRequest) -> int:
    """Write ``request`` beside its target, then move it into place; returns how many
    shifts it holds. Runs on a worker thread, in the worker's own session."""
    from core.export.roster_file import export_roster  # fpdf2 loads numpy: only when used

    temporary = partial_path(request.path)
    try:
        export = export_roster(
            session, request.scope, temporary, per_department=request.per_department
        )
        with writing(request.path):
            os.replace(temporary, request.path)
    except ValidationError as error:
        # Core names the file it was given; the person chose the real one.
        raise ValidationError(
            error.field, error.problem.replace(temporary.name, request.path.name)
        ) from error
    finally:
        temporary.unlink(missing_ok=True)
    return len(export.shifts())


class RosterExportDialog(QDialog):
    #: The path written and how many shifts it holds.
    exported = Signal(str, int)

    def __init__(
        self,
        context: AppContext,
        first: date,
        last: date,
        filt: RosterFilter,
        where: str,
        folder: Path,
        parent: QWidget | None = None,
        *,
        naming: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RosterExport")
        self.setWindowTitle("Export roster")
        self.setMinimumWidth(520)
        self.context = context
        self.filt = filt
        self.folder = folder
        self.naming = tuple(naming)
        #: What the worker is writing (None when idle).
        self._writing: ExportRequest | None = None
        self.from_edit = DateEdit(to_qdate(first), self)
        self.from_edit.setAccessibleName("From")
        self.to_edit = DateEdit(to_qdate(last), self)
        self.to_edit.setAccessibleName("To")
        self.format_box = QComboBox(self)
        self.format_box.setAccessibleName("Format")
        for label, suffix in FORMATS:
            self.format_box.addItem(label, suffix)
        self.per_department = QCheckBox("A page per department", self)
        self.per_department.setChecked(True)
        self.per_department.setToolTip("Off: all departments on shared pages, in bands")
        self.drafts = QCheckBox("Include drafts (shifts not published yet)", self)
        self.drafts.setToolTip("Staff only see published shifts; drafts print hatched")
        self.where = QLabel(f"Shifts {where}, as the Schedule's filters show them.", self)
        self.where.setWordWrap(True)
        self.where.setProperty("role", "hint")
        self.path_edit = QLineEdit(
            str(folder / suggested_name(first, last, ".pdf", self.naming)), self
        )
        self.path_edit.setAccessibleName("File")
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self._choose)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(choose)
        #: Under the file: why nothing was written (most refusals are about the file).
        self.error = error_label(self, "Why nothing was written")
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)  # no steps to count: a moving bar says it is working
        self.busy.setAccessibleName("Writing")
        self.busy.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("From", self.from_edit)
        form.addRow("To", self.to_edit)
        form.addRow("Format", self.format_box)
        form.addRow("", self.per_department)
        form.addRow("", self.drafts)
        path_box = QWidget(self)
        path_box.setLayout(path_row)
        path_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("File", with_error(self, path_box, self.error))
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.from_edit.dateChanged.connect(self._range_changed)
        self.to_edit.dateChanged.connect(self._range_changed)

    # --- choices -----------------------------------------------------------------------------

    @property
    def suffix(self) -> str:
        return str(self.format_box.currentData())

    @property
    def first(self) -> date:
        return to_date(self.from_edit.date())

    @property
    def last(self) -> date:
        return to_date(self.to_edit.date())

    def request(self) -> ExportRequest:
        scope = RosterScope(self.first, self.last, filter=self.filt, drafts=self.drafts.isChecked())
        return ExportRequest(
            scope, Path(self.path_edit.text().strip()), self.per_department.isChecked()
        )

    def _format_changed(self) -> None:
        """The file follows the format, and the PDF's page choice only shows for PDF."""
        self.per_department.setVisible(self.suffix == ".pdf")
        path = Path(self.path_edit.text().strip())
        if path.suffix.lower() in {s for _, s in FORMATS}:
            self.path_edit.setText(str(path.with_suffix(self.suffix)))

    def _range_changed(self) -> None:
        """A name this dialog suggested follows the dates; a name typed stays."""
        path = Path(self.path_edit.text().strip())
        if path.name.startswith("rota-"):
            self.path_edit.setText(
                str(path.with_name(suggested_name(self.first, self.last, self.suffix, self.naming)))
            )

    def _choose(self) -> None:
        label = self.format_box.currentText()
        path, _ = QFileDialog.getSaveFileName(
            self, "Export roster", self.path_edit.text(), f"{label} (*{self.suffix})"
        )
        if path:
            self.path_edit.setText(path)

    # --- writing -----------------------------------------------------------------------------

    def export(self) -> None:
        """Write on a worker; the dialog stays open (and says why) if it cannot."""
        request = self.request()
        if not request.path.name:
            self._say("Choose a file to write.")
            return
        self._say("")
        self.export_button.setEnabled(False)
        self.busy.show()
        self._writing = request
        # Bound methods, not lambdas: Qt drops them with the dialog if it closes first.
        start_job(
            self.context.store,
            partial(write_export, request=request),
            self,
            self._done,
            self._failed,
        )

    def _done(self, count: int) -> None:
        written, self._writing = self._writing, None
        self.busy.hide()
        self.export_button.setEnabled(True)
        assert written is not None
        self.exported.emit(str(written.path), count)
        self.accept()

    def _failed(self, error: ShiftDeskError) -> None:
        self._writing = None
        self.busy.hide()
        self.export_button.setEnabled(True)
        self._say(str(getattr(error, "problem", error)))

    def _say(self, problem: str) -> None:
        self.error.setText(problem)
        self.error.setVisible(bool(problem))


def exported_message(path: str, count: int) -> str:
    return f"Exported {plural(count, 'shift')} to {Path(path).name}"
