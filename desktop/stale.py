"""A page's reload on a data change, put off while the page is hidden.

Every built page hears every change. Attendance and payroll derive a whole
period (a month of 500 people is a second or more), so if each hidden page
reloaded at once, one drag on the Schedule would freeze the window for seconds.
A hidden page is only marked stale and reloads when it is shown next, before its
first paint; a shown page reloads at once, as before.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class ReloadWhenShown(QObject):
    def __init__(self, page: QWidget, reload: Callable[[], None]) -> None:
        super().__init__(page)
        self._page = page
        self._reload = reload
        #: A change came while the page was hidden; it reloads when shown.
        self.stale = False
        page.installEventFilter(self)

    def request(self) -> None:
        """Reload now if the page is on screen, else when it is shown next."""
        if self._page.isVisible():
            self.stale = False
            self._reload()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._page and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self._reload()
        return False
