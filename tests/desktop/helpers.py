"""Helpers for desktop tests: shifts to set a scene with, gestures on the grid, and
the check that every control has a name.

Gestures are synthesized drag events handed to the view's own handlers. Offscreen,
a real QDrag.exec() returns at once without dropping, and Qt delivers drag events
only to the current drag target, so the tests give the view the very events a drag
over it would (the same handlers a real drop runs).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QPoint, QPointF, Qt, QThreadPool
from PySide6.QtGui import QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from desktop.context import AppContext
from desktop.schedule.page import SchedulePage
from desktop.schedule.view import shift_mime
from tests.conftest import Org

ACTIONS = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
W = TypeVar("W", bound=QWidget)


def settle(context: AppContext, timeout_ms: int = 10_000) -> None:
    """Wait until the context's background writes (and their results' delivery on
    the UI thread) are done, as the event loop would deliver them."""
    deadline = QDeadlineTimer(timeout_ms)
    while context.busy:
        assert not deadline.hasExpired(), "background write did not finish"
        context.writer.waitForDone(50)
        QCoreApplication.processEvents()


def loaded(page: W, timeout_ms: int = 10_000) -> W:
    """Wait until a page that loads on a worker (Attendance, Payroll: ``loading``)
    shows what it loaded, as the event loop would deliver it; returns the page."""
    deadline = QDeadlineTimer(timeout_ms)
    while page.loading:  # type: ignore[attr-defined]
        assert not deadline.hasExpired(), "the page did not load in time"
        QThreadPool.globalInstance().waitForDone(20)
        QCoreApplication.processEvents()
    return page


def show_at(
    qtbot: QtBot, widget: W, width: int, height: int, prepare: Callable[[W], object] | None = None
) -> W:
    """The widget at this size, ``prepare`` d (say, a period chosen), shown and exposed."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    if prepare is not None:
        prepare(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def add_shift(store: Store, org: Org, day: date, start: str, end: str, who: str, **kw) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, day, start, end, (who,), **kw))
    assert result.applied, result.conflicts
    return result.ids[0]


def cell_center(page: SchedulePage, employee_id: str, day: date) -> QPoint:
    index = page.model.index_of(employee_id, day)
    assert index.isValid()
    return page.view.visualRect(index).center()


def hover(
    page: SchedulePage,
    shift_id: str,
    from_employee: str,
    to_employee: str,
    day: date,
    *,
    copy: bool = False,
) -> None:
    """A drag of a shift hovering over a cell, delivered to the grid's viewport."""
    modifiers = Qt.KeyboardModifier.ControlModifier if copy else Qt.KeyboardModifier.NoModifier
    mime = shift_mime(shift_id, from_employee)  # the event only borrows it
    event = QDragMoveEvent(
        cell_center(page, to_employee, day),
        ACTIONS,
        mime,
        Qt.MouseButton.LeftButton,
        modifiers,
    )
    page.view.dragMoveEvent(event)


def drop(
    page: SchedulePage,
    shift_id: str,
    from_employee: str,
    to_employee: str,
    day: date,
    *,
    copy: bool = False,
) -> None:
    """Hover, then release: the same events a real drag ends with."""
    hover(page, shift_id, from_employee, to_employee, day, copy=copy)
    modifiers = Qt.KeyboardModifier.ControlModifier if copy else Qt.KeyboardModifier.NoModifier
    mime = shift_mime(shift_id, from_employee)
    event = QDropEvent(
        QPointF(cell_center(page, to_employee, day)),
        ACTIONS,
        mime,
        Qt.MouseButton.LeftButton,
        modifiers,
    )
    page.view.dropEvent(event)


def unnamed_controls(window: QWidget) -> list[tuple[str, str, str]]:
    """Shown controls a screen reader could not name (text on a button names it; an
    edit inside a combo or spin box is named by its owner)."""
    controls = window.findChildren(QAbstractButton) + window.findChildren(QComboBox)
    controls += window.findChildren(QLineEdit) + window.findChildren(QAbstractSpinBox)
    return [
        (type(c).__name__, type(c.parent()).__name__, c.objectName())
        for c in controls
        if c.isVisibleTo(window)
        and c.isEnabled()
        and not c.accessibleName()
        and not (isinstance(c, QAbstractButton) and c.text())
        and c.parent() is not None
        and not isinstance(c.parent(), QComboBox | QLineEdit | QAbstractSpinBox)
    ]
