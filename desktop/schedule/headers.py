"""The grid's headers: days across the top, people (and their teams) down the side."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPolygon
from PySide6.QtWidgets import QHeaderView, QWidget

from core.roster import RosterEmployee
from desktop.notice import plural
from desktop.schedule.labour import header_parts, whole_hours
from desktop.schedule.layout import WEEK
from desktop.schedule.model import (
    OPEN_SHIFTS,
    ROW_ROLE,
    RosterModel,
    RowInfo,
    RowKind,
    borrowed_from,
)
from desktop.schedule.paint import (
    BAND,
    CLOSED_EDGE,
    CLOSED_HEADER,
    COMPACT_WIDTH,
    OPEN_FILL,
    TODAY,
    WEEKEND,
    font,
    paint_lock,
)
from desktop.theme import ACCENT, MUTED, TEXT, WARNING

LINE = QColor("#dde3e9")


class DayHeader(QHeaderView):
    """Weekday over date, then the day's labour (hours, cost, overtime); today in the
    accent colour, weekends shaded like the grid. The tooltip has every figure."""

    HEIGHT = 62

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(False)
        self.setHighlightSections(False)
        self.setMinimumHeight(self.HEIGHT)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.HEIGHT)

    def paintSection(self, painter: QPainter, rect: QRect, section: int) -> None:
        model = self.model()
        if not isinstance(model, RosterModel) or not 0 <= section < len(model.days):
            return
        day: date = model.days[section]
        is_today = day == date.today()
        closed = bool(model.closed(section))
        painter.save()
        if closed:
            painter.fillRect(rect, CLOSED_HEADER)
        else:
            painter.fillRect(
                rect, TODAY if is_today else WEEKEND if day.weekday() >= 5 else "white"
            )
        painter.setPen(LINE)
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.topRight(), rect.bottomRight())
        base = self.font()
        top = QRect(rect.left(), rect.top() + 5, rect.width(), 16)
        bottom = QRect(rect.left(), rect.top() + 21, rect.width(), 20)
        # A month's narrow day: "MO" over "1"; the range label names the month.
        compact = rect.width() < COMPACT_WIDTH
        painter.setPen(ACCENT if is_today else MUTED)
        painter.setFont(font(base, 11, bold=is_today))
        weekday = f"{day:%a}".upper()
        weekday = weekday[:2] if compact else weekday
        if closed:
            weekday = self._closed_mark(painter, rect, top, weekday, compact)
        painter.drawText(top, Qt.AlignmentFlag.AlignCenter, weekday)
        painter.setPen(ACCENT if is_today else TEXT)
        painter.setFont(font(base, 14, bold=True))
        painter.drawText(
            bottom, Qt.AlignmentFlag.AlignCenter, str(day.day) if compact else f"{day:%d %b}"
        )
        if model.labour is not None:
            self._labour_line(
                painter, QRect(rect.left() + 3, rect.top() + 41, rect.width() - 6, 16), model, day
            )
        if is_today:
            painter.fillRect(rect.left(), rect.bottom() - 2, rect.width(), 3, ACCENT)
        uncovered = model.uncovered(day)
        if uncovered:
            if compact:  # a dot clear of the weekday; the tooltip says how many
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(WARNING)
                painter.drawEllipse(QPoint(rect.right() - 5, rect.top() + 6), 3, 3)
            else:
                self._open_badge(painter, rect, f"{uncovered} open")
        painter.restore()

    def _closed_mark(
        self, painter: QPainter, rect: QRect, top: QRect, weekday: str, compact: bool
    ) -> str:
        """A closed pay period's day: a slate line along the top (a closed week reads
        as one bar) and a lock before the weekday, which a week's day follows with
        "closed" where it fits. Narrows ``top`` to the words; returns them."""
        painter.fillRect(rect.left(), rect.top(), rect.width(), 3, CLOSED_EDGE)
        metrics = painter.fontMetrics()
        text = weekday if compact else f"{weekday} · CLOSED"
        if metrics.horizontalAdvance(text) + 11 > rect.width() - 4:
            text = weekday  # a narrow week's day: the lock says it
        lock = 7 if compact else 8
        width = lock + 3 + metrics.horizontalAdvance(text)
        left = rect.left() + max(2, (rect.width() - width) // 2)
        paint_lock(painter, QRect(left, top.top() + 3, lock, lock + 2), CLOSED_EDGE)
        top.setLeft(left + lock + 3)
        top.setWidth(width - lock - 3 + 1)
        return text

    def _labour_line(self, painter: QPainter, rect: QRect, model: RosterModel, day: date) -> None:
        """ "26 h · €325 · 2 h OT", the overtime in amber; a narrow day drops the tail."""
        assert model.labour is not None
        labour = model.labour.day(day)
        parts = header_parts(labour, model.labour.currency)
        painter.setFont(font(self.font(), 11))
        metrics = painter.fontMetrics()
        if parts and rect.width() < COMPACT_WIDTH:  # a month's day: the hours, bare
            parts = [whole_hours(labour.hours)]
        while parts and metrics.horizontalAdvance(" · ".join(parts)) > rect.width():
            parts.pop()
        if not parts:
            return
        overtime = parts[-1] if parts[-1].endswith("OT") else ""
        plain = " · ".join(parts[:-1] if overtime else parts)
        joint = " · " if overtime and plain else ""
        width = metrics.horizontalAdvance(plain + joint + overtime)
        x = rect.left() + (rect.width() - width) // 2
        painter.setPen(MUTED)
        painter.drawText(
            QRect(x, rect.top(), width, rect.height()), Qt.AlignmentFlag.AlignVCenter, plain + joint
        )
        if overtime:
            painter.setPen(WARNING.darker(130))
            right = QRect(x, rect.top(), width, rect.height())
            painter.drawText(
                right, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, overtime
            )

    def _open_badge(self, painter: QPainter, rect: QRect, text: str) -> None:
        """Shifts of the day that nobody works yet, in the top right corner."""
        painter.setFont(font(self.font(), 10, bold=True))
        width = painter.fontMetrics().horizontalAdvance(text) + 10
        badge = QRect(rect.right() - width - 3, rect.top() + 4, width, 15)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(WARNING)
        painter.drawRoundedRect(badge, 7, 7)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)


class PeopleHeader(QHeaderView):
    """Name and scheduled hours per person; a band with a chevron per department.

    Clicking a band collapses or expands its team (the page connects
    ``sectionClicked``).
    """

    WIDTH = 210

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(False)
        self.setFixedWidth(self.WIDTH)
        self.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)

    def paintSection(self, painter: QPainter, rect: QRect, section: int) -> None:
        model = self.model()
        if not isinstance(model, RosterModel):
            return
        info: RowInfo | None = model.headerData(section, Qt.Orientation.Vertical, ROW_ROLE)
        if info is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = self.font()
        color = QColor(info.department.color)
        one_line = rect.height() < WEEK.empty_row  # a month's compact row
        if info.kind == RowKind.OPEN:
            self._open_row(painter, rect, info, model, base, one_line)
        elif info.employee is None:
            painter.fillRect(rect, BAND)
            self._chevron(painter, QPoint(rect.left() + 14, rect.center().y()), info.collapsed)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawEllipse(QPoint(rect.left() + 32, rect.center().y() + 1), 5, 5)
            painter.setPen(TEXT)
            painter.setFont(font(base, 13, bold=True))
            painter.drawText(
                rect.adjusted(44, 0, -8, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{info.department.name}  ·  {len(info.department.employees)}",
            )
        else:
            painter.fillRect(rect, QColor("white"))
            painter.fillRect(rect.left(), rect.top() + 1, 4, rect.height() - 1, color)
            hours = model.roster.hours_of(info.employee.id, info.department)
            origin = borrowed_from(model.roster, info)
            if one_line:
                name = f"{info.employee.name} · {origin}" if origin else info.employee.name
                self._one_line(painter, rect, base, name, f"{hours.normalize():f} h")
            else:
                self._two_lines(painter, rect, base, info.employee, hours, origin)
        painter.setPen(LINE)
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.restore()

    @staticmethod
    def _two_lines(
        painter: QPainter,
        rect: QRect,
        base: QFont,
        employee: RosterEmployee,
        hours: Decimal,
        origin: str = "",
    ) -> None:
        """Name, then code and scheduled hours: a week's row."""
        painter.setPen(TEXT)
        painter.setFont(font(base, 13, bold=True))
        name_rect = QRect(rect.left() + 14, rect.top() + 6, rect.width() - 20, 18)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                employee.name, Qt.TextElideMode.ElideRight, name_rect.width()
            ),
        )
        painter.setPen(MUTED)
        painter.setFont(font(base, 11))
        # A borrowed row says where the person is from in the code's place, so the
        # line fits the column ("from Maintenance · 8 h").
        parts = (
            (origin, f"{hours.normalize():f} h")
            if origin
            else (employee.code or "", f"{hours.normalize():f} h scheduled")
        )
        detail_rect = QRect(rect.left() + 14, rect.top() + 24, rect.width() - 20, 16)
        painter.drawText(
            detail_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                " · ".join(part for part in parts if part),
                Qt.TextElideMode.ElideRight,
                detail_rect.width(),
            ),
        )

    @staticmethod
    def _one_line(painter: QPainter, rect: QRect, base: QFont, name: str, detail: str) -> None:
        """Name on the left (elided), a short figure on the right: a month's row."""
        painter.setFont(font(base, 11))
        room = painter.fontMetrics().horizontalAdvance(detail) + 8
        painter.setPen(MUTED)
        painter.drawText(
            rect.adjusted(14, 0, -8, 0),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            detail,
        )
        painter.setPen(TEXT)
        painter.setFont(font(base, 12, bold=True))
        name_rect = rect.adjusted(14, 0, -8 - room, 0)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width()),
        )

    @staticmethod
    def _open_row(
        painter: QPainter,
        rect: QRect,
        info: RowInfo,
        model: RosterModel,
        base: QFont,
        one_line: bool = False,
    ) -> None:
        """ "Open shifts" and how many wait for someone in the range."""
        painter.fillRect(rect, OPEN_FILL)
        painter.fillRect(rect.left(), rect.top() + 1, 4, rect.height() - 1, WARNING)
        waiting = sum(model.band_total(info.department, d).open for d in model.days)
        if one_line:
            PeopleHeader._one_line(painter, rect, base, OPEN_SHIFTS, f"{waiting} to fill")
            return
        painter.setPen(TEXT)
        painter.setFont(font(base, 13, bold=True))
        painter.drawText(
            QRect(rect.left() + 14, rect.top() + 6, rect.width() - 20, 18),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            OPEN_SHIFTS,
        )
        painter.setPen(MUTED)
        painter.setFont(font(base, 11))
        painter.drawText(
            QRect(rect.left() + 14, rect.top() + 24, rect.width() - 20, 16),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"{plural(waiting, 'shift')} to fill · drag onto a person" if waiting else "all filled",
        )

    @staticmethod
    def _chevron(painter: QPainter, at: QPoint, collapsed: bool) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(MUTED)
        x, y = at.x(), at.y()
        if collapsed:
            points = [QPoint(x - 3, y - 5), QPoint(x + 3, y), QPoint(x - 3, y + 5)]
        else:
            points = [QPoint(x - 5, y - 3), QPoint(x + 5, y - 3), QPoint(x, y + 3)]
        painter.drawPolygon(QPolygon(points))
