from __future__ import annotations

from datetime import date, timedelta

from core.conflicts import CLEAR
from core.models import LeaveRequest, LeaveStatus, Site
from core.scheduling import ShiftDraft, check_draft, create_shift, plan_bulk, preview_move
from core.store import Store
from tests.conftest import MONDAY, Org


def _shift(org: Org, day: date, start: str, end: str, *people: str, **kw) -> ShiftDraft:
    return ShiftDraft(org.site_id, day, start, end, employee_ids=tuple(people), **kw)


def _add(store: Store, draft: ShiftDraft) -> str:
    with store.session() as s:
        result = create_shift(s, draft)
    assert result.applied, result.conflicts
    return result.ids[0]


def test_overnight_shift_clashes_with_next_morning(store: Store, org: Org) -> None:
    _add(store, _shift(org, MONDAY, "22:00", "04:00", org.anna))
    with store.session() as s:
        check = check_draft(s, _shift(org, MONDAY + timedelta(days=1), "02:00", "08:00", org.anna))
    assert [c.kind for c in check.conflicts] == ["overlap"]
    assert "Anna Berg already works 22:00–04:00" in check.conflicts[0].reason


def test_back_to_back_shifts_do_not_clash(store: Store, org: Org) -> None:
    _add(store, _shift(org, MONDAY, "06:00", "14:00", org.anna))
    with store.session() as s:
        assert check_draft(s, _shift(org, MONDAY, "14:00", "22:00", org.anna)).ok


def test_other_people_do_not_clash(store: Store, org: Org) -> None:
    _add(store, _shift(org, MONDAY, "06:00", "14:00", org.anna))
    with store.session() as s:
        assert check_draft(s, _shift(org, MONDAY, "08:00", "12:00", org.ben)).ok


def test_department_assignment_binds_its_members(store: Store, org: Org) -> None:
    _add(store, ShiftDraft(org.site_id, MONDAY, "09:00", "10:00", department_ids=(org.kitchen_id,)))
    with store.session() as s:
        clash = check_draft(s, _shift(org, MONDAY, "09:30", "12:00", org.ben))
        free = check_draft(s, _shift(org, MONDAY, "09:30", "12:00", org.cara))
    assert clash.conflicts
    assert clash.conflicts[0].employee_id == org.ben
    assert free.ok


def test_cancelled_shifts_do_not_clash(store: Store, org: Org) -> None:
    _add(store, _shift(org, MONDAY, "09:00", "17:00", org.anna, status="cancelled"))
    with store.session() as s:
        assert check_draft(s, _shift(org, MONDAY, "10:00", "12:00", org.anna)).ok


def test_approved_leave_clashes_but_pending_does_not(store: Store, org: Org) -> None:
    with store.session() as s:
        leave = LeaveRequest(
            company_id=org.company_id,
            employee_id=org.anna,
            start_date=MONDAY,
            end_date=MONDAY + timedelta(days=2),
        )
        s.add(leave)
    draft = _shift(org, MONDAY + timedelta(days=1), "09:00", "17:00", org.anna)
    with store.session() as s:
        assert check_draft(s, draft).ok
        s.get(LeaveRequest, leave.id).status = LeaveStatus.APPROVED
    with store.session() as s:
        check = check_draft(s, draft)
    assert [c.kind for c in check.conflicts] == ["leave"]
    assert "approved paid leave" in check.conflicts[0].reason


def test_part_day_leave_clashes_only_with_its_hours(store: Store, org: Org) -> None:
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.anna,
                start_date=MONDAY,
                end_date=MONDAY,
                start_time="08:00",
                end_time="12:00",
                status=LeaveStatus.APPROVED,
            )
        )
    with store.session() as s:
        assert not check_draft(s, _shift(org, MONDAY, "11:00", "15:00", org.anna)).ok
        assert check_draft(s, _shift(org, MONDAY, "12:00", "16:00", org.anna)).ok


