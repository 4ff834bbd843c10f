from __future__ import annotations

import sqlite3
from dataclasses import FrozenInstanceError, fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from core.models import Employee, LeaveRequest, LeaveStatus, ShiftStatus
from core.roster import (
    NO_DEPARTMENT,
    RosterFilter,
    RosterShift,
    _roster_shift,
    find_problems,
    load_roster,
    range_for,
    roster_choices,
    step,
)
from core.scheduling import ShiftDraft, create_shift, edit_shift
from core.store import Store
from tests.conftest import MONDAY, Org

SUNDAY = MONDAY + timedelta(days=6)


def _shift(store: Store, org: Org, day: date, start: str, end: str, **kw) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, day, start, end, **kw))
    assert result.applied, result.conflicts
    return result.ids[0]


def _roster(store: Store, filt: RosterFilter | None = None):
    with store.session() as s:
        return load_roster(s, MONDAY, SUNDAY, filt)


def test_people_are_grouped_by_department_with_its_colour(store: Store, org: Org) -> None:
    roster = _roster(store)
    groups = {d.name: [e.name for e in d.employees] for d in roster.departments}
    assert groups == {"Floor": ["Cara Diaz", "Dan Evans"], "Kitchen": ["Anna Berg", "Ben Cole"]}
    assert all(d.color.startswith("#") for d in roster.departments)


def test_shift_shows_in_its_persons_cell_with_time_location_and_colour(
    store: Store, org: Org
) -> None:
    sid = _shift(
        store,
        org,
        MONDAY,
        "09:00",
        "17:00",
        employee_ids=(org.anna,),
        location="Pass",
        department_id=org.kitchen_id,
    )
    roster = _roster(store)
    (shift,) = roster.shifts(org.anna, MONDAY)
    kitchen = next(d for d in roster.departments if d.id == org.kitchen_id)
    assert (shift.id, shift.start_time, shift.end_time, shift.location) == (
        sid,
        "09:00",
        "17:00",
        "Pass",
    )
    assert shift.color == kitchen.color
    assert shift.hours == Decimal("8.00")
    assert roster.shifts(org.ben, MONDAY) == ()
    assert roster.hours_of(org.anna) == Decimal(8)


def test_a_department_shift_shows_for_every_member(store: Store, org: Org) -> None:
    sid = _shift(store, org, MONDAY, "10:00", "14:00", department_ids=(org.floor_id,))
    roster = _roster(store)
    assert [s.id for s in roster.shifts(org.cara, MONDAY)] == [sid]
    assert [s.id for s in roster.shifts(org.dan, MONDAY)] == [sid]
    assert roster.shifts(org.anna, MONDAY) == ()


def test_approved_leave_fills_its_days_and_clashing_shift_carries_the_reason(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org, MONDAY + timedelta(days=1), "09:00", "17:00", employee_ids=(org.anna,))
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.anna,
                start_date=MONDAY,
                end_date=MONDAY + timedelta(days=1),
                status=LeaveStatus.APPROVED,
            )
        )
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.ben,
                start_date=MONDAY,
                end_date=MONDAY,
                status=LeaveStatus.PENDING,
            )
        )
    roster = _roster(store)
    assert roster.leave_on(org.anna, MONDAY).label == "Paid leave"
    assert roster.leave_on(org.anna, MONDAY + timedelta(days=2)) is None
    assert roster.leave_on(org.ben, MONDAY) is None  # pending leave is not shown
    (conflict,) = roster.problems_of(sid, org.anna).conflicts
    assert conflict.reason == "Anna Berg is on approved paid leave 01 Jun–02 Jun"


def test_short_rest_is_a_warning_on_the_later_shift(store: Store, org: Org) -> None:
    _shift(store, org, MONDAY, "14:00", "22:00", employee_ids=(org.anna,))
    late = _shift(
        store, org, MONDAY + timedelta(days=1), "06:00", "14:00", employee_ids=(org.anna,)
    )
    check = _roster(store).problems_of(late, org.anna)
    assert not check.conflicts
    assert "rest only 8 h" in check.warnings[0].reason


def test_cancelled_shift_is_shown_but_never_clashes(store: Store, org: Org) -> None:
    sid = _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    with store.session() as s:
        edit_shift(s, sid, status=ShiftStatus.CANCELLED)
    _shift(store, org, MONDAY, "10:00", "12:00", employee_ids=(org.anna,))
    roster = _roster(store)
    assert [s.cancelled for s in roster.shifts(org.anna, MONDAY)] == [True, False]
    assert roster.problems == {}
    assert roster.hours_of(org.anna) == Decimal(2)


