from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.changes import Changes
from core.errors import Duplicate, InUse, NotFound, ValidationError
from core.models import (
    Company,
    Department,
    Employee,
    OutboxEntry,
    PayPolicy,
    Shift,
    ShiftTemplate,
    Site,
)
from core.organisation import (
    Setup,
    add_department,
    delete_department,
    department_usage,
    edit_department,
    get_department,
    list_departments,
    resolve_site,
    setup_store,
)
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.templates import TemplateDraft, create_template
from tests.conftest import MONDAY, Org

HOTEL = Setup(company=" Harbourview  Hotel ", site="Quay", timezone="Europe/Lisbon")


def test_setup_writes_company_site_and_default_pay_policy(store: Store) -> None:
    with store.session() as s:
        result = setup_store(s, HOTEL)
    company_id, site_id = result.ids
    with store.session() as s:
        company = s.get(Company, company_id)
        site = s.get(Site, site_id)
        assert company is not None
        assert site is not None
        assert (company.name, company.currency) == ("Harbourview Hotel", "EUR")
        assert (site.name, site.timezone, site.company_id) == ("Quay", "Europe/Lisbon", company_id)
        policy = s.scalars(select(PayPolicy)).one()
        assert (policy.company_id, policy.grace_minutes) == (company_id, 5)
        assert resolve_site(s).id == site_id


def test_a_second_setup_is_refused_naming_the_company(store: Store) -> None:
    with store.session() as s:
        setup_store(s, HOTEL)
    other = Setup(company="Other", site="X", timezone="UTC")
    refused = r"set up already \(company 'Harbourview Hotel'\)"
    with pytest.raises(ValidationError, match=refused), store.session() as s:
        setup_store(s, other)
    with store.session() as s:
        assert s.scalars(select(Company.name)).all() == ["Harbourview Hotel"]


@pytest.mark.parametrize(
    ("setup", "field"),
    [
        (Setup(company="A", site="B", timezone="Mars/Olympus"), "timezone"),
        (Setup(company="A", site="B", timezone=""), "timezone"),
        (Setup(company="  ", site="B", timezone="UTC"), "company"),
        (Setup(company="A", site="", timezone="UTC"), "site"),
        (Setup(company="A", site="B", timezone="UTC", currency="euro"), "currency"),
    ],
)
def test_bad_setup_names_the_field_and_writes_nothing(
    store: Store, setup: Setup, field: str
) -> None:
    with pytest.raises(ValidationError) as info, store.session() as s:
        setup_store(s, setup)
    assert info.value.field == field
    with store.session() as s:
        assert s.scalars(select(Company)).all() == []


def test_currency_is_upper_cased() -> None:
    assert Setup(company="A", site="B", timezone="UTC", currency="chf").checked().currency == "CHF"


def test_setup_undo_removes_it_and_redo_brings_the_same_ids_back(store: Store) -> None:
    with store.session() as s:
        done = setup_store(s, HOTEL)
    assert done.undo is not None
    with store.session() as s:
        undone = done.undo(s)
    with store.session() as s:
        assert s.scalars(select(Site)).all() == []
        assert undone.undo is not None
        redone = undone.undo(s)
    assert redone.ids == done.ids


def test_without_setup_there_is_no_site_to_use(store: Store) -> None:
    with pytest.raises(ValidationError, match="no site yet; set it up first"), store.session() as s:
        resolve_site(s)


def test_add_department_at_the_only_site_with_its_colour(store: Store, org: Org) -> None:
    with store.session() as s:
        result = add_department(s, "Bar", color="#A1B2C3")
    with store.session() as s:
        dept = s.get(Department, result.ids[0])
        assert dept is not None
        assert (dept.name, dept.color, dept.site_id) == ("Bar", "#a1b2c3", org.site_id)
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == dept.id)).one()
        assert entry.collection == "departments"


