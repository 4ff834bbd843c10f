"""The base of the desktop's table models: flat tables that say how many rows and
columns they have, and headers for tables whose columns are plain titles.

Qt asks every count with a parent index; a flat table has nothing below a cell,
so it answers none for a valid parent. Writing that once keeps every model honest
under Qt's model tester. Cells keep Qt's table flags: enabled, selectable, no
children; no model here is edited in place.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyleOptionHeader,
    QTableView,
    QWidget,
)

AnyIndex = QModelIndex | QPersistentModelIndex


class TableModel(QAbstractTableModel):
    """A flat table: subclasses give :meth:`row_total` and :meth:`column_total`."""

    def row_total(self) -> int:
        raise NotImplementedError

    def column_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.column_total()


class TitledTableModel(TableModel):
    """A flat table whose columns are the titles in :attr:`titles`, and nothing more."""

    titles: tuple[str, ...] = ()

    def column_total(self) -> int:
        return len(self.titles)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.titles)
        ):
            return self.titles[section]
        return None


def list_table(parent: QWidget, name: str, accessible: str) -> QTableView:
    """A read-only list of records, one selectable row each, the way every page shows
    one: no grid, alternating rows, no row numbers, headers aligned with the text."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(30)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def title_width(table: QTableView, column: int) -> int:
    """How wide a column's header must be to show its whole title, as the style
    (and the stylesheet's padding) draws it."""
    header = table.horizontalHeader()
    title = table.model().headerData(column, Qt.Orientation.Horizontal) if table.model() else ""
    option = QStyleOptionHeader()
    option.initFrom(header)
    option.text = str(title or "")
    option.section = column
    size = header.style().sizeFromContents(
        QStyle.ContentsType.CT_HeaderSection, option, QSize(), header
    )
    return size.width()


def fit_titles(table: QTableView) -> None:
    """Widen any column set narrower than its title (a title cut to "Fields in c…"
    says nothing); columns that stretch get their share of the room instead."""
    header = table.horizontalHeader()
    for column in range(header.count()):
        if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Interactive:
            continue
        needed = title_width(table, column)
        if header.sectionSize(column) < needed:
            header.resizeSection(column, needed)
