from __future__ import annotations

import itertools

from PySide6.QtCore import QRect

from desktop.schedule.layout import BLOCK, LEAVE_BAND, MAX_BLOCKS, block_at, block_rects, row_height


def test_a_row_grows_so_each_shift_keeps_its_two_lines() -> None:
    for count in (1, 2, 3):
        rects = block_rects(QRect(0, 0, 120, row_height(count)), count)
        assert len(rects) == count
        assert all(r.height() == BLOCK for r in rects)
        assert all(a.bottom() < b.top() for a, b in itertools.pairwise(rects))


def test_past_three_shifts_the_row_stops_growing_and_the_rest_is_summarised() -> None:
    assert row_height(7) == row_height(MAX_BLOCKS)
    rects = block_rects(QRect(0, 0, 120, row_height(7)), 7)
    assert len(rects) == MAX_BLOCKS


def test_leave_takes_a_band_above_the_shifts_and_hit_testing_follows() -> None:
    cell = QRect(0, 0, 120, row_height(1, has_leave_band=True))
    (rect,) = block_rects(cell, 1, has_leave=True)
    assert rect.top() >= LEAVE_BAND
    assert block_at(cell, 1, True, rect.center().x(), rect.center().y()) == 0
    assert block_at(cell, 1, True, 10, 5) == -1  # on the leave band
