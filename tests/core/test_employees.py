from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.changes import Changes
from core.employees import (
    EmployeeDraft,
    add_employee,
    checked_fields,
    deactivate_employee,
    delete_employee,
    edit_employee,
    erase_employee,
    get_employee,
    import_employees_csv,
    list_employees,
    reactivate_employee,
)
from core.errors import Duplicate, InUse, NotFound, ValidationError
from core.models import Department, Employee, OutboxEntry, Shift, Site
from core.results import OpResult
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.undo import UndoRefused
from tests.conftest import MONDAY, Org

HEADER = "first_name,last_name,email,code,department,hourly_rate,contract_hours,active\n"


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Employee)),
            s.scalar(select(func.count()).select_from(Department)),
            s.scalar(select(func.count()).select_from(OutboxEntry)),
        )


def test_list_shows_active_employees_by_name_with_their_department(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.dan).active = False
    with store.session() as s:
        rows = list_employees(s)
        everyone = list_employees(s, include_inactive=True)
    assert [r.name for r in rows] == ["Anna Berg", "Ben Cole", "Cara Diaz"]
    assert (rows[0].department, rows[0].hourly_rate, rows[0].active) == (
        "Kitchen",
        Decimal("20.00"),
        True,
    )
    assert [r.name for r in everyone][-1] == "Dan Evans"
    assert everyone[-1].active is False


def test_import_adds_people_and_creates_a_missing_department(store: Store, org: Org) -> None:
    text = HEADER + (
        'Eva,Fisher,eva@example.com,E100,Kitchen,18.50,30,yes\nFelix,Gray,,E101,Bar,"19,75",,\n'
    )
    with store.session() as s:
        result = import_employees_csv(s, text)
    assert (result.added, result.updated, result.departments_created) == (
        ("E100", "E101"),
        (),
        ("Bar",),
    )
    with store.session() as s:
        rows = {r.code: r for r in list_employees(s)}
        felix = s.scalars(select(Employee).where(Employee.code == "E101")).one()
        assert felix.site_id == org.site_id
        assert felix.email is None
    assert (rows["E100"].department, rows["E100"].contract_hours) == ("Kitchen", Decimal(30))
    assert (rows["E101"].department, rows["E101"].hourly_rate) == ("Bar", Decimal("19.75"))
    assert rows["E101"].contract_hours == Decimal(40)  # the default when the cell is empty


def test_import_from_a_file_path(store: Store, org: Org, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "Eva,Fisher,,E100,,,,\n", encoding="utf-8")
    with store.session() as s:
        assert import_employees_csv(s, path).added == ("E100",)
        assert import_employees_csv(s, str(path)).added == ()


