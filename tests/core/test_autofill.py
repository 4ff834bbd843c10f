from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from core.autofill import apply_autofill, plan_autofill
from core.conflicts import check_shift
from core.leave import approve_leave, request_leave
from core.models import Employee, OutboxEntry, Shift
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from tests.conftest import MONDAY, Org, open_copy
from tests.core.attendance_helpers import set_policy

FRIDAY = MONDAY + timedelta(days=4)


def _shift(store: Store, org: Org, day: date, start: str, end: str, who=(), dept=None) -> str:
    with store.session() as s:
        result = create_shift(
            s,
            ShiftDraft(
                org.site_id,
                day,
                start,
                end,
                employee_ids=tuple(who),
                department_id=dept or org.kitchen_id,
            ),
        )
    assert result.applied, result.conflicts
    return result.ids[0]


def _set(store: Store, employee_id: str, **values) -> None:
    with store.session() as s:
        emp = s.get(Employee, employee_id)
        for name, value in values.items():
            setattr(emp, name, value)


def _plan(store: Store, first=MONDAY, last=MONDAY + timedelta(days=6), **kw):
    with store.session() as s:
        return plan_autofill(s, first, last, **kw)


def _who(store: Store, shift_id: str) -> tuple[str, ...]:
    with store.session() as s:
        return tuple(s.get(Shift, shift_id).employee_ids)


def test_the_person_under_contract_hours_gets_the_shift(store: Store, org: Org) -> None:
    for n in range(4):  # both work Monday to Thursday, 32 hours
        day = MONDAY + timedelta(days=n)
        _shift(store, org, day, "09:00", "17:00", who=[org.anna])
        _shift(store, org, day, "09:00", "17:00", who=[org.ben])
    _set(store, org.ben, contract_hours=Decimal(32))
    open_id = _shift(store, org, FRIDAY, "09:00", "17:00")
    plan = _plan(store)
    (proposal,) = plan.proposals
    assert proposal.shift_id == open_id
    assert proposal.employee_id == org.anna
    assert proposal.explanation.startswith("Anna Berg: 32 of 40 contract hours, 16 h rest")
    assert "own department" in proposal.reasons


def test_the_cheaper_person_gets_the_shift(store: Store, org: Org) -> None:
    _set(store, org.ben, hourly_rate=Decimal("15.00"))
    _shift(store, org, FRIDAY, "09:00", "17:00")
    (proposal,) = _plan(store).proposals
    assert proposal.employee_id == org.ben
    assert proposal.cost == Decimal("120.00")
    assert "15.00/h" in proposal.reasons


def test_the_rested_person_gets_the_shift(store: Store, org: Org) -> None:
    # Both worked 8 hours the day before; Anna until late, so she would rest 10 h.
    _shift(store, org, MONDAY, "15:00", "23:00", who=[org.anna])
    _shift(store, org, MONDAY, "07:00", "15:00", who=[org.ben])
    _shift(store, org, MONDAY + timedelta(days=1), "09:00", "17:00")
    (proposal,) = _plan(store).proposals
    assert proposal.employee_id == org.ben
    assert "18 h rest" in proposal.reasons
    assert not proposal.warnings


def test_own_department_first(store: Store, org: Org) -> None:
    _shift(store, org, FRIDAY, "09:00", "17:00", dept=org.floor_id)
    (proposal,) = _plan(store).proposals
    assert proposal.employee_id in (org.cara, org.dan)


def test_another_department_when_the_own_one_would_pass_its_contract_hours(
    store: Store, org: Org
) -> None:
    for emp in (org.anna, org.ben):
        _set(store, emp, contract_hours=Decimal(8))
        _shift(store, org, MONDAY, "09:00", "17:00", who=[emp])
    _shift(store, org, FRIDAY, "09:00", "17:00")
    (proposal,) = _plan(store).proposals
    assert proposal.employee_id in (org.cara, org.dan)
    assert "from Floor (2 in Kitchen busy or over contract)" in proposal.reasons


