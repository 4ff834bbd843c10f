"""PySide6 6.12.0 over-released None returned from data() and aborted the process.

pyproject excludes that release; this test reads a model whose data() returns None
as often as a scrolling grid does, so a release with the bug fails loudly here.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from desktop.schedule.model import RosterModel


def test_reading_none_from_a_model_many_times_does_not_crash(qapp) -> None:
    model = RosterModel()
    index = model.index(0, 0)  # an empty model: every read returns None
    assert index == QModelIndex()
    results = {index.data(Qt.ItemDataRole.DisplayRole) for _ in range(120_000)}
    assert results == {None}
    assert model.data(QModelIndex(), Qt.ItemDataRole.UserRole + 99) is None