def test_reimport_updates_by_code_and_keeps_what_the_file_leaves_empty(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        import_employees_csv(s, HEADER + "Eva,Fisher,eva@example.com,E100,Kitchen,18.50,30,yes\n")
    with store.session() as s:
        again = import_employees_csv(
            s,
            HEADER + "Eva,Fisher-Lang,,E100,floor,,32,no\n" + "Emil,Fisher,,E200,,,,\n",
        )
    assert (again.added, again.updated, again.departments_created) == (("E200",), ("E100",), ())
    with store.session() as s:
        eva = s.scalars(select(Employee).where(Employee.code == "E100")).one()
        assert eva.last_name == "Fisher-Lang"
        assert eva.email == "eva@example.com"
        assert eva.hourly_rate == Decimal("18.50")
        assert eva.contract_hours == Decimal(32)
        assert eva.department_id == org.floor_id  # department names match ignoring case
        assert eva.active is False


def test_a_row_that_changes_nothing_is_not_counted_as_updated(store: Store, org: Org) -> None:
    row = HEADER + "Eva,Fisher,,E100,,18.50,,\n"
    with store.session() as s:
        import_employees_csv(s, row)
    with store.session() as s:
        assert import_employees_csv(s, row).updated == ()


def test_bad_rows_are_all_listed_with_line_numbers_and_nothing_is_written(
    store: Store, org: Org
) -> None:
    before = _counts(store)
    text = HEADER + (
        "Eva,Fisher,,E100,NewDept,18.50,30,yes\n"  # good, but must not be written
        ",Gray,,E101,,,,\n"
        "Hugo,Hill,hugo-at-example,E102,,,,\n"
        "Ida,Irwin,,E103,,-3,,\n"
        "Jon,Jay,,E104,,,200,\n"
        "Kim,Koh,,E105,,,,maybe\n"
        "Lea,Lund,,E100,,,,\n"
        "Max,Moe,,,,,,\n"
        "Ned,Nye,,E106,,abc,,,extra\n"
    )
    with store.session() as s, pytest.raises(ValidationError) as info:
        import_employees_csv(s, text)
    assert info.value.field == "file"
    problem = info.value.problem
    for expected in (
        "line 3: first_name is empty",
        "line 4: email 'hugo-at-example' is not an e-mail address",
        "line 5: hourly_rate '-3' is not zero or more",
        "line 6: contract_hours '200' is more than 168",
        "line 7: active 'maybe' is not yes or no",
        "line 8: code E100 is on line 2 too",
        "line 9: code is empty",
        "line 10: more cells than columns",
    ):
        assert expected in problem
    assert "line 2" not in problem.replace("on line 2", "")
    assert _counts(store) == before


def test_every_bad_cell_of_a_line_is_reported(store: Store, org: Org) -> None:
    text = HEADER + ",Gray,dan@example,E101,,abc,200,maybe\n"
    with store.session() as s, pytest.raises(ValidationError) as info:
        import_employees_csv(s, text)
    assert info.value.problem.split("; ") == [
        "line 2: first_name is empty",
        "line 2: email 'dan@example' is not an e-mail address",
        "line 2: hourly_rate 'abc' is not a number",
        "line 2: contract_hours '200' is more than 168",
        "line 2: active 'maybe' is not yes or no",
    ]


@pytest.mark.parametrize("email", ["dan@example", "dan@.com", "dan@example.", "a b@x.org"])
def test_an_email_needs_a_dot_in_its_domain(store: Store, org: Org, email: str) -> None:
    with store.session() as s, pytest.raises(ValidationError) as info:
        import_employees_csv(s, HEADER + f"Dan,Evans,{email},E1,,,,\n")
    assert "is not an e-mail address" in info.value.problem


def test_a_wrong_header_is_refused_on_line_1(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(ValidationError) as info:
        import_employees_csv(s, "first_name,surname,code\nEva,Fisher,E1\n")
    assert info.value.problem.startswith(
        "line 1: missing column(s) last_name; unknown column(s) surname"
    )


def test_an_empty_file_and_a_missing_file_are_refused(
    store: Store, org: Org, tmp_path: Path
) -> None:
    with store.session() as s:
        with pytest.raises(ValidationError, match="no employees"):
            import_employees_csv(s, HEADER)
        with pytest.raises(ValidationError, match="does not exist"):
            import_employees_csv(s, tmp_path / "nope.csv")


def test_several_sites_need_one_named(store: Store, org: Org) -> None:
    with store.session() as s:
        second = Site(company_id=org.company_id, name="Harbour", timezone="Europe/Berlin")
        s.add(second)
    with store.session() as s:
        with pytest.raises(ValidationError, match="several sites"):
            import_employees_csv(s, HEADER + "Eva,Fisher,,E100,,,,\n")
        import_employees_csv(s, HEADER + "Eva,Fisher,,E100,Deck,,,\n", site_id=second.id)
        eva = s.scalars(select(Employee).where(Employee.code == "E100")).one()
        assert eva.site_id == second.id
        assert eva.department.site_id == second.id


def test_imported_employees_are_queued_for_sync(store: Store, org: Org) -> None:
    with store.session() as s:
        import_employees_csv(s, HEADER + "Eva,Fisher,,E100,Bar,,,\n")
    with store.session() as s:
        collections = sorted(
            s.scalars(select(OutboxEntry.collection).where(OutboxEntry.op == "create"))
        )
    assert collections.count("employees") == 5  # the four of the fixture and Eva
    assert collections.count("departments") == 3


# --- operations on one person ----------------------------------------------------------------


def _employee(store: Store, employee_id: str) -> Employee:
    with store.session() as s:
        employee = s.get(Employee, employee_id)
        assert employee is not None
        s.expunge(employee)
        return employee


def _add(store: Store, org: Org, **fields) -> OpResult:
    values = {"first_name": "Eva", "last_name": "Fisher", **fields}
    with store.session() as s:
        return add_employee(s, EmployeeDraft(**values))


def test_add_employee_writes_the_person_and_queues_it_for_sync(store: Store, org: Org) -> None:
    result = _add(
        store,
        org,
        email=" eva@example.com ",
        code="E100",
        department_id=org.kitchen_id,
        hourly_rate="18,50",
        contract_hours=Decimal(30),
    )
    assert result.applied
    assert result.changed == Changes.EMPLOYEES
    eva = _employee(store, result.ids[0])
    assert (eva.name, eva.email, eva.code, eva.site_id) == (
        "Eva Fisher",
        "eva@example.com",
        "E100",
        org.site_id,
    )
    assert (eva.department_id, eva.hourly_rate, eva.contract_hours, eva.active) == (
        org.kitchen_id,
        Decimal("18.50"),
        Decimal(30),
        True,
    )
    with store.session() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == eva.id)).one()
        assert (entry.collection, entry.op) == ("employees", "create")


