"""Today brings today's column into view in every range, and a typed name brings
the first person it matches into view, however far the grid was scrolled."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.store import Store
from desktop.context import AppContext
from desktop.schedule.model import RowKind
from desktop.schedule.page import SchedulePage
from tests.desktop.helpers import show_at


def _column_in_view(page: SchedulePage, day: date) -> bool:
    view = page.view
    column = page.model.days.index(day)
    left = view.columnViewportPosition(column)
    return left >= 0 and left + view.columnWidth(column) <= view.viewport().width()


@pytest.mark.parametrize("span", ["week", "two_weeks", "month"])
def test_today_scrolls_to_todays_column_in_every_range(
    qtbot: QtBot, page: SchedulePage, span: str
) -> None:
    # A grid too narrow for any range's days, even the month's chips (the page
    # itself is as wide as its toolbar; a smaller screen is what this stands for).
    page.view.setFixedWidth(560)
    page.set_span(span)
    page.go_today()
    QApplication.processEvents()
    today = date.today()
    bar = page.view.horizontalScrollBar()
    assert bar.maximum() > 0
    # Away from today, to whichever end hides it.
    for end in (bar.maximum(), 0):
        bar.setValue(end)
        if not _column_in_view(page, today):
            break
    assert not _column_in_view(page, today)
    page.go_today()
    assert _column_in_view(page, today)


def test_a_typed_name_scrolls_to_the_first_person_it_matches(
    qtbot: QtBot, demo_store: Store
) -> None:
    page = show_at(qtbot, SchedulePage(AppContext(demo_store)), 1400, 500)
    page.anchor = date(2026, 6, 15)
    page.reload()
    page.view.verticalScrollBar().setValue(page.view.verticalScrollBar().maximum())
    page.bar.name_edit.setText("a")  # most of the 40: still more rows than fit
    qtbot.waitUntil(lambda: page.model.rowCount() and page.filter.name == "a")
    qtbot.waitUntil(lambda: not page._name_pause.isActive())
    model, view = page.model, page.view
    assert view.verticalScrollBar().maximum() > 0
    first = next(r for r in range(model.rowCount()) if model.row_info(r).kind == RowKind.EMPLOYEE)
    top = view.rowViewportPosition(first)
    assert top >= 0
    assert top + view.rowHeight(first) <= view.viewport().height()
