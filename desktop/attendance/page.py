"""The Attendance page: scheduled against actual per employee-day, corrected and signed off.

It fetches one :func:`core.attendance.attendance` snapshot per change for the
period and the people the filters leave, hands it to the day and totals models,
and runs corrections and approvals through :meth:`AppContext.run`, so each is one
undo step.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.attendance import approve_days, attendance
from core.changes import Changes
from core.employees import list_employees
from core.errors import ShiftDeskError, ValidationError
from core.identity import current_user
from desktop.attendance.delegate import ChipDelegate
from desktop.attendance.dialog import CorrectionDialog
from desktop.attendance.flags import FlagLegend
from desktop.attendance.model import FLAGS, STATUS, DayModel, Snapshot, TotalsModel, has_problem
from desktop.context import AppContext
from desktop.controls import action_button, person_search, refill
from desktop.jobs import LatestJob
from desktop.notice import NoticeBar, plural
from desktop.period import PeriodPicker, describe
from desktop.stale import ReloadWhenShown
from desktop.theme import icon

#: Kinds of change (``OpResult.changed``) that alter what this page shows.
RELOAD_ON = (
    Changes.ATTENDANCE
    | Changes.SHIFTS
    | Changes.LEAVE
    | Changes.EMPLOYEES
    | Changes.DEPARTMENTS
    | Changes.PUNCHES
    | Changes.ORGANISATION  # the pay policy: grace, matching windows, breaks
    | Changes.PAY_PERIODS  # closing or reopening one changes which rules its days use
)

#: Rows a column's width is fitted to (see :func:`_table`).
FIT_SAMPLE = 200


def _table(parent: QWidget, name: str) -> QTableView:
    table = QTableView(parent)
    table.setObjectName("ReportTable")
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(30)
    table.horizontalHeader().setHighlightSections(False)
    # Columns fit the rows in view and a sample of the rest, not a month's 7,500 rows
    # (Qt's default samples 1,000: a quarter of a second on every reload).
    table.horizontalHeader().setResizeContentsPrecision(FIT_SAMPLE)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
    return table


#: What a reload hands back: the snapshot, and why it is empty when it is ("" if not).
Derived = tuple[Snapshot, str]


def _derive(session: Session, *, first: date, last: date, department: str, needle: str) -> Derived:
    """The period's attendance for the people in ``department`` ("" for all) whose
    name or code holds ``needle``; runs on a worker, in its own session."""
    people = [
        e
        for e in list_employees(session, include_inactive=True)
        if (not department or e.department == department)
        and (not needle or needle in e.name.casefold() or needle in (e.code or "").casefold())
    ]
    try:
        derived = attendance(session, first, last, employee_ids=[p.id for p in people])
    except ValidationError as error:
        return Snapshot.empty(), error.problem
    departments = {p.id: p.department or "" for p in people}
    return Snapshot(derived.people, departments, derived.days), ""


class AttendancePage(QWidget):
    title = "Attendance"
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Attendance")
        self.context = context
        self.snapshot = Snapshot.empty()
        #: The period being worked out (see :meth:`reload`).
        self._load = LatestJob(self)
        #: Why the snapshot is empty, when it is for a reason ("" if not).
        self._problem = ""
        self.period = PeriodPicker(self, weeks_back=1)
        self.department_box = QComboBox(self)
        self.department_box.setAccessibleName("Filter by department")
        self.department_box.setMinimumWidth(160)
        self.name_edit = person_search(self)
        self.problems_only = QCheckBox("Only days with problems", self)
        self.correct_button = action_button(self, "Correct…", "Correct the selected day", "Ctrl+E")
        self.approve_button = action_button(
            self, "Approve", "Approve the selected days as they stand", "Ctrl+Return"
        )
        self.approve_button.defaultAction().setIcon(icon("publish"))
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Summary")
        self.summary.setProperty("role", "hint")
        self.notice = NoticeBar(self)
        self.days = DayModel(self)
        self.totals = TotalsModel(self)
        self.day_table = _table(self, "Employee days")
        self.day_table.setModel(self.days)
        self.day_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        chips = ChipDelegate(self.day_table)
        self.day_table.setItemDelegateForColumn(FLAGS, chips)
        self.day_table.setItemDelegateForColumn(STATUS, chips)
        self.totals_table = _table(self, "Totals per employee")
        self.totals_table.setModel(self.totals)
        self.totals_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "hint")
        self.empty.setWordWrap(True)
        self._layout()
        #: Changes made while another page is shown wait until this one is shown.
        self.refresh = ReloadWhenShown(self, self.reload)
        self._connect()
        self.reload_choices()
        self.reload()

    def _layout(self) -> None:
        bar = QFrame(self)
        bar.setObjectName("ReportToolbar")
        top = QHBoxLayout()
        top.setContentsMargins(12, 8, 12, 8)
        top.setSpacing(6)
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.correct_button)
        top.addWidget(self.approve_button)
        filters = QHBoxLayout()
        filters.setContentsMargins(12, 0, 12, 8)
        filters.setSpacing(10)
        for widget in (self.department_box, self.name_edit, self.problems_only):
            filters.addWidget(widget)
        filters.addStretch(1)
        # The legend on a row of its own: beside the filters it passed a 1366 px screen.
        legend = QHBoxLayout()
        legend.setContentsMargins(12, 0, 12, 8)
        legend.addWidget(FlagLegend(self))
        legend.addStretch(1)
        column = QVBoxLayout(bar)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(top)
        column.addLayout(filters)
        column.addLayout(legend)
        totals_box = QWidget(self)
        totals_layout = QVBoxLayout(totals_box)
        totals_layout.setContentsMargins(0, 0, 0, 0)
        totals_layout.setSpacing(2)
        heading = QLabel("Totals for the period", totals_box)
        heading.setObjectName("SectionHeading")
        totals_layout.addWidget(heading)
        totals_layout.addWidget(self.totals_table)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.day_table)
        self.splitter.addWidget(totals_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        body = QVBoxLayout()
        body.setContentsMargins(12, 6, 12, 8)
        body.setSpacing(6)
        body.addWidget(self.summary)
        body.addWidget(self.empty)
        body.addWidget(self.splitter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addLayout(body, 1)
        self.notice.float_over(self.day_table)
        self.notice.follow_undo(self.context.flipped)

    def _connect(self) -> None:
        self.period.changed.connect(lambda _first, _last: self.reload())
        self.period.changed.connect(self.notice.clear)
        self.department_box.currentIndexChanged.connect(self.reload)
        self.name_edit.textChanged.connect(self.reload)
        self.problems_only.toggled.connect(self._show_days)
        self.correct_button.defaultAction().triggered.connect(lambda: self.open_correction())
        self.approve_button.defaultAction().triggered.connect(self.approve_selected)
        self.day_table.doubleClicked.connect(lambda index: self.open_correction(index.row()))
        self.day_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.totals_table.clicked.connect(self._totals_clicked)
        self.context.data_changed.connect(self._data_changed)
        self.context.store_changed.connect(self._store_changed)

    # --- loading ---------------------------------------------------------------------------

    def reload_choices(self) -> None:
        with self.context.store.session() as session:
            names = sorted({e.department for e in list_employees(session) if e.department})
        refill(self.department_box, "All departments", [(name, name) for name in names])

    @property
    def loading(self) -> bool:
        """A period is being worked out on a worker; the tables still show the last one."""
        return self._load.running

    def reload(self) -> None:
        """Work out the period for the people the filters leave, on a worker (a month
        of 500 people takes a second); the selected days are kept. A newer reload
        supersedes one still running: only the last one's result is shown."""
        first, last = self.period.period
        department = self.department_box.currentData() or ""
        needle = self.name_edit.text().strip().casefold()
        self.summary.setText(f"Working out attendance for {describe(first, last)}…")
        self.status_message.emit("Working out attendance…")
        self._load.start(
            self.context.store,
            partial(_derive, first=first, last=last, department=department, needle=needle),
            self._loaded,
            self._loaded,
        )

    def _loaded(self, found: Derived | ShiftDeskError) -> None:
        self.status_message.emit("")
        if isinstance(found, ShiftDeskError):
            self.snapshot, self._problem = Snapshot.empty(), str(getattr(found, "problem", found))
        else:
            self.snapshot, self._problem = found
        self._show_days()

    def _show_days(self) -> None:
        """The snapshot's days into the tables ("only problems" narrows them here,
        with no new fetch); the selected days are kept."""
        problem = self._problem
        kept = self.selected_keys()
        shown = [
            d for d in self.snapshot.days if not self.problems_only.isChecked() or has_problem(d)
        ]
        self.days.set_snapshot(self.snapshot, shown)
        # The period's totals of the people shown: "only problems" narrows the days, not them.
        self.totals.set_snapshot(self.snapshot, self.snapshot.days)
        self._fit()
        self._show_summary(shown, problem)
        self.select_keys(kept)
        self._selection_changed()  # a reset model may have dropped the selection quietly

    def _fit(self) -> None:
        for table in (self.day_table, self.totals_table):
            header = table.horizontalHeader()
            header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
            for column in range(header.count() - 1):
                header.resizeSection(column, header.sectionSize(column) + 10)
        self.day_table.horizontalHeader().setStretchLastSection(True)

    def _show_summary(self, shown: list, problem: str) -> None:
        total = len(self.snapshot.days)
        problems = sum(1 for d in self.snapshot.days if has_problem(d))
        approved = sum(1 for d in self.snapshot.days if d.approved)
        self.summary.setText(
            f"{total} employee-days · {problems} with problems · {approved} approved"
            + (f" · showing {len(shown)}" if len(shown) != total else "")
        )
        if problem:
            text = f"Nothing to show: {problem}."
        elif not shown and self.problems_only.isChecked() and total:
            text = "No problems in this period: every day matches its schedule."
        elif not shown:
            text = "No shifts or punches in this period for these people."
        else:
            text = ""
        self.empty.setText(text)
        self.empty.setVisible(bool(text))
        self.splitter.setVisible(not text)

    def _data_changed(self, changed: Changes) -> None:
        if changed & (Changes.EMPLOYEES | Changes.DEPARTMENTS):
            self.reload_choices()
        if changed & RELOAD_ON:
            self.refresh.request()

    def _store_changed(self) -> None:
        self.notice.hide()
        self.reload_choices()
        self.reload()

    # --- selection -----------------------------------------------------------------------

    def selected_keys(self) -> list[tuple[str, date]]:
        """The selected employee-days, ``(employee_id, work_date)``, in table order."""
        rows = sorted({i.row() for i in self.day_table.selectionModel().selectedRows()})
        return [(self.days.day(r).employee_id, self.days.day(r).work_date) for r in rows]

    def select_keys(self, keys: list[tuple[str, date]]) -> None:
        selection = QItemSelection()
        for key in keys:
            row = self.days.row_of(*key)
            if row >= 0:
                last = self.days.columnCount() - 1
                selection.select(self.days.index(row, 0), self.days.index(row, last))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.day_table.selectionModel().select(selection, flags)

    def _selection_changed(self) -> None:
        count = len(self.selected_keys())
        self.correct_button.setEnabled(count == 1)
        self.approve_button.setEnabled(count > 0)
        self.approve_button.defaultAction().setText(
            f"Approve {plural(count, 'day')}" if count > 1 else "Approve"
        )
        self.status_message.emit(
            f"{plural(count, 'day')} selected: Approve signs them off as they stand"
            if count > 1
            else ""
        )

    def _totals_clicked(self, index) -> None:
        person = self.totals.totals(index.row()).person.id
        rows = [r for r in range(self.days.rowCount()) if self.days.day(r).employee_id == person]
        if rows:
            self.day_table.scrollTo(self.days.index(rows[0], 0))
            self.select_keys([(person, self.days.day(r).work_date) for r in rows])

    # --- actions -----------------------------------------------------------------------------

    def open_correction(self, row: int | None = None) -> CorrectionDialog | None:
        """The correction dialog for ``row`` (default: the selected day)."""
        if row is None:
            keys = self.selected_keys()
            if len(keys) != 1:
                return None
            row = self.days.row_of(*keys[0])
        day = self.days.day(row)
        dialog = CorrectionDialog(self.context, day, self.days.name(day), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def approve_selected(self) -> None:
        keys = self.selected_keys()
        if not keys:
            return
        noun = plural(len(keys), "day")
        try:
            self.context.run(
                f"Approve {noun}", partial(approve_days, days=keys, actor=current_user())
            )
        except ValidationError as error:
            self.notice.show_message("error", f"Not approved: {error.problem}.")
            return
        self.notice.show_message("info", f"{noun.capitalize()} approved. Ctrl+Z takes it back.")

    # --- settings --------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        self.period.save_state(settings, "attendance")
        settings.setValue("attendance/department", self.department_box.currentData() or "")
        settings.setValue("attendance/name", self.name_edit.text())
        settings.setValue("attendance/problems_only", self.problems_only.isChecked())

    def restore_state(self, settings: QSettings) -> None:
        widgets = (self.period, self.department_box, self.name_edit, self.problems_only)
        for widget in widgets:
            widget.blockSignals(True)
        self.period.restore_state(settings, "attendance")
        found = self.department_box.findData(str(settings.value("attendance/department", "")))
        self.department_box.setCurrentIndex(max(found, 0))
        self.name_edit.setText(str(settings.value("attendance/name", "")))
        only = settings.value("attendance/problems_only", False)
        self.problems_only.setChecked(only in (True, "true"))
        for widget in widgets:
            widget.blockSignals(False)
        self.reload()