def test_undo_of_an_added_person_hides_them_and_redo_brings_the_same_id_back(
    store: Store, org: Org
) -> None:
    added = _add(store, org, code="E100")
    with store.session() as s:
        redo = added.undo(s)
        assert "Eva Fisher" not in [r.name for r in list_employees(s, include_inactive=True)]
    with store.session() as s:
        assert redo.undo(s).ids == added.ids
        assert get_employee(s, "E100").id == added.ids[0]


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"first_name": "  "}, "first_name", "give a first name"),
        ({"last_name": ""}, "last_name", "give a last name"),
        ({"email": "eva@example"}, "email", "'eva@example' is not an e-mail address"),
        ({"hourly_rate": "-1"}, "hourly_rate", "'-1' is not zero or more"),
        ({"hourly_rate": "ten"}, "hourly_rate", "'ten' is not a number"),
        ({"contract_hours": Decimal(169)}, "contract_hours", "'169' is more than 168"),
        ({"code": "x" * 51}, "code", "is longer than 50 characters"),
        ({"department_id": "nowhere"}, "department", "no department with id nowhere"),
        ({"site_id": "nowhere"}, "site", "no site with id nowhere"),
    ],
)
def test_a_bad_person_names_the_field_and_writes_nothing(
    store: Store, org: Org, fields: dict, field: str, problem: str
) -> None:
    before = _counts(store)
    with pytest.raises((ValidationError, NotFound)) as info:
        _add(store, org, **fields)
    if isinstance(info.value, ValidationError):
        assert (info.value.field, info.value.problem) == (field, problem)
    else:
        assert field == "site"
    assert _counts(store) == before


def test_a_payroll_code_is_one_live_persons_in_the_company(store: Store, org: Org) -> None:
    first = _add(store, org, code="E1")
    with pytest.raises(Duplicate) as info:
        _add(store, org, first_name="Emil", code="E1")
    assert (info.value.field, info.value.problem) == (
        "code",
        "Eva Fisher has the payroll code E1 already",
    )
    with store.session() as s:
        deactivate_employee(s, first.ids[0])
    with pytest.raises(Duplicate, match=r"Eva Fisher \(inactive\) has the payroll code E1"):
        _add(store, org, first_name="Emil", code="E1")
    with store.session() as s:
        other = add_employee(s, EmployeeDraft("Emil", "Gray", code="E2")).ids[0]
        with pytest.raises(Duplicate):
            edit_employee(s, other, code="E1")
    with store.session() as s:
        s.get(Employee, first.ids[0]).deleted = True  # a deleted person frees their code
    assert _add(store, org, first_name="Emma", code="E1").applied


def test_the_file_import_and_a_person_added_by_hand_follow_one_set_of_rules(
    store: Store, org: Org
) -> None:
    for column, cell in (
        ("email", "dan@example"),
        ("hourly_rate", "-3"),
        ("hourly_rate", "abc"),
        ("contract_hours", "200"),
    ):
        row = {"first_name": "Dan", "last_name": "Evans", "code": "E9", column: cell}
        line = ",".join(row.get(c, "") for c in HEADER.strip().split(",")) + "\n"
        with store.session() as s, pytest.raises(ValidationError) as in_file:
            import_employees_csv(s, HEADER + line)
        with pytest.raises(ValidationError) as by_hand:
            _add(store, org, **{column: cell})
        assert in_file.value.problem == f"line 2: {column} {by_hand.value.problem}"
        assert checked_fields({column: cell})[1] == {column: by_hand.value.problem}


