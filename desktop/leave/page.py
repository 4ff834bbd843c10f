"""The Leave page: requests with filters, and the decisions on them.

Each decision is one core operation run through the context, so it is one undo
step and the Schedule view redraws through ``data_changed``. Which buttons are
on follows core's ``LEAVE_TRANSITIONS`` for the chosen request.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from PySide6.QtCore import QSettings, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.changes import Changes
from core.employees import EmployeeRow, list_employees
from core.errors import ValidationError
from core.identity import current_user
from core.leave import (
    LEAVE_TRANSITIONS,
    LeaveRow,
    approval_conflicts,
    approve_leave,
    cancel_leave,
    clash_counts,
    list_leave,
    reject_leave,
    request_leave,
)
from core.models import LeaveStatus
from core.results import Conflict, OpResult
from core.templates import site_zones
from desktop.context import AppContext
from desktop.dates import DateEdit, UntilFollowsFrom, to_date, to_qdate
from desktop.frame import beside, framed
from desktop.leave.details import LeaveDetails
from desktop.leave.dialogs import ClashDialog, LeaveRequestDialog
from desktop.leave.model import COLUMNS, EMPLOYEE, SORT_ROLE, LeaveModel, dates_text
from desktop.notice import NoticeBar
from desktop.stale import ReloadWhenShown
from desktop.theme import icon

STATUSES = (("", "All requests"), *((s.value, s.value.capitalize()) for s in LeaveStatus))
#: SHIFTS too: the clash column counts the shifts a request covers.
_RELOAD_ON = Changes.LEAVE | Changes.EMPLOYEES | Changes.DEPARTMENTS | Changes.SHIFTS


class LeavePage(QWidget):
    title = "Leave"
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Leave")
        self.context = context
        self.employees: list[EmployeeRow] = []
        self.notice = NoticeBar(self)
        self.model = LeaveModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(EMPLOYEE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(SORT_ROLE)
        self._build_bar()
        self.table = QTableView(self)
        self.table.setObjectName("LeaveTable")
        self.table.setAccessibleName("Leave requests")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("Dates"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        for column, width in enumerate((170, 70, 225, 70, 80, 90, 0, 215)):
            if width:
                self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(COLUMNS.index("Reason"), QHeaderView.ResizeMode.Stretch)
        self.details = LeaveDetails(self)
        self.details.setFixedWidth(340)
        self.zone = "UTC"
        self.empty = QLabel(self)
        self.empty.setProperty("role", "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        framed(self, self.bar).addLayout(beside(self.table, self.empty, self.details, 8), 1)
        self.notice.float_over(self.table)
        self.notice.follow_undo(self.context.flipped)
        #: Changes made while another page is shown wait until this one is shown.
        self.refresh = ReloadWhenShown(self, self.reload)
        self._connect()
        self.reload()

    def _build_bar(self) -> None:
        self.bar = QFrame(self)
        self.bar.setObjectName("ScheduleToolbar")
        self.status = QComboBox(self.bar)
        self.status.setAccessibleName("Filter by status")
        for value, text in STATUSES:
            self.status.addItem(text, value)
        self.name = QLineEdit(self.bar)
        self.name.setPlaceholderText("Find a person…")
        self.name.setAccessibleName("Filter by name")
        self.name.setClearButtonEnabled(True)
        self.name.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.name.setMinimumWidth(180)
        self.dated = QCheckBox("Between", self.bar)
        self.dated.setAccessibleName("Only requests between two dates")
        today = date.today()
        self.first = DateEdit(to_qdate(today.replace(day=1)), self.bar)
        self.last = DateEdit(to_qdate(today.replace(day=1) + timedelta(days=62)), self.bar)
        for edit, name in ((self.first, "From date"), (self.last, "Until date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
        UntilFollowsFrom(self.first, self.last)
        self.new_button = QPushButton(icon("add"), "Request leave…", self.bar)
        self.approve_button = QPushButton("Approve", self.bar)
        self.reject_button = QPushButton("Reject", self.bar)
        self.cancel_button = QPushButton("Cancel request", self.bar)
        self.new_button.setShortcut("Ctrl+N")
        self.new_button.setToolTip("Ask for leave on someone's behalf (Ctrl+N)")
        self.approve_button.setToolTip("Approve the chosen request")
        # Two rows, so everything fits a 1366-pixel screen: what the list is and
        # what can be done with it above, the filters below.
        title = QLabel("Leave", self.bar)
        title.setObjectName("RangeLabel")
        self.count = QLabel(self.bar)
        self.count.setProperty("role", "hint")
        self.count.setAccessibleName("Requests shown")
        actions = QHBoxLayout()
        actions.setSpacing(6)
        actions.addWidget(title)
        actions.addSpacing(8)
        actions.addWidget(self.count)
        actions.addStretch(1)
        for widget in (
            self.new_button,
            self.approve_button,
            self.reject_button,
            self.cancel_button,
        ):
            actions.addWidget(widget)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for widget in (self.status, self.name, self.dated, self.first, QLabel("–"), self.last):
            filters.addWidget(widget)
        filters.addStretch(1)
        rows = QVBoxLayout(self.bar)
        rows.setContentsMargins(12, 8, 12, 8)
        rows.setSpacing(6)
        rows.addLayout(actions)
        rows.addLayout(filters)

    def _connect(self) -> None:
        self.status.currentIndexChanged.connect(self.reload)
        for changed in (
            self.status.currentIndexChanged,
            self.first.dateChanged,
            self.last.dateChanged,
        ):
            changed.connect(self.notice.clear)
        self.dated.toggled.connect(self._dated_toggled)
        self.first.dateChanged.connect(self.reload)
        self.last.dateChanged.connect(self.reload)
        self.name.textChanged.connect(self._name_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.new_button.clicked.connect(self.open_request_dialog)
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject)
        self.cancel_button.clicked.connect(self.cancel)
        self.context.data_changed.connect(self._data_changed)
        self.context.store_changed.connect(self.reload)

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        keep = self.selected.id if self.selected else None
        first, last = (to_date(self.first.date()), to_date(self.last.date()))
        with self.context.store.session() as session:
            rows = list_leave(
                session,
                status=self.status.currentData() or None,
                first=first if self.dated.isChecked() else None,
                last=last if self.dated.isChecked() else None,
            )
            self.employees = list_employees(session)
            self.zone = next(iter(site_zones(session).values()), "UTC")
            clashes = clash_counts(session, [r.id for r in rows])
        self.model.set_rows(rows, self.zone, clashes)
        if keep:
            self.select(keep)
        self._update_empty()
        self._update_buttons()

    def _dated_toggled(self, on: bool) -> None:
        self.first.setEnabled(on)
        self.last.setEnabled(on)
        self.reload()

    def _name_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_empty()
        self._update_buttons()

    def _data_changed(self, changed: Changes) -> None:
        if changed & _RELOAD_ON:
            self.refresh.request()

    def _update_empty(self) -> None:
        shown = self.proxy.rowCount()
        pending = sum(
            1
            for n in range(shown)
            if self.model.row_at(self.proxy.mapToSource(self.proxy.index(n, 0)).row()).status
            == LeaveStatus.PENDING
        )
        self.count.setText(
            f"{shown} request{'s' * (shown != 1)}" + (f" · {pending} pending" if pending else "")
        )
        self.empty.setText(
            ""
            if shown
            else "No leave requests match these filters."
            if self.model.rowCount() or self.status.currentData() or self.dated.isChecked()
            else "No leave requests yet. Use “Request leave…” to add one."
        )
        self.empty.setVisible(not shown)

    # --- selection -------------------------------------------------------------------------

    @property
    def selected(self) -> LeaveRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select(self, leave_id: str) -> None:
        row = self.model.row_of(leave_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def _update_buttons(self) -> None:
        """Only the moves core allows from the chosen request's status."""
        row = self.selected
        allowed = LEAVE_TRANSITIONS.get(row.status, frozenset()) if row else frozenset()
        for button, target in (
            (self.approve_button, LeaveStatus.APPROVED),
            (self.reject_button, LeaveStatus.REJECTED),
            (self.cancel_button, LeaveStatus.CANCELLED),
        ):
            button.setEnabled(target in allowed)
        clashes: tuple[Conflict, ...] = ()
        if row is not None and row.status == LeaveStatus.PENDING:
            with self.context.store.session() as session:
                clashes = approval_conflicts(session, row.id)
        self.details.show_row(row, clashes, self.zone)
        self.status_message.emit(
            f"{row.employee}: {row.leave_type} leave {dates_text(row)}, {row.status}" if row else ""
        )

    # --- decisions ---------------------------------------------------------------------------

    def _label(self, row: LeaveRow) -> str:
        return f"{row.employee}, {dates_text(row)}"

    def _run(self, verb: str, row: LeaveRow, operation: partial[OpResult]) -> OpResult:
        try:
            result = self.context.run(f"{verb} leave: {self._label(row)}", operation)
        except ValidationError as error:
            self.notice.show_message("error", f"{verb} refused: {error.problem}.")
            return OpResult()
        if result.conflicts:
            reasons = "; ".join(c.reason for c in result.conflicts)
            self.notice.show_message("error", f"{verb} refused: {reasons}.")
        else:
            done = {"Approve": "approved", "Reject": "rejected", "Cancel": "cancelled"}[verb]
            extra = " ".join(f"{w.reason[0].upper()}{w.reason[1:]}." for w in result.warnings)
            self.notice.show_message(
                "warning" if result.warnings else "info",
                f"{row.employee}'s leave {done}. {extra} Ctrl+Z undoes it.".replace("  ", " "),
            )
        self.select(row.id)
        return result

    def approve(self) -> ClashDialog | None:
        """Approve at once, or first show the clashing shifts and core's choices."""
        row = self.selected
        if row is None or LeaveStatus.APPROVED not in LEAVE_TRANSITIONS[row.status]:
            return None
        with self.context.store.session() as session:
            clashes = approval_conflicts(session, row.id)
        if not clashes:
            self._run("Approve", row, partial(approve_leave, leave_id=row.id, actor=current_user()))
            return None
        dialog = ClashDialog(row.employee, clashes, self)
        dialog.chosen.connect(
            lambda choice: self._run(
                "Approve",
                row,
                partial(approve_leave, leave_id=row.id, actor=current_user(), on_clash=choice),
            )
        )
        dialog.open()
        return dialog

    def reject(self) -> None:
        row = self.selected
        if row is not None:
            self._run("Reject", row, partial(reject_leave, leave_id=row.id, actor=current_user()))

    def cancel(self) -> None:
        row = self.selected
        if row is not None:
            self._run("Cancel", row, partial(cancel_leave, leave_id=row.id, actor=current_user()))

    def open_request_dialog(self) -> LeaveRequestDialog:
        dialog = LeaveRequestDialog(self.employees, date.today() + timedelta(days=1), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(partial(self._request, dialog))
        dialog.open()
        return dialog

    def _request(self, dialog: LeaveRequestDialog, values: dict[str, object]) -> None:
        try:
            result = self.context.run("Request leave", partial(request_leave, **values))
        except ValidationError as error:
            dialog.show_error(error)
            return
        dialog.done(LeaveRequestDialog.DialogCode.Accepted)
        if self.status.currentData() not in ("", LeaveStatus.PENDING):
            self.status.setCurrentIndex(0)  # show the new request
        self.select(result.ids[0])
        self.notice.show_message("info", "Leave requested; it waits for a decision.")

    # --- settings ------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("leave/status", self.status.currentData() or "")
        settings.setValue("leave/name", self.name.text())

    def restore_state(self, settings: QSettings) -> None:
        found = self.status.findData(str(settings.value("leave/status", "") or ""))
        self.status.setCurrentIndex(max(found, 0))
        self.name.setText(str(settings.value("leave/name", "") or ""))
