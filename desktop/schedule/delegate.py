"""Paints one cell of the grid from the model's snapshot; holds no state of its own."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.schedule.layout import LEAVE_BAND, MAX_BLOCKS, block_rects
from desktop.schedule.model import CELL_ROLE, CellInfo
from desktop.schedule.paint import BAND, MUTED, TODAY, WEEKEND, font, paint_leave, paint_shift
from desktop.theme import ACCENT


class ShiftDelegate(QStyledItemDelegate):
    """``is_selected(shift_id)`` tells which blocks the view has selected."""

    def __init__(self, is_selected: Callable[[str], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._is_selected = is_selected

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell: CellInfo = index.data(CELL_ROLE)
        rect: QRect = option.rect
        base = option.font
        painter.save()
        if cell.row.employee is None:
            painter.fillRect(rect, BAND)
            if cell.team_shifts:
                painter.setPen(MUTED)
                painter.setFont(font(base, 11))
                hours = f"{cell.team_hours.normalize():f}".rstrip(".")
                painter.drawText(
                    rect.adjusted(8, 0, -4, 0),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{cell.team_shifts} shifts · {hours} h",
                )
            painter.restore()
            return
        if cell.today:
            painter.fillRect(rect, TODAY)
        elif cell.weekend:
            painter.fillRect(rect, WEEKEND)
        if cell.leave is not None:
            band = QRect(rect)
            if cell.shifts:
                band.setHeight(LEAVE_BAND)
            paint_leave(painter, band, cell.leave, base)
        rects = block_rects(rect, len(cell.shifts), cell.leave is not None)
        hidden = max(0, len(cell.shifts) - MAX_BLOCKS)
        for n, block in enumerate(rects):
            shift = cell.shifts[n]
            paint_shift(
                painter,
                block,
                shift,
                cell.problems[n],
                base,
                selected=self._is_selected(shift.id),
                more=hidden if n == len(rects) - 1 else 0,
                out_of_sync=bool(cell.out_of_sync[n]),
            )
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(ACCENT, 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.restore()