def test_overlap_across_dst_is_judged_on_instants(tmp_path) -> None:
    from core.store import open_store

    store = open_store(tmp_path / "ny.shiftdesk")
    org = Org(store, tz="America/New_York")
    # 8 Mar 2026: 02:00 does not exist; a 21:00-03:00 shift ends at 07:00 UTC.
    _add(store, _shift(org, date(2026, 3, 7), "21:00", "03:00", org.anna))
    with store.session() as s:
        assert s.get(Site, org.site_id).timezone == "America/New_York"
        assert check_draft(s, _shift(org, date(2026, 3, 8), "03:00", "09:00", org.anna)).ok
        assert not check_draft(s, _shift(org, date(2026, 3, 8), "01:30", "09:00", org.anna)).ok
    store.close()


def test_short_rest_is_a_warning_not_a_conflict(store: Store, org: Org) -> None:
    _add(store, _shift(org, MONDAY, "14:00", "23:00", org.anna))
    with store.session() as s:
        check = check_draft(s, _shift(org, MONDAY + timedelta(days=1), "06:00", "14:00", org.anna))
    assert check.ok
    assert [w.kind for w in check.warnings] == ["rest"]
    assert "only 7 h" in check.warnings[0].reason


def test_seventh_day_in_a_row_warns(store: Store, org: Org) -> None:
    for n in range(6):
        _add(store, _shift(org, MONDAY + timedelta(days=n), "09:00", "15:00", org.anna))
    with store.session() as s:
        check = check_draft(s, _shift(org, MONDAY + timedelta(days=6), "09:00", "15:00", org.anna))
        gap = check_draft(s, _shift(org, MONDAY + timedelta(days=8), "09:00", "15:00", org.anna))
    # 7 x 6 h also passes Anna's 40-hour contract in that week
    assert [w.kind for w in check.warnings] == ["consecutive_days", "over_contract"]
    assert gap.warnings == ()


def test_a_moved_shift_does_not_count_at_its_old_place_in_the_run(store: Store, org: Org) -> None:
    ids = [
        _add(store, _shift(org, MONDAY + timedelta(days=n), "09:00", "15:00", org.anna))
        for n in range(6)
    ]
    # Moving Monday's shift to Sunday leaves Tuesday to Sunday: six days, no warning.
    moved = _shift(org, MONDAY + timedelta(days=6), "09:00", "15:00", org.anna)
    with store.session() as s:
        as_move = check_draft(s, moved, exclude=[ids[0]])
        as_copy = check_draft(s, moved)
    assert as_move.warnings == ()  # nor 42 h: the moved shift counts once in the week
    assert [w.kind for w in as_copy.warnings] == ["consecutive_days", "over_contract"]


def test_a_drop_preview_costs_eight_statements_whatever_it_meets(
    store: Store, org: Org, statements: list[str]
) -> None:
    """The grid asks on every hover (and the server on every write): the shift, the
    person, the rules, the people with their leave, and their shifts, own and via a
    department, are one statement each..."""
    tuesday = MONDAY + timedelta(days=1)
    _add(
        store, ShiftDraft(org.site_id, tuesday, "09:00", "10:00", department_ids=(org.kitchen_id,))
    )
    _add(store, _shift(org, tuesday - timedelta(days=1), "19:00", "23:00", org.ben))
    moved = _add(store, _shift(org, MONDAY, "09:30", "12:00", org.cara))
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.ben,
                start_date=tuesday,
                end_date=tuesday,
                status=LeaveStatus.APPROVED,
            )
        )
    with store.session() as s:
        statements.clear()
        check = preview_move(s, moved, day=tuesday, employee_id=org.ben)
    assert sorted(c.kind for c in check.conflicts) == ["leave", "overlap"]
    assert [w.kind for w in check.warnings] == ["rest"]
    assert "Ben Cole" in check.conflicts[0].reason
    # ...and the workload's limits (the store's policy, the people's contracts) two
    # more, and the closed pay periods (none here) one more.
    assert len(statements) <= 8, statements


def test_bulk_checks_that_find_nothing_share_one_answer(store: Store, org: Org) -> None:
    """A year of templates is 100,000 checks, nearly all clear: one Check serves them."""
    drafts = [_shift(org, MONDAY + timedelta(days=n), "09:00", "17:00", org.anna) for n in (0, 2)]
    with store.session() as s:
        plan = plan_bulk(s, drafts)
    assert [check for _, check in plan.items] == [CLEAR, CLEAR]
    assert all(check is CLEAR for _, check in plan.items)
