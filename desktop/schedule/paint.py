"""Drawing of the grid's cells and headers: department colours, states and problems.

Kept apart from the Qt classes that call it so that the delegate, the headers and
the drag pixmap all draw a shift the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap

from core.results import Check
from core.roster import RosterLeave, RosterShift
from desktop.schedule.layout import LEAVE_BAND
from desktop.theme import ACCENT, CONFLICT, MUTED, SYNC_CONFLICT, TEXT, WARNING

WEEKEND = QColor("#f7f9fb")
TODAY = QColor("#eef5ff")
BAND = QColor("#edf1f5")
#: Behind a department's open shifts: they wait for someone.
OPEN_FILL = QColor("#fdf8ee")
#: A person's days outside their employment (before they start, after they left).
OFF_FILL = QColor("#e3e7ec")
LEAVE_FILL = QColor("#fff6cc")
LEAVE_EDGE = QColor("#e9cf5f")
LEAVE_TEXT = QColor("#5c4700")
CANCELLED_FILL = QColor("#eef0f3")
#: A day of a closed pay period: a cool grey behind its cells, a wash over what they
#: hold (so its shifts read as paid history, not as work to arrange), and a slate
#: line and lock over its header.
CLOSED_FILL = QColor("#eceff2")
CLOSED_WASH = QColor(236, 239, 242, 150)
CLOSED_HEADER = QColor("#e6eaee")
CLOSED_EDGE = QColor("#7d8996")
CANCELLED_TEXT = QColor("#7b8794")
#: A block narrower than this is a month's chip: the start time only, no badge.
COMPACT_WIDTH = 64


def tint(color: QColor, amount: float) -> QColor:
    """``color`` mixed with white; 0 keeps it, 1 is white."""
    return QColor(
        round(color.red() + (255 - color.red()) * amount),
        round(color.green() + (255 - color.green()) * amount),
        round(color.blue() + (255 - color.blue()) * amount),
    )


@cache
def _hatch(color_name: str, spacing: int = 7) -> QPixmap:
    """Diagonal lines: "not yet published", light enough to read text through."""
    size = spacing * 2
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(color_name)
    painter.setPen(QPen(color, 1.4))
    for offset in (-size, 0, size):
        painter.drawLine(offset, size, offset + size, 0)
    painter.end()
    return pixmap


def font(base: QFont, pixels: int, bold: bool = False, strike: bool = False) -> QFont:
    result = QFont(base)
    result.setPixelSize(pixels)
    result.setWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
    result.setStrikeOut(strike)
    return result


def paint_lock(painter: QPainter, rect: QRect, color: QColor) -> None:
    """A padlock filling ``rect`` (about 8 by 10): a closed period's mark."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    body = rect.height() * 6 // 10
    shackle = QRectF(rect.left() + 1.5, rect.top() + 0.75, rect.width() - 3, rect.height() - 1.5)
    painter.setPen(QPen(color, 1.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(shackle.adjusted(0, 0, 0, -body / 2), 2.5, 2.5)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(
        QRectF(rect.left(), rect.bottom() + 1 - body, rect.width(), body), 1.5, 1.5
    )
    painter.restore()


def paint_leave(painter: QPainter, rect: QRect, leave: RosterLeave | None, base: QFont) -> None:
    """Leave is a plain yellow band (hatching means "not published")."""
    painter.save()
    painter.fillRect(rect, LEAVE_FILL)
    painter.fillRect(rect.left(), rect.top(), rect.width(), 2, LEAVE_EDGE)
    if leave is None:  # a swatch (the legend)
        painter.restore()
        return
    painter.setPen(LEAVE_TEXT)
    painter.setFont(font(base, 11, bold=True))
    text_rect = rect.adjusted(6, 3, -4, 0)
    text_rect.setHeight(min(rect.height(), LEAVE_BAND))
    metrics = QFontMetrics(painter.font())
    painter.drawText(
        text_rect,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        leave_text(leave, text_rect.width(), metrics),
    )
    painter.restore()


#: What a leave band too narrow for "Sick leave" (a month's day) says instead.
LEAVE_CODES = {"paid": "PL", "unpaid": "UL", "sick": "SL", "parental": "PR", "other": "OL"}


def leave_text(leave: RosterLeave, width: int, metrics: QFontMetrics) -> str:
    """The leave's label ("Sick leave 09:00–13:00"), its kind ("Sick leave"), or
    where neither fits its code ("SL"), never a cut-off "S…"."""
    kind = f"{leave.leave_type.capitalize()} leave"
    code = LEAVE_CODES.get(leave.leave_type, leave.leave_type[:2].upper())
    return next((t for t in (leave.label, kind) if metrics.horizontalAdvance(t) <= width), code)


def paint_shift(
    painter: QPainter,
    rect: QRect,
    shift: RosterShift,
    check: Check,
    base: QFont,
    *,
    selected: bool = False,
    more: int = 0,
    out_of_sync: bool = False,
    elsewhere: str = "",
) -> None:
    """One block: time range on top, location below, state and problems around it.

    ``out_of_sync``: the shift has an open conflict with the server, a thick violet
    line around the block (inside it the usual outline still tells the roster's own
    problems). ``elsewhere``: the other team the shift is of, named before the place
    (a month's chip leaves it to its colour and tooltip)."""
    if rect.width() < COMPACT_WIDTH:
        paint_chip(
            painter, rect, shift, check, base, selected=selected, more=more, out_of_sync=out_of_sync
        )
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(shift.color)
    box = QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5)
    if shift.cancelled:
        fill, stripe, ink = CANCELLED_FILL, QColor("#b8c0c9"), CANCELLED_TEXT
    else:
        fill, stripe, ink = tint(color, 0.70 if selected else 0.82), color, TEXT
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(box, 4, 4)
    if not shift.published and not shift.cancelled:
        painter.setBrush(QBrush(_hatch(tint(color, 0.55).name())))
        painter.drawRoundedRect(box, 4, 4)
    painter.setBrush(stripe)
    # Inside the violet line of a sync conflict, so the team's colour still shows.
    band = box.adjusted(3, 3, -3, -3) if out_of_sync else box
    painter.drawRoundedRect(QRectF(band.left(), band.top(), 5, band.height()), 2, 2)

    if check.conflicts:
        outline = QPen(CONFLICT, 2)
    elif selected:
        outline = QPen(ACCENT, 2)
    elif check.warnings:
        outline = QPen(WARNING, 2)
    else:
        outline = QPen(tint(color, 0.5), 1)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    edge = box
    if out_of_sync:
        painter.setPen(QPen(SYNC_CONFLICT, 3))
        painter.drawRoundedRect(box.adjusted(1.5, 1.5, -1.5, -1.5), 4, 4)
        edge = box.adjusted(3, 3, -3, -3)
    painter.setPen(outline)
    painter.drawRoundedRect(edge.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
    if selected and check.conflicts:
        painter.setPen(QPen(ACCENT, 2, Qt.PenStyle.DotLine))
        painter.drawRoundedRect(edge.adjusted(3, 3, -3, -3), 3, 3)

    badge = _badge_color(check)
    two_lines = rect.height() >= 30
    text = QRect(rect.left() + 9, rect.top() + 2, rect.width() - 12, rect.height() - 4)
    badge_room = 14 if badge is not None else 0
    if badge is not None:
        # On the location line when there are two, so the time range keeps its width.
        y = rect.bottom() - 9 if two_lines else rect.top() + 9
        _paint_badge(painter, QPoint(rect.right() - 9, y), badge, base)
    if not shift.start_time:  # a swatch (the legend): marks only, no words
        painter.restore()
        return
    time_text = f"{shift.start_time}–{shift.end_time}"
    place = shift.location or ("Team shift" if shift.department_ids else "")
    if elsewhere:
        place = f"{elsewhere} · {place}" if place else elsewhere
    if more:
        place = f"{place}  +{more} more" if place else f"+{more} more"
    painter.setPen(ink)
    painter.setFont(font(base, 12, bold=True, strike=shift.cancelled))
    if two_lines:
        half = text.height() // 2
        _draw_elided(painter, QRect(text.left(), text.top(), text.width(), half), time_text)
        painter.setFont(font(base, 11, strike=shift.cancelled))
        painter.setPen(CANCELLED_TEXT if shift.cancelled else MUTED)
        line = QRect(text.left(), text.top() + half, text.width() - badge_room, half)
        _draw_elided(painter, line, place)
    else:
        line = text.adjusted(0, 0, -badge_room, 0)
        _draw_elided(painter, line, f"{time_text}  {place}".rstrip())
    painter.restore()


#: The chips' fonts and metrics per base font and struck-out or not. A QFont hashes
#: and compares by what it asks for, as its ``key()`` does, for a fraction of the cost
#: of building that string (once per chip, that was a tenth of a month's paint).
_CHIP_FONTS: dict[tuple[QFont, bool], tuple[QFont, QFontMetrics]] = {}
#: The chips' words (:func:`chip_label`) per font, start time, hidden shifts and width:
#: a month's chips share a few dozen, and measuring text is most of a chip's cost.
_CHIP_LABELS: dict[tuple[QFont, bool, str, int, int], str] = {}


def _chip_font(base: QFont, cancelled: bool) -> tuple[QFont, QFontMetrics]:
    at = (base, cancelled)
    found = _CHIP_FONTS.get(at)
    if found is None:
        chosen = font(base, 11, bold=True, strike=cancelled)
        found = _CHIP_FONTS[(QFont(base), cancelled)] = (chosen, QFontMetrics(chosen))
    return found


@dataclass(frozen=True)
class _ChipLook:
    """A team's chip colours and pens, made once per colour and selection: a month
    paints a thousand chips of a handful of teams."""

    fill: QColor
    hatch: QBrush
    stripe: QColor
    edge: QPen


@cache
def _chip_look(color_name: str, selected: bool) -> _ChipLook:
    color = QColor(color_name)
    return _ChipLook(
        tint(color, 0.70 if selected else 0.82),
        QBrush(_hatch(tint(color, 0.55).name())),
        color,
        QPen(tint(color, 0.5), 1),
    )


#: A chip's outlines that are not its team's: two pixels wide, so drawn one pixel in.
_CHIP_SYNC = QPen(SYNC_CONFLICT, 2)
_CHIP_CONFLICT = QPen(CONFLICT, 2)
_CHIP_SELECTED = QPen(ACCENT, 2)
_CHIP_WARNING = QPen(WARNING, 2)
_CANCELLED_STRIPE = QColor("#b8c0c9")


def paint_chip(
    painter: QPainter,
    rect: QRect,
    shift: RosterShift,
    check: Check,
    base: QFont,
    *,
    selected: bool = False,
    more: int = 0,
    out_of_sync: bool = False,
) -> None:
    """A month's chip: the start time ("07:30", or "07" where that does not fit) and
    "+n" for the shifts of the day it stands for (:func:`chip_label`), on the team's
    tint with its colour down the left edge; the outline tells problems and
    selection as a block's does.

    Square and unsmoothed: a month paints a thousand of them at once."""
    painter.save()
    look = _chip_look(shift.color, selected)
    cancelled = shift.cancelled
    if cancelled:
        fill, stripe, ink = CANCELLED_FILL, _CANCELLED_STRIPE, CANCELLED_TEXT
    else:
        fill, stripe, ink = look.fill, look.stripe, TEXT
    painter.fillRect(rect, fill)
    if not shift.published and not cancelled:
        painter.fillRect(rect, look.hatch)
    painter.fillRect(rect.left(), rect.top(), 3, rect.height(), stripe)
    if out_of_sync:
        outline = _CHIP_SYNC
    elif check.conflicts:
        outline = _CHIP_CONFLICT
    elif selected:
        outline = _CHIP_SELECTED
    elif check.warnings:
        outline = _CHIP_WARNING
    else:
        outline = look.edge
    painter.setPen(outline)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inset = 0 if outline is look.edge else 1
    painter.drawRect(rect.adjusted(inset, inset, -1, -1))
    if shift.start_time:  # else a swatch
        chosen, metrics = _chip_font(base, cancelled)
        painter.setFont(chosen)
        painter.setPen(ink)
        area = rect.adjusted(5, 0, -2, 0)
        width = area.width()
        words = (base, cancelled, shift.start_time, more, width)
        text = _CHIP_LABELS.get(words)
        if text is None:
            if len(_CHIP_LABELS) > 10_000:  # widths of windows long closed
                _CHIP_LABELS.clear()
            text = chip_label(shift.start_time, more, width, metrics)
            _CHIP_LABELS[(QFont(base), cancelled, shift.start_time, more, width)] = text
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def chip_label(start_time: str, more: int, width: int, metrics: QFontMetrics) -> str:
    """The widest of a chip's words that fits: "07:30", "07"; with ``more`` shifts
    hidden behind it "07:30+2", "07+2", else "+3", the shifts the chip stands for
    (its own and the hidden ones), rather than a start time cut on both sides."""
    if more:
        choices = [f"{start_time}+{more}", f"{start_time[:2]}+{more}", f"+{more + 1}"]
    else:
        choices = [start_time, start_time[:2]]
    return next((t for t in choices if metrics.horizontalAdvance(t) <= width), choices[-1])


def _badge_color(check: Check) -> QColor | None:
    if check.conflicts:
        return CONFLICT
    if check.warnings:
        return WARNING
    return None


def _paint_badge(painter: QPainter, center: QPoint, color: QColor, base: QFont) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(center, 6, 6)
    painter.setPen(QColor("#ffffff"))
    painter.setFont(font(base, 10, bold=True))
    painter.drawText(
        QRect(center.x() - 6, center.y() - 6, 12, 12), Qt.AlignmentFlag.AlignCenter, "!"
    )


def _draw_elided(painter: QPainter, rect: QRect, text: str) -> None:
    metrics = QFontMetrics(painter.font())
    painter.drawText(
        rect,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width()),
    )
