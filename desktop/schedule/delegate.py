"""Paints one cell of the grid from the model's snapshot; holds no state of its own."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.notice import plural
from desktop.schedule.layout import Metrics, block_rects
from desktop.schedule.model import CellInfo, RowKind
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

#: The focus flag of a cell's option, looked up once.
HAS_FOCUS = QStyle.StateFlag.State_HasFocus


class ShiftDelegate(QStyledItemDelegate):
    """``is_selected(shift_id)`` tells which blocks the view has selected, ``metrics()``
    the sizes the view lays cells out by (the week's blocks or the month's chips),
    ``cell(index)`` what a cell shows (the model's :class:`CellInfo`, asked directly:
    through ``index.data`` each cell's answer would cross Qt twice, which cost as
    much as building it)."""

    def __init__(
        self,
        is_selected: Callable[[str], bool],
        metrics: Callable[[], Metrics],
        cell: Callable[[QModelIndex | QPersistentModelIndex], CellInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._is_selected = is_selected
        self._metrics = metrics
        self._cell = cell

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Leaves the painter as it found it; what changes its pen, brush or font
        saves and restores it (a month's empty cells need neither)."""
        cell = self._cell(index)
        rect: QRect = option.rect
        kind = cell.row.kind
        if kind == RowKind.DEPARTMENT:
            painter.fillRect(rect, BAND)
            if cell.team_shifts:
                painter.save()
                self._paint_totals(painter, rect, cell, option.font)
                painter.restore()
            return
        if kind == RowKind.OPEN:
            painter.fillRect(rect, OPEN_FILL)
        elif cell.off:  # before their first day or after their last: nobody can book it
            painter.fillRect(rect, OFF_FILL)
        elif cell.closed:  # the view shades a closed pay period's days, whole runs at once
            pass
        elif cell.today:
            painter.fillRect(rect, TODAY)
        elif cell.weekend:
            painter.fillRect(rect, WEEKEND)
        shifts = cell.shifts
        if shifts or cell.leave is not None:
            self._paint_contents(painter, rect, cell, option.font)
        if HAS_FOCUS in option.state:
            painter.save()
            painter.setPen(QPen(ACCENT, 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
            painter.restore()

    def _paint_contents(self, painter: QPainter, rect: QRect, cell: CellInfo, base: QFont) -> None:
        """A person's or the open shifts' day: its leave, then its shifts' blocks."""
        metrics = self._metrics()
        shifts = cell.shifts
        if cell.leave is not None:
            band = QRect(rect)
            if shifts and metrics.leave_band >= 12:
                band.setHeight(metrics.leave_band)
            # A month's day with shifts has no room for a band over them: the whole
            # cell turns leave-yellow behind its chips, and the tooltip names the leave.
            paint_leave(painter, band, None if shifts and band == rect else cell.leave, base)
        rects = block_rects(rect, len(shifts), cell.leave is not None, metrics)
        hidden = max(0, len(shifts) - metrics.max_blocks)
        last = len(rects) - 1
        for n, block in enumerate(rects):
            shift = shifts[n]
            paint_shift(
                painter,
                block,
                shift,
                cell.problems[n],
                base,
                selected=self._is_selected(shift.id),
                more=hidden if n == last else 0,
                out_of_sync=bool(cell.out_of_sync[n]),
                elsewhere=cell.elsewhere[n] if cell.elsewhere else "",
            )

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
