"""How attendance flags look: a coloured chip with a word on it, and the legend.

Core decides which flags a day has (:attr:`core.attendance.DayRecord.flags`); this
module only names them for people and paints them. Colour is never the only cue:
every chip carries its word, so it reads in grey print and for colour-blind eyes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from core.attendance import DayRecord, Flag
from core.money import hours, minutes_to_hours


@dataclass(frozen=True)
class Chip:
    key: str
    text: str


@dataclass(frozen=True)
class Look:
    label: str
    background: str
    foreground: str
    explains: str


#: Flag value (or a status: "approved") to its look; the order is the legend's.
LOOKS: dict[str, Look] = {
    Flag.LATE: Look("Late", "#fde8c4", "#7a4a00", "clocked in after the grace period"),
    Flag.EARLY: Look("Left early", "#fbdcc8", "#8a3100", "clocked out before the shift ended"),
    Flag.MISSING_PUNCH: Look("Missing punch", "#eadcfb", "#5b2398", "an in or out is missing"),
    Flag.ABSENT: Look("Absent", "#f9d2d2", "#9b1212", "scheduled, no punches, no leave"),
    Flag.OVERTIME: Look("Overtime", "#d6e6fd", "#17448f", "worked past the daily or weekly limit"),
    Flag.UNSCHEDULED: Look("Unscheduled", "#d3f0ea", "#0b5c4e", "worked without a shift"),
    Flag.ON_LEAVE: Look("Leave", "#ece6dc", "#5a4a30", "approved leave on this day"),
    Flag.CORRECTED: Look("Corrected", "#e1e6ec", "#2f3d4c", "a supervisor changed the record"),
    Flag.WORKED_ON_LEAVE: Look(
        "Worked on leave", "#fbd9ef", "#86195f", "punched work inside approved leave"
    ),
    Flag.LEAVE_UNCREDITED: Look(
        "Leave: 0 h", "#fbe3d3", "#7a3410", "paid leave, no shift and no contract hours"
    ),
    Flag.IN_PROGRESS: Look("In progress", "#e4eefc", "#1f4e8c", "clocked in, the shift runs on"),
    "approved": Look("✓ Approved", "#d5f0dc", "#1a5e2e", "signed off"),
}
#: Not shown among the problem chips: they have the status column.
_STATUS = frozenset({Flag.CORRECTED})


def _hours(minutes: int) -> str:
    return f"{hours(minutes_to_hours(minutes))} h"


def problem_chips(day: DayRecord) -> tuple[Chip, ...]:
    """The day's flags as chips, with the minutes where a number helps."""
    chips = []
    for flag in day.flags:
        if flag in _STATUS:
            continue
        text = LOOKS[flag].label
        if flag == Flag.LATE:
            text += f" {day.late_minutes} min"
        elif flag == Flag.EARLY:
            text += f" {day.early_minutes} min"
        elif flag == Flag.OVERTIME:
            text += f" {_hours(day.overtime_minutes)}"
        elif flag == Flag.ON_LEAVE and day.leave_type:
            text = f"{day.leave_type.replace('_', ' ').capitalize()} leave"
        chips.append(Chip(str(flag), text))
    return tuple(chips)


def status_chips(day: DayRecord) -> tuple[Chip, ...]:
    chips = []
    if day.correction is not None:
        chips.append(Chip(str(Flag.CORRECTED), LOOKS[Flag.CORRECTED].label))
    if day.approved:
        chips.append(Chip("approved", LOOKS["approved"].label))
    return tuple(chips)


CHIP_HEIGHT = 20
CHIP_GAP = 4
_PAD = 7


def chip_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPixelSize(12)
    font.setWeight(QFont.Weight.DemiBold)
    return font


def chip_width(painter_font: QFont, chip: Chip) -> int:
    return QFontMetrics(painter_font).horizontalAdvance(chip.text) + 2 * _PAD


def paint_chips(painter: QPainter, rect: QRect, chips: tuple[Chip, ...], base: QFont) -> None:
    """Chips left to right, vertically centred in ``rect``; clipped at its right edge."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = chip_font(base)
    painter.setFont(font)
    painter.setClipRect(rect)
    x = rect.left()
    y = rect.top() + (rect.height() - CHIP_HEIGHT) // 2
    for chip in chips:
        look = LOOKS[chip.key]
        width = chip_width(font, chip)
        box = QRect(x, y, width, CHIP_HEIGHT)
        background = QColor(look.background)
        painter.setPen(background.darker(125))
        painter.setBrush(background)
        painter.drawRoundedRect(box.adjusted(0, 0, -1, -1), 9, 9)
        painter.setPen(QColor(look.foreground))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, chip.text)
        x += width + CHIP_GAP
    painter.restore()


class FlagLegend(QWidget):
    """Every chip with its word, so a new supervisor reads the table without asking."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Legend")
        self.setAccessibleDescription(
            "; ".join(f"{look.label.strip('✓ ')}: {look.explains}" for look in LOOKS.values())
        )
        self.setToolTip("\n".join(f"{look.label}: {look.explains}" for look in LOOKS.values()))
        self._chips = tuple(Chip(key, look.label) for key, look in LOOKS.items())
        self.setFixedHeight(CHIP_HEIGHT + 4)
        self.setMinimumWidth(self._width())

    def _width(self) -> int:
        font = chip_font(self.font())
        return sum(chip_width(font, c) + CHIP_GAP for c in self._chips)

    def sizeHint(self) -> QSize:
        return QSize(self._width(), CHIP_HEIGHT + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_chips(painter, self.rect(), self._chips, self.font())
        painter.end()
