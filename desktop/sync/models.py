"""The Sync view's tables: runs, open conflicts, one conflict's fields side by side,
and the operations the server refused. Each holds plain values read through
:mod:`sync.history`, :mod:`sync.conflicts` and :mod:`sync.failed`; none holds a
session."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from core.timeutil import as_utc
from desktop.table import AnyIndex, TitledTableModel
from sync.conflicts import MINE, THEIRS, ConflictView, FieldChoice
from sync.failed import FailedOp
from sync.history import RunRow

#: The row's id (a run's, a conflict's, a failed operation's) on every cell.
ID_ROLE = Qt.ItemDataRole.UserRole + 1

OUTCOME_WORDS = {
    "ok": "Completed",
    "partial": "Completed, some refused",
    "failed": "Failed",
    "running": "Running",
}
OUTCOME_COLORS = {
    "ok": ("#1e6b34", "#e6f4ea"),
    "partial": ("#8a5a00", "#fff6e0"),
    "failed": ("#b42318", "#fdecec"),
    "running": ("#1f4f99", "#e8f1fd"),
}
CHOSEN = QColor("#e6f4ea")


def when_text(when: datetime | None) -> str:
    """An instant in this computer's time zone, to the second."""
    return f"{as_utc(when).astimezone():%d %b %Y %H:%M:%S}" if when else ""


def value_text(value: Any) -> str:
    """A field's value as a person reads it; "(none)" for an absent one."""
    if value is None:
        return "(none)"
    if value == "":
        return "(empty)"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "(none)"
    return json.dumps(value, ensure_ascii=False)


def field_title(name: str) -> str:
    """``startTime`` → "Start time"."""
    words = re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()
    return words[:1].upper() + words[1:]


class RunsModel(TitledTableModel):
    titles = ("Started", "Outcome", "Sent", "Received", "Merged", "Conflicts", "Refused", "Note")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.runs: list[RunRow] = []

    def set_runs(self, runs: Sequence[RunRow]) -> None:
        self.beginResetModel()
        self.runs = list(runs)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self.runs)

    def _text(self, run: RunRow, column: int) -> str:
        return (
            when_text(run.started_at),
            OUTCOME_WORDS.get(run.outcome, run.outcome),
            str(run.pushed),
            str(run.pulled),
            str(run.merged),
            str(run.conflicts),
            str(run.failed),
            run.message,
        )[column]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.runs):
            return None
        run, column = self.runs[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(run, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return run.message or self._text(run, column)
        if role == ID_ROLE:
            return run.id
        if role == Qt.ItemDataRole.TextAlignmentRole and 2 <= column <= 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == 1 and role in (
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.BackgroundRole,
        ):
            fg, bg = OUTCOME_COLORS.get(run.outcome, ("#1d2733", "#ffffff"))
            return QBrush(QColor(fg if role == Qt.ItemDataRole.ForegroundRole else bg))
        return None


class ConflictsModel(TitledTableModel):
    titles = ("Record", "Fields in conflict", "Found")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.conflicts: list[ConflictView] = []

    def set_conflicts(self, conflicts: Sequence[ConflictView]) -> None:
        self.beginResetModel()
        self.conflicts = list(conflicts)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self.conflicts)

    def row_of(self, conflict_id: str) -> int:
        return next((n for n, c in enumerate(self.conflicts) if c.id == conflict_id), -1)

    def _text(self, conflict: ConflictView, column: int) -> str:
        return (
            conflict.label,
            ", ".join(field_title(f.name) for f in conflict.fields) or "(deleted)",
            when_text(conflict.created_at),
        )[column]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.conflicts):
            return None
        conflict = self.conflicts[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(conflict, index.column())
        if role == ID_ROLE:
            return conflict.id
        return None


class FieldsModel(TitledTableModel):
    """One conflict's fields: what both sides started from, mine, theirs, and the
    side chosen for each (the chosen cell is tinted)."""

    titles = ("Field", "Before (base)", "Mine (this computer)", "Theirs (server)", "Keep")
    FIELD, BASE, MINE_COLUMN, THEIRS_COLUMN, KEEP = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.fields: list[FieldChoice] = []
        self.choices: dict[str, str] = {}

    def set_fields(self, fields: Sequence[FieldChoice]) -> None:
        self.beginResetModel()
        self.fields = list(fields)
        self.choices = dict.fromkeys((f.name for f in self.fields), MINE)
        self.endResetModel()

    def choose(self, name: str, side: str) -> None:
        if name not in self.choices or side not in (MINE, THEIRS):
            return
        self.choices[name] = side
        row = next(n for n, f in enumerate(self.fields) if f.name == name)
        self.dataChanged.emit(self.index(row, self.MINE_COLUMN), self.index(row, self.KEEP))

    def row_total(self) -> int:
        return len(self.fields)

    def _text(self, field: FieldChoice, column: int) -> str:
        if column == self.FIELD:
            return field_title(field.name)
        if column == self.KEEP:
            return "Mine" if self.choices.get(field.name) == MINE else "Theirs"
        return value_text((field.base, field.mine, field.theirs)[column - 1])

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.fields):
            return None
        field, column = self.fields[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(field, column)
        if role == ID_ROLE:
            return field.name
        chosen = {MINE: self.MINE_COLUMN, THEIRS: self.THEIRS_COLUMN}.get(
            self.choices.get(field.name, ""), -1
        )
        if role == Qt.ItemDataRole.BackgroundRole and column == chosen:
            return QBrush(CHOSEN)
        if role == Qt.ItemDataRole.FontRole and column in (self.FIELD, chosen):
            font = QFont()
            font.setBold(True)
            return font
        return None


class FailedModel(TitledTableModel):
    titles = ("Change", "Record", "The server's reason", "Tries")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.ops: list[FailedOp] = []

    def set_ops(self, ops: Sequence[FailedOp]) -> None:
        self.beginResetModel()
        self.ops = list(ops)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self.ops)

    def row_of(self, op_id: int) -> int:
        return next((n for n, o in enumerate(self.ops) if o.id == op_id), -1)

    def _text(self, op: FailedOp, column: int) -> str:
        return (op.op.capitalize(), op.label, op.reason, str(op.attempts))[column]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.ops):
            return None
        op = self.ops[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(op, index.column())
        if role == ID_ROLE:
            return op.id
        return None