def test_edit_changes_only_what_it_names_and_undo_puts_back_each_field(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        edited = edit_employee(
            s, org.anna, hourly_rate="22.50", department_id=org.floor_id, email="anna@example.org"
        )
    assert edited.changed == Changes.EMPLOYEES
    anna = _employee(store, org.anna)
    assert (anna.hourly_rate, anna.department_id, anna.email, anna.first_name) == (
        Decimal("22.50"),
        org.floor_id,
        "anna@example.org",
        "Anna",
    )
    with store.session() as s:
        s.get(Employee, org.anna).code = "A1"  # somebody else's edit of another field
    with store.session() as s:
        edited.undo(s)
    anna = _employee(store, org.anna)
    assert (anna.hourly_rate, anna.department_id, anna.email, anna.code) == (
        Decimal("20.00"),
        org.kitchen_id,
        None,
        "A1",
    )


def test_undo_of_an_edit_refuses_once_the_same_field_changed_since(store: Store, org: Org) -> None:
    with store.session() as s:
        edited = edit_employee(s, org.anna, hourly_rate=Decimal(25))
    with store.session() as s:
        edit_employee(s, org.anna, hourly_rate=Decimal(26))
    with store.session() as s, pytest.raises(UndoRefused, match="hourly_rate"):
        edited.undo(s)
    assert _employee(store, org.anna).hourly_rate == Decimal(26)


def test_an_edit_that_changes_nothing_is_no_undo_step(store: Store, org: Org) -> None:
    with store.session() as s:
        result = edit_employee(s, org.anna, first_name=" Anna ", hourly_rate="20")
    assert not result.applied
    assert result.ids == (org.anna,)


def test_an_edit_checks_what_it_changes_and_not_the_active_flag(store: Store, org: Org) -> None:
    with store.session() as s:
        with pytest.raises(ValidationError) as bad_rate:
            edit_employee(s, org.anna, contract_hours="-1")
        with pytest.raises(ValidationError) as active:
            edit_employee(s, org.anna, active=False)
        with pytest.raises(ValidationError) as gone:
            edit_employee(s, org.anna, department_id="nowhere")
    assert bad_rate.value.field == "contract_hours"
    assert active.value.field == "active"
    assert "deactivate or reactivate" in active.value.problem
    assert gone.value.field == "department"


NOON = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # noon in Berlin on MONDAY


def _shift(store: Store, org: Org, day: date, *people: str) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, day, "14:00", "20:00", people))
    assert result.applied, result.conflicts
    return result.ids[0]


def _assigned(store: Store, shift_id: str) -> list[str]:
    with store.session() as s:
        return s.get(Shift, shift_id).employee_ids


def test_deactivating_takes_the_person_off_shifts_ahead_and_keeps_the_past(
    store: Store, org: Org
) -> None:
    worked = _shift(store, org, MONDAY - timedelta(days=1), org.dan)
    today = _shift(store, org, MONDAY, org.dan)
    shared = _shift(store, org, MONDAY + timedelta(days=1), org.dan, org.cara)
    with store.session() as s:
        result = deactivate_employee(s, org.dan, now=NOON)
    assert result.changed == Changes.EMPLOYEES | Changes.SHIFTS
    assert [w.reason for w in result.warnings] == [
        "Dan Evans was taken off 2 upcoming shifts (from Mon 01 Jun); 1 is now open"
    ]
    assert _employee(store, org.dan).active is False
    assert (_assigned(store, worked), _assigned(store, today), _assigned(store, shared)) == (
        [org.dan],
        [],
        [org.cara],
    )
    with store.session() as s:
        assert "Dan Evans" not in [r.name for r in list_employees(s)]
        with pytest.raises(ValidationError, match="Dan Evans is inactive"):
            create_shift(s, ShiftDraft(org.site_id, MONDAY, "06:00", "08:00", (org.dan,)))
        with pytest.raises(ValidationError, match="inactive already"):
            deactivate_employee(s, org.dan)
    with store.session() as s:
        result.undo(s)
    assert _employee(store, org.dan).active is True
    assert _assigned(store, today) == [org.dan]
    assert sorted(_assigned(store, shared)) == sorted([org.dan, org.cara])


