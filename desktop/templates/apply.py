"""Applying a template: who and when, a dry run to look at, then one commit.

Both the dry run and the commit run on a pool thread in their own session, since
a year for many people is tens of thousands of shifts. The commit writes what the
dry run showed when nothing was written to the store since (core's
:func:`~core.templates.commit_dry_run`), and expands again otherwise, so what is
written is checked against the roster as it is at that moment; the result becomes
one undo step through :meth:`AppContext.record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.employees import EmployeeRow
from core.errors import ShiftDeskError, ValidationError
from core.results import OpResult
from core.store import Store
from core.templates import (
    Application,
    DryRun,
    OnConflict,
    ProposedShift,
    commit_dry_run,
    dry_run,
)
from core.timeutil import week_start
from desktop.context import AppContext
from desktop.dates import DateEdit, UntilFollowsFrom, to_date, to_qdate
from desktop.jobs import start_job
from desktop.notice import plural
from desktop.templates.model import ExpansionModel, TemplateItem


def preview_job(
    session: Session, store: Store, applications: Sequence[Application], first: date, last: date
) -> tuple[DryRun, tuple[ProposedShift, ...]]:
    """The dry run, kept for the commit, and its proposed shifts, built on the worker so
    the UI thread only shows them."""
    dry = dry_run(store, session, applications, first, last)
    return dry, dry.expansion.shifts


def with_warnings(count: int) -> str:
    """ "160 shifts with warnings": how the preview and the result both count them
    (a shift with three warnings is one)."""
    return f"{plural(count, 'shift')} with warnings"


class CheckList(QWidget):
    """A titled list of things to tick, with a filter when it is long."""

    changed = Signal()

    def __init__(self, title: str, filter_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setObjectName("SectionTitle")
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(filter_text)
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName(filter_text)
        self.list = QListWidget(self)
        self.list.setAccessibleName(title)
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        self.filter.textChanged.connect(self._filter)
        self.list.itemChanged.connect(lambda _item: self.changed.emit())

    def set_items(self, items: Sequence[tuple[str, str]]) -> None:
        chosen = set(self.chosen())
        self.list.blockSignals(True)
        self.list.clear()
        for value, text in items:
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if value in chosen else Qt.CheckState.Unchecked
            )
        self.list.blockSignals(False)
        self._filter(self.filter.text())

    def chosen(self) -> tuple[str, ...]:
        return tuple(
            str(self.list.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.list.count())
            if self.list.item(n).checkState() == Qt.CheckState.Checked
        )

    def set_chosen(self, values: Sequence[str]) -> None:
        for n in range(self.list.count()):
            item = self.list.item(n)
            wanted = item.data(Qt.ItemDataRole.UserRole) in values
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for n in range(self.list.count()):
            item = self.list.item(n)
            item.setHidden(bool(needle) and needle not in item.text().lower())


class ApplyPanel(QFrame):
    #: ``kind`` and a sentence for the page's notice bar.
    notice = Signal(str, str)
    #: A dry run is shown (or failed); tests and the page wait on it.
    previewed = Signal()
    #: A commit came back, applied or refused.
    applied = Signal(object)  # OpResult

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.context = context
        self.template: TemplateItem | None = None
        self.names: dict[str, str] = {}
        #: Jobs under way; the panel is busy while any is.
        self._running = 0
        self._generation = 0
        #: The dry run shown, which Apply commits.
        self._dry: DryRun | None = None
        self.heading = QLabel("Apply", self)
        self.heading.setObjectName("PanelTitle")
        self.departments = CheckList("Whole departments", "Find a department…", self)
        self.employees = CheckList("People", "Find a person…", self)
        self.per_member = QRadioButton("One shift per member", self)
        self.per_member.setToolTip(
            "Each active member gets their own shift, checked against their own"
            " week, and can be moved or swapped one by one."
        )
        self.shared = QRadioButton("One shift for the whole department", self)
        self.shared.setToolTip(
            "One shift the department works as a whole: every member, also one who"
            " joins later, works it and is expected to clock in; it cannot be given"
            " to one person."
        )
        self.per_member.setChecked(True)
        self.department_mode = QButtonGroup(self)
        self.department_mode.addButton(self.per_member)
        self.department_mode.addButton(self.shared)
        self.department_hint = QLabel(self)
        self.department_hint.setProperty("role", "hint")
        self.department_hint.setWordWrap(True)
        self.first = DateEdit(self)
        self.last = DateEdit(self)
        for edit, name in ((self.first, "Apply from"), (self.last, "Apply until")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd dd MMM yyyy")
            edit.setAccessibleName(name)
        monday = week_start(date.today()) + timedelta(days=7)
        self.first.setDate(to_qdate(monday))
        self.last.setDate(to_qdate(monday + timedelta(days=27)))
        UntilFollowsFrom(self.first, self.last)
        self.skip = QRadioButton("Leave out shifts that clash", self)
        self.abort = QRadioButton("Apply nothing if any shift clashes", self)
        self.skip.setChecked(True)
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.skip)
        self.mode.addButton(self.abort)
        self.preview_button = QPushButton("Preview shifts", self)
        self.preview_button.setAccessibleName("Preview the shifts")
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self.input_error = QLabel(self)
        self.input_error.setProperty("role", "error")
        self.input_error.setWordWrap(True)
        self.input_error.hide()
        self.summary = QLabel(self)
        self.summary.setObjectName("Summary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Preview summary")
        self.only_problems = QCheckBox("Only shifts with problems", self)
        self.model = ExpansionModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("PreviewTable")
        self.table.setAccessibleName("Proposed shifts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate((96, 92, 120)):
            self.table.setColumnWidth(column, width)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setDefault(True)
        self.apply_button.setAutoDefault(False)
        self._build_layout()
        self.preview_button.clicked.connect(self.preview)
        self.apply_button.clicked.connect(self.commit)
        self.only_problems.toggled.connect(self.model.set_only_problems)
        for signal in (
            self.departments.changed,
            self.employees.changed,
            self.first.dateChanged,
            self.last.dateChanged,
        ):
            signal.connect(self.forget_preview)
        self.mode.buttonClicked.connect(lambda _b: self._show_summary())
        self.department_mode.buttonToggled.connect(self._department_mode_changed)
        self.set_template(None)
        self._department_mode_changed()

    def _build_layout(self) -> None:
        whole = QVBoxLayout()
        whole.addWidget(self.departments, 1)
        whole.addWidget(self.per_member)
        whole.addWidget(self.shared)
        whole.addWidget(self.department_hint)
        who = QHBoxLayout()
        who.addLayout(whole, 2)
        who.addWidget(self.employees, 3)
        when = QGridLayout()
        when.addWidget(QLabel("From", self), 0, 0)
        when.addWidget(self.first, 0, 1)
        when.addWidget(QLabel("until", self), 0, 2)
        when.addWidget(self.last, 0, 3)
        when.setColumnStretch(4, 1)
        when.addWidget(self.skip, 1, 0, 1, 5)
        when.addWidget(self.abort, 2, 0, 1, 5)
        actions = QHBoxLayout()
        actions.addWidget(self.preview_button)
        actions.addWidget(self.only_problems)
        actions.addStretch(1)
        actions.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.heading)
        layout.addLayout(who, 2)
        layout.addLayout(when)
        layout.addWidget(self.input_error)
        layout.addWidget(self.busy)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 5)
        layout.addLayout(actions)

    # --- inputs ----------------------------------------------------------------------------

    def set_people(
        self, employees: Sequence[EmployeeRow], departments: Sequence[tuple[str, str]]
    ) -> None:
        self.names = {e.id: e.name for e in employees} | dict(departments)
        self.employees.set_items(
            [(e.id, f"{e.name} · {e.department}" if e.department else e.name) for e in employees]
        )
        self.departments.set_items(list(departments))

    def set_template(self, template: TemplateItem | None, saved: bool = True) -> None:
        """The template to apply; unsaved edits must be saved before applying."""
        self.template = template
        self.heading.setText(f"Apply “{template.name}”" if template else "Apply")
        self.ready_hint = (
            "Choose a template on the left."
            if template is None
            else "Save the template first: applying uses the saved rule."
            if not saved
            else ""
        )
        self.forget_preview()

    @property
    def range(self) -> tuple[date, date]:
        return to_date(self.first.date()), to_date(self.last.date())

    @property
    def on_conflict(self) -> OnConflict:
        return OnConflict.ABORT if self.abort.isChecked() else OnConflict.SKIP

    def applications(self) -> list[Application]:
        if self.template is None:
            return []
        return [
            Application(
                self.template.id,
                self.employees.chosen(),
                self.departments.chosen(),
                per_member=self.per_member.isChecked(),
            )
        ]

    def _department_mode_changed(self, *_args: Any) -> None:
        """Say what the chosen kind of department shift means; an old dry run no
        longer says what would be written."""
        self.department_hint.setText(
            "Each active member gets a shift of their own."
            if self.per_member.isChecked()
            else "One shift worked by the whole department: every member (also one"
            " who joins later) works it and is expected to clock in."
        )
        self.forget_preview()

    # --- the dry run -----------------------------------------------------------------------

    def forget_preview(self, *_args: Any) -> None:
        """Inputs or data moved: an old dry run no longer says what would be written."""
        self._generation += 1
        self._dry = None
        self.model.clear()
        self._set_error("")
        self._show_summary()

    def preview(self) -> None:
        apps = self.applications()
        if not apps:
            return
        first, last = self.range
        self._generation += 1
        self._dry = None
        generation = self._generation
        self.model.clear()
        self._set_error("")
        self._busy(True, f"Checking {self.template.name if self.template else ''}…")
        self._running += 1
        start_job(
            self.context.store,
            partial(
                preview_job, store=self.context.store, applications=apps, first=first, last=last
            ),
            self,
            partial(self._previewed, generation),
            partial(self._failed, generation),
        )

    def _previewed(
        self, generation: int, previewed: tuple[DryRun, tuple[ProposedShift, ...]]
    ) -> None:
        self._job_done()
        if generation == self._generation:
            self._dry, shifts = previewed
            self.model.set_expansion(shifts, self.names)
            self._show_summary()
        self.previewed.emit()

    def _failed(self, generation: int, error: ShiftDeskError) -> None:
        self._job_done()
        if generation == self._generation:
            problem = error.problem if isinstance(error, ValidationError) else str(error)
            self._set_error(problem[0].upper() + problem[1:] + ".")
            self._show_summary()
        self.previewed.emit()

    # --- committing --------------------------------------------------------------------------

    def commit(self) -> None:
        dry = self._dry
        if dry is None or not self.model.shifts:
            return
        name = self.template.name if self.template else ""
        self._busy(True, f"Writing the shifts of {name}…")
        self._running += 1
        start_job(
            self.context.store,
            partial(commit_dry_run, self.context.store, dry=dry, on_conflict=self.on_conflict),
            self,
            partial(self._committed, self.context.store, name),
            partial(self._failed, self._generation),
        )

    def _committed(self, store: object, name: str, result: OpResult) -> None:
        self._job_done()
        if store is not self.context.store:  # another database was opened meanwhile
            self.applied.emit(result)
            return
        # Written on a worker, undone and redone on one: a year for a hotel is
        # tens of thousands of shifts.
        self.context.record(f"Apply template “{name}”", result, background=True)
        if result.conflicts:
            reasons = "; ".join(c.reason for c in result.conflicts[:3])
            more = len(result.conflicts) - 3
            self.notice.emit(
                "error",
                f"Nothing applied: {plural(len(result.conflicts), 'shift')} would clash"
                f" ({reasons}{f' and {more} more' if more > 0 else ''}).",
            )
        else:
            written = plural(len(result.ids), "shift")
            skipped = (
                f"; {plural(len(result.skipped), 'clashing shift')} left out"
                if result.skipped
                else ""
            )
            warned = f"; {with_warnings(result.warned)} to look at" if result.warned else ""
            self.notice.emit(
                "warning" if result.skipped or result.warnings else "info",
                f"Applied “{name}”: {written} written{skipped}{warned}."
                " Ctrl+Z takes them all back.",
            )
        self.forget_preview()
        self.applied.emit(result)

    # --- showing -------------------------------------------------------------------------------

    def _job_done(self) -> None:
        self._running -= 1
        self._busy(self._running > 0)

    def _busy(self, on: bool, text: str = "") -> None:
        self.busy.setVisible(on)
        for widget in (
            self.preview_button,
            self.apply_button,
            self.departments,
            self.per_member,
            self.shared,
            self.employees,
            self.first,
            self.last,
        ):
            widget.setEnabled(not on)
        if not on:
            self._show_summary()
        elif text:
            self.summary.setText(text)

    def _set_error(self, text: str) -> None:
        self.input_error.setText(text)
        self.input_error.setVisible(bool(text))

    def _show_summary(self) -> None:
        shifts = self.model.shifts
        can_preview = not self.ready_hint and bool(
            self.employees.chosen() or self.departments.chosen()
        )
        self.preview_button.setEnabled(can_preview and not self._running)
        if not shifts:
            self.apply_button.setEnabled(False)
            self.apply_button.setText("Apply")
            self.summary.setText(
                self.ready_hint
                or (
                    "Tick people or departments, choose the dates, then preview the shifts."
                    if not can_preview
                    else "Preview the shifts to see what would be written and what clashes."
                )
            )
            self.only_problems.setEnabled(False)
            return
        clashing = sum(1 for s in shifts if s.conflicts)
        warned = sum(1 for s in shifts if s.warnings and not s.conflicts)
        ready = len(shifts) - clashing
        parts = [f"<b>{plural(len(shifts), 'shift')}</b>: {ready:,} ready"]
        if clashing:
            parts.append(f"<span style='color:#b42318'><b>{clashing:,} clash</b></span>")
        if warned:
            parts.append(f"<span style='color:#8a5a00'>{with_warnings(warned)}</span>")
        self.summary.setText(" · ".join(parts))
        self.only_problems.setEnabled(bool(clashing or warned))
        if clashing and self.on_conflict is OnConflict.ABORT:
            self.apply_button.setText(f"Apply all {len(shifts):,} or nothing")
        elif clashing:
            self.apply_button.setText(f"Apply {plural(ready, 'shift')}, leave out {clashing:,}")
        else:
            self.apply_button.setText(f"Apply {plural(ready, 'shift')}")
        self.apply_button.setEnabled(ready > 0 and not self._running)