def test_filters_narrow_people_by_department_name_and_location(store: Store, org: Org) -> None:
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.cara,), location="Terrace")
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.dan,), location="Bar")

    def names(filt: RosterFilter) -> list[str]:
        return [e.name for d in _roster(store, filt).departments for e in d.employees]

    assert names(RosterFilter(department_id=org.kitchen_id)) == ["Anna Berg", "Ben Cole"]
    assert names(RosterFilter(name="diaz")) == ["Cara Diaz"]
    assert names(RosterFilter(location="Terrace")) == ["Cara Diaz"]
    with store.session() as s:
        choices = roster_choices(s)
    assert choices.locations == ("Bar", "Terrace")
    assert [name for _, name, _ in choices.departments] == ["Floor", "Kitchen"]


def test_people_without_a_department_come_last(store: Store, org: Org) -> None:
    with store.session() as s:
        s.add(
            Employee(
                company_id=org.company_id, site_id=org.site_id, first_name="Zed", last_name="Loner"
            )
        )
    assert _roster(store).departments[-1].name == NO_DEPARTMENT


def test_ranges_are_weeks_from_monday_two_weeks_or_calendar_months() -> None:
    wednesday = date(2026, 6, 3)
    assert range_for(wednesday, "week") == (date(2026, 6, 1), date(2026, 6, 7))
    assert range_for(wednesday, "two_weeks") == (date(2026, 6, 1), date(2026, 6, 14))
    assert range_for(wednesday, "month") == (date(2026, 6, 1), date(2026, 6, 30))
    assert step(date(2026, 1, 31), "month", 1) == date(2026, 2, 1)
    assert step(date(2026, 1, 31), "month", -1) == date(2025, 12, 1)
    assert step(wednesday, "two_weeks", -1) == date(2026, 5, 20)


def _take_off(store: Store, who: str, first: date, last: date) -> None:
    """Approve leave for ``who`` and take them off the shifts it covers."""
    from core.leave import approve_leave, request_leave

    with store.session() as s:
        leave_id = request_leave(
            s, employee_id=who, start_date=first, end_date=last, leave_type="paid"
        ).ids[0]
    with store.session() as s:
        result = approve_leave(s, leave_id, actor="sam", on_clash="unassign")
    assert [w.kind for w in result.warnings].count("open_shift") >= 1


def test_shifts_left_open_by_leave_show_under_their_department(store: Store, org: Org) -> None:
    monday = _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.dan,))
    tuesday = _shift(store, org, MONDAY + timedelta(days=1), "06:00", "14:00")
    with store.session() as s:
        edit_shift(s, monday, department_id=org.floor_id)
        edit_shift(s, tuesday, employee_ids=(org.dan,), department_id=org.floor_id)
    _take_off(store, org.dan, MONDAY, MONDAY + timedelta(days=1))
    roster = _roster(store)
    assert [s.id for s in roster.open_on(org.floor_id, MONDAY)] == [monday]
    assert [s.id for s in roster.open_on(org.floor_id, MONDAY + timedelta(days=1))] == [tuesday]
    assert roster.shifts(org.dan, MONDAY) == ()
    assert (roster.uncovered(MONDAY), roster.uncovered(MONDAY + timedelta(days=2))) == (1, 0)
    floor = next(d for d in roster.departments if d.id == org.floor_id)
    total = roster.department_day(floor, MONDAY)
    assert (total.shifts, total.hours, total.open) == (1, Decimal(8), 1)
    assert roster.has_open(org.floor_id)
    assert not roster.has_open(org.kitchen_id)
    # Another department's filter leaves them out; theirs keeps them.
    assert _roster(store, RosterFilter(department_id=org.kitchen_id)).open_cells == {}
    only_floor = _roster(store, RosterFilter(department_id=org.floor_id))
    assert only_floor.uncovered(MONDAY) == 1


