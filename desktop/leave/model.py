"""The leave requests table: one row per request, as :func:`core.leave.list_leave` lists them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from core.leave import LeaveRow
from core.models import LeaveStatus
from core.timeutil import to_local
from desktop.notice import plural
from desktop.table import AnyIndex, TitledTableModel

COLUMNS = ("Employee", "Type", "Dates", "Days", "Clashes", "Status", "Reason", "Decided")
EMPLOYEE, TYPE, DATES, DAYS, CLASHES, STATUS, REASON, DECIDED = range(len(COLUMNS))
#: The request's id on every cell.
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: A value that sorts right (dates as ISO text, day counts as numbers).
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

STATUS_COLORS = {
    LeaveStatus.PENDING: ("#8a5a00", "#fff6e0"),
    LeaveStatus.APPROVED: ("#1e6b34", "#e6f4ea"),
    LeaveStatus.REJECTED: ("#b42318", "#fdecec"),
    LeaveStatus.CANCELLED: ("#5b6876", "#eef1f4"),
}


def dates_text(row: LeaveRow) -> str:
    if row.start_date == row.end_date:
        text = f"{row.start_date:%a %d %b %Y}"
    elif row.start_date.year == row.end_date.year:
        text = f"{row.start_date:%a %d %b} – {row.end_date:%a %d %b %Y}"
    else:
        text = f"{row.start_date:%d %b %Y} – {row.end_date:%d %b %Y}"
    if row.start_time:
        text += f", {row.start_time}–{row.end_time}"
    return text


def days_text(row: LeaveRow) -> str:
    if row.start_time:
        return "part day"
    n = (row.end_date - row.start_date).days + 1
    return plural(n, "day")


def decided_text(row: LeaveRow, zone: str) -> str:
    if not row.decided_by or row.decided_at is None:
        return ""
    return f"{row.decided_by}, {to_local(row.decided_at, zone):%d %b %H:%M}"


class LeaveModel(TitledTableModel):
    titles = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[LeaveRow] = []
        self.zone = "UTC"
        self.clashes: Mapping[str, int] = {}

    def set_rows(
        self, rows: Sequence[LeaveRow], zone: str = "UTC", clashes: Mapping[str, int] | None = None
    ) -> None:
        """``zone`` is where decision times are shown (the site's); ``clashes`` how
        many shifts each pending or approved request clashes with."""
        self.beginResetModel()
        self.rows, self.zone, self.clashes = list(rows), zone, clashes or {}
        self.endResetModel()

    def clash_text(self, row: LeaveRow) -> str:
        """Blank where clashes do not matter (rejected, cancelled); "none" for 0."""
        count = self.clashes.get(row.id)
        if count is None:
            return ""
        return plural(count, "shift") if count else "none"

    def row_at(self, row: int) -> LeaveRow:
        return self.rows[row]

    def row_of(self, leave_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.id == leave_id), -1)

    def row_total(self) -> int:
        return len(self.rows)

    def _text(self, row: LeaveRow, column: int) -> str:
        return (
            row.employee,
            row.leave_type.capitalize(),
            dates_text(row),
            days_text(row),
            self.clash_text(row),
            row.status.capitalize(),
            row.reason,
            decided_text(row, self.zone),
        )[column]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (REASON, DATES):
            return self._text(row, column) or None
        if role == Qt.ItemDataRole.ToolTipRole and column == CLASHES and self.clashes.get(row.id):
            return (
                "Shifts this request covers: approving asks whether to take the person off them"
                if row.status == LeaveStatus.PENDING
                else "Shifts the person was kept on although on leave"
            )
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == CLASHES
            and self.clashes.get(row.id)
        ):
            return QBrush(QColor("#b42318"))
        if role == ID_ROLE:
            return row.id
        if role == SORT_ROLE:
            if column == DATES:
                return f"{row.start_date.isoformat()} {row.start_time or ''}"
            if column == DAYS:
                return (row.end_date - row.start_date).days + (0 if row.start_time else 1)
            if column == DECIDED:
                return row.decided_at.isoformat() if row.decided_at else ""
            if column == CLASHES:
                return self.clashes.get(row.id, -1)
            return self._text(row, column)
        if column == STATUS and role in (
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.BackgroundRole,
        ):
            fg, bg = STATUS_COLORS.get(LeaveStatus(row.status), ("#1d2733", "#ffffff"))
            return QBrush(QColor(fg if role == Qt.ItemDataRole.ForegroundRole else bg))
        return None
