"""A small key to the grid's marks, so a new supervisor reads it without asking."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from core.results import Check, Conflict, RuleWarning
from core.roster import RosterShift
from desktop.schedule.paint import font, paint_leave, paint_shift
from desktop.theme import MUTED

_SAMPLE = {
    "id": "legend",
    "site_id": "",
    "day": None,
    "start_time": "",
    "end_time": "",
    "start_utc": None,
    "end_utc": None,
    "location": "",
    "department_id": None,
    "color": "#4f7cac",
    "employee_ids": (),
    "department_ids": (),
    "notes": "",
    "flag": "",
}
_ITEMS = (
    ("Published", {"status": "scheduled", "published": True}, Check()),
    ("Not published", {"status": "scheduled", "published": False}, Check()),
    ("Cancelled", {"status": "cancelled", "published": True}, Check()),
    (
        "Warning",
        {"status": "scheduled", "published": True},
        Check(warnings=(RuleWarning("rest", "", ""),)),
    ),
    (
        "Conflict",
        {"status": "scheduled", "published": True},
        Check(conflicts=(Conflict("overlap", "", "", ""),)),
    ),
)
SWATCH = QSize(20, 16)
#: Between one entry's words and the next swatch: tight, so the key fits beside the
#: filters on a 1366-pixel screen.
GAP = 10


class Legend(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Legend")
        self.setAccessibleDescription(
            "Hatched: not published. Struck through: cancelled. Amber outline: warning."
            " Red outline: conflict. Orange stripes: approved leave."
        )
        self.setFixedHeight(24)
        self.setMinimumWidth(self._width())

    def _labels(self) -> list[str]:
        return [label for label, _, _ in _ITEMS] + ["Leave"]

    def _width(self) -> int:
        metrics = QFontMetrics(font(self.font(), 12))  # the labels' font, as painted
        return sum(SWATCH.width() + 6 + metrics.horizontalAdvance(t) + GAP for t in self._labels())

    def sizeHint(self) -> QSize:
        return QSize(self._width(), 24)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        base = self.font()
        x = 0
        y = (self.height() - SWATCH.height()) // 2
        for label, state, check in _ITEMS:
            shift = RosterShift(**_SAMPLE, **state)  # type: ignore[arg-type]
            paint_shift(painter, QRect(x, y, SWATCH.width(), SWATCH.height()), shift, check, base)
            x = self._label(painter, x, label)
        paint_leave(painter, QRect(x, y, SWATCH.width(), SWATCH.height()), None, base)
        self._label(painter, x, "Leave")
        painter.end()

    def _label(self, painter: QPainter, x: int, text: str) -> int:
        painter.setPen(MUTED)
        painter.setFont(font(self.font(), 12))
        left = x + SWATCH.width() + 6
        width = painter.fontMetrics().horizontalAdvance(text)
        painter.drawText(
            QRect(left, 0, width + 2, self.height()), Qt.AlignmentFlag.AlignVCenter, text
        )
        return left + width + GAP
