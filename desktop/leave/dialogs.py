"""The Leave view's dialogs: asking for leave, and deciding on a clashing approval.

Both are opened with ``open()`` (window-modal, never blocking the event loop) and
report through their own signals; the page runs the operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.employees import EmployeeRow
from core.errors import ValidationError
from core.leave import ClashChoice
from core.models import LeaveType
from core.results import Conflict
from core.timeutil import parse_hhmm
from desktop.dates import DateEdit, UntilFollowsFrom, to_date, to_qdate
from desktop.forms import error_label, show_errors
from desktop.notice import plural

FIELDS = ("employee", "leave_type", "start_date", "end_date", "start_time", "end_time", "other")


class LeaveRequestDialog(QDialog):
    #: The fields as :func:`core.leave.request_leave` takes them.
    submitted = Signal(dict)

    def __init__(
        self, employees: Sequence[EmployeeRow], first: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LeaveRequestDialog")
        self.setWindowTitle("Request leave")
        self.employee = QComboBox(self)
        self.employee.setAccessibleName("Employee")
        self.employee.addItem("Choose a person…", "")
        for emp in employees:
            label = f"{emp.name} · {emp.department}" if emp.department else emp.name
            self.employee.addItem(label, emp.id)
        self.leave_type = QComboBox(self)
        self.leave_type.setAccessibleName("Type of leave")
        for kind in LeaveType:
            self.leave_type.addItem(kind.value.capitalize(), kind.value)
        self.start_date = DateEdit(to_qdate(first), self)
        self.end_date = DateEdit(to_qdate(first), self)
        for edit, name in ((self.start_date, "First day"), (self.end_date, "Last day")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd dd MMM yyyy")
            edit.setAccessibleName(name)
        self.part_day = QCheckBox("Part of the day only", self)
        self.start_time = QLineEdit("09:00", self)
        self.start_time.setAccessibleName("From time")
        self.end_time = QLineEdit("13:00", self)
        self.end_time.setAccessibleName("Until time")
        times = QHBoxLayout()
        for widget in (self.part_day, self.start_time, QLabel("to", self), self.end_time):
            times.addWidget(widget)
        times.addStretch(1)
        for edit in (self.start_time, self.end_time):
            edit.setMaximumWidth(70)
            edit.setPlaceholderText("HH:MM")
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("Optional: what the person wrote")
        self.error_labels = {field: error_label(self) for field in FIELDS}
        form = QFormLayout()
        for text, widget, field in (
            ("Employee", self.employee, "employee"),
            ("Type", self.leave_type, "leave_type"),
            ("From", self.start_date, "start_date"),
            ("Until", self.end_date, "end_date"),
        ):
            form.addRow(text, widget)
            form.addRow("", self.error_labels[field])
        form.addRow("", times)
        form.addRow("", self.error_labels["start_time"])
        form.addRow("", self.error_labels["end_time"])
        form.addRow("Reason", self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button.setText("Request")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_labels["other"])
        layout.addWidget(self.buttons)
        UntilFollowsFrom(self.start_date, self.end_date)
        for signal in (
            self.employee.currentIndexChanged,
            self.start_date.dateChanged,
            self.end_date.dateChanged,
            self.part_day.toggled,
            self.start_time.textChanged,
            self.end_time.textChanged,
        ):
            signal.connect(self.validate)
        self.validate()

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def values(self) -> dict[str, Any]:
        part = self.part_day.isChecked()
        return {
            "employee_id": self.employee.currentData() or "",
            "leave_type": str(self.leave_type.currentData()),
            "start_date": to_date(self.start_date.date()),
            "end_date": to_date(self.end_date.date()),
            "start_time": self.start_time.text().strip() if part else None,
            "end_time": self.end_time.text().strip() if part else None,
            "reason": self.reason.text().strip(),
        }

    def validate(self, *_args: Any) -> bool:
        """What can be told before asking core: a person, the dates' order, the times."""
        values, errors = self.values(), {}
        part = self.part_day.isChecked()
        self.start_time.setEnabled(part)
        self.end_time.setEnabled(part)
        if not values["employee_id"]:
            errors["employee"] = "choose who is away"
        if values["end_date"] < values["start_date"]:
            errors["end_date"] = "the last day is before the first day"
        if part:
            if values["end_date"] != values["start_date"]:
                errors["end_date"] = "a part-day leave is on one date; give one date"
            for field in ("start_time", "end_time"):
                try:
                    parse_hhmm(values[field], field)
                except ValidationError as error:
                    errors[field] = error.problem
        self.show_errors(errors)
        return not errors

    def show_errors(self, errors: dict[str, str]) -> None:
        show_errors(self.error_labels, errors)
        self.save_button.setEnabled(not errors)

    def show_error(self, error: ValidationError) -> None:
        """A refusal from core (an overlapping request, say), under its field."""
        field = error.field if error.field in FIELDS else "other"
        self.show_errors({field: error.problem})

    def accept(self) -> None:
        """Hand the values on; the page closes the dialog once core took them."""
        if self.validate():
            self.submitted.emit(self.values())


class ClashDialog(QDialog):
    """Approving would clash: list the shifts and offer core's two choices."""

    #: The supervisor's choice (a :class:`ClashChoice`); "go back" sends nothing.
    chosen = Signal(str)

    def __init__(
        self, employee: str, clashes: Sequence[Conflict], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ClashDialog")
        self.setWindowTitle("Approve leave")
        first_name = employee.split(" ")[0]
        count = len(clashes)
        heading = QLabel(
            f"<b>{employee} is on {plural(count, 'shift')}"
            " during this leave.</b><br>Approving must decide what happens to"
            f" {'them' if count != 1 else 'it'}.",
            self,
        )
        heading.setWordWrap(True)
        self.shifts = QListWidget(self)
        self.shifts.setAccessibleName("Clashing shifts")
        self.shifts.addItems([f"✖ {c.reason}" for c in clashes])
        self.shifts.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.shifts.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumWidth(520)
        self.shifts.setMaximumHeight(min(24 * count + 8, 220))
        self.unassign_button = QPushButton(f"Approve, take {first_name} off", self)
        self.unassign_button.setToolTip(
            "Approve the leave and remove the person from these shifts;"
            " a shift left with nobody stays as an open shift"
        )
        self.keep_button = QPushButton(f"Approve, keep {first_name} on (flagged)", self)
        self.keep_button.setToolTip(
            "Approve the leave and leave the shifts as they are, flagged for a second look"
        )
        self.back_button = QPushButton("Go back", self)
        self.back_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.unassign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.shifts)
        layout.addLayout(buttons)
        self.unassign_button.clicked.connect(lambda: self._choose(ClashChoice.UNASSIGN))
        self.keep_button.clicked.connect(lambda: self._choose(ClashChoice.KEEP))
        self.back_button.clicked.connect(self.reject)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _choose(self, choice: ClashChoice) -> None:
        self.accept()
        self.chosen.emit(choice.value)
