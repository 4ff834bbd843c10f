"""A department's view follows the shift's department: people of another team who
work one of its shifts are borrowed into its band, and every shift counts once,
under its own department, in the grid's totals, the labour and the exported rota."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.export.roster_pdf import render_pdf
from core.export.roster_scope import RosterScope, load_export
from core.labour import labour_of, pay_basis
from core.roster import Roster, RosterFilter, copy_scope, load_roster
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.pdf_structure import shown_text

SUNDAY = MONDAY + timedelta(days=6)


def _shift(store: Store, org: Org, start: str, end: str, dept: str, who: str) -> str:
    with store.session() as s:
        result = create_shift(
            s,
            ShiftDraft(org.site_id, MONDAY, start, end, employee_ids=(who,), department_id=dept),
        )
    assert result.applied, result.conflicts
    return result.ids[0]


def _roster(store: Store, department_id: str | None = None) -> Roster:
    with store.session() as s:
        return load_roster(s, MONDAY, SUNDAY, RosterFilter(department_id=department_id))


def _crew(store: Store, org: Org) -> tuple[str, str]:
    """Anna (Kitchen) works a Kitchen shift and a Floor one; Cara (Floor) a Floor one."""
    _shift(store, org, "06:00", "10:00", org.kitchen_id, org.anna)
    lent = _shift(store, org, "12:00", "20:00", org.floor_id, org.anna)
    own = _shift(store, org, "12:00", "18:00", org.floor_id, org.cara)
    return lent, own


def _band(roster: Roster, department_id: str):
    return next(d for d in roster.departments if d.id == department_id)


def test_a_department_view_borrows_the_people_who_work_its_shifts(store: Store, org: Org) -> None:
    lent, _own = _crew(store, org)
    roster = _roster(store, org.floor_id)
    floor = _band(roster, org.floor_id)
    assert [(e.name, floor.borrows(e)) for e in floor.employees] == [
        ("Cara Diaz", False),
        ("Dan Evans", False),
        ("Anna Berg", True),
    ]
    anna = floor.employees[2]
    assert [s.id for s in roster.row_shifts(floor, anna, MONDAY)] == [lent]
    total = roster.department_day(floor, MONDAY)
    assert (total.shifts, total.hours) == (2, Decimal(14))


def test_a_persons_shift_elsewhere_counts_there_not_in_their_own_team(
    store: Store, org: Org
) -> None:
    lent, _own = _crew(store, org)
    roster = _roster(store, org.kitchen_id)
    kitchen = _band(roster, org.kitchen_id)
    anna = kitchen.employees[0]
    # Shown in her own row (she is busy), but Kitchen's day is its own 4 h.
    assert lent in [s.id for s in roster.row_shifts(kitchen, anna, MONDAY)]
    total = roster.department_day(kitchen, MONDAY)
    assert (total.shifts, total.hours) == (1, Decimal(4))
    assert roster.hours_of(anna.id, kitchen) == Decimal(12)
    assert [s.id for s in roster.counted_shifts(kitchen, anna, MONDAY)] != [lent]


def test_all_departments_count_each_shift_once(store: Store, org: Org) -> None:
    _crew(store, org)
    roster = _roster(store)
    kitchen, floor = _band(roster, org.kitchen_id), _band(roster, org.floor_id)
    assert [e.name for e in floor.employees] == ["Cara Diaz", "Dan Evans", "Anna Berg"]
    days = [roster.department_day(d, MONDAY) for d in roster.departments]
    assert sum(d.shifts for d in days) == 3
    assert sum((d.hours for d in days), Decimal(0)) == Decimal(18)
    assert roster.department_day(kitchen, MONDAY).hours == Decimal(4)
    assert roster.department_day(floor, MONDAY).hours == Decimal(14)
    with store.session() as s:
        basis = pay_basis(s, roster.company_id)
    assert labour_of(roster, basis).day(MONDAY).hours == Decimal(18)


def test_labour_of_a_department_follows_its_shifts(store: Store, org: Org) -> None:
    _crew(store, org)
    with store.session() as s:
        basis = pay_basis(s, None)
    assert labour_of(_roster(store, org.floor_id), basis).day(MONDAY).hours == Decimal(14)
    assert labour_of(_roster(store, org.kitchen_id), basis).day(MONDAY).hours == Decimal(4)


def test_a_departments_rota_has_its_shifts_whoever_works_them(store: Store, org: Org) -> None:
    lent, own = _crew(store, org)
    kitchen_only = _shift(store, org, "06:00", "10:00", org.kitchen_id, org.ben)
    with store.session() as s:
        floor = load_export(s, RosterScope(MONDAY, SUNDAY, department_ids=("Floor",), drafts=True))
        kitchen = load_export(
            s,
            RosterScope(
                MONDAY, SUNDAY, filter=RosterFilter(org.site_id, org.kitchen_id), drafts=True
            ),
        )
    assert {s.id for s in floor.shifts()} == {lent, own}
    assert lent not in {s.id for s in kitchen.shifts()}
    assert kitchen_only in {s.id for s in kitchen.shifts()}
    text = shown_text(render_pdf(floor, compress=False))
    assert "Anna Berg (from Kitchen)" in text, text


def test_copy_and_publish_in_a_departments_view_act_on_its_shifts(store: Store, org: Org) -> None:
    lent, own = _crew(store, org)
    with store.session() as s:
        kitchen = copy_scope(
            s, MONDAY + timedelta(days=7), RosterFilter(department_id=org.kitchen_id)
        )
        floor = copy_scope(s, MONDAY + timedelta(days=7), RosterFilter(department_id=org.floor_id))
    assert lent not in kitchen.shift_ids
    assert set(floor.shift_ids) == {lent, own}
    assert org.anna in (floor.employee_ids or ())
    assert lent not in {s.id for s in _roster(store, org.kitchen_id).to_publish()}
    assert lent in {s.id for s in _roster(store, org.floor_id).to_publish()}


def test_the_all_departments_rota_prints_a_borrowed_shift_once(store: Store, org: Org) -> None:
    _crew(store, org)
    with store.session() as s:
        everyone = load_export(s, RosterScope(MONDAY, SUNDAY, drafts=True))
    text = shown_text(render_pdf(everyone, per_department=False, compress=False))
    assert sum("12:00" in t and "20:00" in t for t in text) == 1, text
