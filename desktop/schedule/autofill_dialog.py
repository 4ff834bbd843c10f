"""Schedule → "Fill open shifts…": who core.autofill proposes, ticked, then one Apply.

The dry run and the apply each run on a worker (:mod:`desktop.jobs`) with a busy
bar, since a month for a whole hotel takes a second or more; the apply becomes
one undo step through :meth:`AppContext.record`, undone and redone on the
writer thread. The dialog only shows and
collects ticks: what is proposed and why comes from :mod:`core.autofill`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.autofill import AutofillPlan, Proposal, apply_autofill, plan_autofill
from core.errors import ShiftDeskError, ValidationError
from core.results import OpResult
from desktop import theme
from desktop.context import AppContext
from desktop.jobs import start_job
from desktop.notice import plural
from desktop.theme import icon

if TYPE_CHECKING:
    from desktop.schedule.page import SchedulePage

COLUMNS = ("Shift", "Department", "Proposed", "Warnings", "Why")
WARNINGS, WHY = 3, 4
#: Room for a warning or two; the rest is in the tooltip.
WARNINGS_WIDTH = 260


def warning_mark() -> QIcon:
    """An amber dot, the grid's warning colour: this row asks for a second look."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.WARNING)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def proposal_row(proposal: Proposal, mark: QIcon) -> QTreeWidgetItem:
    """One proposal as a row: its warnings in their own amber column, marked, and
    the other reasons under "Why"; the whole explanation in every cell's tooltip."""
    warnings = tuple(w.reason for w in proposal.warnings)
    item = QTreeWidgetItem(
        [
            _when(proposal.shift_date, proposal.start_time, proposal.end_time),
            proposal.department_name,
            proposal.employee_name,
            "; ".join(warnings),
            ", ".join(r for r in proposal.reasons if r not in warnings),
        ]
    )
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(0, Qt.CheckState.Checked)
    for column in range(len(COLUMNS)):
        item.setToolTip(column, proposal.explanation)
    if warnings:
        item.setIcon(WARNINGS, mark)
        item.setForeground(WARNINGS, theme.WARNING)
    return item


def _when(day: date, start: str, end: str) -> str:
    return f"{day:%a %d %b} {start}–{end}"


