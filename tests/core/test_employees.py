from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.changes import Changes
from core.employees import import_employees_csv, list_employees
from core.errors import ValidationError
from core.models import Department, Employee, OutboxEntry, Site
from core.store import Store
from core.undo import UndoRefused
from tests.conftest import Org

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
