"""New and edit shift dialog: checked by core as you type, errors beside their field.

Every change asks the core's ``check_draft``, so a bad time is named under its
field and a clash is listed before Save is pressed; Save stays off until the shift
could be written.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import ValidationError
from core.models import ShiftStatus
from core.results import Check
from core.roster import RosterShift
from core.scheduling import ShiftDraft
from desktop.dates import DateEdit
from desktop.forms import error_label, show_errors, with_error
from desktop.schedule.controller import ScheduleController
from desktop.theme import restyle

#: Fields that have their own error line; any other error is shown under the form.
FIELDS = ("employee", "date", "start", "end", "department", "status")
#: The employee choice that leaves a shift open: nobody works it yet.
NOBODY = "Nobody yet (open shift)"
OPEN_HINT = (
    "Nobody works this shift yet: it waits under “Open shifts” in its department"
    " until someone is chosen here or it is dragged onto a person."
)


class ShiftDialog(QDialog):
    def __init__(
        self,
        controller: ScheduleController,
        *,
        site_id: str,
        people: list[tuple[str, str]],
        departments: list[tuple[str, str]],
        locations: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ShiftDialog")
        self.setMinimumWidth(420)
        self.controller = controller
        self.site_id = site_id
        self.shift: RosterShift | None = None
        self.row_employee: str | None = None
        self.check = Check()
        self.errors: dict[str, str] = {}

        self.employee = QComboBox(self)
        self.employee.addItem(NOBODY, "")
        for emp_id, label in people:
            self.employee.addItem(label, emp_id)
        self.day = DateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd dd MMM yyyy")
        self.start = QLineEdit(self)
        self.start.setPlaceholderText("HH:MM")
        self.end = QLineEdit(self)
        self.end.setPlaceholderText("HH:MM (earlier than start: next day)")
        self.location = QLineEdit(self)
        self.location.setCompleter(QCompleter(locations, self))
        self.department = QComboBox(self)
        self.department.addItem("No department", "")
        for dept_id, name in departments:
            self.department.addItem(name, dept_id)
        self.status = QComboBox(self)
        for status in ShiftStatus:
            self.status.addItem(status.value.capitalize(), status.value)
        self.published = QCheckBox("Published (staff can see it)", self)
        self.notes = QPlainTextEdit(self)
        self.notes.setFixedHeight(56)
        names = {
            self.employee: "Employee",
            self.day: "Date",
            self.start: "Start time",
            self.end: "End time",
            self.location: "Location",
            self.department: "Department",
            self.status: "Status",
            self.published: "Published",
            self.notes: "Notes",
        }
        for widget, name in names.items():
            widget.setAccessibleName(name)

        self.error_labels = {name: error_label(self) for name in (*FIELDS, "other")}
        self.form = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget, field in (
            ("Employee", self.employee, "employee"),
            ("Date", self.day, "date"),
            ("Start", self.start, "start"),
            ("End", self.end, "end"),
            ("Location", self.location, None),
            ("Department", self.department, "department"),
            ("Status", self.status, "status"),
            ("", self.published, None),
            ("Notes", self.notes, None),
        ):
            if field:
                form.addRow(label, with_error(self, widget, self.error_labels[field]))
            else:
                form.addRow(label, widget)
        self.department_names = dict(departments)
        self.team_hint = QLabel(self)
        self.team_hint.setObjectName("TeamHint")
        self.team_hint.setWordWrap(True)
        self.team_hint.setProperty("role", "hint")
        self.open_hint = QLabel(OPEN_HINT, self)
        self.open_hint.setObjectName("OpenHint")
        self.open_hint.setWordWrap(True)
        self.open_hint.setProperty("role", "hint")
        self.open_hint.setVisible(False)
        self.problems = QLabel(self)
        self.problems.setObjectName("Problems")
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Conflicts and warnings")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Under the employee: who a whole-department shift binds (start_edit shows it).
        form.insertRow(1, "", self.team_hint)
        form.setRowVisible(self.team_hint, False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_labels["other"])
        layout.addWidget(self.open_hint)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        for signal in (
            self.employee.currentIndexChanged,
            self.day.dateChanged,
            self.start.textChanged,
            self.end.textChanged,
            self.department.currentIndexChanged,
            self.status.currentIndexChanged,
        ):
            signal.connect(self.validate)

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    # --- filling -------------------------------------------------------------------------

    def start_new(self, employee_id: str | None, day: date, department_id: str | None) -> None:
        self.setWindowTitle("New shift")
        self.form.setRowVisible(self.status.parentWidget(), False)  # a new shift is scheduled
        self._fill(
            employee_id, day, "09:00", "17:00", "", department_id, ShiftStatus.SCHEDULED, False, ""
        )

    def start_edit(self, shift: RosterShift, employee_id: str) -> None:
        self.setWindowTitle("Edit shift")
        self.shift, self.row_employee = shift, employee_id
        # A shift that reaches this person through their department is not theirs to
        # reassign; an open one is there to be given to someone.
        is_open = not shift.employee_ids and not shift.department_ids
        self.employee.setEnabled(employee_id in shift.employee_ids or is_open)
        if shift.department_ids:
            self.team_hint.setText(self._team_text(shift.department_ids))
            self.form.setRowVisible(self.team_hint, True)
        self._fill(
            employee_id,
            shift.day,
            shift.start_time,
            shift.end_time,
            shift.location,
            shift.department_id,
            shift.status,
            shift.published,
            shift.notes,
        )

    def _team_text(self, department_ids: tuple[str, ...]) -> str:
        """What a whole-department shift means, said where it is edited."""
        sizes = self.controller.team_sizes(department_ids)
        teams = " and ".join(self.department_names.get(d, "a department") for d in department_ids)
        people = sum(sizes.values())
        return (
            f"Whole department: every member of {teams} works this shift"
            f" ({people} {'person' if people == 1 else 'people'}). Each of them has these"
            " hours scheduled and is expected to clock in, or is marked absent."
        )

    def _fill(
        self,
        employee_id: str | None,
        day: date,
        start: str,
        end: str,
        location: str,
        department_id: str | None,
        status: str,
        published: bool,
        notes: str,
    ) -> None:
        widgets = (self.employee, self.day, self.start, self.end, self.department, self.status)
        for widget in widgets:
            widget.blockSignals(True)
        if employee_id is None:  # nobody chosen yet: the first person, not "nobody"
            self.employee.setCurrentIndex(min(1, self.employee.count() - 1))
        else:
            self.employee.setCurrentIndex(max(self.employee.findData(employee_id), 0))
        self.day.setDate(QDate(day.year, day.month, day.day))
        self.start.setText(start)
        self.end.setText(end)
        self.location.setText(location)
        self.department.setCurrentIndex(max(self.department.findData(department_id or ""), 0))
        self.status.setCurrentIndex(max(self.status.findData(str(status)), 0))
        self.published.setChecked(published)
        self.notes.setPlainText(notes)
        for widget in widgets:
            widget.blockSignals(False)
        self.validate()

    # --- checking ------------------------------------------------------------------------

    def draft(self) -> ShiftDraft:
        employee = self.employee.currentData() or ""
        if self.shift is None:
            people: tuple[str, ...] = (employee,) if employee else ()
            teams: tuple[str, ...] = ()
        else:
            # The row's person is replaced by the choice ("nobody" takes them off);
            # on an open shift the choice is who takes it.
            people = tuple(
                chosen
                for e in self.shift.employee_ids
                if (chosen := employee if e == self.row_employee else e)
            )
            if employee and not self.shift.employee_ids and not self.shift.department_ids:
                people = (employee,)
            teams = self.shift.department_ids
        qdate = self.day.date()
        return ShiftDraft(
            site_id=self.shift.site_id if self.shift else self.site_id,
            shift_date=date(qdate.year(), qdate.month(), qdate.day()),
            start_time=self.start.text().strip(),
            end_time=self.end.text().strip(),
            employee_ids=tuple(dict.fromkeys(people)),
            department_ids=teams,
            location=self.location.text().strip(),
            department_id=self.department.currentData() or None,
            status=str(self.status.currentData()),
            published=self.published.isChecked(),
            notes=self.notes.toPlainText().strip(),
        )

    def validate(self) -> bool:
        """Ask core about the draft; show what is wrong where it is wrong."""
        self.errors = {}
        self.check = Check()
        draft = self.draft()
        try:
            exclude = (self.shift.id,) if self.shift else ()
            self.check = self.controller.check_draft(draft, exclude)
        except ValidationError as error:
            field = error.field if error.field in FIELDS else "other"
            self.errors[field] = error.problem
        self.open_hint.setVisible(not draft.employee_ids and not draft.department_ids)
        self._show()
        ok = not self.errors and self.check.ok
        self.save_button.setEnabled(ok)
        return ok

    def _show(self) -> None:
        show_errors(self.error_labels, self.errors)
        for field, edit in (("start", self.start), ("end", self.end)):
            restyle(edit, "invalid", field in self.errors)
        lines = [f"✖ {c.reason}" for c in self.check.conflicts]
        lines += [f"⚠ {w.reason}" for w in self.check.warnings]
        self.problems.setText("\n".join(lines))
        restyle(self.problems, "role", "error" if self.check.conflicts else "warning")
        self.problems.setVisible(bool(lines))

    def accept(self) -> None:
        if not self.validate():
            return
        draft = self.draft()
        if self.shift is None:
            result = self.controller.create(draft)
        else:
            changes = {
                name: getattr(draft, name)
                for name in (
                    "shift_date",
                    "start_time",
                    "end_time",
                    "employee_ids",
                    "location",
                    "department_id",
                    "status",
                    "published",
                    "notes",
                )
            }
            result = self.controller.edit(self.shift.id, **changes)
        if result.conflicts:
            self.check = replace(self.check, conflicts=result.conflicts)
            self._show()
            self.save_button.setEnabled(False)
            return
        super().accept()
