from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from core.models import LeaveRequest, LeaveStatus
from core.roster import load_roster
from core.scheduling import ShiftDraft, create_shift
from desktop.schedule.model import CELL_ROLE, RosterModel, RowKind
from tests.conftest import MONDAY
from tests.desktop.helpers import add_shift


def _model(store, first=MONDAY, days=6) -> RosterModel:
    model = RosterModel()
    with store.session() as s:
        model.set_roster(load_roster(s, first, first + timedelta(days=days)), today=MONDAY)
    return model


def test_roster_model_passes_the_model_tester(qtmodeltester, store, org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, location="Pass")
    add_shift(store, org, MONDAY, "18:00", "22:00", org.anna)
    with store.session() as s:  # an open shift: nobody on it
        create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "06:00", "14:00", department_id=org.floor_id)
        )
    model = _model(store)
    assert model.open_row_of(org.floor_id) == 1
    qtmodeltester.check(model)


def test_rows_are_department_bands_then_their_people(qapp, store, org) -> None:
    model = _model(store)
    kinds = [model.row_info(r).kind for r in range(model.rowCount())]
    assert kinds == [RowKind.DEPARTMENT, RowKind.EMPLOYEE, RowKind.EMPLOYEE] * 2
    assert model.headerData(0, Qt.Orientation.Vertical) == "Floor"
    assert model.headerData(1, Qt.Orientation.Vertical) == "Cara Diaz"
    assert model.columnCount() == 7
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Mon 01 Jun"


def test_collapsing_a_department_hides_its_people(qapp, store, org) -> None:
    model = _model(store)
    model.toggle_department(org.floor_id)
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())] == [
        "Floor",
        "Kitchen",
        "Anna Berg",
        "Ben Cole",
    ]
    assert model.row_info(0).collapsed
    model.toggle_department(org.floor_id)
    assert model.rowCount() == 6


def test_cell_text_and_tooltip_name_times_leave_and_the_conflict(qapp, store, org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, location="Pass")
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.anna,
                start_date=MONDAY,
                end_date=MONDAY,
                leave_type="sick",
                status=LeaveStatus.APPROVED,
            )
        )
    model = _model(store)
    index = model.index_of(org.anna, MONDAY)
    assert index.data() == "Sick leave; 09:00–17:00 Pass (not published)"
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "✖ Anna Berg is on approved sick leave 01 Jun" in tooltip
    cell = index.data(CELL_ROLE)
    assert cell.today
    assert cell.problems[0].conflicts
    band = model.index(model.row_of(org.anna) - 1, 0).data(CELL_ROLE)
    assert (band.team_shifts, band.team_hours) == (1, 8)


def test_a_same_shaped_snapshot_refreshes_in_place(qtbot, store, org) -> None:
    model = _model(store)
    add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)
    with (
        qtbot.waitSignal(model.dataChanged),
        qtbot.assertNotEmitted(model.modelReset),
        store.session() as s,
    ):
        model.set_roster(load_roster(s, MONDAY, MONDAY + timedelta(days=6)), today=MONDAY)
    assert model.index_of(org.ben, MONDAY).data() == "09:00–17:00 (not published)"


def test_a_shift_of_another_team_shows_in_its_band_and_counts_there_once(qapp, store, org) -> None:
    """Anna (Kitchen) works a Floor shift: Floor borrows her ("from Kitchen") and
    counts it; her own row shows it named as Floor's, and Kitchen does not count it."""
    lent = add_shift(store, org, MONDAY, "12:00", "20:00", org.anna, department_id=org.floor_id)
    model = _model(store)
    headers = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert headers == [
        "Floor",
        "Cara Diaz",
        "Dan Evans",
        "Anna Berg (from Kitchen)",
        "Kitchen",
        "Anna Berg",
        "Ben Cole",
    ]
    floor_band, kitchen_band = model.index(0, 0), model.index(4, 0)
    assert model.data(floor_band) == "1 shift · 8 h"
    assert model.data(kitchen_band) == ""
    borrowed, home = model.cell(model.index(3, 0)), model.cell(model.index(5, 0))
    assert [s.id for s in borrowed.shifts] == [lent]
    assert borrowed.elsewhere == ("",)
    assert [s.id for s in home.shifts] == [lent]
    assert home.elsewhere == ("Floor",)
    assert "Floor shift" in model.data(model.index(5, 0), Qt.ItemDataRole.ToolTipRole)
    assert model.row_of(org.anna) == 5  # found at her own team's row
