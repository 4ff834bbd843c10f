"""Days of a closed pay period, marked in the grid: headers, cells and tooltips say so,
and a drag onto one is refused with core's reason before anything is dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from sqlalchemy import event

from core.changes import Changes
from core.models import Shift
from core.pay_periods import close_period, closed_notes, reopen_period
from desktop.schedule.model import CELL_ROLE, RowKind
from desktop.schedule.page import RELOAD_ON, SchedulePage
from tests.conftest import MONDAY
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
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with store.session() as s:
        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            notes = closed_notes(s, None, MONDAY - timedelta(days=3), WEDNESDAY)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
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
