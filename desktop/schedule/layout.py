"""Where things sit inside a cell; the delegate paints and the view hit-tests by it.

Two sizes: the week's blocks (time range over location) and the month's chips (a
start time in the team's colour), small enough for 31 days across a 1440 px window.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect


@dataclass(frozen=True)
class Metrics:
    pad: int
    #: Height of one shift's block.
    block: int
    #: Leave above a cell's shifts (a band with its label, or a thin strip).
    leave_band: int
    department_row: int
    empty_row: int
    #: Shifts of one cell shown before the rest is summarised as "+n".
    max_blocks: int
    #: Narrowest day column before the grid scrolls sideways instead.
    min_day_width: int


#: Week and two weeks: two lines per block, "22:30–06:30" and a short location.
WEEK = Metrics(
    pad=3,
    block=38,
    leave_band=18,
    department_row=30,
    empty_row=46,
    max_blocks=3,
    min_day_width=112,
)
#: Month: one chip per shift with its start time; the tooltip has the rest.
MONTH = Metrics(
    pad=2,
    block=17,
    leave_band=4,
    department_row=24,
    empty_row=25,
    max_blocks=2,
    min_day_width=26,
)

BLOCK = WEEK.block
LEAVE_BAND = WEEK.leave_band
MAX_BLOCKS = WEEK.max_blocks


def row_height(lines: int, has_leave_band: bool = False, metrics: Metrics = WEEK) -> int:
    shown = min(max(lines, 1), metrics.max_blocks)
    height = metrics.pad + shown * (metrics.block + metrics.pad)
    if has_leave_band:
        height += metrics.leave_band
    return max(height, metrics.empty_row)


def block_rects(
    cell: QRect, count: int, has_leave: bool = False, metrics: Metrics = WEEK
) -> list[QRect]:
    """One rectangle per shift, stacked top down; shifts past max_blocks get none."""
    shown = min(count, metrics.max_blocks)
    if shown <= 0:  # half a month's cells: no need to ask the cell where it is
        return []
    pad = metrics.pad
    top = cell.top() + pad + (metrics.leave_band if has_leave and count else 0)
    available = cell.bottom() - top - pad + 1
    height = max(
        min(16, metrics.block), min(metrics.block, (available - pad * (shown - 1)) // shown)
    )
    return [
        QRect(cell.left() + pad, top + n * (height + pad), cell.width() - 2 * pad, height)
        for n in range(shown)
    ]


def block_at(
    cell: QRect, count: int, has_leave: bool, x: int, y: int, metrics: Metrics = WEEK
) -> int:
    """Which shift of the cell is under a point; -1 for none."""
    for n, rect in enumerate(block_rects(cell, count, has_leave, metrics)):
        if rect.contains(x, y):
            return n
    return -1
