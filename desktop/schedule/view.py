"""The grid widget: gestures only. Clicks select shifts, drags move or copy them.

While a drag hovers, the target cell is asked about through the controller (the
core's ``preview_move``) and painted green, amber or red with the reason beside
it, before anything is dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QWidget

from core.results import Check
from core.roster import RosterShift
from desktop.schedule.controller import DropRequest, ScheduleController, describe
from desktop.schedule.delegate import ShiftDelegate
from desktop.schedule.headers import DayHeader, PeopleHeader
from desktop.schedule.layout import WEEK, Metrics, block_at, block_rects
from desktop.schedule.model import CellInfo, RosterModel, RowKind
from desktop.schedule.paint import CLOSED_FILL, CLOSED_WASH, font, paint_shift
from desktop.theme import CONFLICT, MUTED, OK, WARNING

SHIFT_MIME = "application/x-shiftdesk-shift"
#: Narrowest day column that still shows "22:30–06:30" and a short location.
MIN_DAY_WIDTH = WEEK.min_day_width
#: A drag this close (pixels) to an edge scrolls the grid that way, for 500 people.
EDGE = 24


@dataclass(frozen=True)
class DropHint:
    """What the cell under a hovering drag would do with the drop."""

    row: int
    column: int
    request: DropRequest
    check: Check

    @property
    def kind(self) -> str:
        if self.check.conflicts:
            return "conflict"
        return "warning" if self.check.warnings else "ok"

    @property
    def text(self) -> str:
        if self.kind == "ok":
            return f"{self.request.verb} here"
        if self.kind == "conflict":
            # What refuses the drop is all the hover needs to say; the warnings
            # (a long week, short rest) matter only once the drop could happen.
            return "Cannot drop: " + describe(Check(self.check.conflicts))
        return "Drop with care: " + describe(self.check)


def shift_mime(shift_id: str, from_employee_id: str) -> QMimeData:
    mime = QMimeData()
    payload = {"shift_id": shift_id, "from_employee_id": from_employee_id}
    mime.setData(SHIFT_MIME, json.dumps(payload).encode())
    return mime


def _decode(mime: QMimeData) -> dict[str, str] | None:
    if not mime.hasFormat(SHIFT_MIME):
        return None
    return json.loads(bytes(mime.data(SHIFT_MIME).data()).decode())


def _copy_wanted(event: QDropEvent) -> bool:
    return bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)


class RosterView(QTableView):
    #: Double-click on an empty cell: employee id, day.
    new_requested = Signal(str, object)
    #: Double-click on an empty cell of a department's open shifts: department id, day.
    new_open_requested = Signal(object, object)
    #: Double-click on a shift: shift id, employee id of the row ("" for open shifts).
    edit_requested = Signal(str, str)
    delete_requested = Signal(list)
    #: Double-click on a department band: its id (None for "no department").
    department_activated = Signal(object)
    #: Right-click: shift id ("" on an empty cell), employee id, day, global position.
    menu_requested = Signal(str, str, object, QPoint)
    #: Right-click on an empty cell of a department's open shifts: its id, day, position.
    open_menu_requested = Signal(object, object, QPoint)
    selection_changed = Signal(int)
    #: A drag's hover feedback changed; the text is empty when nothing hovers.
    hint_changed = Signal(str)

    def __init__(self, controller: ScheduleController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RosterView")
        self.setAccessibleName("Schedule grid")
        self.setAccessibleDescription(
            "Rows are people grouped by department, columns are days. Drag a shift to move"
            " it, hold Ctrl to copy; double-click to add or edit; Delete removes the selection."
        )
        self.controller = controller
        self._selected: set[str] = set()
        self._press: tuple[QPoint, RosterShift, str] | None = None
        self._hint: DropHint | None = None
        #: Said in the middle of an empty grid (no people, or none match the filters).
        self.empty_text = ""
        #: Sizes of blocks and rows: the week's, or the month's compact chips.
        self.metrics: Metrics = WEEK
        self._edge_scroll = (0, 0)
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setInterval(40)
        self._scroll_timer.timeout.connect(self._scroll_step)
        self.setHorizontalHeader(DayHeader(self))
        self.setVerticalHeader(PeopleHeader(self))
        self.setItemDelegate(
            ShiftDelegate(self.is_selected, lambda: self.metrics, self._cell, self)
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setMouseTracking(True)
        self.setCornerButtonEnabled(False)
        self.setWordWrap(False)

    def set_metrics(self, metrics: Metrics) -> None:
        """Blocks of the week or chips of the month; the page refits the rows."""
        self.metrics = metrics
        self.fit_columns()

    def fit_columns(self) -> None:
        """Days share the width; below a readable width the grid scrolls instead."""
        columns = self.model().columnCount() if self.model() else 0
        if not columns:
            return
        room = self.viewport().width()
        if self.metrics is not WEEK:
            # The month keeps the vertical scroll bar's room whether it shows or not,
            # so the bar appearing never pushes the last day out of sight.
            room = self.width() - self.verticalHeader().width() - 2 * self.frameWidth()
            room -= self.verticalScrollBar().sizeHint().width()
        width = max(self.metrics.min_day_width, room // columns)
        header = self.horizontalHeader()
        for column in range(columns):
            header.resizeSection(column, width)

    def scroll_to_day(self, day: date) -> None:
        """Scroll sideways just enough to show ``day``'s whole column (if shown)."""
        days = self.roster_model().days
        if day not in days:
            return
        self.updateGeometries()  # the scroll range of the columns just fitted
        header = self.horizontalHeader()
        column = days.index(day)
        left = header.sectionPosition(column)
        right = left + header.sectionSize(column)
        bar = self.horizontalScrollBar()
        width = self.viewport().width()
        if left < bar.value():
            bar.setValue(left)
        elif right > bar.value() + width:
            bar.setValue(min(left, right - width))

    def scroll_to_first_person(self) -> None:
        """Scroll so the first person's row is in view, with their team's band above
        it when both fit."""
        model = self.roster_model()
        rows = [r for r in range(model.rowCount()) if model.row_info(r).employee is not None]
        if not rows:
            return
        self.updateGeometries()
        header = self.verticalHeader()
        first = rows[0]
        band = next(
            (r for r in range(first, -1, -1) if model.row_info(r).kind == RowKind.DEPARTMENT),
            first,
        )
        bottom = header.sectionPosition(first) + header.sectionSize(first)
        top = header.sectionPosition(band)
        fits = bottom - top <= self.viewport().height()
        self.verticalScrollBar().setValue(top if fits else header.sectionPosition(first))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def roster_model(self) -> RosterModel:
        model = self.model()
        assert isinstance(model, RosterModel)
        return model

    def _cell(self, index: QModelIndex | QPersistentModelIndex) -> CellInfo:
        return self.roster_model().cell(index)

    # --- selection ----------------------------------------------------------------------

    def is_selected(self, shift_id: str) -> bool:
        return shift_id in self._selected

    @property
    def selected_shifts(self) -> frozenset[str]:
        return frozenset(self._selected)

    def select_shifts(self, shift_ids: set[str]) -> None:
        self._selected = set(shift_ids)
        self.viewport().update()
        self.selection_changed.emit(len(self._selected))

    def forget_missing_selection(self) -> None:
        """After a reload, keep only selected shifts that are still shown (nothing to
        look for when nothing is selected, as after most reloads)."""
        if not self._selected:
            return
        shown = {s.id for s in self.roster_model().roster.shown_shifts()}
        if self._selected - shown:
            self.select_shifts(self._selected & shown)

    def shift_at(self, pos: QPoint) -> tuple[RosterShift | None, QModelIndex]:
        """The shift under a viewport point, and the cell it is in."""
        index = self.indexAt(pos)
        if not index.isValid():
            return None, index
        cell = self.roster_model().cell(index)
        if cell.row.kind == RowKind.DEPARTMENT:
            return None, index
        n = block_at(
            self.visualRect(index),
            len(cell.shifts),
            cell.leave is not None,
            pos.x(),
            pos.y(),
            self.metrics,
        )
        return (cell.shifts[n] if n >= 0 else None), index

    def block_center(self, shift_id: str, employee_id: str) -> QPoint:
        """Where a shift is drawn (viewport coordinates), for gestures and tests."""
        model = self.roster_model()
        for shift in model.roster.cells.get((employee_id, _day_of(model, shift_id)), ()):
            if shift.id == shift_id:
                index = model.index_of(employee_id, shift.day)
                cell = model.cell(index)
                n = cell.shifts.index(shift)
                rect = block_rects(
                    self.visualRect(index), len(cell.shifts), cell.leave is not None, self.metrics
                )
                return rect[n].center()
        raise LookupError(f"shift {shift_id} is not shown in {employee_id}'s row")

    def open_block_center(self, shift_id: str, department_id: str | None) -> QPoint:
        """Where an open shift is drawn in its department's open row."""
        model = self.roster_model()
        for (dept, day), shifts in model.roster.open_cells.items():
            ids = [s.id for s in shifts]
            if dept == department_id and shift_id in ids:
                index = model.index_of_open(dept, day)
                rects = block_rects(self.visualRect(index), len(shifts), metrics=self.metrics)
                return rects[ids.index(shift_id)].center()
        raise LookupError(f"shift {shift_id} is not an open shift of {department_id}")

    def row_person(self, index: QModelIndex) -> str | None:
        """Whose row a cell is in: an employee id, "" for open shifts, None for a band."""
        if not index.isValid():
            return None
        info = self.roster_model().row_info(index.row())
        if info.kind == RowKind.OPEN:
            return ""
        return info.employee.id if info.employee is not None else None

    # --- mouse and keys ---------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        shift, index = self.shift_at(pos)
        super().mousePressEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        toggle = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if shift is None:
            self._press = None
            if not toggle:
                self.select_shifts(set())
            return
        who = self.row_person(index)
        assert who is not None
        self._press = (pos, shift, who)
        if toggle:
            self.select_shifts(self._selected ^ {shift.id})
        elif shift.id not in self._selected:
            self.select_shifts({shift.id})

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        press = self._press
        if press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            super().mouseMoveEvent(event)
            shift, _ = self.shift_at(event.position().toPoint())
            self.viewport().setCursor(
                Qt.CursorShape.OpenHandCursor if shift else Qt.CursorShape.ArrowCursor
            )
            return
        start, shift, employee_id = press
        distance = (event.position().toPoint() - start).manhattanLength()
        if distance < QApplication.startDragDistance():
            return
        self._press = None
        self._start_drag(shift, employee_id)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def _start_drag(self, shift: RosterShift, employee_id: str) -> None:
        drag = QDrag(self)
        drag.setMimeData(shift_mime(shift.id, employee_id))
        width = max(90, min(self.columnWidth(0) - 6, 160))
        pixmap = QPixmap(width, 38)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        paint_shift(painter, QRect(0, 0, width, 38), shift, Check(), self.font(), selected=True)
        painter.end()
        drag.setPixmap(pixmap)
        drag.setHotSpot(QPoint(width // 2, 19))
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        shift, index = self.shift_at(event.position().toPoint())
        if not index.isValid():
            return
        info = self.roster_model().row_info(index.row())
        day = self.roster_model().days[index.column()]
        if info.kind == RowKind.DEPARTMENT:
            self.department_activated.emit(info.department.id)
        elif shift is not None:
            self.edit_requested.emit(shift.id, self.row_person(index))
        elif info.employee is None:
            self.new_open_requested.emit(info.department.id, day)
        else:
            self.new_requested.emit(info.employee.id, day)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        shift, index = self.shift_at(event.pos())
        if not index.isValid():
            return
        who = self.row_person(index)
        if who is None:
            return
        day = self.roster_model().days[index.column()]
        if who == "" and shift is None:
            department = self.roster_model().row_info(index.row()).department
            self.open_menu_requested.emit(department.id, day, event.globalPos())
            return
        if shift is not None and shift.id not in self._selected:
            self.select_shifts({shift.id})
        self.menu_requested.emit(shift.id if shift else "", who, day, event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Delete, Escape, Ctrl+A; Space (Ctrl+Space adds) selects the current cell's
        shifts; Enter edits the current cell's shift or adds one."""
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._selected:
            self.delete_requested.emit(sorted(self._selected))
            return
        if key == Qt.Key.Key_Escape and self._selected:
            self.select_shifts(set())
            return
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_shifts({s.id for s in self.roster_model().roster.shown_shifts()})
            return
        index = self.currentIndex()
        who = self.row_person(index)
        if who is None:
            super().keyPressEvent(event)
            return
        cell = self.roster_model().cell(index)
        if key == Qt.Key.Key_Space:
            ids = {s.id for s in cell.shifts}
            add = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.select_shifts(self._selected | ids if add else ids)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            chosen = [s for s in cell.shifts if s.id in self._selected] or list(cell.shifts)
            if chosen:
                self.edit_requested.emit(chosen[0].id, who)
            elif who:
                self.new_requested.emit(who, cell.day)
            else:
                self.new_open_requested.emit(cell.row.department.id, cell.day)
            return
        super().keyPressEvent(event)

    # --- drag and drop ------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _decode(event.mimeData()) is None:
            event.ignore()
            return
        event.acceptProposedAction()

    def _request(self, event: QDropEvent) -> tuple[DropRequest | None, QModelIndex]:
        payload = _decode(event.mimeData())
        index = self.indexAt(event.position().toPoint())
        if payload is None or not index.isValid():
            return None, index
        model = self.roster_model()
        employee = model.row_info(index.row()).employee
        if employee is None:
            return None, index
        day: date = model.days[index.column()]
        return (
            DropRequest(
                payload["shift_id"],
                payload["from_employee_id"],
                employee.id,
                day,
                copy=_copy_wanted(event),
            ),
            index,
        )

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._edge_scroll = self._edge_direction(event.position().toPoint())
        if self._edge_scroll != (0, 0) and not self._scroll_timer.isActive():
            self._scroll_timer.start()
        request, index = self._request(event)
        if request is None:
            self._set_hint(None)
            event.ignore()
            return
        hint = DropHint(index.row(), index.column(), request, self.controller.preview(request))
        self._set_hint(hint)
        event.setDropAction(Qt.DropAction.CopyAction if request.copy else Qt.DropAction.MoveAction)
        event.accept(self.visualRect(index))

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._scroll_timer.stop()
        self._set_hint(None)
        event.accept()

    def _edge_direction(self, pos: QPoint) -> tuple[int, int]:
        """Which way to scroll while a drag rests near an edge of the grid."""
        area = self.viewport().rect()

        def axis(value: int, low: int, high: int) -> int:
            return -1 if value < low + EDGE else 1 if value > high - EDGE else 0

        return axis(pos.x(), area.left(), area.right()), axis(pos.y(), area.top(), area.bottom())

    def _scroll_step(self) -> None:
        dx, dy = self._edge_scroll
        if (dx, dy) == (0, 0):
            self._scroll_timer.stop()
            return
        for bar, direction in ((self.horizontalScrollBar(), dx), (self.verticalScrollBar(), dy)):
            bar.setValue(bar.value() + direction * EDGE)

    def dropEvent(self, event: QDropEvent) -> None:
        self._scroll_timer.stop()
        request, _ = self._request(event)
        self._set_hint(None)
        if request is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction if request.copy else Qt.DropAction.MoveAction)
        event.accept()
        self.controller.drop(request)

    @property
    def drop_hint(self) -> DropHint | None:
        return self._hint

    def _set_hint(self, hint: DropHint | None) -> None:
        if hint == self._hint:
            return
        self._hint = hint
        self.viewport().update()
        self.hint_changed.emit(hint.text if hint else "")

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        shaded = self._closed_areas()
        if shaded:
            self._fill(shaded, CLOSED_FILL)
        super().paintEvent(event)
        if shaded:  # over what the cells hold: paid history, muted
            self._fill(shaded, CLOSED_WASH)
        if self.model() is not None and self.model().rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(MUTED)
            painter.setFont(font(self.font(), 15))
            painter.drawText(
                self.viewport().rect().adjusted(40, 40, -40, -40),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                | int(Qt.TextFlag.TextWordWrap),
                self.empty_text,
            )
            painter.end()
        hint = self._hint
        if hint is None:
            return
        rect = self.visualRect(self.roster_model().index(hint.row, hint.column))
        color = {"ok": OK, "warning": WARNING, "conflict": CONFLICT}[hint.kind]
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(color)
        fill.setAlpha(40)
        painter.fillRect(rect.adjusted(1, 1, -1, -1), fill)
        painter.setPen(QPen(color, 2))
        painter.drawRect(rect.adjusted(1, 1, -2, -2))
        self._paint_bubble(painter, rect, color, hint.text)
        painter.end()

    def _closed_areas(self) -> list[QRect]:
        """The runs of closed days' columns, down to the last row: one rectangle per
        run, so a closed month's half costs two fills a paint, not two per cell."""
        model = self.model()
        if not isinstance(model, RosterModel) or not model.closed_runs:
            return []
        rows = model.rowCount()
        if not rows:
            return []
        bottom = self.rowViewportPosition(rows - 1) + self.rowHeight(rows - 1)
        areas = []
        for first, last in model.closed_runs:
            left = self.columnViewportPosition(first)
            right = self.columnViewportPosition(last) + self.columnWidth(last)
            areas.append(QRect(left, 0, right - left, bottom))
        return areas

    def _fill(self, areas: list[QRect], color: QColor) -> None:
        painter = QPainter(self.viewport())
        for area in areas:
            painter.fillRect(area, color)
        painter.end()

    def _paint_bubble(self, painter: QPainter, cell: QRect, color: QColor, text: str) -> None:
        """The reason, in a bubble just under the target cell, kept inside the viewport."""
        painter.setFont(font(self.font(), 12, bold=True))
        metrics = painter.fontMetrics()
        width = min(360, max(160, metrics.horizontalAdvance(text) + 20))
        bounds = metrics.boundingRect(
            QRect(0, 0, width - 20, 400), int(Qt.TextFlag.TextWordWrap), text
        )
        bubble = QRect(cell.left(), cell.bottom() + 4, width, bounds.height() + 14)
        area = self.viewport().rect()
        if bubble.bottom() > area.bottom():
            bubble.moveBottom(cell.top() - 4)
        if bubble.right() > area.right():
            bubble.moveRight(area.right() - 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(bubble, 6, 6)
        painter.setPen(QColor("white"))
        painter.drawText(
            bubble.adjusted(10, 7, -10, -7),
            int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft),
            text,
        )


def _day_of(model: RosterModel, shift_id: str) -> date | None:
    for cell in model.roster.cells.values():
        for shift in cell:
            if shift.id == shift_id:
                return shift.day
    return None
