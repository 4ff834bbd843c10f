"""The stall meter itself: it sees a freeze of the UI thread, tells our own CPU work
from waiting, and counts apart what happens while a busy indicator shows."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from tests.desktop.freeze_watch import FreezeWatch


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_blocking_action_is_one_long_gap_with_its_cpu(qapp) -> None:
    stalls = FreezeWatch().measure("spin", lambda: _spin(0.25), quiet_ms=50)
    assert stalls.longest.wall >= 0.24
    assert stalls.longest.cpu > 0  # work of our own, not the machine's
    assert stalls.longest_indicated.wall == 0


def test_a_sleep_is_a_stall_without_cpu(qapp) -> None:
    stalls = FreezeWatch().measure("sleep", lambda: time.sleep(0.25), quiet_ms=50)
    assert stalls.longest.wall >= 0.24
    assert stalls.longest.cpu < stalls.longest.wall / 2


def test_a_stall_while_busy_is_indicated(qapp) -> None:
    busy = {"on": False}

    def start_busy_work() -> None:
        busy["on"] = True
        _spin(0.25)
        QTimer.singleShot(50, lambda: busy.update(on=False))  # the job's end, reported

    stalls = FreezeWatch(busy=lambda: busy["on"]).measure("busy", start_busy_work, quiet_ms=50)
    assert stalls.longest_indicated.wall >= 0.24
    assert stalls.longest.wall < 0.24
