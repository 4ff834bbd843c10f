"""A shift longer than the store's limit, and a week over a person's contract, warn
wherever a shift is checked; neither refuses anything."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.models import Employee, PayPolicy
from core.roster import load_roster
from core.scheduling import (
    ShiftDraft,
    check_draft,
    create_shift,
    edit_shift,
    plan_bulk,
)
from core.store import Store
from core.templates import TemplateDraft, create_template, expand_template
from tests.conftest import MONDAY, Org


def _shift(org: Org, day: date, start: str, end: str, *people: str) -> ShiftDraft:
    return ShiftDraft(org.site_id, day, start, end, employee_ids=tuple(people))


def _add(store: Store, draft: ShiftDraft) -> str:
    with store.session() as s:
        result = create_shift(s, draft)
    assert result.applied, result.conflicts
    return result.ids[0]


def _kinds(check) -> list[str]:
    return [w.kind for w in check.warnings]


def _set_policy(store: Store, **values: object) -> None:
    with store.session() as s:
        policy = s.scalar(select(PayPolicy))
        for key, value in values.items():
            setattr(policy, key, value)


def test_a_shift_longer_than_twelve_hours_warns_and_still_applies(store: Store, org: Org) -> None:
    with store.session() as s:
        assert check_draft(s, _shift(org, MONDAY, "07:00", "19:00", org.anna)).warnings == ()
        result = create_shift(s, _shift(org, MONDAY, "07:00", "20:30", org.anna))
    assert result.applied
    assert [(w.kind, w.reason) for w in result.warnings] == [
        ("long_shift", "lasts 13.5 h, longer than 12 h")
    ]


def test_the_long_shift_limit_is_the_stores_own_and_zero_turns_it_off(
    store: Store, org: Org
) -> None:
    _set_policy(store, max_shift_hours=Decimal(10))
    with store.session() as s:
        check = check_draft(s, _shift(org, MONDAY, "22:00", "08:30", org.anna))  # overnight
    assert [w.reason for w in check.warnings] == ["lasts 10.5 h, longer than 10 h"]
    _set_policy(store, max_shift_hours=Decimal(0))
    with store.session() as s:
        assert check_draft(s, _shift(org, MONDAY, "06:00", "22:00", org.anna)).warnings == ()


def test_a_24_hour_shift_says_so_once(store: Store, org: Org) -> None:
    with store.session() as s:
        check = check_draft(s, _shift(org, MONDAY, "08:00", "08:00", org.anna))
    assert _kinds(check) == ["24_hours"]


def test_hours_over_the_contract_in_the_week_warn_for_that_person(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).contract_hours = Decimal(16)
    days = (MONDAY, MONDAY + timedelta(1))
    ids = [_add(store, _shift(org, day, "09:00", "17:00", org.anna)) for day in days]
    wednesday = MONDAY + timedelta(2)
    with store.session() as s:
        third = create_shift(s, _shift(org, wednesday, "09:00", "14:00", org.anna, org.ben))
        next_week = check_draft(s, _shift(org, MONDAY + timedelta(7), "09:00", "17:00", org.anna))
    assert third.applied  # a warning, not a refusal
    assert [(w.kind, w.employee_id, w.reason) for w in third.warnings] == [
        (
            "over_contract",
            org.anna,  # Ben, on the same shift, stays within his 40 h
            "Anna Berg would work 21 h in the week of Mon 01 Jun, over the 16 h of their contract",
        )
    ]
    assert next_week.warnings == ()
    with store.session() as s:
        # An edit counts the shift once, at its new length: 8 + 9 + 5 h.
        longer = edit_shift(s, ids[1], end_time="18:00")
    assert [w.reason for w in longer.warnings] == [
        "Anna Berg would work 22 h in the week of Mon 01 Jun, over the 16 h of their contract"
    ]


def test_the_week_is_the_policys_week(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).contract_hours = Decimal(8)
    _add(store, _shift(org, MONDAY - timedelta(1), "09:00", "17:00", org.anna))  # a Sunday
    with store.session() as s:
        assert check_draft(s, _shift(org, MONDAY, "09:00", "17:00", org.anna)).warnings == ()
    _set_policy(store, week_start=6)  # weeks start on Sunday: that Sunday is this week
    with store.session() as s:
        check = check_draft(s, _shift(org, MONDAY, "09:00", "17:00", org.anna))
    assert [w.reason for w in check.warnings] == [
        "Anna Berg would work 16 h in the week of Sun 31 May, over the 8 h of their contract"
    ]


def _friday_and_saturday_with_a_short_days_in_a_row_limit(store: Store, org: Org) -> None:
    """A 16 h contract filled on Friday and Saturday, in a store whose days-in-a-row
    rule looks only two days around a shift: Monday's hours are over the contract
    though that week's other shifts lie beyond what the rule reads."""
    _set_policy(store, max_consecutive_days=2, week_start=0)
    with store.session() as s:
        s.get(Employee, org.anna).contract_hours = Decimal(16)
    for day in (MONDAY + timedelta(4), MONDAY + timedelta(5)):
        _add(store, _shift(org, day, "09:00", "17:00", org.anna))


MONDAY_OVER = "Anna Berg would work 24 h in the week of Mon 01 Jun, over the 16 h of their contract"


def test_the_whole_week_counts_however_few_days_in_a_row_the_store_allows(
    store: Store, org: Org
) -> None:
    _friday_and_saturday_with_a_short_days_in_a_row_limit(store, org)
    with store.session() as s:
        single = check_draft(s, _shift(org, MONDAY, "09:00", "17:00", org.anna))
        plan = plan_bulk(s, [_shift(org, MONDAY, "09:00", "17:00", org.anna)])
    assert [w.reason for w in single.warnings if w.kind == "over_contract"] == [MONDAY_OVER]
    assert [w.reason for w in plan.check.warnings if w.kind == "over_contract"] == [MONDAY_OVER]


def test_the_grid_counts_the_week_beyond_the_days_it_shows(store: Store, org: Org) -> None:
    """A grid of the week before, ending on that Monday, reads Friday and Saturday
    from the store to warn of Monday's hours."""
    _friday_and_saturday_with_a_short_days_in_a_row_limit(store, org)
    _add(store, _shift(org, MONDAY, "09:00", "17:00", org.anna))
    with store.session() as s:
        roster = load_roster(s, MONDAY - timedelta(days=6), MONDAY)
    monday = roster.shifts(org.anna, MONDAY)[0]
    check = roster.problems_of(monday.id, org.anna)
    assert [w.reason for w in check.warnings if w.kind == "over_contract"] == [MONDAY_OVER]


def test_a_templates_dry_run_adds_up_its_own_shifts_in_the_week(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).contract_hours = Decimal(30)
        tid = create_template(
            s,
            TemplateDraft(
                org.site_id, "Long days", "07:00", "20:00", "FREQ=WEEKLY;BYDAY=MO,TU,WE", MONDAY
            ),
        ).ids[0]
    with store.session() as s:
        expansion = expand_template(s, tid, MONDAY, MONDAY + timedelta(days=6), [org.anna])
    assert [_kinds(p) for p in expansion.shifts] == [
        ["long_shift"],
        ["long_shift"],
        ["long_shift", "over_contract"],  # 39 h by Wednesday
    ]
    assert expansion.ok
