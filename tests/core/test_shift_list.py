from __future__ import annotations

from datetime import timedelta

import pytest

from core.employees import get_employee
from core.errors import NotFound
from core.models import Employee
from core.scheduling import ShiftDraft, create_shift, delete_shifts
from core.shift_list import shift_rows, shifts_of_employee
from core.store import Store
from tests.conftest import MONDAY, Org

SUNDAY = MONDAY + timedelta(days=6)


def _shift(store: Store, org: Org, day=MONDAY, **kwargs) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, day, "09:00", "17:00", **kwargs))
    assert result.applied
    return result.ids[0]


def test_employee_by_id_or_code(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.ben).code = "K2"
    with store.session() as s:
        assert get_employee(s, org.anna).name == "Anna Berg"
        assert get_employee(s, "K2").id == org.ben
        with pytest.raises(NotFound, match="no employee with id K3"):
            get_employee(s, "K3")


def test_a_persons_shifts_include_their_departments_and_not_deleted_ones(
    store: Store, org: Org
) -> None:
    named = _shift(store, org, employee_ids=(org.anna,))
    kitchen = _shift(store, org, MONDAY + timedelta(days=1), department_ids=(org.kitchen_id,))
    _shift(store, org, MONDAY + timedelta(days=2), department_ids=(org.floor_id,))
    gone = _shift(store, org, MONDAY + timedelta(days=3), employee_ids=(org.anna,))
    with store.session() as s:
        delete_shifts(s, [gone])
    with store.session() as s:
        anna = s.get(Employee, org.anna)
        assert [x.id for x in shifts_of_employee(s, anna, MONDAY, SUNDAY)] == [named, kitchen]
        anna.active = False
        s.flush()
        # an inactive person is no longer covered by a department assignment
        assert [x.id for x in shifts_of_employee(s, anna, MONDAY, SUNDAY)] == [named]


def test_rows_carry_names_of_people_and_departments(store: Store, org: Org) -> None:
    _shift(store, org, employee_ids=(org.cara,), department_ids=(org.kitchen_id,))
    with store.session() as s:
        (row,) = shift_rows(s, MONDAY, SUNDAY)
        assert shift_rows(s, MONDAY, SUNDAY, employee_id=org.dan) == []
    assert [e.name for e in row.employees] == ["Cara Diaz"]
    assert [d.name for d in row.departments] == ["Kitchen"]
    assert (row.start, row.end, row.status) == ("09:00", "17:00", "scheduled")
