"""The Payroll page: pick a period, check the totals, export .xlsx or .csv.

The preview is :func:`core.payroll.payroll` for the period. Export runs as an
:class:`~desktop.payroll.worker.ExportJob` on the global thread pool, so the window
stays usable; the panel below the bar shows its progress, then the file with
buttons to open it or its folder, or the reason it failed.

Once paid, the period can be closed ("Close period…" after an export, asking
first): :mod:`core.pay_periods` then refuses every change to it, and the bar says
who closed it, with "Reopen…" (a reason is required) beside it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QThreadPool, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.attendance import Rules
from core.changes import Changes
from core.errors import NotFound, ShiftDeskError, ValidationError
from core.export.columns import Kind
from core.identity import current_user
from core.pay_periods import close_period, period_label, reopen_period
from core.payroll import Payroll, payroll
from desktop.context import AppContext
from desktop.controls import action_button
from desktop.files import FileButtons
from desktop.jobs import LatestJob
from desktop.notice import plural
from desktop.payroll.model import PayrollModel, figure
from desktop.payroll.policy import PolicyDialog, edit_policy
from desktop.payroll.worker import ExportJob
from desktop.period import PeriodPicker, describe
from desktop.stale import ReloadWhenShown
from desktop.theme import restyle

RELOAD_ON = (
    Changes.ATTENDANCE
    | Changes.SHIFTS
    | Changes.LEAVE
    | Changes.EMPLOYEES
    | Changes.DEPARTMENTS
    | Changes.PUNCHES
    | Changes.PAY_PERIODS
    | Changes.ORGANISATION  # the pay policy: overtime, grace, breaks, the pay week
)
FILE_FILTERS = {"Excel workbook (*.xlsx)": ".xlsx", "CSV, summary only (*.csv)": ".csv"}


def with_extension(path: str, chosen_filter: str) -> Path:
    """The path typed in the save dialog, given the chosen type's extension if it has none."""
    target = Path(path)
    if target.suffix.lower() in FILE_FILTERS.values():
        return target
    return target.with_name(target.name + FILE_FILTERS.get(chosen_filter, ".xlsx"))


def _rules_line(report: Payroll) -> str:
    """The rules the figures were priced with; where days of the period were priced
    under different ones (a closed period keeps its own), which days under which."""
    if not report.spans:
        return _rules_sentence(report.rules, report.currency)
    return " ".join(
        f"{period_label(span.first, span.last)}: {_rules_sentence(span.rules, report.currency)}"
        for span in report.spans
    )


def _rules_sentence(r: Rules, currency: str) -> str:
    return (
        f"Overtime past {_plain(r.daily_overtime_hours)} h a day or"
        f" {_plain(r.weekly_overtime_hours)} h a week, paid ×"
        f" {_plain(r.overtime_multiplier)}; late after {r.grace_minutes} min grace,"
        f" penalty {_plain(r.late_penalty_per_minute)} {currency} a minute."
    )


def _plain(value: Decimal) -> str:
    """A policy figure without trailing zeros: 8, 1.5, 0.25."""
    return f"{Decimal(value).normalize():f}"


#: What a reload hands back: the period's payroll, or None and why.
Preview = tuple[Payroll | None, str]


def _preview(session: Session, *, first: date, last: date) -> Preview:
    """The period's payroll, on a worker in its own session."""
    try:
        return payroll(session, first, last), ""
    except ValidationError as error:
        return None, error.problem


