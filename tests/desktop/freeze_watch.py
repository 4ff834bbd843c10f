"""How long the UI thread stops answering during an action: the freezes a person feels.

A :class:`FreezeWatch` ticks a 10 ms ``QTimer`` on the UI thread and records the
gaps between ticks. An action is started from the event loop (as a click would
be), and the loop runs on until the context's background writes are done and the
page has been quiet a while, so deferred work (a slice of conflict checks, the
labour figures, a job's result delivered back) is measured too.

Each gap carries the UI thread's own CPU time over it (``time.thread_time``): a
long gap with little CPU is the machine's other load or a lock, a long gap with
as much CPU as wall time is our own work. A gap that ends while a background write
is indicated (``AppContext.busy``) is counted apart: the window says it is busy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QObject, QTimer

TICK_MS = 10


@dataclass(frozen=True)
class Gap:
    """One stretch between two ticks: wall and UI-thread CPU seconds beyond the tick."""

    wall: float
    cpu: float
    indicated: bool


@dataclass
class Stalls:
    """What one action cost the event loop."""

    name: str
    gaps: list[Gap] = field(default_factory=list)

    def _longest(self, indicated: bool) -> Gap:
        chosen = [g for g in self.gaps if g.indicated == indicated]
        return max(chosen, key=lambda g: g.wall, default=Gap(0.0, 0.0, indicated))

    @property
    def longest(self) -> Gap:
        """The longest freeze with no busy indicator showing."""
        return self._longest(False)

    @property
    def longest_indicated(self) -> Gap:
        """The longest freeze while the window said a background write ran."""
        return self._longest(True)

    def row(self) -> str:
        free, busy = self.longest, self.longest_indicated
        shown = f"{busy.wall * 1000:.0f} ms" if busy.wall else "—"
        return f"| {self.name} | {free.wall * 1000:.0f} ms | {free.cpu * 1000:.0f} ms | {shown} |"


class FreezeWatch(QObject):
    """Ticks while an action runs and keeps every gap between ticks."""

    def __init__(self, busy: Callable[[], bool] = lambda: False) -> None:
        super().__init__()
        self._busy = busy
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._wall = 0.0
        self._cpu = 0.0
        self.gaps: list[Gap] = []

    def _tick(self) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        gap = wall - self._wall - TICK_MS / 1000
        self.gaps.append(Gap(max(gap, 0.0), cpu - self._cpu, self._busy()))
        self._wall, self._cpu = wall, cpu

    def measure(
        self,
        name: str,
        action: Callable[[], object],
        settled: Callable[[], bool] = lambda: True,
        quiet_ms: int = 300,
        timeout_ms: int = 60_000,
    ) -> Stalls:
        """Run ``action`` from the event loop; keep turning it until no write is
        indicated, ``settled()`` holds, and ``quiet_ms`` more went by."""
        self.gaps = []
        self._wall, self._cpu = time.perf_counter(), time.thread_time()
        self._timer.start()
        _turn(3 * TICK_MS)  # a few ticks first, so the action's own gap has a start
        QTimer.singleShot(0, action)
        clock = QElapsedTimer()
        clock.start()
        quiet_since: int | None = None
        while clock.elapsed() < timeout_ms:
            _turn(TICK_MS)
            if self._busy() or not settled():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = clock.elapsed()
            elif clock.elapsed() - quiet_since >= quiet_ms:
                break
        self._timer.stop()
        return Stalls(name, list(self.gaps))


def _turn(ms: int) -> None:
    """Run the event loop for about ``ms``: timers fire, queued signals arrive."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QCoreApplication.sendPostedEvents()