def test_the_reason_counts_own_department_members_busy_then_as_busy_not_over_contract(
    store: Store, org: Org
) -> None:
    _shift(store, org, FRIDAY, "09:00", "17:00", who=[org.anna])  # busy then, hours to spare
    _set(store, org.ben, contract_hours=Decimal(8))
    _shift(store, org, MONDAY, "09:00", "17:00", who=[org.ben])  # free then, over contract
    _shift(store, org, FRIDAY, "09:00", "17:00")
    (proposal,) = _plan(store).proposals
    assert proposal.employee_id in (org.cara, org.dan)
    assert "from Floor (2 in Kitchen busy or over contract)" in proposal.reasons


def test_overtime_is_priced_by_the_pay_policy(store: Store, org: Org) -> None:
    # Everyone but Anna is away; she already has 40 hours: the shift is all overtime.
    for n in range(5):
        _shift(store, org, MONDAY + timedelta(days=n), "08:00", "16:00", who=[org.anna])
    for emp in (org.ben, org.cara, org.dan):
        _set(store, emp, active=False)
    _shift(store, org, MONDAY + timedelta(days=5), "08:00", "16:00")
    (proposal,) = _plan(store).proposals
    assert proposal.cost == Decimal("240.00")  # 8 h × 20 × 1.5
    assert "8 h overtime" in proposal.reasons
    # The warning every check gives for a week past the contract comes with it.
    assert [w.kind for w in proposal.warnings] == ["over_contract"]
    assert proposal.reasons[-1] == (
        "Anna Berg would work 48 h in the week of Mon 01 Jun, over the 40 h of their contract"
    )


def test_a_proposals_cost_leaves_out_the_unpaid_break_as_payroll_does(
    store: Store, org: Org
) -> None:
    """A 30-minute unpaid break on days of 6 h or more: an 8 h shift costs 7.5 h."""
    set_policy(store, org, unpaid_break_minutes=30, unpaid_break_after_hours=Decimal(6))
    for emp in (org.ben, org.cara, org.dan):
        _set(store, emp, active=False)
    _shift(store, org, MONDAY, "08:00", "16:00")
    (proposal,) = _plan(store).proposals
    assert proposal.cost == Decimal("150.00")  # 7.5 h × 20


def test_nobody_on_leave_overlapping_or_inactive_is_proposed(store: Store, org: Org) -> None:
    with store.session() as s:
        leave = request_leave(
            s, employee_id=org.anna, start_date=FRIDAY, end_date=FRIDAY, leave_type="paid"
        ).ids[0]
        approve_leave(s, leave, actor="test")
    _shift(store, org, FRIDAY, "08:00", "18:00", who=[org.ben])
    _set(store, org.cara, active=False)
    open_id = _shift(store, org, FRIDAY, "09:00", "17:00")
    (proposal,) = _plan(store).proposals
    assert (proposal.shift_id, proposal.employee_id) == (open_id, org.dan)


def test_shifts_nobody_can_take_are_named_with_why(store: Store, org: Org) -> None:
    for emp in (org.anna, org.ben, org.cara):
        _shift(store, org, FRIDAY, "08:00", "18:00", who=[emp])
    _set(store, org.dan, active=False)
    _shift(store, org, FRIDAY, "09:00", "17:00")
    plan = _plan(store)
    assert plan.proposals == ()
    (unfilled,) = plan.unfilled
    assert unfilled.reason == "nobody can take it: 3 people already work then"


def test_shifts_at_the_same_time_go_to_different_people(store: Store, org: Org) -> None:
    ids = [_shift(store, org, FRIDAY, "09:00", "17:00") for _ in range(5)]
    plan = _plan(store)
    assert len(plan.proposals) == 4
    assert len({p.employee_id for p in plan.proposals}) == 4
    (unfilled,) = plan.unfilled
    assert unfilled.shift_id in ids
    assert "already work then" in unfilled.reason


