"""Paints one cell of the grid from the model's snapshot; holds no state of its own."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.notice import plural
from desktop.schedule.layout import Metrics, block_rects
from desktop.schedule.model import CELL_ROLE, CellInfo, RowKind
from desktop.schedule.paint import (
    BAND,
    COMPACT_WIDTH,
    MUTED,
    OFF_FILL,
    OPEN_FILL,
    TODAY,
    WEEKEND,
    font,
    paint_leave,
    paint_shift,
)
from desktop.theme import ACCENT, WARNING


class ShiftDelegate(QStyledItemDelegate):
    """``is_selected(shift_id)`` tells which blocks the view has selected, ``metrics()``
    the sizes the view lays cells out by (the week's blocks or the month's chips)."""

    def __init__(
        self,
        is_selected: Callable[[str], bool],
        metrics: Callable[[], Metrics],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._is_selected = is_selected
        self._metrics = metrics

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell: CellInfo = index.data(CELL_ROLE)
        rect: QRect = option.rect
        base = option.font
        metrics = self._metrics()
        painter.save()
        if cell.row.kind == RowKind.DEPARTMENT:
            painter.fillRect(rect, BAND)
            if cell.team_shifts:
                self._paint_totals(painter, rect, cell, base)
            painter.restore()
            return
        if cell.row.kind == RowKind.OPEN:
            painter.fillRect(rect, OPEN_FILL)
        elif cell.off:  # before their first day or after their last: nobody can book it
            painter.fillRect(rect, OFF_FILL)
        elif cell.today:
            painter.fillRect(rect, TODAY)
        elif cell.weekend:
            painter.fillRect(rect, WEEKEND)
        if cell.leave is not None:
            band = QRect(rect)
            if cell.shifts:
                band.setHeight(metrics.leave_band)
            # A strip too thin for words is a swatch; the tooltip names the leave.
            paint_leave(painter, band, cell.leave if band.height() >= 12 else None, base)
        rects = block_rects(rect, len(cell.shifts), cell.leave is not None, metrics)
        hidden = max(0, len(cell.shifts) - metrics.max_blocks)
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

    @staticmethod
    def _paint_totals(painter: QPainter, rect: QRect, cell: CellInfo, base: QFont) -> None:
        """ "4 shifts · 32 h", then how many of them nobody works yet, in amber; a
        month's narrow day says only the count, and the open ones as "+1"."""
        painter.setFont(font(base, 11))
        if rect.width() < COMPACT_WIDTH:
            painter.setPen(MUTED)
            opened = f"+{cell.team_open}" if cell.team_open else ""
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{cell.team_shifts}{opened}")
            return
        hours = f"{cell.team_hours.normalize():f}".rstrip(".")
        text = f"{plural(cell.team_shifts, 'shift')} · {hours} h"
        area = rect.adjusted(8, 0, -6, 0)
        opened = f"{cell.team_open} open" if cell.team_open else ""
        room = area.width() - QFontMetrics(font(base, 11, bold=True)).horizontalAdvance(opened)
        if opened and painter.fontMetrics().horizontalAdvance(text) + 8 > room:
            text = plural(cell.team_shifts, "shift")  # a narrow day: the hours give way
        painter.setPen(MUTED)
        painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        if opened:
            painter.setPen(WARNING.darker(130))
            painter.setFont(font(base, 11, bold=True))
            painter.drawText(
                area,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                opened,
            )
