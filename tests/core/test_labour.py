"""Labour hours and cost of a roster week, with numbers to check by hand: Anna (20.00
an hour) works 8 h Monday to Friday and 6 h on Saturday, Ben (15.00) 10 h on Monday,
Cara (no rate in the store) 4 h on Monday; one open shift of 4 h on Monday and one
cancelled shift on Tuesday. The policy is the default: overtime past 8 h a day and
40 h a week, at 1.5 times the rate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from core.attendance import correct_day
from core.labour import Labour, Overtime, labour_of, pay_basis
from core.models import Employee, ShiftStatus
from core.payroll import payroll
from core.roster import load_roster
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import add_shift, set_policy, work

SUNDAY = MONDAY + timedelta(days=6)


def _week(store: Store, org: Org) -> None:
    with store.session() as s:
        s.execute(update(Employee).where(Employee.id == org.ben).values(hourly_rate=Decimal(15)))
        s.execute(update(Employee).where(Employee.id == org.cara).values(hourly_rate=Decimal(0)))
    for n in range(5):
        add_shift(store, org, MONDAY + timedelta(days=n), "08:00", "16:00", org.anna)
    add_shift(store, org, MONDAY + timedelta(days=5), "08:00", "14:00", org.anna)
    add_shift(store, org, MONDAY, "08:00", "18:00", org.ben)
    add_shift(store, org, MONDAY, "09:00", "13:00", org.cara)
    add_shift(
        store,
        org,
        MONDAY + timedelta(days=1),
        "08:00",
        "16:00",
        org.ben,
        status=ShiftStatus.CANCELLED,
    )
    with store.session() as s:
        draft = ShiftDraft(org.site_id, MONDAY, "10:00", "14:00", department_id=org.kitchen_id)
        assert create_shift(s, draft).applied


def _plan(store: Store):
    with store.session() as s:
        roster = load_roster(s, MONDAY, SUNDAY, problems=False)
        return labour_of(roster, pay_basis(s, roster.company_id))


def test_a_week_of_three_people_costs_what_a_manager_adds_up(store: Store, org: Org) -> None:
    _week(store, org)
    plan = _plan(store)
    assert plan.currency == "EUR"
    # Monday: Anna 8 h × 20 = 160; Ben 8 h × 15 + 2 h × 15 × 1.5 = 165; Cara 4 h
    # unpriced; the open shift's 4 h count in hours only.
    assert plan.day(MONDAY) == Labour(
        hours=Decimal(26),
        open_hours=Decimal(4),
        overtime_hours=Decimal(2),
        unpriced_hours=Decimal(4),
        cost=Decimal("325.00"),
    )
    assert not plan.day(MONDAY).cost_known
    # Tuesday: only Anna; Ben's cancelled shift counts nothing.
    assert plan.day(MONDAY + timedelta(days=1)) == Labour(hours=Decimal(8), cost=Decimal(160))
    # Saturday: Anna is past 40 h, all 6 h are weekly overtime: 6 × 20 × 1.5.
    saturday = plan.day(MONDAY + timedelta(days=5))
    assert (saturday.hours, saturday.overtime_hours, saturday.cost) == (6, 6, Decimal("180.00"))
    assert saturday.cost_known
    assert plan.day(SUNDAY) == Labour()
    # The week: 46 + 10 + 4 + 4 h; 5 × 160 + 180 + 165.
    assert plan.total == Labour(
        hours=Decimal(64),
        open_hours=Decimal(4),
        overtime_hours=Decimal(8),
        unpriced_hours=Decimal(4),
        cost=Decimal("1145.00"),
    )
    assert plan.weeks == ((MONDAY, plan.total),)
    assert plan.overtime == (
        Overtime(org.anna, "Anna Berg", MONDAY, Decimal(6)),
        Overtime(org.ben, "Ben Cole", MONDAY, Decimal(2)),
    )


def test_overtime_follows_the_pay_policy(store: Store, org: Org) -> None:
    set_policy(store, org, daily_overtime_hours=Decimal(0), overtime_multiplier=Decimal(2))
    _week(store, org)
    plan = _plan(store)
    # No daily threshold: Ben's 10 h are regular (150); Anna's Saturday 6 h at double.
    assert plan.day(MONDAY).cost == Decimal("310.00")
    assert plan.day(MONDAY + timedelta(days=5)).cost == Decimal("240.00")
    assert [o.hours for o in plan.overtime] == [Decimal(6)]


def test_a_month_has_a_total_per_week(store: Store, org: Org) -> None:
    _week(store, org)
    add_shift(store, org, MONDAY + timedelta(days=7), "08:00", "12:00", org.anna)
    with store.session() as s:
        roster = load_roster(s, MONDAY, MONDAY + timedelta(days=29), problems=False)
        plan = labour_of(roster, pay_basis(s, roster.company_id))
    assert [w for w, _ in plan.weeks] == [MONDAY + timedelta(days=7 * n) for n in range(5)]
    assert plan.weeks[1][1] == Labour(hours=Decimal(4), cost=Decimal(80))
    assert plan.total.cost == Decimal("1225.00")


def test_hours_are_rounded_as_payroll_rounds_a_days_hours() -> None:
    from core.labour import _decimal, _hundredths
    from core.money import hours, minutes_to_hours

    for minutes in range(0, 24 * 60 + 1):
        assert _decimal(_hundredths(minutes)) == hours(minutes_to_hours(minutes)), minutes


def test_the_forecast_deducts_the_unpaid_break_payroll_deducts(store: Store, org: Org) -> None:
    """Policy: 30 min unpaid break on a day of 6 h or more. Anna is scheduled Monday to
    Friday 07:00-15:30 (8.5 h, paid 8 h: no daily overtime) and Saturday 07:00-12:00
    (5 h, no break): 45 h, 5 h past the 40 h week. She works it exactly, punching no
    break: payroll tops the break up to 30 min and pays 40 h + 5 h overtime, and the
    forecast says the same (before, it counted 0.5 h a weekday as daily overtime)."""
    set_policy(store, org, unpaid_break_minutes=30, unpaid_break_after_hours=Decimal(6))
    week = dict.fromkeys(range(5), ("07:00", "15:30")) | {5: ("07:00", "12:00")}
    for n, (start, end) in week.items():
        work(store, org, org.anna, MONDAY + timedelta(days=n), start, end)
    plan = _plan(store)
    assert plan.total.hours == Decimal(45)
    assert plan.total.overtime_hours == Decimal(5)
    assert plan.overtime == (Overtime(org.anna, "Anna Berg", MONDAY, Decimal(5)),)
    assert plan.day(MONDAY).cost == Decimal("160.00")  # 8 h × 20, no overtime
    with store.session() as s:
        (line,) = payroll(s, MONDAY, SUNDAY, employee_ids=[org.anna]).lines
    assert (line.regular_hours, line.overtime_hours) == (Decimal(40), Decimal(5))
    assert [d.record.break_minutes for d in line.days] == [30] * 5 + [0]
    assert plan.total.cost == line.regular_pay + line.overtime_pay  # 800 + 150


def test_a_supervisors_corrected_break_stands_over_the_automatic_one(
    store: Store, org: Org
) -> None:
    set_policy(store, org, unpaid_break_minutes=30)
    work(store, org, org.anna, MONDAY, "07:00", "15:30")
    with store.session() as s:
        correct_day(
            s,
            employee_id=org.anna,
            work_date=MONDAY,
            break_minutes=0,
            reason="No break",
            author="sam",
        )
    with store.session() as s:
        (line,) = payroll(s, MONDAY, SUNDAY, employee_ids=[org.anna]).lines
    assert (line.regular_hours, line.overtime_hours) == (Decimal(8), Decimal("0.50"))