def test_a_department_filter_fills_only_its_open_shifts(store: Store, org: Org) -> None:
    _shift(store, org, FRIDAY, "09:00", "17:00", dept=org.floor_id)
    kitchen = _shift(store, org, FRIDAY, "09:00", "17:00")
    (proposal,) = _plan(store, department_ids=[org.kitchen_id]).proposals
    assert proposal.shift_id == kitchen


def test_apply_a_ticked_subset_as_one_undo_step(store: Store, org: Org) -> None:
    ids = [_shift(store, org, MONDAY + timedelta(days=n), "09:00", "17:00") for n in range(3)]
    with store.session() as s:  # as if pushed: the server has the open shifts
        s.execute(delete(OutboxEntry))
        s.execute(update(Shift).values(server_version=1, dirty=False))
    plan = _plan(store)
    kept = [p for p in plan.proposals if p.shift_id != ids[1]]
    with store.session() as s:
        result = apply_autofill(s, kept)
    with store.session() as s:
        queued = s.scalars(select(OutboxEntry)).all()
    assert result.applied
    assert set(result.ids) == {ids[0], ids[2]}
    # Each assignment goes to the server, the two as one operation.
    assert {(e.record_id, e.op) for e in queued} == {(ids[0], "update"), (ids[2], "update")}
    assert all("employee_ids" in e.fields["changed"] for e in queued)
    assert len({e.group_id for e in queued}) == 1
    assert _who(store, ids[0]) == (kept[0].employee_id,)
    assert _who(store, ids[1]) == ()
    with store.session() as s:
        redo = result.undo(s)
    assert [_who(store, i) for i in ids] == [(), (), ()]
    with store.session() as s:
        redo.undo(s)
    assert _who(store, ids[2]) == (kept[1].employee_id,)


def test_apply_leaves_out_a_shift_filled_since_the_dry_run(store: Store, org: Org) -> None:
    open_id = _shift(store, org, FRIDAY, "09:00", "17:00")
    plan = _plan(store)
    with store.session() as s:
        s.get(Shift, open_id).assign([org.dan], [])
    with store.session() as s:
        result = apply_autofill(s, plan.proposals)
    assert not result.applied
    assert result.skipped[0].reason == "09:00–17:00 on Fri 05 Jun: the shift has someone on it now"
    assert _who(store, open_id) == (org.dan,)


# --- hard rules hold on any roster ------------------------------------------------------

_existing = st.lists(
    st.tuples(
        st.integers(0, 3),  # person
        st.integers(0, 3),  # day
        st.sampled_from(["06:00", "09:00", "14:00", "22:00"]),
        st.sampled_from([4, 8, 10]),  # hours
    ),
    max_size=10,
)
_open = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.sampled_from(["06:00", "09:00", "14:00", "22:00"]),
        st.sampled_from([4, 8, 10]),
    ),
    min_size=1,
    max_size=10,
)


