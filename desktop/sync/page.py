"""The Sync page: sync now, automatic sync, the runs so far, and what waits for a person.

Runs go through the context's :class:`~desktop.sync.controller.SyncController`
(a worker thread, its own store). Conflicts are shown field by field, before /
mine / theirs side by side, and settled by :func:`sync.conflicts.resolve_conflict`
(keep mine, take theirs, or a choice per field); refused changes show the server's
reason and are replayed or discarded through :mod:`sync.failed`. Each settles in one
session and tells every view that data moved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from core.changes import Changes
from core.errors import NotFound, ValidationError
from desktop.ask import ask
from desktop.context import AppContext
from desktop.frame import framed
from desktop.notice import NoticeBar, plural
from desktop.sync.controller import EVERYTHING, progress_text
from desktop.sync.models import (
    ID_ROLE,
    ConflictsModel,
    FailedModel,
    FieldsModel,
    RunsModel,
    field_title,
)
from desktop.table import fit_titles, list_table
from desktop.theme import icon
from sync import conflicts as conflict_ops
from sync import failed as failed_ops
from sync.conflicts import ConflictView
from sync.engine import Progress, RunResult
from sync.history import recent_runs, sync_status
from sync.rewind import resolve_undoably

AUTO_KEY = "sync/auto"
MINUTES_KEY = "sync/minutes"


def run_sentence(result: RunResult) -> tuple[str, str]:
    """The notice after a run: its kind and one or two plain sentences."""
    moved = (
        f"sent {plural(result.pushed, 'change')}, received {plural(result.pulled, 'record')}"
        + (f", merged {result.merged}" if result.merged else "")
    )
    if not result.completed:
        return "error", f"The sync stopped: {result.message}. Nothing was lost; {moved} first."
    waiting = []
    if result.conflicts:
        waiting.append(f"{plural(result.conflicts, 'conflict')} to settle")
    if result.failed:
        waiting.append(f"{plural(result.failed, 'change')} refused by the server")
    if waiting:
        return "warning", f"Synced: {moved}. Waiting for you: {' and '.join(waiting)} (below)."
    return "info", f"Synced: {moved}."


def _table(parent: QWidget, name: str, accessible: str, model: Any) -> QTableView:
    """A page's list table over ``model``, cells on one line, the last column filling."""
    table = list_table(parent, name, accessible)
    table.setModel(model)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("SectionTitle")
    return label