def test_open_shifts_of_a_team_with_nobody_shown_still_get_its_band(store: Store, org: Org) -> None:
    sid = _shift(store, org, MONDAY, "09:00", "17:00")  # nobody, no department
    roster = _roster(store)
    assert [d.name for d in roster.departments] == ["Floor", "Kitchen", NO_DEPARTMENT]
    assert [s.id for s in roster.open_on(None, MONDAY)] == [sid]
    with_name = _roster(store, RosterFilter(name="anna"))
    assert [d.name for d in with_name.departments] == ["Kitchen"]
    assert with_name.open_cells == {}


def test_copy_scope_is_the_previous_week_as_the_filters_show_it(store: Store, org: Org) -> None:
    from core.roster import copy_scope
    from core.scheduling import copy_week

    last_week = MONDAY - timedelta(days=7)
    team = _shift(store, org, last_week, "09:00", "17:00", department_ids=(org.kitchen_id,))
    _shift(store, org, last_week, "06:00", "08:00", employee_ids=(org.cara,))
    open_ = _shift(store, org, last_week, "18:00", "22:00", department_id=org.kitchen_id)
    with store.session() as s:
        everything = copy_scope(s, MONDAY)
        kitchen = copy_scope(s, MONDAY, RosterFilter(department_id=org.kitchen_id))
        anna = copy_scope(s, MONDAY, RosterFilter(name="anna"))
    assert (everything.count, everything.employee_ids) == (3, None)
    assert set(kitchen.shift_ids) == {team, open_}
    assert kitchen.department_ids == (org.kitchen_id,)
    assert set(anna.shift_ids) == {team, open_}  # Kitchen's open shifts show beside her
    assert (anna.employee_ids, anna.department_ids) == ((org.anna,), ())
    # Kitchen shown whole: the team shift stays the team's; the open one stays open.
    with store.session() as s:
        result = copy_week(
            s,
            kitchen.source_start,
            MONDAY,
            shift_ids=kitchen.shift_ids,
            employee_ids=kitchen.employee_ids,
            department_ids=kitchen.department_ids,
        )
    assert len(result.ids) == 2
    roster = _roster(store)
    assert [s.department_ids for s in roster.shifts(org.anna, MONDAY)] == [(org.kitchen_id,)]
    assert [s.start_time for s in roster.open_on(org.kitchen_id, MONDAY)] == ["18:00"]
    assert roster.shifts(org.cara, MONDAY) == ()
    # Only Anna shown: the team shift comes to her by name, nobody else.
    with store.session() as s:
        copy_week(
            s,
            anna.source_start,
            MONDAY + timedelta(days=7),
            shift_ids=anna.shift_ids,
            employee_ids=anna.employee_ids,
            department_ids=anna.department_ids,
        )
    with store.session() as s:
        later = load_roster(s, MONDAY + timedelta(days=7), SUNDAY + timedelta(days=7))
    (copied,) = later.shifts(org.anna, MONDAY + timedelta(days=7))
    assert (copied.employee_ids, copied.department_ids) == ((org.anna,), ())
    assert later.shifts(org.ben, MONDAY + timedelta(days=7)) == ()


def test_a_whole_department_shift_is_worked_by_every_member_everywhere(
    store: Store, org: Org
) -> None:
    """One meaning in every view: each member works it. The day's totals count it
    once per member, with each member's hours, as their hours and attendance do."""
    from core.attendance import attendance
    from tests.core.attendance_helpers import punches

    _shift(store, org, MONDAY, "09:00", "17:00", department_ids=(org.kitchen_id,))
    punches(store, org, org.anna, MONDAY, ("in", "09:00"), ("out", "17:00"))
    roster = _roster(store)
    kitchen = next(d for d in roster.departments if d.id == org.kitchen_id)
    total = roster.department_day(kitchen, MONDAY)
    assert (total.shifts, total.hours) == (2, Decimal(16))
    assert total.hours == roster.hours_of(org.anna) + roster.hours_of(org.ben)
    with store.session() as s:
        found = attendance(s, MONDAY, MONDAY, now=datetime(2026, 6, 2, tzinfo=UTC))
    (anna,) = found.days_of(org.anna)
    (ben,) = found.days_of(org.ben)
    assert (anna.scheduled_minutes, anna.absent) == (480, False)
    assert (ben.scheduled_minutes, ben.absent) == (480, True)  # expected, and did not come
    assert found.days_of(org.cara) == [] or not found.days_of(org.cara)[0].absent


