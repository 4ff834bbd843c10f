"""Cyclic garbage collected on the UI thread only.

Python starts a collection on whatever thread happens to allocate when a
generation fills up. The app runs reads and writes on worker threads
(:mod:`desktop.jobs`, the writer), so a collection can start there and free the
wrappers of Qt objects that live on the UI thread (a closed dialog, a page's
models in a reference cycle), which Qt does not allow: the process crashes in
"Garbage-collecting". As qutebrowser does, the automatic collector is turned off
and a timer on the UI thread collects whichever generation is over its threshold,
so a collection only ever runs between two events of the UI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the UI thread looks at the generations' counts.
INTERVAL_MS = 1000


class UiThreadCollector(QObject):
    """Owned by the application; collecting stays off for the process's life."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(interval_ms)

    def collect(self) -> int:
        """Collect the oldest generation over its threshold (as the automatic collector
        would have by now); returns the objects found unreachable."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0


def install(app: QCoreApplication) -> UiThreadCollector:
    """The application's collector, made by the first call and returned by every
    later one: the app and any tool that opens its window the same way (a survey
    that opens it once a run) share one timer."""
    found = app.findChild(UiThreadCollector)
    return found if isinstance(found, UiThreadCollector) else UiThreadCollector(app)
