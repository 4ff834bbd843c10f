"""Writes from outside the app: the command line, ``shiftdesk sync`` from cron, another
window on the same file. Each one leaves every view showing rows that are no longer
so (an empty cell where a shift now is), so the window looks every so often, and
whenever it is activated, and reloads every view when someone else wrote.

The looking is :meth:`core.store.Store.changed_outside` (one PRAGMA on an open
connection, and the app's own commits never count); this class only schedules it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from desktop.context import AppContext

#: How often to look: often enough that a change is there by the time one looks again.
POLL_MS = 1500


class OutsideWatch(QObject):
    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.check)
        context.store_changed.connect(self.check)
        self.check()  # starts watching the open store
        self.timer.start()

    def check(self) -> bool:
        """Reload every view if someone else wrote since the last look; True if so."""
        if not self.context.store.changed_outside():
            return False
        self.context.refresh_all()
        return True
