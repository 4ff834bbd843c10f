"""The People page's dialogs: a person, a department's name and colour, and deleting a
department that is still in use.

Each is opened with ``open()`` (window-modal, never blocking the event loop) and
hands its values on through a signal; the page runs core's operation and, when
core refuses, gives the error back to show under the field at fault. Fields are
checked with core's own rules as they are typed (:func:`core.employees.checked_fields`),
so a form and an HR file can never disagree about what is a valid person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.employees import EmployeeRow, checked_fields
from core.errors import ValidationError
from core.organisation import DepartmentRow, DepartmentUsage
from desktop.forms import error_label, show_errors, with_error
from desktop.people.model import money_text, plain
from desktop.theme import restyle

#: The person's fields with an error line, named as core's errors name them.
FIELDS = (
    "first_name",
    "last_name",
    "email",
    "code",
    "department",
    "hourly_rate",
    "contract_hours",
    "employment_start",
    "employment_end",
    "site",
)
#: Colours a new department is offered, the first one nobody uses yet.
PALETTE = (
    "#4f7cac",
    "#d9822b",
    "#2f9e44",
    "#9c36b5",
    "#e03131",
    "#1098ad",
    "#f08c00",
    "#5c7cfa",
    "#c2255c",
    "#66a80f",
)


def _sentence(problem: str) -> str:
    return problem[:1].upper() + problem[1:]


def _dialog_buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class EmployeeDialog(QDialog):
    """Add a person, or edit one (``employee`` given)."""

    #: The values as :class:`core.employees.EmployeeDraft` (and ``edit_employee``) take them.
    submitted = Signal(dict)

    def __init__(
        self,
        departments: Sequence[DepartmentRow],
        sites: Sequence[tuple[str, str]],
        employee: EmployeeRow | None = None,
        *,
        currency: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EmployeeDialog")
        self.setWindowTitle(f"Edit {employee.name}" if employee else "Add a person")
        self.setMinimumWidth(440)
        self.employee = employee
        self.errors: dict[str, str] = {}
        #: Fields typed in: only their problems show before Save is pressed.
        self.touched: set[str] = set()
        self.first_name = QLineEdit(self)
        self.last_name = QLineEdit(self)
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("Optional, e.g. eva.fisher@example.com")
        self.code = QLineEdit(self)
        self.code.setPlaceholderText("Payroll number or badge id; optional")
        self.department = QComboBox(self)
        self.department.addItem("No department", "")
        for dept in departments:
            self.department.addItem(_swatch(dept.color), dept.name, dept.id)
        self.hourly_rate = QLineEdit(self)
        self.hourly_rate.setPlaceholderText("e.g. 18.50")
        self.contract_hours = QLineEdit(self)
        self.contract_hours.setPlaceholderText("Hours a week, 0 to 168")
        self.employment_start = QLineEdit(self)
        self.employment_start.setPlaceholderText("First day, YYYY-MM-DD; optional")
        self.employment_end = QLineEdit(self)
        self.employment_end.setPlaceholderText("Last day, YYYY-MM-DD; empty if open-ended")
        self.site = QComboBox(self)
        for site_id, name in sites:
            self.site.addItem(name, site_id)
        self.edits: dict[str, QLineEdit] = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "code": self.code,
            "hourly_rate": self.hourly_rate,
            "contract_hours": self.contract_hours,
            "employment_start": self.employment_start,
            "employment_end": self.employment_end,
        }
        limits = (100, 100, 200, 50, 14, 8, 10, 10)
        for edit, limit in zip(self.edits.values(), limits, strict=True):
            edit.setMaxLength(limit)
        rate = f"Hourly rate ({currency})" if currency else "Hourly rate"
        labels = {
            "first_name": "First name *",
            "last_name": "Last name *",
            "email": "E-mail",
            "code": "Payroll code",
            "department": "Department",
            "hourly_rate": rate,
            "contract_hours": "Contract hours / week",
            "employment_start": "Employed from",
            "employment_end": "Employed until",
            "site": "Site",
        }
        widgets: dict[str, QWidget] = {**self.edits, "department": self.department}
        widgets["site"] = self.site
        for field, widget in widgets.items():
            widget.setAccessibleName(labels[field].rstrip(" *"))
        self.error_labels = {field: error_label(self) for field in (*FIELDS, "other")}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field in FIELDS:
            if field == "site" and len(sites) < 2:
                self.site.hide()
                continue
            form.addRow(labels[field], with_error(self, widgets[field], self.error_labels[field]))
        self.buttons = _dialog_buttons(self, "Save" if employee else "Add person")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_labels["other"])
        layout.addWidget(self.buttons)
        self._fill(employee)
        for field, edit in self.edits.items():
            edit.textChanged.connect(lambda _text, field=field: self._typed(field))
        self.validate()

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _fill(self, employee: EmployeeRow | None) -> None:
        if employee is None:
            self.hourly_rate.setText("0.00")
            self.contract_hours.setText("40")
            return
        self.first_name.setText(employee.first_name)
        self.last_name.setText(employee.last_name)
        self.email.setText(employee.email or "")
        self.code.setText(employee.code or "")
        self.department.setCurrentIndex(max(self.department.findData(employee.department_id), 0))
        self.hourly_rate.setText(money_text(employee.hourly_rate))
        self.contract_hours.setText(plain(employee.contract_hours))
        for edit, day in (
            (self.employment_start, employee.employment_start),
            (self.employment_end, employee.employment_end),
        ):
            edit.setText(day.isoformat() if day else "")
        if employee.site_id:
            self.site.setCurrentIndex(max(self.site.findData(employee.site_id), 0))

    def values(self) -> dict[str, Any]:
        """What core's operation takes; the site only when there is a choice of sites."""
        values: dict[str, Any] = {
            "first_name": self.first_name.text(),
            "last_name": self.last_name.text(),
            "email": self.email.text().strip() or None,
            "code": self.code.text().strip() or None,
            "department_id": self.department.currentData() or None,
            "hourly_rate": self.hourly_rate.text(),
            "contract_hours": self.contract_hours.text(),
            "employment_start": self.employment_start.text(),
            "employment_end": self.employment_end.text(),
        }
        if not self.site.isHidden():
            values["site_id"] = self.site.currentData()
        return values

    def _typed(self, field: str) -> None:
        self.touched.add(field)
        self.validate()

    def validate(self) -> bool:
        """Every field through core's rules; Save stays off until all are right."""
        _clean, self.errors = checked_fields(self.values())
        self._show(self.touched)
        self.save_button.setEnabled(not self.errors)
        return not self.errors

    def _show(self, fields: set[str]) -> None:
        shown = {f: _sentence(e) for f, e in self.errors.items() if f in fields or f == "other"}
        show_errors(self.error_labels, shown)
        for field, edit in self.edits.items():
            restyle(edit, "invalid", field in shown)

    def show_error(self, error: ValidationError) -> None:
        """A refusal from core (a payroll code somebody has, say), under its field."""
        field = error.field if error.field in FIELDS else "other"
        self.errors = {field: error.problem}
        self._show({field})
        self.save_button.setEnabled(False)
        widget = self.edits.get(field)
        if widget is not None:
            widget.setFocus()

    def accept(self) -> None:
        """Hand the values on; the page closes the dialog once core took them."""
        if not self.validate():
            self._show(set(FIELDS))
            return
        self.submitted.emit(self.values())


