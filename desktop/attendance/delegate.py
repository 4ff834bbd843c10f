"""Paints the Flags and Status columns as chips; every other cell is drawn by Qt."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.attendance.flags import CHIP_GAP, chip_font, chip_width, paint_chips
from desktop.attendance.model import CHIPS_ROLE


class ChipDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        chips = index.data(CHIPS_ROLE) or ()
        # The background (selection, hover) as Qt draws it, without the text.
        style = option.widget.style() if option.widget else None
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        paint_chips(painter, option.rect.adjusted(6, 0, -4, 0), chips, option.font)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        chips = index.data(CHIPS_ROLE) or ()
        font = chip_font(option.font)
        width = sum(chip_width(font, c) + CHIP_GAP for c in chips) + 10
        return QSize(width, 28)
