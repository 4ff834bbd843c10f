"""The payroll preview's Qt model: one row per employee and a totals row, from core.

The columns are the export's own (:data:`core.export.columns.SUMMARY`), so the
preview and the file name and compute every figure the same way; the totals row
sums each summed column's figures, as the export's totals row does.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont

from core.attendance import Rules
from core.export.columns import SUMMARY, Column, Kind
from core.payroll import Payroll
from desktop.table import AnyIndex, TableModel

#: The summary columns the preview shows, in this order.
SHOWN = ("name", "code", "regular", "overtime", "leave", "late", "penalty", "gross")
COLUMNS: tuple[Column, ...] = tuple(next(c for c in SUMMARY if c.name == name) for name in SHOWN)
TOTAL_LABEL = "Total"
_TOTAL_BACKGROUND = QColor("#eef2f6")


def figure(value: Any, kind: Kind) -> str:
    """A figure as the preview shows it: hours and money with two decimals."""
    if kind in (Kind.HOURS, Kind.MONEY):
        return f"{Decimal(value):,.2f}"
    return str(value)


class PayrollModel(TableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        today = date.today()
        self._report = Payroll(today, today, "", Rules(), ())

    @property
    def report(self) -> Payroll:
        return self._report

    def set_report(self, report: Payroll) -> None:
        self.beginResetModel()
        self._report = report
        self.endResetModel()

    def is_total(self, row: int) -> bool:
        return row == len(self._report.lines)

    def value(self, row: int, column: int) -> Any:
        """The figure behind a cell: core's value, or the column's total on the last row."""
        col = COLUMNS[column]
        if not self.is_total(row):
            return col.value(self._report.lines[row])
        if col.name == "name":
            return TOTAL_LABEL
        if not col.total:
            return ""
        return sum((col.value(line) for line in self._report.lines), Decimal(0))

    def row_total(self) -> int:
        return len(self._report.lines) + 1 if self._report.lines else 0

    def column_total(self) -> int:
        return len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        kind = COLUMNS[column].kind
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            value = self.value(row, column)
            return value if isinstance(value, str) else figure(value, kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind is Kind.TEXT:
                return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if self.is_total(row):
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return _TOTAL_BACKGROUND
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        col = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            currency = self._report.currency
            return (
                f"{col.header} ({currency})" if col.kind is Kind.MONEY and currency else col.header
            )
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.kind is Kind.TEXT:
                return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None