def _swatch(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class ColourButton(QToolButton):
    """A swatch of the chosen colour; clicking it offers the colour picker."""

    def __init__(self, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Colour")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.picker: QColorDialog | None = None
        self.set_color(color)
        self.clicked.connect(self.choose)

    def set_color(self, color: str) -> None:
        self.color = QColor(color).name()
        self.setIcon(_swatch(self.color, 16))
        self.setText(self.color)

    def choose(self) -> QColorDialog:
        self.picker = QColorDialog(QColor(self.color), self)
        self.picker.setWindowTitle("Department colour")
        self.picker.colorSelected.connect(lambda chosen: self.set_color(chosen.name()))
        self.picker.open()
        return self.picker


class DepartmentDialog(QDialog):
    """A new department's name and colour, or another name for one (``name`` given)."""

    #: ``{"name": ..., "color": ...}`` (colour only when adding).
    submitted = Signal(dict)

    def __init__(
        self, taken_colors: Sequence[str], name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        renaming = bool(name)
        self.setObjectName("DepartmentDialog")
        self.setWindowTitle(f"Rename {name}" if renaming else "Add a department")
        self.setMinimumWidth(380)
        self.name = QLineEdit(name, self)
        self.name.setAccessibleName("Department name")
        self.name.setMaxLength(200)
        self.name.setPlaceholderText("e.g. Housekeeping")
        free = [c for c in PALETTE if c not in {t.lower() for t in taken_colors}]
        self.colour = ColourButton((free or PALETTE)[0], self)
        self.error_labels = {f: error_label(self) for f in ("name", "color", "other")}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Name *", with_error(self, self.name, self.error_labels["name"]))
        if renaming:
            self.colour.hide()
        else:
            form.addRow("Colour", with_error(self, self.colour, self.error_labels["color"]))
        self.buttons = _dialog_buttons(self, "Rename" if renaming else "Add department")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_labels["other"])
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._typed)
        self._typed(name)

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def values(self) -> dict[str, str]:
        values = {"name": self.name.text()}
        if not self.colour.isHidden():
            values["color"] = self.colour.color
        return values

    def _typed(self, text: str) -> None:
        show_errors(self.error_labels, {})
        restyle(self.name, "invalid", False)
        self.save_button.setEnabled(bool(text.strip()))

    def show_error(self, error: ValidationError) -> None:
        field = error.field if error.field in self.error_labels else "other"
        show_errors(self.error_labels, {field: _sentence(error.problem)})
        restyle(self.name, "invalid", field == "name")
        self.save_button.setEnabled(False)

    def accept(self) -> None:
        if self.name.text().strip():
            self.submitted.emit(self.values())


class DeleteDepartmentDialog(QDialog):
    """Delete a department; what still uses it moves to the one chosen here."""

    #: The department to move its people, templates and shifts ahead to ("" for none).
    confirmed = Signal(str)

    def __init__(
        self,
        department: DepartmentRow,
        usage: DepartmentUsage,
        others: Sequence[DepartmentRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("DeleteDepartmentDialog")
        self.setWindowTitle(f"Delete {department.name}")
        self.setMinimumWidth(440)
        name = department.name
        heading = QLabel(f"<b>Delete the department {name}?</b>", self)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        self.move_to = QComboBox(self)
        self.move_to.setAccessibleName("Move them to")
        self.error = error_label(self)
        if usage.empty:
            text = f"Nobody and nothing uses {name}. Shifts worked keep saying {name}."
            self.move_to.hide()
        else:
            used = [f"{usage.words()} still use {name}."]
            if usage.people:
                used.append("People: " + ", ".join(usage.people[:8]) + _more(usage.people, 8))
            if usage.templates:
                used.append("Templates: " + ", ".join(usage.templates[:5]))
            text = "\n".join(used)
            self.move_to.addItem("Choose a department…", "")
            for other in others:
                if other.id != department.id:
                    self.move_to.addItem(_swatch(other.color), other.name, other.id)
        detail = QLabel(text, self)
        detail.setWordWrap(True)
        detail.setProperty("role", "hint")
        layout.addWidget(detail)
        if not usage.empty:
            form = QFormLayout()
            form.addRow("Move them to", with_error(self, self.move_to, self.error))
            layout.addLayout(form)
        else:
            layout.addWidget(self.error)
        self.buttons = _dialog_buttons(self, f"Delete {name}")
        layout.addWidget(self.buttons)
        self.move_to.currentIndexChanged.connect(self._chosen)
        self._chosen()

    @property
    def delete_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _chosen(self, *_args: Any) -> None:
        show_errors({"move_to": self.error}, {})
        self.delete_button.setEnabled(self.move_to.isHidden() or bool(self.move_to.currentData()))

    def show_error(self, error: ValidationError) -> None:
        show_errors({"move_to": self.error}, {"move_to": _sentence(error.problem)})
        self.delete_button.setEnabled(False)

    def accept(self) -> None:
        self.confirmed.emit(self.move_to.currentData() or "")


def _more(items: Sequence[str], shown: int) -> str:
    return f" and {len(items) - shown} more" if len(items) > shown else ""
