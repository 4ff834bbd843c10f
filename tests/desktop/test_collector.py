from __future__ import annotations

import gc

from PySide6.QtCore import QObject

from desktop.collector import UiThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_turns_automatic_collection_off_and_collects_on_its_timer(qtbot) -> None:
    owner = QObject()
    was = gc.isenabled()
    gc.enable()
    try:
        collector = UiThreadCollector(owner, interval_ms=10)
        assert not gc.isenabled()  # no collection can start on a worker thread
        gc.collect()
        for _ in range(gc.get_threshold()[0] + 10):
            _Cycle()  # unreachable at once, kept only by its cycle
        assert gc.get_count()[0] > gc.get_threshold()[0]
        qtbot.waitUntil(lambda: gc.get_count()[0] < gc.get_threshold()[0], timeout=5_000)
        assert collector.collect() == 0  # nothing over a threshold now
    finally:
        owner.deleteLater()
        if was:
            gc.enable()