class FillDialog(QDialog):
    #: The dry run is shown (or failed): tests and the screenshot wait for it.
    planned = Signal()
    #: The kept proposals were applied: the result, for the page's notice.
    applied = Signal(object)

    def __init__(
        self,
        context: AppContext,
        first: date,
        last: date,
        *,
        department_ids: Sequence[str] = (),
        site_id: str | None = None,
        where: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.first, self.last = first, last
        self.department_ids = tuple(department_ids)
        self.site_id = site_id
        self.plan: AutofillPlan | None = None
        self._applying = False
        self.setWindowTitle("Fill open shifts")
        self.setAccessibleName("Fill open shifts")
        self.resize(1100, 620)
        span = f"{first:%d %b} – {last:%d %b %Y}"
        heading = QLabel(f"Open shifts {span}{f' {where}' if where else ''}", self)
        heading.setObjectName("DialogHeading")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary")
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.setAccessibleName("Working")
        self.proposals = self._tree("Proposals: untick those to leave open")
        self.proposals.header().setSectionResizeMode(WARNINGS, QHeaderView.ResizeMode.Interactive)
        self.proposals.setColumnWidth(WARNINGS, WARNINGS_WIDTH)
        self.unfilled = self._tree("Shifts nobody can take")
        self.unfilled.setHeaderLabels(["Shift", "Department", "Why not"])
        self.unfilled.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.unfilled.setMaximumHeight(150)
        self.unfilled_label = QLabel("Not filled", self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setDefault(True)
        self.apply_button.setEnabled(False)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        # Enter applies, even while Cancel has the focus.
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)
        self.proposals.itemChanged.connect(self._ticks_changed)
        layout = QVBoxLayout(self)
        for widget in (heading, self.summary, self.busy, self.proposals):
            layout.addWidget(widget)
        layout.addWidget(self.unfilled_label)
        layout.addWidget(self.unfilled)
        layout.addWidget(self.buttons)
        self._show_unfilled(False)

    def _tree(self, name: str) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setAccessibleName(name)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)  # a month can list a thousand proposals
        tree.setAlternatingRowColors(True)
        tree.setHeaderLabels(list(COLUMNS))
        header = tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The reasons take the width left (in full in the row's tooltip).
        header.setSectionResizeMode(tree.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
        return tree

    # --- the dry run -------------------------------------------------------------------------

    def start(self) -> None:
        """Ask core for the proposals on a worker; the dialog is busy until they come."""
        self._busy(True, "Finding someone for each open shift…")
        start_job(
            self.context.store,
            partial(
                plan_autofill,
                first=self.first,
                last=self.last,
                department_ids=self.department_ids,
                site_id=self.site_id,
            ),
            self,
            self._planned,
            self._failed,
        )

    def _planned(self, plan: AutofillPlan) -> None:
        self.plan = None  # no ticks to read until every row is there
        self.proposals.blockSignals(True)
        self.proposals.clear()
        mark = warning_mark()
        self.proposals.addTopLevelItems([proposal_row(p, mark) for p in plan.proposals])
        # As wide as the warnings need, up to room for a warning or two.
        self.proposals.resizeColumnToContents(WARNINGS)
        self.proposals.setColumnWidth(
            WARNINGS, min(self.proposals.columnWidth(WARNINGS), WARNINGS_WIDTH)
        )
        self.proposals.blockSignals(False)
        self.unfilled.clear()
        for left in plan.unfilled:
            when = _when(left.shift_date, left.start_time, left.end_time)
            item = QTreeWidgetItem([when, left.department_name, left.reason])
            item.setToolTip(2, left.reason)
            self.unfilled.addTopLevelItem(item)
        self._show_unfilled(bool(plan.unfilled))
        self.plan = plan
        self._busy(False)
        self._ticks_changed()
        self.planned.emit()

    def _failed(self, error: ShiftDeskError) -> None:
        self._applying = False
        self._busy(False)
        problem = error.problem if isinstance(error, ValidationError) else str(error)
        self.summary.setText(problem[:1].upper() + problem[1:] + ".")
        self.planned.emit()

    def _show_unfilled(self, shown: bool) -> None:
        self.unfilled.setVisible(shown)
        self.unfilled_label.setVisible(shown)

    # --- ticks and apply ---------------------------------------------------------------------

    @property
    def kept(self) -> list[Proposal]:
        """The proposals still ticked, in the order shown."""
        if self.plan is None:
            return []
        return [
            proposal
            for n, proposal in enumerate(self.plan.proposals)
            if self.proposals.topLevelItem(n).checkState(0) == Qt.CheckState.Checked
        ]

    def set_ticked(self, shift_ids: Sequence[str]) -> None:
        """Tick exactly these proposals (by shift): what a supervisor's clicks do."""
        assert self.plan is not None
        wanted = set(shift_ids)
        for n, proposal in enumerate(self.plan.proposals):
            ticked = proposal.shift_id in wanted
            state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
            self.proposals.topLevelItem(n).setCheckState(0, state)

    def _ticks_changed(self, *_args: object) -> None:
        if self.plan is None:
            return
        kept = self.kept
        cost = sum((p.cost for p in kept), Decimal(0))
        total = len(self.plan.proposals) + len(self.plan.unfilled)
        if not total:
            self.summary.setText("No open shifts in this range.")
        else:
            unfilled = len(self.plan.unfilled)
            left = f"; {plural(unfilled, 'shift')} nobody can take" if unfilled else ""
            warned = sum(1 for p in self.plan.proposals if p.warnings)
            marked = f", {warned} with warnings (marked)" if warned else ""
            self.summary.setText(
                f"{plural(total, 'open shift')}: {len(self.plan.proposals)} can be filled"
                f"{marked}{left}. {len(kept)} ticked, labour cost {cost}."
            )
        self.apply_button.setText(f"Apply {plural(len(kept), 'proposal')}")
        self.apply_button.setEnabled(bool(kept))

    def apply(self) -> None:
        kept = self.kept
        if not kept:
            return
        self._busy(True, f"Assigning {plural(len(kept), 'shift')}…")
        self._applying = True
        start_job(
            self.context.store,
            partial(apply_autofill, proposals=kept),
            self,
            partial(self._applied, self.context.store),
            self._failed,
        )

    def reject(self) -> None:
        """Cancel (or Escape) closes the dialog, except while the apply is being
        written: its result must still become the undo step it is."""
        if not self._applying:
            super().reject()

    def _applied(self, store: object, result: OpResult) -> None:
        self._applying = False
        self._busy(False)
        if store is self.context.store:  # not another database opened meanwhile
            # Written on a worker, so undone and redone on the writer thread: a
            # month for a hotel is well over a thousand shifts.
            text = f"Fill {plural(len(result.ids), 'open shift')}"
            self.context.record(text, result, background=True)
        self.applied.emit(result)
        self.accept()

    def _busy(self, on: bool, text: str = "") -> None:
        self.busy.setVisible(on)
        self.apply_button.setEnabled(not on and bool(self.kept))
        self.proposals.setEnabled(not on)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not self._applying)
        if text:
            self.summary.setText(text)


def fill_action(page: SchedulePage) -> QAction:
    """Schedule's "Fill open shifts…" for the range and department shown: a button
    beside Publish, Ctrl+Shift+F anywhere in the window, and (the page adds it) the
    grid's right-click menu on an empty cell or an open shift."""
    action = QAction(icon("people"), "Fill open shifts…", page)
    action.setShortcut(QKeySequence("Ctrl+Shift+F"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(
        "Propose someone for each open shift shown; nothing changes until you apply (Ctrl+Shift+F)"
    )
    action.triggered.connect(partial(open_fill_dialog, page))
    page.addAction(action)
    # And on the bar beside Publish (placed from here: the bar's module stays as it is).
    button = QToolButton(page.bar)
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAccessibleName("Fill open shifts")
    row = page.bar.layout().itemAt(0).layout()
    row.insertWidget(row.indexOf(page.bar.publish_button) + 1, button)
    return action


def open_fill_dialog(page: SchedulePage, *_checked: object) -> FillDialog:
    first, last = page.range
    filt = page.filter
    department = page.bar.department_box.currentText() if filt.department_id else ""
    dialog = FillDialog(
        page.context,
        first,
        last,
        department_ids=(filt.department_id,) if filt.department_id else (),
        site_id=filt.site_id,
        where=f"in {department}" if department else "",
        parent=page,
    )
    dialog.applied.connect(partial(_say_what_was_done, page))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    dialog.start()
    return dialog


def _say_what_was_done(page: SchedulePage, result: OpResult) -> None:
    filled = plural(len(result.ids), "open shift")
    if result.skipped:
        reasons = "; ".join(x.reason for x in result.skipped[:3])
        page.notice.show_message(
            "warning", f"Filled {filled}; {len(result.skipped)} left out: {reasons}"
        )
    elif result.applied:
        page.notice.show_message("info", f"Filled {filled}. Ctrl+Z takes them all back.")
