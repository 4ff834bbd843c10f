"""The People page: everyone on the payroll with their department, code, rate and
contract hours, and the departments they are grouped in.

Adding, editing, deactivating and reactivating a person, and adding, renaming,
recolouring and deleting a department, are each one core operation run through
:meth:`AppContext.run`: one undo step each, and the other views hear of it through
``data_changed`` (``Changes.EMPLOYEES`` / ``Changes.DEPARTMENTS``). A refusal shows
in the dialog, under the field at fault; nothing here checks a rule itself.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.attendance import company_of
from core.changes import Changes
from core.employees import (
    EmployeeDraft,
    EmployeeRow,
    add_employee,
    deactivate_employee,
    edit_employee,
    list_employees,
    reactivate_employee,
)
from core.errors import ShiftDeskError, ValidationError
from core.organisation import (
    DepartmentRow,
    add_department,
    delete_department,
    department_usage,
    edit_department,
    list_departments,
)
from core.results import OpResult
from core.roster import roster_choices
from desktop.context import AppContext, Operation
from desktop.controls import person_search, refill
from desktop.frame import beside, framed
from desktop.notice import NoticeBar
from desktop.people.dialogs import DeleteDepartmentDialog, DepartmentDialog, EmployeeDialog
from desktop.people.model import (
    COLUMNS,
    NAME,
    NO_DEPARTMENT,
    NONE_CHOSEN,
    DepartmentsModel,
    EmployeesModel,
    PeopleFilter,
)
from desktop.table import list_table
from desktop.theme import icon

_RELOAD_ON = Changes.EMPLOYEES | Changes.DEPARTMENTS | Changes.ORGANISATION
_NOT_SET_UP = "This database is not set up yet: File → New database… creates one that is."


class PeoplePage(QWidget):
    title = "People"
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("People")
        self.context = context
        self.sites: tuple[tuple[str, str], ...] = ()
        self.currency = ""
        self.notice = NoticeBar(self)
        self.model = EmployeesModel(self)
        self.proxy = PeopleFilter(self)
        self.proxy.setSourceModel(self.model)
        self.departments = DepartmentsModel(self)
        self._build_bar()
        self.table = list_table(self, "PeopleTable", "People")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        # "Employed" fits "5 Dec 2026 – 30 Nov 2027"; the seven columns take 760 px,
        # what the table gets beside the departments on a 1366-pixel screen.
        for column, width in enumerate((150, 136, 70, 96, 96, 156, 56)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(
            COLUMNS.index("Status"), QHeaderView.ResizeMode.Stretch
        )
        self.empty = QLabel(self)
        self.empty.setProperty("role", "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        panel = self._build_departments_panel()
        framed(self, self.bar).addLayout(beside(self.table, self.empty, panel, 10), 1)
        self.notice.float_over(self.table)
        self.notice.follow_undo(self.context.flipped)
        self._connect()
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _build_bar(self) -> None:
        self.bar = QFrame(self)
        self.bar.setObjectName("ScheduleToolbar")
        title = QLabel("People", self.bar)
        title.setObjectName("RangeLabel")
        self.search = person_search(self.bar)
        self.search.setPlaceholderText("Find a person or code…")
        self.search.setMinimumWidth(220)
        self.department_box = QComboBox(self.bar)
        self.department_box.setAccessibleName("Filter by department")
        self.department_box.setMinimumWidth(160)
        self.inactive = QCheckBox("Include inactive", self.bar)
        self.inactive.setToolTip("Show people who left the schedule, to reactivate them")
        self.count = QLabel(self.bar)
        self.count.setProperty("role", "hint")
        self.count.setAccessibleName("People shown")
        self.add_button = QPushButton(icon("add"), "Add person…", self.bar)
        self.add_button.setShortcut("Ctrl+N")
        self.add_button.setToolTip("Add someone to the schedule (Ctrl+N)")
        self.edit_button = QPushButton("Edit…", self.bar)
        self.edit_button.setToolTip("Change the chosen person's details (or double-click them)")
        self.active_button = QPushButton("Deactivate", self.bar)
        self.active_button.setToolTip(
            "An inactive person keeps their history but cannot be scheduled;"
            " deactivating takes them off shifts that have not started"
        )
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(6)
        for widget in (title, self.search, self.department_box, self.inactive):
            row.addWidget(widget)
        row.addSpacing(8)
        row.addWidget(self.count)
        row.addStretch(1)
        for widget in (self.add_button, self.edit_button, self.active_button):
            row.addWidget(widget)

    def _build_departments_panel(self) -> QFrame:
        panel = QFrame(self)
        panel.setObjectName("Panel")
        panel.setFixedWidth(366)
        title = QLabel("Departments", panel)
        title.setObjectName("PanelTitle")
        self.department_table = list_table(panel, "DepartmentTable", "Departments")
        self.department_table.setModel(self.departments)
        header = self.department_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.add_department_button = QPushButton(icon("add"), "Add…", panel)
        self.add_department_button.setToolTip("Add a department")
        self.rename_button = QPushButton("Rename…", panel)
        self.colour_button = QPushButton("Colour…", panel)
        self.colour_button.setToolTip("The colour of the department's shifts in the schedule")
        self.delete_department_button = QPushButton("Delete…", panel)
        self.delete_department_button.setObjectName("DangerButton")
        hint = QLabel("Shifts in the schedule take their department's colour.", panel)
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (
            self.add_department_button,
            self.rename_button,
            self.colour_button,
            self.delete_department_button,
        ):
            buttons.addWidget(button)
        column = QVBoxLayout(panel)
        column.setContentsMargins(12, 12, 12, 12)
        column.addWidget(title)
        column.addWidget(self.department_table, 1)
        column.addLayout(buttons)
        column.addWidget(hint)
        return panel

    def _connect(self) -> None:
        self.search.textChanged.connect(lambda text: self._filter(text=text))
        self.department_box.currentIndexChanged.connect(
            lambda _i: self._filter(department=self.department_box.currentData() or "")
        )
        self.inactive.toggled.connect(lambda on: self._filter(inactive=on))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda _index: self.edit_person())
        self.department_table.selectionModel().selectionChanged.connect(
            lambda *_: self._update_buttons()
        )
        self.department_table.doubleClicked.connect(lambda _index: self.rename_department())
        self.add_button.clicked.connect(self.add_person)
        self.edit_button.clicked.connect(self.edit_person)
        self.active_button.clicked.connect(self.toggle_active)
        self.add_department_button.clicked.connect(self.add_department)
        self.rename_button.clicked.connect(self.rename_department)
        self.colour_button.clicked.connect(self.choose_colour)
        self.delete_department_button.clicked.connect(self.delete_department)
        self.context.data_changed.connect(self._data_changed)
        self.context.store_changed.connect(self.reload)

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Everyone (inactive people too: the filter hides them) and every department."""
        keep = self.selected.id if self.selected else None
        keep_dept = self.selected_department.id if self.selected_department else None
        with self.context.store.session() as session:
            rows = list_employees(session, include_inactive=True)
            departments = list_departments(session)
            self.sites = roster_choices(session).sites
            try:
                self.currency = company_of(session).currency
            except ShiftDeskError:
                self.currency = ""
        self.model.set_rows(rows, {d.id: d.color for d in departments}, self.currency)
        self.departments.set_rows(departments)
        refill(
            self.department_box,
            "All departments",
            [(d.id, d.name) for d in departments] + [(NONE_CHOSEN, NO_DEPARTMENT)],
        )
        self.proxy.set_filter(department=self.department_box.currentData() or "")
        if keep:
            self.select(keep)
        if keep_dept:
            self.select_department(keep_dept)
        self._update_count()
        self._update_buttons()

    def _data_changed(self, changed: Changes) -> None:
        if changed & _RELOAD_ON:
            self.reload()

    def _filter(self, **what: object) -> None:
        self.proxy.set_filter(**what)  # type: ignore[arg-type]
        self._update_count()
        self._update_buttons()

    def _update_count(self) -> None:
        shown = self.proxy.rowCount()
        hidden = 0 if self.proxy.show_inactive else sum(not r.active for r in self.model.rows)
        self.count.setText(
            f"{shown} {'person' if shown == 1 else 'people'}"
            + (f" · {hidden} inactive hidden" if hidden else "")
        )
        if shown:
            self.empty.setText("")
        elif self.model.rowCount():
            self.empty.setText("Nobody matches these filters.")
        else:
            self.empty.setText(
                "No people yet. Use “Add person…”, or File → Import employees from CSV…"
            )
        self.empty.setVisible(not shown)

    # --- selection ----------------------------------------------------------------------------

    @property
    def selected(self) -> EmployeeRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    @property
    def selected_department(self) -> DepartmentRow | None:
        rows = self.department_table.selectionModel().selectedRows()
        return self.departments.row_at(rows[0].row()) if rows else None

    def select(self, employee_id: str) -> None:
        row = self.model.row_of(employee_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else None
        if index is not None and index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def select_department(self, department_id: str) -> None:
        row = self.departments.row_of(department_id)
        if row >= 0:
            self.department_table.selectionModel().select(
                self.departments.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _update_buttons(self) -> None:
        person = self.selected
        self.edit_button.setEnabled(person is not None)
        self.active_button.setEnabled(person is not None)
        self.active_button.setText("Reactivate" if person and not person.active else "Deactivate")
        dept = self.selected_department
        for button in (self.rename_button, self.colour_button, self.delete_department_button):
            button.setEnabled(dept is not None)
        if person is not None:
            where = person.department or NO_DEPARTMENT
            code = f", code {person.code}" if person.code else ""
            state = "" if person.active else " (inactive)"
            self.status_message.emit(f"{person.name}{state}: {where}{code}")
        else:
            self.status_message.emit("")

    # --- running operations --------------------------------------------------------------------

    def _run(self, text: str, operation: Operation, dialog: QDialog | None = None) -> OpResult:
        """One operation as one undo step; a refusal goes to the dialog, or the notice."""
        try:
            result = self.context.run(text, operation)
        except ValidationError as error:
            show = getattr(dialog, "show_error", None)
            if show is not None:
                show(error)
            else:
                self.notice.show_message("error", f"{text}: refused. {error.problem}.")
            return OpResult()
        if dialog is not None:
            dialog.done(QDialog.DialogCode.Accepted)
        return result

    def _done(self, message: str, result: OpResult) -> None:
        extra = " ".join(f"{w.reason[0].upper()}{w.reason[1:]}." for w in result.warnings)
        self.notice.show_message(
            "warning" if result.warnings else "info",
            " ".join(part for part in (message, extra, "Ctrl+Z undoes it.") if part),
        )

    def _dialog(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # --- people -------------------------------------------------------------------------------

    def add_person(self) -> EmployeeDialog | None:
        if not self.sites:
            self.notice.show_message("info", _NOT_SET_UP)
            return None
        dialog = EmployeeDialog(
            self.departments.rows, self.sites, currency=self.currency, parent=self
        )
        dialog.submitted.connect(partial(self._add, dialog))
        self._dialog(dialog)
        return dialog

    def _add(self, dialog: EmployeeDialog, values: dict) -> None:
        draft = EmployeeDraft(**values)
        name = f"{draft.first_name.strip()} {draft.last_name.strip()}"
        result = self._run(f"Add {name}", partial(add_employee, draft=draft), dialog)
        if result.applied:
            if self.search.text() or self.department_box.currentIndex() > 0:
                self.search.clear()  # show the new person
                self.department_box.setCurrentIndex(0)
            self.select(result.ids[0])
            self._done(f"{name} added.", result)

    def edit_person(self) -> EmployeeDialog | None:
        person = self.selected
        if person is None:
            return None
        dialog = EmployeeDialog(
            self.departments.rows, self.sites, person, currency=self.currency, parent=self
        )
        dialog.submitted.connect(partial(self._edit, dialog, person))
        self._dialog(dialog)
        return dialog

    def _edit(self, dialog: EmployeeDialog, person: EmployeeRow, values: dict) -> None:
        operation = partial(edit_employee, employee_id=person.id, **values)
        result = self._run(f"Edit {person.name}", operation, dialog)
        if result.applied:
            self.select(person.id)
            self._done(f"{person.name}'s details saved.", result)

    def toggle_active(self) -> OpResult:
        """Deactivate the chosen person, or reactivate an inactive one."""
        person = self.selected
        if person is None:
            return OpResult()
        if person.active:
            result = self._run(
                f"Deactivate {person.name}", partial(deactivate_employee, employee_id=person.id)
            )
            if result.applied:
                shown = "" if self.inactive.isChecked() else " “Include inactive” shows them."
                self._done(f"{person.name} deactivated.{shown}", result)
        else:
            result = self._run(
                f"Reactivate {person.name}", partial(reactivate_employee, employee_id=person.id)
            )
            if result.applied:
                self._done(f"{person.name} can be scheduled again.", result)
        self.select(person.id)
        return result

    # --- departments ----------------------------------------------------------------------------

    def add_department(self) -> DepartmentDialog | None:
        if not self.sites:
            self.notice.show_message("info", _NOT_SET_UP)
            return None
        dialog = DepartmentDialog([d.color for d in self.departments.rows], parent=self)
        dialog.submitted.connect(partial(self._add_department, dialog))
        self._dialog(dialog)
        return dialog

    def _add_department(self, dialog: DepartmentDialog, values: dict) -> None:
        name = " ".join(values["name"].split())
        operation = partial(add_department, name=values["name"], color=values.get("color"))
        result = self._run(f"Add department {name}", operation, dialog)
        if result.applied:
            self.select_department(result.ids[0])
            self._done(f"Department {name} added.", result)

    def rename_department(self) -> DepartmentDialog | None:
        dept = self.selected_department
        if dept is None:
            return None
        dialog = DepartmentDialog([], name=dept.name, parent=self)
        dialog.submitted.connect(partial(self._rename, dialog, dept))
        self._dialog(dialog)
        return dialog

    def _rename(self, dialog: DepartmentDialog, dept: DepartmentRow, values: dict) -> None:
        name = " ".join(values["name"].split())
        operation = partial(edit_department, department_id=dept.id, name=values["name"])
        result = self._run(f"Rename department {dept.name} to {name}", operation, dialog)
        if result.applied:
            self._done(f"{dept.name} is now called {name}.", result)

    def choose_colour(self) -> QColorDialog | None:
        dept = self.selected_department
        if dept is None:
            return None
        picker = QColorDialog(QColor(dept.color), self)
        picker.setWindowTitle(f"Colour of {dept.name}")
        picker.colorSelected.connect(lambda chosen: self.recolour(dept, chosen.name()))
        self._dialog(picker)
        return picker

    def recolour(self, dept: DepartmentRow, color: str) -> OpResult:
        operation = partial(edit_department, department_id=dept.id, color=color)
        result = self._run(f"Recolour department {dept.name}", operation)
        if result.applied:
            self._done(f"{dept.name}'s shifts are now drawn in {color}.", result)
        return result

    def delete_department(self) -> DeleteDepartmentDialog | None:
        dept = self.selected_department
        if dept is None:
            return None
        with self.context.store.session() as session:
            usage = department_usage(session, dept.id)
        dialog = DeleteDepartmentDialog(dept, usage, self.departments.rows, self)
        dialog.confirmed.connect(partial(self._delete_department, dialog, dept))
        self._dialog(dialog)
        return dialog

    def _delete_department(
        self, dialog: DeleteDepartmentDialog, dept: DepartmentRow, move_to: str
    ) -> None:
        operation = partial(delete_department, department_id=dept.id, move_to=move_to or None)
        result = self._run(f"Delete department {dept.name}", operation, dialog)
        if result.applied:
            self._done(f"Department {dept.name} deleted.", result)

    # --- settings -----------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("people/name", self.search.text())
        settings.setValue("people/department", self.department_box.currentData() or "")
        settings.setValue("people/inactive", self.inactive.isChecked())

    def restore_state(self, settings: QSettings) -> None:
        self.search.setText(str(settings.value("people/name", "") or ""))
        found = self.department_box.findData(str(settings.value("people/department", "") or ""))
        self.department_box.setCurrentIndex(max(found, 0))
        self.inactive.setChecked(str(settings.value("people/inactive", "false")) == "true")
