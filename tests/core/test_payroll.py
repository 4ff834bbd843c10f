from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from core.attendance import Flag, approve_day, correct_day
from core.leave import approve_leave, request_leave
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


def _approve_leave(
    store: Store, who: str, first: date, last: date, on_clash: str, kind: str = "paid"
) -> str:
    """A request approved through core's own operation, as a supervisor does it."""
    with store.session() as s:
        asked = request_leave(s, employee_id=who, start_date=first, end_date=last, leave_type=kind)
        leave_id = asked.ids[0]
        assert approve_leave(s, leave_id, actor="sam", on_clash=on_clash).applied
    return leave_id


def _week_of_shifts(store: Store, org: Org, who: str, hours: dict[int, tuple[str, str]]) -> None:
    for weekday, (start, end) in hours.items():
        add_shift(store, org, MONDAY + timedelta(days=weekday), start, end, who)


FRIDAY = MONDAY + timedelta(days=4)
SEVEN_DAY_WEEK = {
    0: ("07:00", "15:00"),
    1: ("07:00", "15:00"),
    4: ("07:00", "15:00"),
    5: ("10:00", "16:00"),
    6: ("07:00", "15:00"),
}


def test_leave_credits_the_days_the_person_was_scheduled_weekend_included(
    store: Store, org: Org
) -> None:
    """A 7-day hotel: leave Friday to Sunday credits the three shifts, 8 + 6 + 8 h."""
    _week_of_shifts(store, org, org.anna, SEVEN_DAY_WEEK)
    _approve_leave(store, org.anna, FRIDAY, SUNDAY, on_clash="keep")
    line = _line(store, org.anna, FRIDAY, SUNDAY)
    assert [d.paid_leave_hours for d in line.days] == [Decimal(8), Decimal(6), Decimal(8)]
    assert line.paid_leave_hours == Decimal(22)
    assert line.leave_pay == Decimal("440.00")
    assert [d.record.absent for d in line.days] == [False] * 3


def test_leave_taken_off_the_roster_credits_the_shifts_it_took_the_person_off(
    store: Store, org: Org
) -> None:
    """ "Take her off" empties the roster; the leave still pays what she was scheduled:
    Friday's 8 h and Saturday's 6 h shifts, and Sunday (no shift) the contract's daily
    share, 40 / 5 = 8 h (0 worked + 22 h of leave stays within the 40 h week)."""
    _week_of_shifts(store, org, org.anna, {4: ("07:00", "15:00"), 5: ("10:00", "16:00")})
    _approve_leave(store, org.anna, FRIDAY, SUNDAY, on_clash="unassign")
    line = _line(store, org.anna, FRIDAY, SUNDAY)
    assert [d.paid_leave_hours for d in line.days] == [Decimal(8), Decimal(6), Decimal(8)]
    assert line.paid_leave_hours == Decimal(22)


def test_leave_over_a_shift_pays_what_working_it_would_less_the_unpaid_break(
    store: Store, org: Org
) -> None:
    """With a 30-minute unpaid break on days of 6 h or more, Friday's 8 h shift
    credits 7.5 h of leave, as working it would pay; Saturday's 5 h one all 5 h."""
    set_policy(store, org, unpaid_break_minutes=30, unpaid_break_after_hours=Decimal(6))
    _week_of_shifts(store, org, org.anna, {4: ("07:00", "15:00"), 5: ("10:00", "15:00")})
    _approve_leave(store, org.anna, FRIDAY, FRIDAY + timedelta(days=1), on_clash="unassign")
    line = _line(store, org.anna, FRIDAY, FRIDAY + timedelta(days=1))
    assert [d.paid_leave_hours for d in line.days] == [Decimal("7.5"), Decimal(5)]


def test_a_day_off_inside_a_rostered_week_credits_the_contract_share(
    store: Store, org: Org
) -> None:
    """Monday's shift (not worked) does not stop Wednesday and Thursday's leave from
    crediting 40 / 5 = 8 h each."""
    _week_of_shifts(store, org, org.anna, {0: ("07:00", "15:00")})
    approved_leave(store, org, org.anna, MONDAY + timedelta(days=2), MONDAY + timedelta(days=3))
    assert _line(store, org.anna).paid_leave_hours == Decimal(16)


