"""The People page on real widgets: the tables, the filter, and every action as one
undo step through the context, with core's refusals under the field at fault."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QColorDialog
from pytestqt.qtbot import QtBot

from core.changes import Changes
from core.employees import list_employees
from core.models import Department, Employee, Shift
from core.organisation import list_departments
from core.store import Store
from desktop.context import AppContext
from desktop.people.dialogs import DeleteDepartmentDialog, DepartmentDialog, EmployeeDialog
from desktop.people.model import EMPLOYED, DepartmentsModel, EmployeesModel, PeopleFilter
from desktop.people.page import PeoplePage
from desktop.schedule.page import SchedulePage
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift, show_at, unnamed_controls


@pytest.fixture
def people(qtbot: QtBot, context: AppContext, org: Org) -> PeoplePage:
    return show_at(qtbot, PeoplePage(context), 1400, 700)


def _shown(page: PeoplePage) -> list[str]:
    return [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]


def _employee(store: Store, employee_id: str) -> Employee:
    with store.session() as s:
        employee = s.get(Employee, employee_id)
        assert employee is not None
        s.expunge(employee)
        return employee


def _fill(dialog: EmployeeDialog, **texts: str) -> None:
    for field, text in texts.items():
        dialog.edits[field].setText(text)


def test_the_models_pass_the_model_tester(qtmodeltester, store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.dan).active = False
    with store.session() as s:
        rows = list_employees(s, include_inactive=True)
        departments = list_departments(s)
    people = EmployeesModel()
    people.set_rows(rows, {d.id: d.color for d in departments}, "EUR")
    qtmodeltester.check(people)
    assert [people.data(people.index(3, c)) for c in range(7)] == [
        "Dan Evans",
        "Floor",
        "",
        "20.00",
        "40",
        "",
        "Inactive",
    ]
    assert people.headerData(3, Qt.Orientation.Horizontal) == "Rate (EUR)"
    shown = PeopleFilter()
    shown.setSourceModel(people)
    qtmodeltester.check(shown)
    assert shown.rowCount() == 3  # inactive people are left out until asked for
    shown.set_filter(inactive=True, department=org.floor_id)
    qtmodeltester.check(shown)
    assert shown.rowCount() == 2
    teams = DepartmentsModel()
    teams.set_rows(departments)
    qtmodeltester.check(teams)
    assert [(teams.data(teams.index(r, 0)), teams.data(teams.index(r, 1))) for r in range(2)] == [
        ("Floor", "1"),
        ("Kitchen", "2"),
    ]


def test_filter_by_name_or_code_department_and_inactive(
    people: PeoplePage, store: Store, org: Org
) -> None:
    with store.session() as s:
        s.get(Employee, org.ben).code = "K7"
        s.get(Employee, org.dan).active = False
    people.reload()
    assert _shown(people) == ["Anna Berg", "Ben Cole", "Cara Diaz"]
    assert people.count.text() == "3 people · 1 inactive hidden"
    people.inactive.setChecked(True)
    assert _shown(people)[-1] == "Dan Evans"
    people.search.setText("k7")
    assert _shown(people) == ["Ben Cole"]
    people.search.clear()
    people.department_box.setCurrentIndex(people.department_box.findData(org.floor_id))
    assert _shown(people) == ["Cara Diaz", "Dan Evans"]
    people.search.setText("nobody")
    assert people.empty.text() == "Nobody matches these filters."
    assert unnamed_controls(people) == []


def test_add_a_person_is_one_undo_step_and_the_schedule_hears_of_it(
    qtbot: QtBot, people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    schedule = show_at(qtbot, SchedulePage(context), 1200, 600)
    schedule.anchor = MONDAY
    schedule.reload()
    rows_before = schedule.model.rowCount()
    dialog = people.add_person()
    assert isinstance(dialog, EmployeeDialog)
    _fill(dialog, first_name="Eva", last_name="Fisher", code="E100", hourly_rate="18,50")
    dialog.department.setCurrentIndex(dialog.department.findData(org.kitchen_id))
    with qtbot.waitSignal(context.data_changed) as changed:
        dialog.save_button.click()
    assert changed.args == [Changes.EMPLOYEES]
    assert not dialog.isVisible()
    assert people.selected is not None
    assert (people.selected.name, people.selected.hourly_rate) == ("Eva Fisher", Decimal("18.5"))
    assert people.selected.department_id == org.kitchen_id
    assert context.undo_stack.undoText() == "Add Eva Fisher"
    assert schedule.model.rowCount() == rows_before + 1
    context.undo_stack.undo()
    assert "Eva Fisher" not in _shown(people)
    assert schedule.model.rowCount() == rows_before


def test_a_field_is_checked_as_typed_by_cores_rules(people: PeoplePage, org: Org) -> None:
    dialog = people.add_person()
    assert dialog is not None
    assert unnamed_controls(dialog) == []
    _fill(dialog, first_name="Eva", last_name="Fisher", email="eva@example", contract_hours="200")
    assert dialog.error_labels["email"].text() == "'eva@example' is not an e-mail address"
    assert dialog.error_labels["contract_hours"].text() == "'200' is more than 168"
    assert dialog.error_labels["email"].isVisibleTo(dialog)
    assert not dialog.error_labels["first_name"].isVisibleTo(dialog)
    assert not dialog.save_button.isEnabled()
    _fill(dialog, email="eva@example.com", contract_hours="38,5")
    assert dialog.save_button.isEnabled()
    dialog.reject()


def test_a_refusal_shows_under_the_field_and_keeps_the_dialog_open(
    people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).code = "E1"
    people.reload()
    dialog = people.add_person()
    assert dialog is not None
    _fill(dialog, first_name="Eva", last_name="Fisher", code="E1")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.error_labels["code"].text() == "Anna Berg has the payroll code E1 already"
    assert dialog.error_labels["code"].isVisibleTo(dialog)
    assert context.undo_stack.count() == 0
    _fill(dialog, code="E2")
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert context.undo_stack.count() == 1


def test_edit_a_person_and_undo_it(people: PeoplePage, context: AppContext, store, org) -> None:
    people.select(org.ben)
    dialog = people.edit_person()
    assert dialog is not None
    assert dialog.windowTitle() == "Edit Ben Cole"
    assert (dialog.first_name.text(), dialog.hourly_rate.text()) == ("Ben", "20.00")
    _fill(dialog, hourly_rate="22.75", last_name="Cole-Berg")
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert context.undo_stack.undoText() == "Edit Ben Cole"
    ben = _employee(store, org.ben)
    assert (ben.last_name, ben.hourly_rate) == ("Cole-Berg", Decimal("22.75"))
    assert people.selected is not None
    assert people.selected.name == "Ben Cole-Berg"
    context.undo_stack.undo()
    ben = _employee(store, org.ben)
    assert (ben.last_name, ben.hourly_rate) == ("Cole", Decimal("20.00"))


def test_saving_an_unchanged_person_adds_no_undo_step(
    people: PeoplePage, context: AppContext, org: Org
) -> None:
    people.select(org.ben)
    dialog = people.edit_person()
    assert dialog is not None
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert context.undo_stack.count() == 0


def test_deactivate_and_reactivate_are_undo_steps_and_hide_the_person(
    people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    people.select(org.dan)
    assert people.active_button.text() == "Deactivate"
    people.active_button.click()
    assert _employee(store, org.dan).active is False
    assert "Dan Evans" not in _shown(people)
    assert "Dan Evans deactivated." in people.notice.text
    assert context.undo_stack.undoText() == "Deactivate Dan Evans"
    people.inactive.setChecked(True)
    people.select(org.dan)
    assert people.active_button.text() == "Reactivate"
    people.active_button.click()
    assert _employee(store, org.dan).active is True
    assert context.undo_stack.undoText() == "Reactivate Dan Evans"
    context.undo_stack.undo()
    context.undo_stack.undo()
    assert _employee(store, org.dan).active is True


def _department(store: Store, dept_id: str) -> Department:
    with store.session() as s:
        dept = s.get(Department, dept_id)
        assert dept is not None
        s.expunge(dept)
        return dept


def test_add_a_department_with_a_free_colour_refusing_a_name_in_another_case(
    people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    dialog = people.add_department()
    assert isinstance(dialog, DepartmentDialog)
    assert unnamed_controls(dialog) == []
    dialog.name.setText("kitchen")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.error_labels["name"].text() == (
        "The company has a department 'kitchen' already (as 'Kitchen')"
    )
    assert not dialog.save_button.isEnabled()
    dialog.name.setText("Bar")
    assert dialog.save_button.isEnabled()
    assert dialog.colour.color == "#d9822b"  # the first colour no department has
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert context.undo_stack.undoText() == "Add department Bar"
    assert people.selected_department is not None
    assert (people.selected_department.name, people.selected_department.color) == (
        "Bar",
        "#d9822b",
    )
    assert people.department_box.findText("Bar") > 0  # the filter offers it at once


def test_rename_recolour_and_undo_each(
    people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    people.select_department(org.kitchen_id)
    dialog = people.rename_department()
    assert dialog is not None
    assert dialog.name.text() == "Kitchen"
    dialog.name.setText("Cuisine")
    dialog.save_button.click()
    assert context.undo_stack.undoText() == "Rename department Kitchen to Cuisine"
    assert _department(store, org.kitchen_id).name == "Cuisine"
    picker = people.choose_colour()
    assert isinstance(picker, QColorDialog)
    picker.reject()
    people.select_department(org.kitchen_id)
    assert people.selected_department is not None
    assert people.recolour(people.selected_department, "#aa3300").applied
    assert _department(store, org.kitchen_id).color == "#aa3300"
    assert context.undo_stack.undoText() == "Recolour department Cuisine"
    context.undo_stack.undo()
    context.undo_stack.undo()
    assert (_department(store, org.kitchen_id).name, _department(store, org.kitchen_id).color) == (
        "Kitchen",
        "#4f7cac",
    )


def test_deleting_a_department_in_use_moves_its_people_in_one_step(
    people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    people.select_department(org.kitchen_id)
    dialog = people.delete_department()
    assert isinstance(dialog, DeleteDepartmentDialog)
    assert unnamed_controls(dialog) == []
    assert not dialog.delete_button.isEnabled()  # where its people go is not chosen yet
    dialog.move_to.setCurrentIndex(dialog.move_to.findData(org.floor_id))
    assert dialog.delete_button.isEnabled()
    dialog.delete_button.click()
    assert not dialog.isVisible()
    assert context.undo_stack.undoText() == "Delete department Kitchen"
    assert _department(store, org.kitchen_id).deleted is True
    assert _employee(store, org.anna).department_id == org.floor_id
    assert "2 people moved to Floor" in people.notice.text
    assert [r.name for r in people.departments.rows] == ["Floor"]
    context.undo_stack.undo()
    assert _employee(store, org.anna).department_id == org.kitchen_id
    assert [r.name for r in people.departments.rows] == ["Floor", "Kitchen"]


def test_an_unused_department_is_deleted_without_a_choice(
    people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    dialog = people.add_department()
    assert dialog is not None
    dialog.name.setText("Bar")
    dialog.save_button.click()
    delete = people.delete_department()
    assert delete is not None
    assert delete.move_to.isHidden()
    assert delete.delete_button.isEnabled()
    delete.delete_button.click()
    assert [r.name for r in people.departments.rows] == ["Floor", "Kitchen"]
    assert context.undo_stack.count() == 2


def test_an_empty_store_points_at_setting_it_up(
    qtbot: QtBot, store: Store, themed, context: AppContext
) -> None:
    page = show_at(qtbot, PeoplePage(context), 1000, 600)
    assert page.add_person() is None
    assert "not set up yet" in page.notice.text
    assert page.empty.text().startswith("No people yet.")


def test_deactivating_someone_on_shifts_ahead_says_they_came_off(
    people: PeoplePage, store: Store, org: Org
) -> None:
    ahead = add_shift(store, org, date.today() + timedelta(days=7), "09:00", "17:00", org.dan)
    people.select(org.dan)
    people.toggle_active()
    assert people.notice.kind == "warning"
    assert "Dan Evans was taken off 1 upcoming shift" in people.notice.text
    assert "1 is now open" in people.notice.text
    with store.session() as s:
        assert s.get(Shift, ahead).employee_ids == []


def test_employment_dates_are_checked_as_typed_and_saved(
    people: PeoplePage, context: AppContext, store: Store, org: Org
) -> None:
    people.select(org.ben)
    dialog = people.edit_person()
    assert dialog is not None
    assert (dialog.employment_start.text(), dialog.employment_end.text()) == ("", "")
    _fill(dialog, employment_start="2026-12-05", employment_end="2026-12-01")
    assert dialog.error_labels["employment_end"].text() == (
        "The employment would end (1 Dec 2026) before it starts (5 Dec 2026)"
    )
    assert not dialog.save_button.isEnabled()
    _fill(dialog, employment_end="")
    dialog.save_button.click()
    assert not dialog.isVisible()
    ben = _employee(store, org.ben)
    assert (ben.employment_start, ben.employment_end) == (date(2026, 12, 5), None)
    again = people.edit_person()
    assert again is not None
    assert again.employment_start.text() == "2026-12-05"
    again.reject()
    # The list says it, and sorts by it.
    row = people.model.row_of(org.ben)
    assert people.model.index(row, EMPLOYED).data() == "from 5 Dec 2026"
    assert people.model.headerData(EMPLOYED, Qt.Orientation.Horizontal) == "Employed"