def test_the_grid_reads_shifts_through_the_date_index_not_the_whole_table(
    store: Store, org: Org
) -> None:
    """A week of a store holding years must not cost a walk over every shift stored."""
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    seen: list[tuple[str, tuple]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        if "FROM shift" in statement:
            seen.append((statement, tuple(parameters)))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        _roster(store)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert seen
    with sqlite3.connect(store.path) as conn:
        for statement, parameters in seen:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            assert not [p for p in plan if p.startswith("SCAN shift ")], (statement, plan)


def test_a_long_shift_and_a_week_over_contract_are_warnings_on_the_grid(
    store: Store, org: Org
) -> None:
    """The grid warns as the shift dialog does (core.workload): Anna's 13-hour shift
    is long, and Ben's five 9-hour days pass his 40-hour contract."""
    long = _shift(store, org, MONDAY, "06:00", "19:00", employee_ids=(org.anna,))
    bens = [
        _shift(store, org, MONDAY + timedelta(days=n), "08:00", "17:00", employee_ids=(org.ben,))
        for n in range(5)
    ]
    roster = _roster(store)
    assert [w.kind for w in roster.problems_of(long, org.anna).warnings] == ["long_shift"]
    kinds = {w.kind for sid in bens for w in roster.problems_of(sid, org.ben).warnings}
    assert kinds == {"over_contract"}
    assert "45 h" in roster.problems_of(bens[-1], org.ben).warnings[0].reason
    assert all(not roster.problems_of(sid, org.ben).conflicts for sid in bens)


def test_the_grids_check_takes_the_snapshots_shifts_and_finds_what_a_fresh_read_does(
    store: Store, org: Org
) -> None:
    """find_problems reads again only the days around the snapshot for the people
    whose cells are whole; the answer is the one a check reading everything gives:
    a short rest across the range's first day, days in a row, a team's shift left
    out of a row after the person left (that person is read afresh)."""
    _shift(store, org, MONDAY - timedelta(days=1), "16:00", "23:00", employee_ids=(org.anna,))
    for n in range(7):
        _shift(store, org, MONDAY + timedelta(days=n), "06:00", "12:00", employee_ids=(org.anna,))
    _shift(
        store, org, MONDAY + timedelta(days=3), "14:00", "20:00", department_ids=(org.kitchen_id,)
    )
    _shift(store, org, MONDAY + timedelta(days=4), "05:00", "11:00", employee_ids=(org.ben,))
    with store.session() as s:
        ben = s.get(Employee, org.ben)
        assert ben is not None
        ben.employment_end = MONDAY + timedelta(days=2)
    with store.session() as s:
        for filt in (RosterFilter(), RosterFilter(department_id=org.floor_id)):
            roster = load_roster(s, MONDAY, SUNDAY, filt, problems=False)
            ids = [e.id for d in roster.departments for e in d.employees]
            found = find_problems(s, roster, ids)
            assert found == find_problems(s, replace(roster, whole=frozenset()), ids)
        roster = load_roster(s, MONDAY, SUNDAY, problems=False)
        assert org.anna in roster.whole
        assert org.ben not in roster.whole
        found = find_problems(s, roster, [org.anna, org.ben])
        monday = roster.shifts(org.anna, MONDAY)[0]
        assert "rest only 7 h" in found[(monday.id, org.anna)].warnings[0].reason
        kinds = {w.kind for check in found.values() for w in check.warnings}
        assert {"rest", "consecutive_days"} <= kinds
        located = load_roster(s, MONDAY, SUNDAY, RosterFilter(location="Bar"), problems=False)
        assert located.whole == frozenset()  # a location's cells are not all of anyone's


def test_a_snapshots_shift_is_the_one_its_constructor_makes() -> None:
    """The rows read for the grid become shifts without the frozen init's per-field
    cost; they are the same values, equal, hashed alike and still frozen."""
    values = (
        "s1", "site", MONDAY, "06:00", "14:00",
        datetime(2026, 6, 1, 4, tzinfo=UTC), datetime(2026, 6, 1, 12, tzinfo=UTC),
        "Bar", None, "#123456", ShiftStatus.SCHEDULED, True, ("e1",), (), "", "", False,
    )  # fmt: skip
    made = _roster_shift(*values)
    assert made == RosterShift(*values)
    assert hash(made) == hash(RosterShift(*values))
    assert [getattr(made, f.name) for f in fields(RosterShift)] == list(values)
    with pytest.raises(FrozenInstanceError):
        made.day = SUNDAY  # type: ignore[misc]