def _contract(store: Store, who: str, weekly: Decimal) -> None:
    with store.session() as s:
        s.get(Employee, who).contract_hours = weekly


def test_leave_days_without_shifts_are_capped_at_the_contract_week(store: Store, org: Org) -> None:
    """Contract 20 h, worked Tuesday and Wednesday 07:00-14:45 (7.75 h each, 15.50 h),
    sick Friday and Saturday with no shifts: the daily share is 20 / 5 = 4 h, but the
    week holds 20 - 15.50 = 4.50 h of leave: Friday 4.00, Saturday 0.50."""
    _contract(store, org.anna, Decimal(20))
    for n in (1, 2):
        work(store, org, org.anna, MONDAY + timedelta(days=n), "07:00", "14:45")
    approved_leave(store, org, org.anna, FRIDAY, FRIDAY + timedelta(days=1), kind="sick")
    line = _line(store, org.anna)
    assert line.regular_hours == Decimal("15.50")
    assert [(d.record.work_date, d.paid_leave_hours) for d in line.days][2:] == [
        (FRIDAY, Decimal("4.00")),
        (FRIDAY + timedelta(days=1), Decimal("0.50")),
    ]
    assert line.paid_leave_hours == Decimal("4.50")
    assert line.leave_pay == Decimal("90.00")  # 4.50 h × 20.00


def test_three_leave_days_beside_unworked_shifts_credit_the_daily_share(
    store: Store, org: Org
) -> None:
    """Contract 30 h, shifts Monday and Tuesday 07:00-15:30 not worked, paid leave
    Thursday to Saturday with no shifts: 3 × 30 / 5 = 18 h."""
    _contract(store, org.anna, Decimal(30))
    _week_of_shifts(store, org, org.anna, {0: ("07:00", "15:30"), 1: ("07:00", "15:30")})
    approved_leave(store, org, org.anna, MONDAY + timedelta(days=3), FRIDAY + timedelta(days=1))
    line = _line(store, org.anna)
    assert [d.paid_leave_hours for d in line.days if d.record.leave_type] == [Decimal(6)] * 3
    assert line.paid_leave_hours == Decimal(18)


def test_a_freed_shift_and_the_contract_share_together_stop_at_the_contract_week(
    store: Store, org: Org
) -> None:
    """A 7-day site, contract 40 h, a week of leave that took her off Monday's 10 h
    shift: Monday 10 h, then 8 h a day until the week holds 40: Tuesday to Thursday 8,
    Friday 6, the weekend 0."""
    _week_of_shifts(store, org, org.anna, {0: ("06:00", "16:00")})
    _approve_leave(store, org.anna, MONDAY, SUNDAY, on_clash="unassign")
    line = _line(store, org.anna)
    assert [d.paid_leave_hours for d in line.days] == [
        Decimal(10), Decimal(8), Decimal(8), Decimal(8), Decimal(6), Decimal(0), Decimal(0)
    ]  # fmt: skip
    assert line.paid_leave_hours == Decimal(40)


def test_a_night_shift_freed_by_a_one_day_leave_credits_on_its_start_day(
    store: Store, org: Org
) -> None:
    """Paid leave on Wednesday takes her off Tuesday's 22:30-06:30 shift: payroll counts
    the shift on Tuesday (the policy's default), so the leave credits its 8 h there and
    Wednesday, covered by that shift, adds no contract share."""
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    add_shift(store, org, tuesday, "22:30", "06:30", org.anna)
    _approve_leave(store, org.anna, wednesday, wednesday, on_clash="unassign")
    line = _line(store, org.anna)
    assert [(d.record.work_date, d.paid_leave_hours) for d in line.days] == [
        (tuesday, Decimal(8)),
        (wednesday, Decimal(0)),
    ]
    assert line.leave_pay == Decimal("160.00")


def test_a_freed_night_shift_credits_on_its_end_day_when_the_policy_says_so(
    store: Store, org: Org
) -> None:
    set_policy(store, org, overnight_day="end")
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    add_shift(store, org, tuesday, "22:30", "06:30", org.anna)
    _approve_leave(store, org.anna, wednesday, wednesday, on_clash="unassign")
    line = _line(store, org.anna)
    assert [(d.record.work_date, d.paid_leave_hours) for d in line.days] == [
        (wednesday, Decimal(8))
    ]


