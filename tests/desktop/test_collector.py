from __future__ import annotations

import gc

from PySide6.QtCore import QObject

from desktop.collector import UiThreadCollector, install


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


def test_install_makes_one_collector_for_the_application_however_often_called(qapp) -> None:
    was = gc.isenabled()
    try:
        first = install(qapp)
        assert install(qapp) is first
        assert qapp.findChildren(UiThreadCollector) == [first]
        assert not gc.isenabled()
    finally:
        for made in qapp.findChildren(UiThreadCollector):
            made.setParent(None)  # and freed with its wrapper
        if was:
            gc.enable()