def _end(start: str, hours: int) -> str:
    h = (int(start[:2]) + hours) % 24
    return f"{h:02d}:00"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    existing=_existing,
    open_shifts=_open,
    leave=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=3, unique=True),
    inactive=st.lists(st.integers(0, 3), max_size=2),
    left=st.dictionaries(st.integers(0, 3), st.integers(0, 3), max_size=2),
)
def test_no_proposal_ever_breaks_a_hard_rule(
    tmp_path_factory, migrated_file: Path, existing, open_shifts, leave, inactive, left
) -> None:
    with open_copy(migrated_file, tmp_path_factory.mktemp("af") / "s.shiftdesk") as store:
        org = Org(store)
        people = [org.anna, org.ben, org.cara, org.dan]
        with store.session() as s:
            for who, day, start, hours in existing:
                create_shift(
                    s,
                    ShiftDraft(
                        org.site_id,
                        MONDAY + timedelta(days=day),
                        start,
                        _end(start, hours),
                        employee_ids=(people[who],),
                    ),
                )
            for who, day in leave:
                made = request_leave(
                    s,
                    employee_id=people[who],
                    start_date=MONDAY + timedelta(days=day),
                    end_date=MONDAY + timedelta(days=day),
                    leave_type="paid",
                )
                if made.applied:
                    approve_leave(s, made.ids[0], actor="test", on_clash="keep")
        for who in inactive:
            _set(store, people[who], active=False)
        for who, day in left.items():  # their last day of employment
            _set(store, people[who], employment_end=MONDAY + timedelta(days=day))
        for day, start, hours in open_shifts:
            _shift(store, org, MONDAY + timedelta(days=day), start, _end(start, hours))
        plan = _plan(store, last=MONDAY + timedelta(days=3))
        assert len(plan.proposals) + len(plan.unfilled) == len(open_shifts)
        assert not {p.employee_id for p in plan.proposals} & {people[i] for i in inactive}
        with store.session() as s:
            result = apply_autofill(s, plan.proposals)
        # Every proposal is checked again by the same op a drag uses: none may clash.
        assert result.skipped == ()
        with store.session() as s:
            for p in plan.proposals:
                check = check_shift(
                    s,
                    site_id=org.site_id,
                    day=p.shift_date,
                    start_time=p.start_time,
                    end_time=p.end_time,
                    employee_ids=[p.employee_id],
                    exclude=[p.shift_id],
                )
                assert check.conflicts == ()


def test_weekends_and_nights_go_to_who_has_had_fewer(store: Store, org: Org) -> None:
    saturday, sunday = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
    # Anna already works Saturday morning and a night; Ben, as dear, has neither.
    _shift(store, org, saturday, "06:00", "10:00", who=[org.anna])
    _shift(store, org, MONDAY, "22:00", "04:00", who=[org.anna])
    _shift(store, org, MONDAY + timedelta(days=1), "06:00", "10:00", who=[org.ben])
    _shift(store, org, MONDAY + timedelta(days=2), "06:00", "10:00", who=[org.ben])
    weekend = _shift(store, org, sunday, "12:00", "18:00")
    night = _shift(store, org, MONDAY + timedelta(days=3), "22:00", "04:00")
    found = {p.shift_id: p for p in _plan(store).proposals}
    assert found[weekend].employee_id == org.ben
    assert "weekend shifts so far: 0" in found[weekend].reasons
    assert found[night].employee_id == org.ben
    assert "nights so far: 0" in found[night].reasons


def test_a_seventh_day_in_a_row_is_avoided(store: Store, org: Org) -> None:
    for n in range(6):  # Anna Monday to Saturday; Ben the same but Friday
        _shift(store, org, MONDAY + timedelta(days=n), "08:00", "12:00", who=[org.anna])
        if n != 4:
            _shift(store, org, MONDAY + timedelta(days=n), "08:00", "12:00", who=[org.ben])
    _shift(store, org, MONDAY + timedelta(days=6), "08:00", "12:00")
    (proposal,) = _plan(store).proposals
    assert proposal.employee_id == org.ben
    assert proposal.warnings == ()


def test_nobody_outside_their_employment_dates_is_proposed(store: Store, org: Org) -> None:
    # The rule is the conflict index's (core.employment): auto-fill's one hard-rule
    # function gets it from there.
    _set(store, org.anna, employment_end=MONDAY + timedelta(days=2))
    _set(store, org.ben, employment_start=FRIDAY + timedelta(days=1))
    for emp in (org.cara, org.dan):
        _set(store, emp, active=False)
    _shift(store, org, FRIDAY, "09:00", "17:00")
    plan = _plan(store)
    assert plan.proposals == ()
    assert plan.unfilled[0].reason == "nobody can take it: 2 people are not employed that day"