def test_leave_without_shift_or_contract_hours_pays_nothing_and_waits_to_decide(
    store: Store, org: Org
) -> None:
    _contract(store, org.anna, Decimal(0))
    approved_leave(store, org, org.anna, FRIDAY, FRIDAY)
    with store.session() as s:
        report = payroll(s, MONDAY, SUNDAY, employee_ids=[org.anna])
    ((_line_of, day),) = report.to_decide
    assert (day.record.work_date, day.paid_leave_hours) == (FRIDAY, Decimal(0))
    assert Flag.LEAVE_UNCREDITED in day.record.flags
    assert report.readiness().warning == (
        "1 day unapproved, 1 with problems (1 on paid leave with no hours to credit)"
    )
    with store.session() as s:
        approve_day(s, employee_id=org.anna, work_date=FRIDAY, actor="sam")
    with store.session() as s:
        assert payroll(s, MONDAY, SUNDAY, employee_ids=[org.anna]).to_decide == ()


def test_leave_without_a_roster_credits_a_fifth_of_contract_hours_five_days_a_week(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).contract_hours = Decimal(30)
    approved_leave(store, org, org.anna, FRIDAY, FRIDAY + timedelta(days=3))  # Fri to Mon
    line = _line(store, org.anna, MONDAY, FRIDAY + timedelta(days=3))
    assert [d.paid_leave_hours for d in line.days] == [Decimal(6)] * 4  # weekend too
    assert line.paid_leave_hours == Decimal(24)
    with store.session() as s:
        s.get(Employee, org.ben).contract_hours = Decimal(30)
    approved_leave(store, org, org.ben, MONDAY, SUNDAY)  # a whole week: the contract's week
    week = _line(store, org.ben)
    assert week.paid_leave_hours == Decimal(30)
    assert [d.paid_leave_hours for d in week.days] == [Decimal(6)] * 5 + [0, 0]


def test_work_on_approved_leave_is_paid_once_and_flagged_until_approved(
    store: Store, org: Org
) -> None:
    """Leave kept on the shift and worked in full: paid as worked, not worked + leave."""
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, MONDAY + timedelta(days=1), "09:00", "17:00", org.anna)
    _approve_leave(store, org.anna, MONDAY, MONDAY + timedelta(days=1), "keep", kind="sick")
    punches(store, org, org.anna, MONDAY, ("in", "09:00"), ("out", "17:00"))
    punches(store, org, org.anna, MONDAY + timedelta(days=1), ("in", "09:00"), ("out", "13:00"))
    line = _line(store, org.anna, MONDAY, MONDAY + timedelta(days=1))
    full, half = line.days
    assert (full.worked_hours, full.paid_leave_hours) == (Decimal(8), Decimal(0))
    assert (half.worked_hours, half.paid_leave_hours) == (Decimal(4), Decimal(4))
    assert line.gross == Decimal("320.00")  # 16 h at 20, not 16 h + 16 h of leave
    for day in (full, half):
        assert Flag.WORKED_ON_LEAVE in day.record.flags
        assert day.record.has_problem
    with store.session() as s:
        report = payroll(s, MONDAY, MONDAY + timedelta(days=1), employee_ids=[org.anna])
        assert [d.record.work_date for _, d in report.to_decide] == [MONDAY, half.record.work_date]
        assert report.readiness().warning == (
            "2 days unapproved, 2 with problems (2 worked on approved leave)"
        )
        approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam")
    with store.session() as s:
        report = payroll(s, MONDAY, MONDAY + timedelta(days=1), employee_ids=[org.anna])
        assert [d.record.work_date for _, d in report.to_decide] == [half.record.work_date]
        assert report.readiness().unapproved == 1
        assert report.lines[0].gross == Decimal("320.00")


def test_a_part_day_leave_beside_work_is_no_problem_and_pays_the_gap(
    store: Store, org: Org
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    approved_leave(store, org, org.anna, MONDAY, MONDAY, start_time="09:00", end_time="11:00")
    punches(store, org, org.anna, MONDAY, ("in", "11:00"), ("out", "17:00"))
    (day,) = _line(store, org.anna, MONDAY, MONDAY).days
    assert (day.worked_hours, day.paid_leave_hours) == (Decimal(6), Decimal(2))
    assert Flag.WORKED_ON_LEAVE not in day.record.flags


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