def test_a_department_name_is_unique_in_any_case(store: Store, org: Org) -> None:
    refused = "has a department 'KITCHEN' already"
    with pytest.raises(ValidationError, match=refused), store.session() as s:
        add_department(s, "KITCHEN")


@pytest.mark.parametrize(("name", "color", "field"), [("", None, "name"), ("Bar", "red", "color")])
def test_bad_department_names_the_field(
    store: Store, org: Org, name: str, color: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as info, store.session() as s:
        add_department(s, name, color=color)
    assert info.value.field == field


def test_adding_a_department_at_an_unknown_site_is_not_found(store: Store, org: Org) -> None:
    with pytest.raises(NotFound, match="no site with id nowhere"), store.session() as s:
        add_department(s, "Bar", site_id="nowhere")


def test_undo_of_an_added_department_hides_it(store: Store, org: Org) -> None:
    with store.session() as s:
        done = add_department(s, "Bar")
    assert done.undo is not None
    with store.session() as s:
        done.undo(s)
    with store.session() as s:
        assert "Bar" not in [d.name for d in list_departments(s)]
        with pytest.raises(NotFound):
            get_department(s, "bar")


def test_list_departments_counts_active_people(store: Store, org: Org) -> None:
    with store.session() as s:
        add_department(s, "Bar")
        rows = list_departments(s)
    assert [(r.name, r.employees, r.site) for r in rows] == [
        ("Bar", 0, "Main"),
        ("Floor", 2, "Main"),
        ("Kitchen", 2, "Main"),
    ]


def test_get_department_by_id_or_by_name_in_any_case(store: Store, org: Org) -> None:
    with store.session() as s:
        assert get_department(s, org.kitchen_id).name == "Kitchen"
        assert get_department(s, " kitchen ").id == org.kitchen_id
        assert get_department(s, "FLOOR", company_id=org.company_id).id == org.floor_id
        with pytest.raises(NotFound, match="no department named or with id Bar"):
            get_department(s, "Bar")
        with pytest.raises(NotFound):
            get_department(s, "Kitchen", company_id="another company")


def _dept(store: Store, dept_id: str) -> Department:
    with store.session() as s:
        dept = s.get(Department, dept_id)
        assert dept is not None
        s.expunge(dept)
        return dept


def test_rename_and_recolour_a_department_and_undo_each_field(store: Store, org: Org) -> None:
    with store.session() as s:
        renamed = edit_department(s, org.kitchen_id, name="  Cuisine ", color="#AA0000")
    assert renamed.changed == Changes.DEPARTMENTS
    assert (_dept(store, org.kitchen_id).name, _dept(store, org.kitchen_id).color) == (
        "Cuisine",
        "#aa0000",
    )
    with store.session() as s:
        renamed.undo(s)
    assert (_dept(store, org.kitchen_id).name, _dept(store, org.kitchen_id).color) == (
        "Kitchen",
        "#4f7cac",
    )


def test_a_rename_to_another_departments_name_in_any_case_is_a_duplicate(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        with pytest.raises(Duplicate) as info:
            edit_department(s, org.kitchen_id, name="FLOOR")
        assert (info.value.field, info.value.problem) == (
            "name",
            "the company has a department 'FLOOR' already (as 'Floor')",
        )
        assert edit_department(s, org.kitchen_id, name="KITCHEN").applied  # its own name
        assert not edit_department(s, org.kitchen_id, name="KITCHEN").applied  # no change
        with pytest.raises(ValidationError, match="#RRGGBB"):
            edit_department(s, org.kitchen_id, color="blue")
        with pytest.raises(NotFound):
            edit_department(s, "nowhere", name="X")


def test_an_unused_department_is_deleted_softly_and_undo_brings_it_back(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        bar = add_department(s, "Bar").ids[0]
    with store.session() as s:
        deleted = delete_department(s, bar)
    assert deleted.changed == Changes.DEPARTMENTS
    assert _dept(store, bar).deleted is True
    with store.session() as s:
        assert "Bar" not in [d.name for d in list_departments(s)]
        add_department(s, "bar").undo(s)  # the name is free again
        deleted.undo(s)
        assert "Bar" in [d.name for d in list_departments(s)]


def _template(store: Store, org: Org, dept_id: str) -> str:
    with store.session() as s:
        draft = TemplateDraft(
            org.site_id, "Early", "06:00", "14:00", "FREQ=DAILY", MONDAY, department_id=dept_id
        )
        return create_template(s, draft).ids[0]


def _labelled_shift(store: Store, org: Org, day, dept_id: str, **extra) -> str:
    with store.session() as s:
        draft = ShiftDraft(org.site_id, day, "09:00", "12:00", department_id=dept_id, **extra)
        result = create_shift(s, draft)
    assert result.applied
    return result.ids[0]


NOON = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_a_department_in_use_is_refused_naming_how_many_use_it(store: Store, org: Org) -> None:
    _template(store, org, org.kitchen_id)
    _labelled_shift(store, org, MONDAY + timedelta(days=1), org.kitchen_id)
    _labelled_shift(store, org, MONDAY - timedelta(days=1), org.kitchen_id)  # worked: history
    with store.session() as s:
        usage = department_usage(s, org.kitchen_id, now=NOON)
        with pytest.raises(InUse) as info:
            delete_department(s, org.kitchen_id, now=NOON)
    assert usage.people == ("Anna Berg", "Ben Cole")
    assert (usage.templates, usage.shifts, usage.team_shifts) == (("Early",), 1, 0)
    assert info.value.field == "department"
    assert info.value.problem == (
        "Kitchen still has 2 people, 1 template and 1 shift ahead;"
        " move them to another department first"
    )
    assert _dept(store, org.kitchen_id).deleted is False


def test_delete_can_move_what_uses_it_to_another_department_in_one_step(
    store: Store, org: Org
) -> None:
    template = _template(store, org, org.kitchen_id)
    ahead = _labelled_shift(store, org, MONDAY + timedelta(days=1), org.kitchen_id)
    worked = _labelled_shift(store, org, MONDAY - timedelta(days=1), org.kitchen_id)
    with store.session() as s:
        with pytest.raises(ValidationError) as same:
            delete_department(s, org.kitchen_id, move_to=org.kitchen_id)
        deleted = delete_department(s, org.kitchen_id, move_to=org.floor_id, now=NOON)
    assert same.value.field == "move_to"
    assert deleted.changed == (
        Changes.DEPARTMENTS | Changes.EMPLOYEES | Changes.TEMPLATES | Changes.SHIFTS
    )
    assert [w.reason for w in deleted.warnings] == [
        "2 people, 1 template and 1 shift ahead moved to Floor"
    ]

    def where() -> tuple:
        with store.session() as s:
            return (
                s.get(Employee, org.anna).department_id,
                s.get(ShiftTemplate, template).department_id,
                s.get(Shift, ahead).department_id,
                s.get(Shift, worked).department_id,
                s.get(Department, org.kitchen_id).deleted,
            )

    assert where() == (org.floor_id, org.floor_id, org.floor_id, org.kitchen_id, True)
    with store.session() as s:
        deleted.undo(s)
    assert where() == (org.kitchen_id, org.kitchen_id, org.kitchen_id, org.kitchen_id, False)


def test_a_department_assigned_as_a_team_to_shifts_ahead_is_never_moved(
    store: Store, org: Org
) -> None:
    _labelled_shift(
        store, org, MONDAY + timedelta(days=1), org.floor_id, department_ids=(org.kitchen_id,)
    )
    with store.session() as s, pytest.raises(InUse) as info:
        delete_department(s, org.kitchen_id, move_to=org.floor_id, now=NOON)
    assert info.value.problem == (
        "Kitchen is assigned as a team to 1 shift ahead;"
        " assign it to people or another department first"
    )