class ExportPanel(QFrame):
    """Progress while exporting; afterwards the file and what to do with it, or the error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Notice")
        self.setAccessibleName("Export")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Export progress")
        self.progress.setFixedWidth(220)
        self.files = FileButtons(self)
        self.open_button = self.files.open_button
        self.folder_button = self.files.folder_button
        #: Offered once the period is exported (the page connects it).
        self.close_period_button = QPushButton("Close period…", self)
        self.close_period_button.setToolTip(
            "Close this pay period: its shifts, attendance and leave can then not change"
        )
        close = QToolButton(self)
        close.setText("✕")
        close.setAccessibleName("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.message, 1)
        row.addWidget(self.progress)
        row.addWidget(self.files)
        row.addWidget(self.close_period_button)
        row.addWidget(close)
        self.hide()

    def _kind(self, kind: str) -> None:
        restyle(self, "kind", kind)

    def running(self, path: Path) -> None:
        self._kind("info")
        self.message.setText(f"Exporting payroll to {path.name}…")
        self.message.setToolTip(str(path))
        self.progress.setValue(0)
        self.progress.show()
        self.files.clear()
        self.close_period_button.hide()
        self.show()

    def step(self, percent: int, what: str) -> None:
        self.progress.setValue(percent)
        self.progress.setFormat(f"{what}  %p%")

    def done(self, path: Path) -> None:
        self._kind("info")
        self.message.setText(f"Payroll saved to {path.name}")
        self.message.setToolTip(str(path))  # the name is enough to read; its folder is a click away
        self.progress.hide()
        self.files.show_for(path)
        self.open_button.setFocus()

    def failed(self, problem: str) -> None:
        self._kind("error")
        self.message.setToolTip("")
        self.message.setText(
            f"Export failed: {problem}. Nothing was written; choose another place."
        )
        self.progress.hide()
        self.files.clear()
        self.close_period_button.hide()

    def failed_close(self, problem: str) -> None:
        """Closing the period was refused (one closed already overlaps it, say)."""
        self._kind("error")
        self.message.setText(f"Not closed: {problem}")
        self.close_period_button.hide()
        self.show()

    def file_url(self) -> QUrl:
        return self.files.file_url()

    def folder_url(self) -> QUrl:
        return self.files.folder_url()


class PayrollPage(QWidget):
    title = "Payroll"
    status_message = Signal(str)
    #: The path an export wrote / why one failed (for the window and for tests).
    export_finished = Signal(str)
    export_failed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Payroll")
        self.context = context
        self.folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        self.job: ExportJob | None = None
        #: The period shown is closed (core.pay_periods).
        self.closed = False
        self.period = PeriodPicker(self, span="month")
        self.export_button = action_button(
            self,
            "Export…",
            "Export this period's payroll to .xlsx or .csv",
            "Ctrl+Shift+E",
            icon_name="payroll",
        )
        self.export_button.setAccessibleName("Export payroll")
        self.policy_button = action_button(
            self, "Pay policy…", "Change the pay policy: overtime, lateness, breaks, the pay week"
        )
        self.summary = QLabel(self)
        self.summary.setObjectName("RangeLabel")
        self.summary.setAccessibleName("Payroll summary")
        self.rules = QLabel(self)
        self.rules.setProperty("role", "hint")
        #: "Closed by anna on …" while the period shown is closed.
        self.closed_label = QLabel(self)
        self.closed_label.setAccessibleName("Pay period status")
        self.reopen_button = QPushButton("Reopen…", self)
        self.reopen_button.setToolTip("Reopen this closed pay period (give a reason)")
        self.panel = ExportPanel(self)
        self.model = PayrollModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("ReportTable")
        self.table.setAccessibleName("Pay per employee")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.horizontalHeader().setHighlightSections(False)
        self.footer = self._footer()
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "hint")
        #: The period's payroll being worked out (see :meth:`reload`).
        self._load = LatestJob(self)
        self._layout()
        #: Changes made while another page is shown wait until this one is shown.
        self.refresh = ReloadWhenShown(self, self.reload)
        self.period.changed.connect(lambda _first, _last: self.reload())
        self.export_button.defaultAction().triggered.connect(self.choose_and_export)
        self.policy_button.defaultAction().triggered.connect(self.edit_policy)
        self.panel.close_period_button.clicked.connect(self.confirm_close)
        self.reopen_button.clicked.connect(self.ask_reopen_reason)
        context.data_changed.connect(self._data_changed)
        context.store_changed.connect(self.reload)
        self.reload()

    def _footer(self) -> QTableView:
        """The totals row pinned under the table, so it shows however far one scrolls."""
        footer = QTableView(self)
        footer.setObjectName("ReportTable")
        footer.setAccessibleName("Totals")
        footer.setModel(self.model)
        footer.horizontalHeader().hide()
        footer.verticalHeader().hide()
        footer.setShowGrid(False)
        footer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        footer.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        footer.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        footer.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        footer.verticalHeader().setDefaultSectionSize(32)
        footer.setFixedHeight(34)
        self.table.horizontalHeader().sectionResized.connect(
            lambda column, _old, new: footer.setColumnWidth(column, new)
        )
        self.table.horizontalScrollBar().valueChanged.connect(footer.horizontalScrollBar().setValue)
        return footer

    def _pin_totals(self) -> None:
        """The table shows the people, the footer only the totals row."""
        last = self.model.rowCount() - 1
        for row in range(self.model.rowCount()):
            self.table.setRowHidden(row, row == last)
            self.footer.setRowHidden(row, row != last)
        if last >= 0:
            self.footer.scrollTo(self.model.index(last, 0))

    def _layout(self) -> None:
        bar = QFrame(self)
        bar.setObjectName("ReportToolbar")
        top = QHBoxLayout(bar)
        top.setContentsMargins(12, 8, 12, 8)
        top.setSpacing(6)
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.closed_label)
        top.addWidget(self.reopen_button)
        top.addWidget(self.policy_button)
        top.addWidget(self.export_button)
        body = QVBoxLayout()
        body.setContentsMargins(12, 8, 12, 8)
        body.setSpacing(6)
        body.addWidget(self.panel)
        body.addWidget(self.summary)
        body.addWidget(self.rules)
        body.addWidget(self.empty)
        tables = QVBoxLayout()
        tables.setSpacing(0)
        tables.addWidget(self.table, 1)
        tables.addWidget(self.footer)
        body.addLayout(tables, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addLayout(body, 1)

    # --- preview ---------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """The period's payroll is being worked out on a worker; the last one shows."""
        return self._load.running

    def reload(self) -> None:
        """Work out the period's payroll on a worker (a month of 500 people takes
        over half a second); Export waits for it. A newer reload supersedes one
        still running."""
        first, last = self.period.period
        self.export_button.setEnabled(False)
        self.summary.setText(f"Working out payroll for {describe(first, last)}…")
        self.status_message.emit("Working out payroll…")
        self._load.start(
            self.context.store, partial(_preview, first=first, last=last), self._show, self._show
        )

    def _show(self, found: Preview | ShiftDeskError) -> None:
        """The period's figures (or why there are none) into the table and the bar."""
        self.status_message.emit("")
        if isinstance(found, ShiftDeskError):
            report, problem = None, str(getattr(found, "problem", found))
        else:
            report, problem = found
        first, last = self.period.period
        if report is not None:
            self.model.set_report(report)
            header = self.table.horizontalHeader()
            header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
            for column in range(header.count()):
                header.resizeSection(column, header.sectionSize(column) + 24)
            header.setStretchLastSection(False)
            self._pin_totals()
        lines = self.model.report.lines if report is not None else ()
        self.export_button.setEnabled(bool(lines) and self.job is None)
        status = report.period_status if report is not None else ""
        self.closed = status.startswith("Closed")
        self.closed_label.setText(status if self.closed else "")
        self.closed_label.setVisible(self.closed)
        self.reopen_button.setVisible(self.closed)
        if self.closed:
            self.panel.close_period_button.hide()
        if report is None or not lines:
            self.summary.setText(describe(first, last))
            self.rules.setText("")
            self.empty.setText(
                f"Nothing to pay: {problem}." if problem else "Nobody to pay in this period."
            )
        else:
            gross = figure(report.total("gross"), Kind.MONEY)
            self.summary.setText(
                f"{describe(first, last)} · {plural(len(lines), 'employee')}"
                f" · gross {gross} {report.currency}"
            )
            self.rules.setText(_rules_line(report))
            self.empty.setText("")
        self.empty.setVisible(bool(self.empty.text()))
        self.table.setVisible(not self.empty.text())
        self.footer.setVisible(not self.empty.text())

    def _data_changed(self, changed: Changes) -> None:
        if changed & RELOAD_ON:
            self.refresh.request()

    def edit_policy(self) -> PolicyDialog | None:
        """The pay policy dialog; what Save did shows in the status bar, and the
        figures are worked out again under the new policy."""
        return edit_policy(self.context, self, self.status_message.emit)

    # --- export ------------------------------------------------------------------------------

    def suggested_path(self) -> Path:
        first, last = self.period.period
        return Path(self.folder) / f"payroll-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.xlsx"

    def choose_and_export(self) -> None:
        """Export, asking first when days of the period are not approved yet."""
        warning = self.model.report.readiness().warning
        if warning:
            self.confirm_export(warning)
        else:
            self.choose_file()

    def confirm_export(self, warning: str) -> QMessageBox:
        """``152 days unapproved, 47 with problems — export anyway?``, non-modal."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Export payroll?",
            f"{warning} — export anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("ConfirmExport")
        box.setInformativeText(
            "Approve the days on the Attendance page first, or export now: the workbook"
            " lists days worked on approved leave on its To decide sheet."
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Export anyway")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.choose_file()

        box.finished.connect(answered)
        box.open()
        return box

    def choose_file(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export payroll", str(self.suggested_path()), ";;".join(FILE_FILTERS)
        )
        if path:
            self.export_to(with_extension(path, chosen))

    def export_to(self, path: Path) -> ExportJob | None:
        """Start writing the period's payroll to ``path`` on a worker thread."""
        if self.job is not None:
            return None
        first, last = self.period.period
        job = ExportJob(self.context.store, first, last, Path(path))
        job.signals.progress.connect(self.panel.step)
        job.signals.finished.connect(self._finished)
        job.signals.failed.connect(self._failed)
        self.job = job
        self.export_button.setEnabled(False)
        self.panel.running(Path(path))
        self.status_message.emit(f"Exporting payroll to {Path(path).name}…")
        QThreadPool.globalInstance().start(job)
        return job

    def _finished(self, path: str) -> None:
        self.job = None
        self.folder = str(Path(path).parent)
        self.panel.done(Path(path))
        self.panel.close_period_button.setVisible(not self.closed)
        self.export_button.setEnabled(bool(self.model.report.lines) and not self.loading)
        self.status_message.emit(f"Payroll saved to {path}")
        self.export_finished.emit(path)

    def _failed(self, problem: str) -> None:
        self.job = None
        self.panel.failed(problem)
        self.export_button.setEnabled(bool(self.model.report.lines) and not self.loading)
        self.status_message.emit("Payroll export failed")
        self.export_failed.emit(problem)

    # --- closing the period ----------------------------------------------------------------------

    def confirm_close(self) -> QMessageBox:
        """``Close pay period 1–30 Nov 2026?``, non-modal; Yes closes it."""
        first, last = self.period.period
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Close pay period?",
            f"Close pay period {period_label(first, last)}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("ConfirmClose")
        box.setInformativeText(
            "Its shifts, attendance corrections and approvals, and leave decisions"
            " touching it can then not change, here or at any site that syncs,"
            " until someone reopens it with a reason."
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Close period")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.close_shown_period()

        box.finished.connect(answered)
        box.open()
        return box

    def close_shown_period(self) -> bool:
        first, last = self.period.period
        try:
            with self.context.store.session() as session:
                close_period(session, first, last, actor=current_user())
        except ValidationError as error:
            self.panel.failed_close(error.problem)
            return False
        self.panel.hide()
        self.status_message.emit(f"Pay period {period_label(first, last)} closed")
        self.context.data_changed.emit(Changes.PAY_PERIODS)
        return True

    def ask_reopen_reason(self) -> QInputDialog:
        """Ask why, non-modal; a reason given reopens the period."""
        first, last = self.period.period
        dialog = QInputDialog(self)
        dialog.setObjectName("ReopenReason")
        dialog.setWindowTitle("Reopen pay period")
        dialog.setLabelText(f"Why reopen pay period {period_label(first, last)}?")
        dialog.setOkButtonText("Reopen")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.reopen_shown_period)
        dialog.open()
        return dialog

    def reopen_shown_period(self, reason: str) -> bool:
        first, last = self.period.period
        try:
            with self.context.store.session() as session:
                reopen_period(session, first, last, actor=current_user(), reason=reason)
        except (ValidationError, NotFound) as error:
            self.status_message.emit(f"Not reopened: {error}")
            return False
        self.status_message.emit(f"Pay period {period_label(first, last)} reopened")
        self.context.data_changed.emit(Changes.PAY_PERIODS)
        return True

    # --- settings --------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        self.period.save_state(settings, "payroll")
        settings.setValue("payroll/folder", self.folder)

    def restore_state(self, settings: QSettings) -> None:
        self.folder = str(settings.value("payroll/folder", self.folder) or self.folder)
        self.period.blockSignals(True)
        self.period.restore_state(settings, "payroll")
        self.period.blockSignals(False)
        self.reload()
