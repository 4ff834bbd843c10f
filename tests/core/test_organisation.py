from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import NotFound, ValidationError
from core.models import Company, Department, OutboxEntry, PayPolicy, Site
from core.organisation import (
    Setup,
    add_department,
    get_department,
    list_departments,
    resolve_site,
    setup_store,
)
from core.store import Store
from tests.conftest import Org

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
        with pytest.raises(NotFound, match="no department with id Bar"):
            get_department(s, "Bar")
        with pytest.raises(NotFound):
            get_department(s, "Kitchen", company_id="another company")
