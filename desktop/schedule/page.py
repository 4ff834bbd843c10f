"""The Schedule page: range and filter bar, notices, and the grid.

It fetches one snapshot per change through :func:`core.roster.load_roster`, hands
it to the model, and turns the controller's signals into notices and questions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.models import ShiftStatus
from core.results import Check
from core.roster import (
    RosterChoices,
    RosterFilter,
    RosterShift,
    load_roster,
    range_for,
    roster_choices,
    step,
)
from desktop.context import AppContext
from desktop.notice import NoticeBar
from desktop.schedule.controller import DropRequest, ScheduleController, describe
from desktop.schedule.dialog import ShiftDialog
from desktop.schedule.layout import DEPARTMENT_ROW, row_height
from desktop.schedule.legend import Legend
from desktop.schedule.model import RosterModel
from desktop.schedule.view import RosterView
from desktop.theme import icon

SPANS = (("week", "Week"), ("two_weeks", "2 weeks"), ("month", "Month"))


class SchedulePage(QWidget):
    title = "Schedule"
    #: A sentence for the status bar (drag feedback, selection size).
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Schedule")
        self.context = context
        self.controller = ScheduleController(context, self)
        self.model = RosterModel(self)
        self.view = RosterView(self.controller, self)
        self.view.setModel(self.model)
        self.notice = NoticeBar(self)
        self.anchor = date.today()
        self.span = "week"
        self._choices = RosterChoices((), (), ())
        self._build_toolbar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._toolbar)
        notice_box = QVBoxLayout()
        notice_box.setContentsMargins(12, 6, 12, 0)
        notice_box.addWidget(self.notice)
        layout.addLayout(notice_box)
        layout.addWidget(self.view, 1)
        self._connect()
        self.reload_choices()
        self.reload()

    # --- building ------------------------------------------------------------------------

    def _button(self, text: str, icon_name: str, tip: str, shortcut: str = "") -> QToolButton:
        button = QToolButton(self)
        action = QAction(icon(icon_name), text, self)
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAccessibleName(text)
        return button

    def _build_toolbar(self) -> None:
        bar = QFrame(self)
        bar.setObjectName("ScheduleToolbar")
        row = QHBoxLayout()
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(6)
        self.today_button = self._button("Today", "today", "Go to today", "Ctrl+T")
        self.prev_button = self._button("", "previous", "Previous range", "Alt+Left")
        self.prev_button.setAccessibleName("Previous range")
        self.prev_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.next_button = self._button("", "next", "Next range", "Alt+Right")
        self.next_button.setAccessibleName("Next range")
        self.next_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.range_label = QLabel(self)
        self.range_label.setObjectName("RangeLabel")
        self.range_label.setAccessibleName("Shown range")
        self.range_label.setMinimumWidth(230)
        row.addWidget(self.today_button)
        row.addWidget(self.prev_button)
        row.addWidget(self.next_button)
        row.addWidget(self.range_label)
        self.span_buttons = QButtonGroup(self)
        for key, text in SPANS:
            button = QToolButton(self)
            button.setText(text)
            button.setCheckable(True)
            button.setAccessibleName(f"Show {text.lower()}")
            button.setProperty("span", key)
            self.span_buttons.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.site_box = QComboBox(self)
        self.site_box.setAccessibleName("Site")
        self.department_box = QComboBox(self)
        self.department_box.setAccessibleName("Filter by department")
        self.department_box.setMinimumWidth(150)
        self.location_box = QComboBox(self)
        self.location_box.setAccessibleName("Filter by location")
        self.location_box.setMinimumWidth(150)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("Find a person…")
        self.name_edit.setAccessibleName("Filter by name")
        self.name_edit.setClearButtonEnabled(True)
        self.name_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.name_edit.setMinimumWidth(170)
        self.new_button = self._button("New shift", "add", "Add a shift", "Ctrl+N")
        self.copy_button = self._button(
            "Copy last week", "copy-week", "Copy the previous week's shifts into this week"
        )
        self.publish_button = self._button(
            "Publish", "publish", "Publish every shift shown in this range", "Ctrl+P"
        )
        for widget in (self.new_button, self.copy_button, self.publish_button):
            row.addWidget(widget)
        filters = QHBoxLayout()
        filters.setContentsMargins(12, 0, 12, 8)
        filters.setSpacing(6)
        for widget in (self.site_box, self.department_box, self.location_box, self.name_edit):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(Legend(self))
        column = QVBoxLayout(bar)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(row)
        column.addLayout(filters)
        self._toolbar = bar

    def _connect(self) -> None:
        self.today_button.defaultAction().triggered.connect(self.go_today)
        self.prev_button.defaultAction().triggered.connect(lambda: self.go(-1))
        self.next_button.defaultAction().triggered.connect(lambda: self.go(1))
        self.span_buttons.buttonClicked.connect(
            lambda button: self.set_span(str(button.property("span")))
        )
        self.site_box.currentIndexChanged.connect(self._site_changed)
        self.department_box.currentIndexChanged.connect(self.reload)
        self.location_box.currentIndexChanged.connect(self.reload)
        self.name_edit.textChanged.connect(self.reload)
        self.new_button.defaultAction().triggered.connect(self._new_from_current)
        self.copy_button.defaultAction().triggered.connect(self.copy_previous_week)
        self.publish_button.defaultAction().triggered.connect(self.publish_range)
        self.view.verticalHeader().sectionClicked.connect(self._header_clicked)
        self.view.new_requested.connect(self.open_new_dialog)
        self.view.edit_requested.connect(self.open_edit_dialog)
        self.view.delete_requested.connect(self.controller.delete)
        self.view.menu_requested.connect(self._show_menu)
        self.view.hint_changed.connect(self.status_message)
        self.view.selection_changed.connect(self._selection_changed)
        self.controller.notice.connect(self.notice.show_message)
        self.controller.confirm_drop.connect(self._confirm_drop)
        self.context.data_changed.connect(self._data_changed)
        self.context.store_changed.connect(self._store_changed)

    # --- state -------------------------------------------------------------------------------

    @property
    def range(self) -> tuple[date, date]:
        return range_for(self.anchor, self.span)

    @property
    def site_id(self) -> str | None:
        """The site edits go to: the chosen one, else the only (or first) one."""
        chosen = self.site_box.currentData()
        if chosen:
            return str(chosen)
        return self._choices.sites[0][0] if self._choices.sites else None

    @property
    def filter(self) -> RosterFilter:
        return RosterFilter(
            site_id=self.site_box.currentData() or None,
            department_id=self.department_box.currentData() or None,
            location=self.location_box.currentData() or "",
            name=self.name_edit.text(),
        )

    def go(self, direction: int) -> None:
        self.anchor = step(self.anchor, self.span, direction)
        self.reload()

    def go_today(self) -> None:
        self.anchor = date.today()
        self.reload()

    def set_span(self, span: str) -> None:
        self.span = span
        self.reload()

    def reload_choices(self) -> None:
        """Fill the filter boxes from the store, keeping what was chosen where possible."""
        with self.context.store.session() as session:
            self._choices = roster_choices(session, self.site_box.currentData() or None)
        self._refill(self.site_box, "All sites", [(sid, name) for sid, name in self._choices.sites])
        self.site_box.setVisible(len(self._choices.sites) > 1)
        self._refill(
            self.department_box,
            "All departments",
            [(did, name) for did, name, _ in self._choices.departments],
        )
        self._refill(
            self.location_box, "All locations", [(loc, loc) for loc in self._choices.locations]
        )

    @staticmethod
    def _refill(box: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(everything, "")
        for value, text in items:
            box.addItem(text, value)
        found = box.findData(current) if current else 0
        box.setCurrentIndex(max(found, 0))
        box.blockSignals(False)

    def reload(self) -> None:
        first, last = self.range
        with self.context.store.session() as session:
            roster = load_roster(session, first, last, self.filter)
        self.model.set_roster(roster)
        filtered = self.filter != RosterFilter(site_id=self.filter.site_id)
        self.view.empty_text = (
            "Nobody matches these filters."
            if filtered
            else "No people in this database yet. Add employees (or open the demo database)"
            " to start building a roster."
        )
        self._fit_rows()
        self.view.fit_columns()
        self.view.forget_missing_selection()
        self._show_range(first, last)

    def _show_range(self, first: date, last: date) -> None:
        for button in self.span_buttons.buttons():
            button.setChecked(button.property("span") == self.span)
        if self.span == "month":
            text = f"{first:%B %Y}"
        elif first.year != last.year:
            text = f"{first:%d %b %Y} – {last:%d %b %Y}"
        else:
            text = f"{first:%d %b} – {last:%d %b %Y}"
        if first <= date.today() <= last:
            text += "  ·  this week" if self.span == "week" else ""
        self.range_label.setText(text)
        self.range_label.setAccessibleDescription(text)

    def _fit_rows(self) -> None:
        header = self.view.verticalHeader()
        model = self.model
        for row in range(model.rowCount()):
            info = model.row_info(row)
            if info.employee is None:
                header.resizeSection(row, DEPARTMENT_ROW)
                continue
            band = any(
                model.roster.leave_on(info.employee.id, d) is not None
                and model.roster.shifts(info.employee.id, d)
                for d in model.days
            )
            header.resizeSection(row, row_height(model.lines(row), band))

    def _data_changed(self, changed: frozenset[str]) -> None:
        if changed & {"shifts", "leave", "employees", "departments"}:
            self.reload_choices()
            self.reload()

    def _store_changed(self) -> None:
        self.notice.hide()
        self.view.select_shifts(set())
        self.reload_choices()
        self.reload()

    def _site_changed(self) -> None:
        self.reload_choices()
        self.reload()

    def _header_clicked(self, row: int) -> None:
        info = self.model.row_info(row)
        if info.employee is None:
            self.model.toggle_department(info.department.id)
            self._fit_rows()

    def _selection_changed(self, count: int) -> None:
        self.status_message.emit(
            f"{count} shifts selected: Delete removes them" if count > 1 else ""
        )

    # --- actions ----------------------------------------------------------------------------

    def copy_previous_week(self) -> None:
        first, _ = range_for(self.anchor, "week")
        self.controller.copy_previous_week(first, self.site_id)

    def publish_range(self) -> None:
        first, last = self.range
        self.controller.publish(first, last, self.site_id)

    def context_menu(self, shift_id: str, employee_id: str, day: date) -> QMenu:
        """What a right-click offers: on a shift, edit / cancel or restore / delete;
        on an empty cell, a new shift."""
        menu = QMenu(self)
        menu.setObjectName("ShiftMenu")
        shift = self._shown_shift(shift_id, employee_id) if shift_id else None
        if shift is None:
            menu.addAction(
                icon("add"), "New shift…", lambda: self.open_new_dialog(employee_id, day)
            )
            return menu
        menu.addAction("Edit…", lambda: self.open_edit_dialog(shift.id, employee_id))
        if shift.cancelled:
            menu.addAction(
                "Restore shift",
                lambda: self.controller.edit(shift.id, status=ShiftStatus.SCHEDULED),
            )
        else:
            menu.addAction(
                "Cancel shift",
                lambda: self.controller.edit(shift.id, status=ShiftStatus.CANCELLED),
            )
        if not shift.published:
            menu.addAction("Publish", lambda: self.controller.edit(shift.id, published=True))
        menu.addSeparator()
        selected = self.view.selected_shifts or {shift.id}
        label = "Delete" if len(selected) == 1 else f"Delete {len(selected)} shifts"
        menu.addAction(icon("delete"), label, lambda: self.controller.delete(sorted(selected)))
        return menu

    def _show_menu(self, shift_id: str, employee_id: str, day: date, where: QPoint) -> None:
        menu = self.context_menu(shift_id, employee_id, day)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(where)

    def _shown_shift(self, shift_id: str, employee_id: str) -> RosterShift | None:
        return next(
            (
                s
                for key, cell in self.model.roster.cells.items()
                if key[0] == employee_id
                for s in cell
                if s.id == shift_id
            ),
            None,
        )

    def _confirm_drop(self, request: DropRequest, check: Check) -> None:
        """Ask before a drop that breaks a soft rule; non-modal, so a drag never blocks."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            f"{request.verb} shift?",
            f"{request.verb} this shift anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("ConfirmDrop")
        box.setInformativeText(describe(check))
        box.button(QMessageBox.StandardButton.Yes).setText(request.verb)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.controller.apply_drop(request)

        box.finished.connect(answered)
        box.open()

    def _new_from_current(self) -> None:
        index = self.view.currentIndex()
        info = self.model.row_info(index.row()) if index.isValid() else None
        employee = info.employee.id if info and info.employee else None
        day = self.model.days[index.column()] if index.isValid() else None
        self.open_new_dialog(employee, day)

    def _people(self) -> list[tuple[str, str]]:
        return [
            (emp.id, f"{emp.name} · {dept.name}")
            for dept in self.model.roster.departments
            for emp in dept.employees
        ]

    def open_new_dialog(self, employee_id: str | None, day: date | None) -> ShiftDialog | None:
        site = self.site_id
        if site is None:
            self.notice.show_message("info", "This database has no site yet; add people first.")
            return None
        dialog = ShiftDialog(
            self.controller,
            site_id=site,
            people=self._people(),
            departments=[(d, n) for d, n, _ in self._choices.departments],
            locations=list(self._choices.locations),
            parent=self,
        )
        dialog.start_new(employee_id, day or self.range[0], self._department_of(employee_id))
        dialog.open()
        return dialog

    def open_edit_dialog(self, shift_id: str, employee_id: str) -> ShiftDialog | None:
        shift = self._shown_shift(shift_id, employee_id)
        if shift is None:
            return None
        dialog = ShiftDialog(
            self.controller,
            site_id=shift.site_id,
            people=self._people(),
            departments=[(d, n) for d, n, _ in self._choices.departments],
            locations=list(self._choices.locations),
            parent=self,
        )
        dialog.start_edit(shift, employee_id)
        dialog.open()
        return dialog

    def _department_of(self, employee_id: str | None) -> str | None:
        for dept in self.model.roster.departments:
            if any(e.id == employee_id for e in dept.employees):
                return dept.id
        return None

    # --- settings ------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("schedule/span", self.span)
        settings.setValue("schedule/department", self.department_box.currentData() or "")
        settings.setValue("schedule/location", self.location_box.currentData() or "")
        settings.setValue("schedule/name", self.name_edit.text())
        settings.setValue(
            "schedule/collapsed", [d or "" for d in sorted(self.model.collapsed, key=str)]
        )

    def restore_state(self, settings: QSettings) -> None:
        span = str(settings.value("schedule/span", "week"))
        self.span = span if span in dict(SPANS) else "week"
        for box, key in ((self.department_box, "department"), (self.location_box, "location")):
            found = box.findData(str(settings.value(f"schedule/{key}", "")))
            box.blockSignals(True)
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)
        self.name_edit.blockSignals(True)
        self.name_edit.setText(str(settings.value("schedule/name", "")))
        self.name_edit.blockSignals(False)
        collapsed: Any = settings.value("schedule/collapsed", []) or []
        if isinstance(collapsed, str):
            collapsed = [collapsed]
        self.model.set_collapsed({c or None for c in collapsed})
        self.reload()
