from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from core.attendance import correct_day
from core.models import Employee
from core.payroll import PayLine, payroll
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import (
    add_shift,
    approved_leave,
    punches,
    set_policy,
    work,
)

SUNDAY = MONDAY + timedelta(days=6)


def _line(store: Store, who: str, first: date = MONDAY, last: date = SUNDAY) -> PayLine:
    with store.session() as s:
        report = payroll(s, first, last, employee_ids=[who])
    (line,) = report.lines
    return line


def test_regular_and_overtime_hours_price_into_gross(store: Store, org: Org) -> None:
    for n in range(5):
        work(store, org, org.anna, MONDAY + timedelta(days=n), "08:00", "18:00")
    work(store, org, org.anna, MONDAY + timedelta(days=5), "08:00", "13:00")
    line = _line(store, org.anna)
    assert (line.regular_hours, line.overtime_hours) == (Decimal(40), Decimal(15))
    assert line.regular_pay == Decimal("800.00")
    assert line.overtime_pay == Decimal("450.00")  # 15 h × 20 × 1.5
    assert line.gross == Decimal("1250.00")
    assert [d.daily_overtime_hours for d in line.days] == [Decimal(2)] * 5 + [Decimal(0)]
    assert line.days[-1].weekly_overtime_hours == Decimal(5)


def test_multiplier_comes_from_the_policy(store: Store, org: Org) -> None:
    set_policy(store, org, overtime_multiplier=Decimal(2))
    work(store, org, org.anna, MONDAY, "08:00", "18:00")
    line = _line(store, org.anna)
    assert (line.multiplier, line.overtime_pay) == (Decimal(2), Decimal("80.00"))


def test_lateness_penalty_is_per_minute_beyond_grace(store: Store, org: Org) -> None:
    set_policy(store, org, late_penalty_per_minute=Decimal("0.25"))
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:17"), ("out", "17:00"))
    line = _line(store, org.anna)
    assert line.late_minutes == 12
    assert line.penalty == Decimal("3.00")
    assert line.regular_hours == Decimal("7.72")  # 463 minutes
    assert line.gross == Decimal("154.40") - Decimal("3.00")


def test_excused_lateness_costs_nothing(store: Store, org: Org) -> None:
    set_policy(store, org, late_penalty_per_minute=Decimal("0.25"))
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:17"), ("out", "17:00"))
    with store.session() as s:
        correct_day(
            s, employee_id=org.anna, work_date=MONDAY, excused=True, reason="Bus", author="sam"
        )
    line = _line(store, org.anna)
    assert (line.late_minutes, line.penalty) == (0, Decimal("0.00"))


def test_paid_leave_counts_a_fifth_of_contract_hours_on_weekdays(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).contract_hours = Decimal(30)
    friday = MONDAY + timedelta(days=4)
    approved_leave(store, org, org.anna, friday, friday + timedelta(days=3))  # Fri to Mon
    line = _line(store, org.anna, MONDAY, friday + timedelta(days=3))
    assert line.paid_leave_hours == Decimal(12)  # Friday and Monday, 6 h each
    assert line.leave_pay == Decimal("240.00")
    assert [d.paid_leave_hours for d in line.days] == [Decimal(6), 0, 0, Decimal(6)]


def test_part_day_leave_counts_its_length(store: Store, org: Org) -> None:
    approved_leave(
        store, org, org.anna, MONDAY, MONDAY, kind="sick", start_time="13:00", end_time="16:30"
    )
    assert _line(store, org.anna).paid_leave_hours == Decimal("3.50")


def test_a_day_covered_by_two_approved_leaves_is_paid_once_as_sick(store: Store, org: Org) -> None:
    approved_leave(store, org, org.anna, MONDAY, MONDAY, kind="sick")
    approved_leave(store, org, org.anna, MONDAY, MONDAY + timedelta(days=3), kind="paid")
    line = _line(store, org.anna)
    assert [d.paid_leave_hours for d in line.days] == [Decimal(8)] * 4
    assert [d.record.leave_type for d in line.days] == ["sick", "paid", "paid", "paid"]
    assert line.paid_leave_hours == Decimal(32)


def test_a_whole_day_of_leave_beats_a_part_day_on_it(store: Store, org: Org) -> None:
    approved_leave(
        store, org, org.anna, MONDAY, MONDAY, kind="sick", start_time="13:00", end_time="16:30"
    )
    approved_leave(store, org, org.anna, MONDAY, MONDAY, kind="paid")
    assert _line(store, org.anna).paid_leave_hours == Decimal(8)


def test_unpaid_leave_earns_nothing_but_is_no_absence(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    approved_leave(store, org, org.anna, MONDAY, MONDAY, kind="unpaid")
    line = _line(store, org.anna)
    assert (line.paid_leave_hours, line.gross) == (Decimal(0), Decimal("0.00"))
    assert not line.days[0].record.absent


def test_pay_is_computed_from_the_hours_shown(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).hourly_rate = Decimal("13.37")
    work(store, org, org.anna, MONDAY, "09:00", "09:07")  # 0.1166… h shows as 0.12
    line = _line(store, org.anna)
    assert line.regular_hours == Decimal("0.12")
    assert line.regular_pay == Decimal("1.60")  # 0.12 × 13.37 = 1.6044


def test_period_hours_are_the_sum_of_the_days_shown(store: Store, org: Org) -> None:
    for n in range(3):
        work(store, org, org.anna, MONDAY + timedelta(days=n), "09:00", "09:07")
    line = _line(store, org.anna)
    assert line.regular_hours == sum(d.regular_hours for d in line.days) == Decimal("0.36")


def test_active_people_without_days_get_a_zero_line(store: Store, org: Org) -> None:
    with store.session() as s:
        s.get(Employee, org.dan).active = False
        report = payroll(s, MONDAY, SUNDAY)
    names = [line.person.name for line in report.lines]
    assert names == ["Anna Berg", "Ben Cole", "Cara Diaz"]
    assert report.total("gross") == Decimal(0)


def test_inactive_people_with_work_in_the_period_are_paid(store: Store, org: Org) -> None:
    work(store, org, org.dan, MONDAY, "09:00", "17:00")
    with store.session() as s:
        s.get(Employee, org.dan).active = False
        report = payroll(s, MONDAY, SUNDAY)
    dan = next(line for line in report.lines if line.person.id == org.dan)
    assert dan.gross == Decimal("160.00")
    assert report.total("gross") == Decimal("160.00")
