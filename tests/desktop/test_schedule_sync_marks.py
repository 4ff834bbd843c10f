"""A shift in conflict with the server is marked in the grid: a violet outline, and
the reason in its tooltip, until the conflict is resolved."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from sqlalchemy import update

from core.changes import Changes
from core.models.sync import ConflictStatus, SyncConflict
from core.scheduling import edit_shift
from core.store import Store
from desktop.schedule.layout import block_rects
from desktop.schedule.model import CELL_ROLE
from desktop.schedule.page import SchedulePage
from desktop.theme import SYNC_CONFLICT
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift
from tests.desktop.sync_helpers import acknowledge, open_conflict


def _block(page: SchedulePage, employee_id: str) -> QRect:
    index = page.model.index_of(employee_id, MONDAY)
    return block_rects(page.view.visualRect(index), 1, False)[0]


def _edge_color(page: SchedulePage, employee_id: str) -> QColor:
    """The colour just inside the left edge of the person's first block on Monday."""
    block = _block(page, employee_id)
    image = page.view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(round((block.left() + 1) * ratio), round(block.center().y() * ratio))


def _near(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) < 40


def test_a_shift_with_an_open_conflict_has_a_violet_outline_and_says_why(
    qtbot, page: SchedulePage, store: Store, org: Org
) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, location="Bar")
    calm = add_shift(store, org, MONDAY, "09:00", "17:00", org.ben, location="Bar")
    acknowledge(store, sid)
    with store.session() as s:  # edited here while another site edited it too
        edit_shift(s, sid, location="Terrace", start_time="08:00")
    open_conflict(store, sid, {"location": "Lobby", "startTime": "10:00"})
    page.context.data_changed.emit(Changes.SYNC)  # as the sync engine's run reports it

    index = page.model.index_of(org.anna, MONDAY)
    assert index.data(CELL_ROLE).out_of_sync == (
        "Conflict with the server: start time and location changed on both sides"
        " — resolve it in Sync",
    )
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.splitlines()[:2] == [
        "08:00–17:00 Terrace (not published)",
        "  ⇄ Conflict with the server: start time and location changed on both sides"
        " — resolve it in Sync",
    ]
    assert _near(_edge_color(page, org.anna), SYNC_CONFLICT)
    assert not _near(_edge_color(page, org.ben), SYNC_CONFLICT)
    assert "Conflict with the server" not in page.model.index_of(org.ben, MONDAY).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert calm

    with store.session() as s:  # resolved in the Sync view
        s.execute(update(SyncConflict).values(status=ConflictStatus.RESOLVED))
    page.context.data_changed.emit(Changes.SYNC)
    assert page.model.index_of(org.anna, MONDAY).data(CELL_ROLE).out_of_sync == ("",)
    assert not _near(_edge_color(page, org.anna), SYNC_CONFLICT)


def test_a_shift_deleted_on_one_side_and_changed_on_the_other_says_so(
    qtbot, page: SchedulePage, store: Store, org: Org
) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.cara)
    acknowledge(store, sid)
    with store.session() as s:
        edit_shift(s, sid, location="Terrace")
    open_conflict(store, sid, None)  # deleted on the server
    page.reload()
    assert page.model.index_of(org.cara, MONDAY).data(CELL_ROLE).out_of_sync == (
        "Conflict with the server: deleted on one side and changed on the other"
        " — resolve it in Sync",
    )