def test_reactivating_brings_the_person_back_without_their_old_shifts(
    store: Store, org: Org
) -> None:
    ahead = _shift(store, org, MONDAY + timedelta(days=2), org.dan)
    with store.session() as s:
        deactivate_employee(s, org.dan, now=NOON)
    with store.session() as s:
        back = reactivate_employee(s, org.dan)
        with pytest.raises(ValidationError, match="active already"):
            reactivate_employee(s, org.dan)
    assert back.changed == Changes.EMPLOYEES
    assert _employee(store, org.dan).active is True
    assert _assigned(store, ahead) == []
    with store.session() as s:
        back.undo(s)
    assert _employee(store, org.dan).active is False


def test_deleting_a_person_with_history_is_refused_naming_it(store: Store, org: Org) -> None:
    _shift(store, org, MONDAY, org.dan)
    with store.session() as s, pytest.raises(InUse) as info:
        delete_employee(s, org.dan)
    assert info.value.problem == (
        "Dan Evans has 1 shift; deactivate them instead, which keeps that history"
    )
    fresh = _add(store, org).ids[0]
    with store.session() as s:
        deleted = delete_employee(s, fresh)
    assert deleted.applied
    assert _employee(store, fresh).deleted is True


def _people(store: Store) -> dict[str, tuple]:
    with store.session() as s:
        return {
            e.code: (e.last_name, e.department_id, e.contract_hours)
            for e in s.scalars(select(Employee).where(Employee.deleted.is_(False)))
            if e.code
        }


def _departments(store: Store) -> list[str]:
    with store.session() as s:
        return sorted(s.scalars(select(Department.name).where(Department.deleted.is_(False))))


def test_undo_of_an_import_takes_it_all_back_and_redo_does_it_again(store: Store, org: Org) -> None:
    with store.session() as s:
        import_employees_csv(s, HEADER + "Eva,Fisher,,E100,Kitchen,,30,\n")
    before = _people(store)
    with store.session() as s:
        result = import_employees_csv(
            s, HEADER + "Eva,Fisher-Lang,,E100,Bar,,32,\n" + "Emil,Fisher,,E200,Deck,,,\n"
        )
    assert result.changed == Changes.EMPLOYEES | Changes.DEPARTMENTS
    assert (result.added, result.updated, result.departments_created) == (
        ("E200",),
        ("E100",),
        ("Bar", "Deck"),
    )
    with store.session() as s:
        redo = result.undo(s)
    assert _people(store) == before
    assert _departments(store) == ["Floor", "Kitchen"]
    with store.session() as s:
        redo.undo(s)
    assert _people(store)["E100"][0::2] == ("Fisher-Lang", Decimal(32))
    assert _departments(store) == ["Bar", "Deck", "Floor", "Kitchen"]


def test_undo_of_an_import_refuses_once_someone_edited_an_imported_person(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        result = import_employees_csv(s, HEADER + "Eva,Fisher,,E100,,,,\n")
    with store.session() as s:
        s.scalars(select(Employee).where(Employee.code == "E100")).one().contract_hours = 20
    with store.session() as s, pytest.raises(UndoRefused, match="contract_hours"):
        result.undo(s)
    assert "E100" in _people(store)


def test_an_import_that_changes_nothing_has_no_undo(store: Store, org: Org) -> None:
    row = HEADER + "Eva,Fisher,,E100,,,,\n"
    with store.session() as s:
        import_employees_csv(s, row)
    with store.session() as s:
        again = import_employees_csv(s, row)
    assert (again.applied, again.changed) == (False, Changes.NONE)


def test_erasing_a_person_replaces_what_identifies_them_and_keeps_their_shifts(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).email = "anna@example.com"
        shift = create_shift(s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", (org.anna,))).ids[
            0
        ]
        s.get(Employee, org.dan).deleted = True
    with store.session() as s:
        result = erase_employee(s, org.anna)
        erase_employee(s, org.dan)
    assert result.changed == Changes.EMPLOYEES
    assert result.undo is None  # nothing of the person is kept to put back
    with store.session() as s:
        anna, dan = s.get(Employee, org.anna), s.get(Employee, org.dan)
        assert (anna.first_name, anna.email, anna.code, anna.hourly_rate) == (
            "Erased",
            None,
            None,
            Decimal(0),
        )
        assert anna.last_name == f"person {org.anna[:8]}"
        assert (dan.first_name, dan.deleted) == ("Erased", True)
        assert s.get(Shift, shift).employee_ids == [org.anna]
    with store.session() as s, pytest.raises(NotFound):
        erase_employee(s, "no-such-person")
