"""Days of a closed pay period, marked in the grid: headers, cells and tooltips say so,
and a drag onto one is refused with core's reason before anything is dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from core.changes import Changes
from core.models import Shift
from core.pay_periods import close_period, closed_notes, reopen_period
from core.store import Store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.schedule.model import CELL_ROLE, RowKind
from desktop.schedule.page import RELOAD_ON, SchedulePage
from desktop.schedule.paint import CLOSED_EDGE
from tests.conftest import MONDAY, open_copy
from tests.desktop.conftest import DEMO_START
from tests.desktop.helpers import add_shift, drop, hover

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
THURSDAY = MONDAY + timedelta(days=3)
CLOSED_AT = datetime(2026, 6, 5, 9, 30, tzinfo=UTC)


def _close(page: SchedulePage, first, last) -> None:
    """Close a period as the Payroll page does: through core, then the change signal."""
    with page.context.store.session() as s:
        close_period(s, first, last, actor="anna", now=CLOSED_AT)
    page.context.data_changed.emit(Changes.PAY_PERIODS)


def _marked(page: SchedulePage) -> list[bool]:
    return [bool(page.model.closed(col)) for col in range(len(page.model.days))]


def test_closing_and_reopening_a_period_reloads_the_grid(page, store, org) -> None:
    assert Changes.PAY_PERIODS & RELOAD_ON
    add_shift(store, org, TUESDAY, "09:00", "17:00", org.anna)
    page.reload()
    assert _marked(page) == [False] * 7
    _close(page, MONDAY, WEDNESDAY)
    assert _marked(page) == [True, True, True, False, False, False, False]
    with store.session() as s:
        reopen_period(s, MONDAY, WEDNESDAY, actor="anna", reason="late punch")
    page.context.data_changed.emit(Changes.PAY_PERIODS)
    assert _marked(page) == [False] * 7
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert not any(h.endswith("closed") for h in headers)
    cells = [page.model.index(r, 1).data(CELL_ROLE) for r in range(page.model.rowCount())]
    assert cells
    assert not any(c.closed for c in cells)


def test_a_closed_days_headers_and_cells_carry_cores_note(page, store, org) -> None:
    add_shift(store, org, TUESDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, THURSDAY, "09:00", "17:00", org.anna)
    page.reload()
    _close(page, MONDAY, WEDNESDAY)
    note = "Pay period 1–3 Jun 2026 closed by anna on 5 Jun 2026 at "
    model = page.model
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Tue 02 Jun · closed"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Thu 04 Jun"
    # Every row's cell of a closed day is marked, bands and open shifts too; the
    # painter draws from these.
    for row in range(model.rowCount()):
        assert model.index(row, 1).data(CELL_ROLE).closed.startswith(note)
        assert model.index(row, 3).data(CELL_ROLE).closed == ""
    tuesday = model.index_of(org.anna, TUESDAY)
    tip = tuesday.data(Qt.ItemDataRole.ToolTipRole)
    first_line, shift_line = tip.split("\n")[:2]
    assert first_line.startswith(note)
    assert first_line.endswith(": its shifts, attendance and leave no longer change")
    assert shift_line.startswith("09:00–17:00")
    assert "closed" not in model.index_of(org.anna, THURSDAY).data(Qt.ItemDataRole.ToolTipRole)
    band = next(r for r in range(model.rowCount()) if model.row_info(r).kind == RowKind.DEPARTMENT)
    assert model.index(band, 1).data(Qt.ItemDataRole.ToolTipRole).startswith(note)
    page.price()
    header_tip = model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert header_tip.startswith("Tue 02 Jun")
    assert note in header_tip
    assert note not in model.headerData(3, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def test_the_notes_come_from_one_statement_of_core(store, org) -> None:
    with store.session() as s:
        close_period(s, MONDAY, TUESDAY, actor="anna", now=CLOSED_AT)
        notes = closed_notes(s, None, MONDAY - timedelta(days=3), WEDNESDAY)
    assert sorted(notes) == [MONDAY, TUESDAY]
    assert notes[MONDAY].startswith("Pay period 1–2 Jun 2026 closed by anna on 5 Jun 2026")


def test_dragging_onto_a_closed_day_says_why_and_drops_nothing(page, store, org) -> None:
    sid = add_shift(store, org, THURSDAY, "09:00", "17:00", org.anna)
    page.reload()
    _close(page, MONDAY, WEDNESDAY)
    hover(page, sid, org.anna, org.ben, TUESDAY)
    hint = page.view.drop_hint
    assert hint.kind == "conflict"
    assert hint.text == (
        "Cannot drop: Pay period 1–3 Jun 2026 is closed (by anna, 5 Jun); reopen it to change it"
    )
    drop(page, sid, org.anna, org.ben, TUESDAY)
    with store.session() as s:
        shift = s.get(Shift, sid)
        assert (shift.shift_date, tuple(shift.employee_ids)) == (THURSDAY, (org.anna,))
    assert page.notice.kind == "error"
    assert page.notice.text.startswith("Move refused: Pay period 1–3 Jun 2026 is closed")


@pytest.fixture
def month_store(tmp_path: Path, demo_files: Callable[..., Path]) -> Iterator[Store]:
    template = demo_files(employees=40, weeks=5, seed=1, start=DEMO_START)
    with open_copy(template, tmp_path / "month.shiftdesk") as opened:
        yield opened


def test_a_month_with_a_closed_first_week_is_drawn_muted_there(
    qtbot: QtBot,
    themed: QApplication,
    month_store: Store,
    settings: QSettings,
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    window = MainWindow(AppContext(month_store), settings)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show_view("schedule")
    window.show()
    qtbot.waitExposed(window)
    page = window.pages["schedule"]
    assert isinstance(page, SchedulePage)
    page.anchor = DEMO_START
    page.set_span("month")
    _close(page, DEMO_START, DEMO_START + timedelta(days=6))
    qtbot.waitUntil(lambda: not page.problems_pending and not page.labour_pending)
    assert _marked(page) == [True] * 7 + [False] * (len(page.model.days) - 7)
    path = screenshot(window, "month-closed.png")
    assert path.exists()
    # The closed days' headers carry the slate line along their top, the others not.
    header = page.view.horizontalHeader()
    image = header.grab().toImage()
    top = [image.pixelColor(header.sectionViewportPosition(c) + 3, 1).name() for c in (0, 6, 7)]
    assert top == [CLOSED_EDGE.name(), CLOSED_EDGE.name(), "#ffffff"]
    page.set_span("week")
    qtbot.waitUntil(lambda: not page.problems_pending and not page.labour_pending)
    assert _marked(page) == [True] * 7
    screenshot(window, "week-closed.png")
