"""A person's days outside their employment are greyed out in the grid, as days
nobody can book them on, and say why in the tooltip."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from core.changes import Changes
from core.models import Employee
from core.store import Store
from desktop.schedule.model import CELL_ROLE
from desktop.schedule.page import SchedulePage
from desktop.schedule.paint import OFF_FILL
from tests.conftest import MONDAY, Org

WEDNESDAY = MONDAY + timedelta(days=2)
THURSDAY = MONDAY + timedelta(days=3)


def _cell_color(page: SchedulePage, employee_id: str, day) -> QColor:
    rect = page.view.visualRect(page.model.index_of(employee_id, day))
    image = page.view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(round(rect.center().x() * ratio), round(rect.center().y() * ratio))


def test_days_before_the_start_and_after_the_end_are_grey_and_say_why(
    page: SchedulePage, store: Store, org: Org
) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).employment_start = WEDNESDAY
        s.get(Employee, org.ben).employment_end = THURSDAY
    page.context.data_changed.emit(Changes.EMPLOYEES)

    def tooltip(employee_id: str, day) -> str:
        return page.model.index_of(employee_id, day).data(Qt.ItemDataRole.ToolTipRole)

    assert tooltip(org.anna, MONDAY) == "Starts on 3 Jun 2026"
    assert tooltip(org.anna, WEDNESDAY) == ""
    assert tooltip(org.ben, THURSDAY) == ""
    assert tooltip(org.ben, THURSDAY + timedelta(days=1)) == "Left on 4 Jun 2026"
    assert page.model.index_of(org.anna, MONDAY).data() == "Starts on 3 Jun 2026"
    assert page.model.index_of(org.cara, MONDAY).data(CELL_ROLE).off == ""

    grey = OFF_FILL.name()
    assert _cell_color(page, org.anna, MONDAY).name() == grey
    assert _cell_color(page, org.anna, WEDNESDAY).name() != grey
    assert _cell_color(page, org.ben, THURSDAY + timedelta(days=1)).name() == grey
    assert _cell_color(page, org.cara, MONDAY).name() != grey