class SyncPage(QWidget):
    title = "Sync"
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sync")
        self.context = context
        self.controller = context.sync
        self.notice = NoticeBar(self)
        self.runs = RunsModel(self)
        self.conflicts = ConflictsModel(self)
        self.fields = FieldsModel(self)
        self.failed = FailedModel(self)
        #: The conflict whose fields are shown.
        self._shown: ConflictView | None = None
        self._build_bar()
        self._build_progress()
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Sync details")
        self.tabs.addTab(self._build_conflicts(), "Conflicts")
        self.tabs.addTab(self._build_failed(), "Refused changes")
        self.history = _table(self, "SyncHistory", "Sync runs", self.runs)
        for column, width in enumerate((160, 170, 60, 75, 65, 75, 70)):
            self.history.setColumnWidth(column, width)
        self.tabs.addTab(self.history, "History")
        for table in (self.conflict_table, self.field_table, self.failed_table, self.history):
            fit_titles(table)  # no title cut short, whatever width was set above
        body = framed(self, self.bar)
        body.addWidget(self.progress_row)
        body.addWidget(self.tabs, 1)
        # Under the tabs: each tab keeps its buttons at its bottom.
        self.notice.float_over(self.tabs, Qt.Edge.TopEdge)
        self.notice.follow_undo(self.context.flipped)
        self._connect()
        self.reload()

    # --- building ---------------------------------------------------------------------

    def _build_bar(self) -> None:
        self.bar = QFrame(self)
        self.bar.setObjectName("ScheduleToolbar")
        title = QLabel("Sync", self.bar)
        title.setObjectName("RangeLabel")
        self.where = QLabel(self.bar)
        self.where.setProperty("role", "hint")
        self.where.setAccessibleName("Server")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sync_button = QPushButton(icon("sync"), "Sync now", self.bar)
        self.sync_button.setToolTip("Send this computer's changes and receive everyone else's (F9)")
        self.sync_button.setShortcut("F9")
        self.connect_button = QPushButton("Connect to server…", self.bar)
        self.auto_box = QCheckBox("Sync every", self.bar)
        self.auto_box.setAccessibleName("Sync automatically")
        self.minutes = QSpinBox(self.bar)
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Minutes between automatic syncs")
        self.minutes.setValue(self.controller.minutes)
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(6)
        row.addWidget(title)
        row.addSpacing(8)
        row.addWidget(self.where, 1)
        row.addWidget(self.auto_box)
        row.addWidget(self.minutes)
        row.addSpacing(8)
        row.addWidget(self.connect_button)
        row.addWidget(self.sync_button)

    def _build_progress(self) -> None:
        self.progress_row = QFrame(self)
        self.progress_row.setObjectName("Notice")
        self.progress_row.setProperty("kind", "info")
        self.progress_label = QLabel(self.progress_row)
        self.progress_label.setAccessibleName("Sync progress")
        self.progress = QProgressBar(self.progress_row)
        self.progress.setAccessibleName("Sync progress bar")
        self.progress.setFixedWidth(260)
        self.progress.setTextVisible(False)
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.progress_label, 1)
        row.addWidget(self.progress)
        self.progress_row.hide()

    def _build_conflicts(self) -> QWidget:
        tab = QWidget(self)
        self.conflict_table = _table(tab, "ConflictList", "Open conflicts", self.conflicts)
        self.conflict_table.setColumnWidth(0, 200)
        self.conflict_table.setColumnWidth(1, 110)
        self.conflict_empty = QLabel("No conflicts: nothing waits for a choice.", tab)
        self.conflict_empty.setProperty("role", "hint")
        self.conflict_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left = QWidget(tab)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.conflict_table, 1)
        column.addWidget(self.conflict_empty)

        detail = QFrame(tab)
        detail.setObjectName("Panel")
        self.conflict_title = QLabel(detail)
        self.conflict_title.setObjectName("PanelTitle")
        self.conflict_title.setWordWrap(True)
        self.conflict_hint = QLabel(
            "Both this computer and the server changed these fields since they last agreed."
            " Choose which value each keeps; the rest of the record merged by itself.",
            detail,
        )
        self.conflict_hint.setProperty("role", "hint")
        self.conflict_hint.setWordWrap(True)
        self.field_table = _table(detail, "ConflictFields", "Fields in conflict", self.fields)
        self.field_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.field_table.verticalHeader().setDefaultSectionSize(34)
        header = self.field_table.horizontalHeader()
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.field_table.setColumnWidth(0, 120)
        self.field_table.setColumnWidth(FieldsModel.KEEP, 110)
        self.keep_mine_button = QPushButton("Keep mine", detail)
        self.keep_mine_button.setToolTip("Keep this computer's value of every field above")
        self.take_theirs_button = QPushButton("Take theirs", detail)
        self.take_theirs_button.setToolTip("Take the server's value of every field above")
        self.apply_button = QPushButton("Keep the choices above", detail)
        self.apply_button.setToolTip("Keep, field by field, the side chosen in the Keep column")
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_mine_button)
        buttons.addWidget(self.take_theirs_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        panel = QVBoxLayout(detail)
        panel.setContentsMargins(12, 10, 12, 10)
        panel.addWidget(self.conflict_title)
        panel.addWidget(self.conflict_hint)
        panel.addWidget(self.field_table, 1)
        panel.addLayout(buttons)
        self.conflict_detail = detail

        split = QSplitter(Qt.Orientation.Horizontal, tab)
        split.addWidget(left)
        split.addWidget(detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(split)
        return tab

    def _build_failed(self) -> QWidget:
        tab = QWidget(self)
        self.failed_table = _table(tab, "FailedList", "Refused changes", self.failed)
        for column, width in enumerate((110, 260, 420)):
            self.failed_table.setColumnWidth(column, width)
        self.failed_empty = QLabel("No refused changes.", tab)
        self.failed_empty.setProperty("role", "hint")
        self.failed_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            "The server refused these changes and said why. Replay sends one again on the"
            " next sync (fix what it clashed with first); Discard gives it up and puts the"
            " record back as the server has it.",
            tab,
        )
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.replay_button = QPushButton("Replay", tab)
        self.replay_button.setToolTip("Send the chosen change again on the next sync")
        self.discard_button = QPushButton("Discard", tab)
        self.discard_button.setToolTip("Give the chosen change up: the server's copy stands")
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.replay_button)
        buttons.addWidget(self.discard_button)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.failed_table, 1)
        layout.addWidget(self.failed_empty)
        layout.addLayout(buttons)
        return tab

    def _connect(self) -> None:
        self.sync_button.clicked.connect(self.sync_now)
        self.connect_button.clicked.connect(self.open_connect_dialog)
        self.auto_box.toggled.connect(self._auto_toggled)
        self.minutes.valueChanged.connect(self._minutes_changed)
        self.conflict_table.selectionModel().selectionChanged.connect(
            lambda *_: self._show_conflict()
        )
        self.failed_table.selectionModel().selectionChanged.connect(
            lambda *_: self._update_buttons()
        )
        self.keep_mine_button.clicked.connect(self.keep_mine)
        self.take_theirs_button.clicked.connect(self.take_theirs)
        self.apply_button.clicked.connect(self.apply_choices)
        self.replay_button.clicked.connect(self.replay)
        self.discard_button.clicked.connect(self.discard)
        self.controller.started.connect(self._started)
        self.controller.progress.connect(self._progress)
        self.controller.finished.connect(self._finished)
        self.controller.failed.connect(self._failed)
        self.controller.auto_changed.connect(self._show_auto)
        self.context.data_changed.connect(self._data_changed)
        self.context.store_changed.connect(self.reload)

    # --- loading ----------------------------------------------------------------------

    def reload(self) -> None:
        keep_conflict = self.selected_conflict_id
        keep_failed = self.selected_failed_id
        with self.context.store.session() as session:
            status = sync_status(session)
            runs = recent_runs(session)
            conflicts = conflict_ops.open_conflicts(session)
            failed = failed_ops.failed_ops(session)
        if status.connected:
            self.where.setText(f"Connected to {status.server_url} · company {status.company_id}")
        else:
            self.where.setText(
                "Not connected: this database keeps its changes until it is connected to a server."
            )
        self.connect_button.setText("Connect again…" if status.connected else "Connect to server…")
        self.sync_button.setEnabled(status.connected and not self.controller.running)
        self.runs.set_runs(runs)
        self.conflicts.set_conflicts(conflicts)
        self.failed.set_ops(failed)
        self.tabs.setTabText(0, f"Conflicts ({len(conflicts)})" if conflicts else "Conflicts")
        self.tabs.setTabText(1, f"Refused changes ({len(failed)})" if failed else "Refused changes")
        self.conflict_empty.setVisible(not conflicts)
        self.failed_empty.setVisible(not failed)
        self._reselect(self.conflict_table, self.conflicts.row_of(keep_conflict or ""))
        self._reselect(self.failed_table, self.failed.row_of(keep_failed or -1))
        self._show_conflict()
        self._update_buttons()
        self._show_auto()

    @staticmethod
    def _reselect(table: QTableView, row: int) -> None:
        model = table.model()
        if model.rowCount() == 0:
            return
        table.selectRow(row if row >= 0 else 0)

    def _data_changed(self, _changed: Changes) -> None:
        self.reload()

    # --- selection ----------------------------------------------------------------------

    @staticmethod
    def _selected(table: QTableView) -> Any:
        rows = table.selectionModel().selectedRows()
        return rows[0].data(ID_ROLE) if rows else None

    @property
    def selected_conflict_id(self) -> str | None:
        return self._selected(self.conflict_table)

    @property
    def selected_failed_id(self) -> int | None:
        return self._selected(self.failed_table)

    def show_conflicts(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.conflict_table.setFocus()

    def select_conflict(self, conflict_id: str) -> None:
        self.conflict_table.selectRow(self.conflicts.row_of(conflict_id))

    def select_failed(self, op_id: int) -> None:
        self.failed_table.selectRow(self.failed.row_of(op_id))

    def _show_conflict(self) -> None:
        chosen = self.selected_conflict_id
        conflict = next((c for c in self.conflicts.conflicts if c.id == chosen), None)
        if conflict is not None and conflict == self._shown:
            return  # the same conflict, reloaded: keep the choices made so far
        self._shown = conflict
        self.conflict_detail.setEnabled(conflict is not None)
        if conflict is None:
            self.conflict_title.setText("Choose a conflict on the left")
            self.fields.set_fields([])
            return
        self.conflict_title.setText(conflict.label[:1].upper() + conflict.label[1:])
        self.fields.set_fields(conflict.fields)
        for row, field in enumerate(conflict.fields):
            box = QComboBox(self.field_table)
            box.setAccessibleName(f"Keep for {field_title(field.name)}")
            box.addItem("Mine", conflict_ops.MINE)
            box.addItem("Theirs", conflict_ops.THEIRS)
            box.currentIndexChanged.connect(
                lambda _i, name=field.name, box=box: self.fields.choose(name, box.currentData())
            )
            self.field_table.setIndexWidget(self.fields.index(row, FieldsModel.KEEP), box)
        self.apply_button.setEnabled(bool(conflict.fields))

    def field_box(self, name: str) -> QComboBox:
        row = next(n for n, f in enumerate(self.fields.fields) if f.name == name)
        box = self.field_table.indexWidget(self.fields.index(row, FieldsModel.KEEP))
        assert isinstance(box, QComboBox)
        return box

    def _update_buttons(self) -> None:
        chosen = self.selected_failed_id is not None
        self.replay_button.setEnabled(chosen)
        self.discard_button.setEnabled(chosen)

    # --- automatic sync ---------------------------------------------------------------

    def _show_auto(self) -> None:
        connected = self.controller.connected
        for widget in (self.auto_box, self.minutes):
            widget.blockSignals(True)
        self.auto_box.setChecked(self.controller.auto)
        self.auto_box.setEnabled(connected)
        self.minutes.setValue(self.controller.minutes)
        self.minutes.setEnabled(connected)
        for widget in (self.auto_box, self.minutes):
            widget.blockSignals(False)
        self.auto_box.setToolTip(
            "Sync on its own every few minutes while this window is open"
            if connected
            else "Off until this database is connected to a server"
        )

    def _auto_toggled(self, on: bool) -> None:
        self.controller.set_auto(on)

    def _minutes_changed(self, minutes: int) -> None:
        self.controller.set_auto(self.controller.auto_choice, minutes)

    def save_state(self, settings: QSettings) -> None:
        if self.controller.auto_choice is not None:
            settings.setValue(AUTO_KEY, self.controller.auto_choice)
        settings.setValue(MINUTES_KEY, self.controller.minutes)

    def restore_state(self, settings: QSettings) -> None:
        chosen = settings.value(AUTO_KEY)
        auto = None if chosen is None else str(chosen).lower() in ("true", "1")
        minutes = int(settings.value(MINUTES_KEY, self.controller.minutes) or 1)
        self.controller.set_auto(auto, minutes)

    # --- runs ---------------------------------------------------------------------------

    def sync_now(self) -> bool:
        return self.controller.sync_now()

    def _started(self) -> None:
        self.notice.hide()
        self.sync_button.setEnabled(False)
        self.progress_label.setText("Syncing…")
        self.progress.setRange(0, 0)
        self.progress_row.show()

    def _progress(self, step: Progress) -> None:
        self.progress_label.setText(progress_text(step))
        if step.phase == "push" and step.total:
            self.progress.setRange(0, step.total)
            self.progress.setValue(step.done)
        else:
            self.progress.setRange(0, 0)

    def _finished(self, result: RunResult) -> None:
        self.progress_row.hide()
        kind, text = run_sentence(result)
        self.notice.show_message(kind, text)
        self.status_message.emit("")
        # The page reloaded already: the controller announced EVERYTHING first.

    def _failed(self, text: str) -> None:
        self.progress_row.setVisible(self.controller.running)
        self.notice.show_message("error", text)
        self.reload()

    # --- settling -----------------------------------------------------------------------

    def _settle(self, work: Callable[[Session], str]) -> bool:
        try:
            with self.context.store.session() as session:
                message = work(session)
        except (ValidationError, NotFound) as error:
            self.notice.show_message("error", str(error))
            self.reload()
            return False
        self.notice.show_message("info", message)
        self.context.data_changed.emit(EVERYTHING)
        return True

    def _resolve(self, choice: str | dict[str, str]) -> bool:
        """Settle the chosen conflict as one step of Edit → Undo."""
        conflict_id = self.selected_conflict_id
        if conflict_id is None:
            return False
        try:
            with self.context.store.session() as session:
                result, done = resolve_undoably(session, conflict_id, choice)
        except (ValidationError, NotFound) as error:
            self.notice.show_message("error", str(error))
            self.reload()
            return False
        self.context.record(f"Resolve the conflict on {done.label}", result)
        self.notice.show_message("info", done.message[:1].upper() + done.message[1:] + ".")
        return True

    def keep_mine(self) -> bool:
        return self._resolve(conflict_ops.MINE)

    def take_theirs(self) -> bool:
        return self._resolve(conflict_ops.THEIRS)

    def apply_choices(self) -> bool:
        return self._resolve(dict(self.fields.choices))

    def replay(self) -> bool:
        op_id = self.selected_failed_id
        if op_id is None:
            return False

        def work(session: Session) -> str:
            done = failed_ops.replay(session, op_id)
            return f"The {done.op} of {done.label} goes to the server again on the next sync."

        return self._settle(work)

    def discard(self) -> QMessageBox | None:
        """Ask first: a discarded change is lost for good (Undo cannot bring it back)."""
        op_id = self.selected_failed_id
        if op_id is None:
            return None
        op = next((o for o in self.failed.ops if o.id == op_id), None)
        what = f"the {op.op} of {op.label}" if op else "this change"
        return ask(
            self,
            "ConfirmDiscard",
            "Discard a refused change",
            f"Give up {what}?",
            "The server's copy stands and this computer's change is lost; Undo cannot"
            " bring it back. Replay sends it again instead.",
            "Discard",
            lambda: self._discard(op_id),
            default_yes=False,
        )

    def _discard(self, op_id: int) -> bool:
        def work(session: Session) -> str:
            done = failed_ops.discard(session, op_id)
            return f"The {done.op} of {done.label} was given up; the server's copy stands."

        return self._settle(work)

    def open_connect_dialog(self) -> QWidget:
        from desktop.sync.connect import ConnectDialog

        dialog = ConnectDialog(self.context, parent=self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
