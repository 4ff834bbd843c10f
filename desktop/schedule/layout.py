"""Where things sit inside a cell; the delegate paints and the view hit-tests by it."""

from __future__ import annotations

from PySide6.QtCore import QRect

PAD = 3
BLOCK = 38  # two lines: the time range and the location
LEAVE_BAND = 18
DEPARTMENT_ROW = 30
EMPTY_ROW = 46
#: Shifts of one cell shown in full before the rest is summarised as "+n".
MAX_BLOCKS = 3


def row_height(lines: int, has_leave_band: bool = False) -> int:
    shown = min(max(lines, 1), MAX_BLOCKS)
    height = PAD + shown * (BLOCK + PAD)
    if has_leave_band:
        height += LEAVE_BAND
    return max(height, EMPTY_ROW)


def block_rects(cell: QRect, count: int, has_leave: bool = False) -> list[QRect]:
    """One rectangle per shift, stacked top down; shifts past MAX_BLOCKS get none."""
    top = cell.top() + PAD + (LEAVE_BAND if has_leave and count else 0)
    available = cell.bottom() - top - PAD + 1
    shown = min(count, MAX_BLOCKS)
    if not shown:
        return []
    height = max(16, min(BLOCK, (available - PAD * (shown - 1)) // shown))
    return [
        QRect(cell.left() + PAD, top + n * (height + PAD), cell.width() - 2 * PAD, height)
        for n in range(shown)
    ]


def block_at(cell: QRect, count: int, has_leave: bool, x: int, y: int) -> int:
    """Which shift of the cell is under a point; -1 for none."""
    for n, rect in enumerate(block_rects(cell, count, has_leave)):
        if rect.contains(x, y):
            return n
    return -1
