from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.attendance import (
    Flag,
    approve_day,
    approve_days,
    attendance,
    correct_day,
    withdraw_approval,
    withdraw_correction,
)
from core.changes import Changes
from core.errors import NotFound, ValidationError
from core.models import (
    AttendanceApproval,
    AttendanceCorrection,
    AuditEntry,
    Department,
    Employee,
    LeaveRequest,
    Site,
)
from core.outbox import APPLYING_REMOTE
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.undo import UndoRefused
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import (
    add_shift,
    approved_leave,
    at,
    day,
    days,
    punch,
    punches,
    set_policy,
    work,
)

TUESDAY = MONDAY + timedelta(days=1)


def test_worked_minutes_are_paired_time_minus_paired_breaks(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(
        store,
        org,
        org.anna,
        MONDAY,
        ("in", "09:00"),
        ("break_start", "12:00"),
        ("break_end", "12:30"),
        ("out", "17:00"),
    )
    record = day(store, org.anna, MONDAY)
    assert (record.worked_minutes, record.break_minutes) == (450, 30)
    assert record.scheduled_minutes == 480
    assert record.first_in == at(MONDAY, "09:00")
    assert record.last_out == at(MONDAY, "17:00")
    assert record.flags == ()
    assert all(p.shift_id == record.shifts[0].id for p in record.punches)


@pytest.mark.parametrize(
    ("clock_in", "late", "flagged"), [("09:05", 0, False), ("09:06", 1, True), ("09:20", 15, True)]
)
def test_lateness_counts_minutes_beyond_the_grace_period(
    store: Store, org: Org, clock_in: str, late: int, flagged: bool
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", clock_in), ("out", "17:00"))
    record = day(store, org.anna, MONDAY)
    assert record.late_minutes == late
    assert (Flag.LATE in record.flags) is flagged


@pytest.mark.parametrize(
    ("clock_out", "early", "flagged"), [("16:55", 0, False), ("16:54", 1, True)]
)
def test_early_departure_counts_minutes_beyond_the_grace_period(
    store: Store, org: Org, clock_out: str, early: int, flagged: bool
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:00"), ("out", clock_out))
    record = day(store, org.anna, MONDAY)
    assert record.early_minutes == early
    assert (Flag.EARLY in record.flags) is flagged


def test_grace_period_comes_from_the_policy(store: Store, org: Org) -> None:
    set_policy(store, org, grace_minutes=0)
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:01"), ("out", "17:00"))
    assert day(store, org.anna, MONDAY).late_minutes == 1


@pytest.mark.parametrize(
    "events",
    [
        (("in", "09:00"),),
        (("out", "17:00"),),
        (("in", "09:00"), ("break_start", "12:00"), ("out", "17:00")),
        (("in", "09:00"), ("break_end", "12:30"), ("out", "17:00")),
        (("in", "09:00"), ("in", "09:02"), ("out", "17:00")),
    ],
    ids=["in-without-out", "out-without-in", "open-break", "break-end-alone", "double-in"],
)
def test_unpaired_punches_are_a_missing_punch(store: Store, org: Org, events) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, *events)
    record = day(store, org.anna, MONDAY)
    assert record.missing_punch
    assert Flag.MISSING_PUNCH in record.flags
    assert not record.absent


def test_a_clock_in_on_a_shift_still_running_is_in_progress_not_a_missing_punch(
    store: Store, org: Org
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "08:58"), ("break_start", "12:00"))
    during = day(store, org.anna, MONDAY, now=at(MONDAY, "12:10"))
    assert (during.in_progress, during.missing_punch) == (True, False)
    assert during.flags == (Flag.IN_PROGRESS,)
    assert not during.has_problem
    after = day(store, org.anna, MONDAY, now=at(MONDAY, "17:00"))
    assert (after.in_progress, after.missing_punch) == (False, True)
    assert Flag.MISSING_PUNCH in after.flags


def test_a_broken_pair_earlier_in_a_running_shift_is_still_a_missing_punch(
    store: Store, org: Org
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:00"), ("in", "09:02"))
    record = day(store, org.anna, MONDAY, now=at(MONDAY, "12:00"))
    assert (record.in_progress, record.missing_punch) == (False, True)


def test_an_in_without_an_out_adds_no_time(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:00"))
    assert day(store, org.anna, MONDAY).worked_minutes == 0


def test_scheduled_without_punches_is_absent(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    record = day(store, org.anna, MONDAY)
    assert record.absent
    assert record.flags == (Flag.ABSENT,)


def test_a_shift_not_yet_over_is_not_absent(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    assert not day(store, org.anna, MONDAY, now=at(MONDAY, "16:59")).absent
    assert day(store, org.anna, MONDAY, now=at(MONDAY, "17:00")).absent


def test_approved_leave_is_not_absence(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    approved_leave(store, org, org.anna, MONDAY, MONDAY, kind="sick")
    record = day(store, org.anna, MONDAY)
    assert not record.absent
    assert record.flags == (Flag.ON_LEAVE,)
    assert record.leave_type == "sick"


def test_pending_leave_does_not_excuse_absence(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    leave_id = approved_leave(store, org, org.anna, MONDAY, MONDAY)
    with store.session() as s:
        s.get(LeaveRequest, leave_id).status = "pending"
    assert day(store, org.anna, MONDAY).absent


def test_department_shift_makes_its_members_scheduled(store: Store, org: Org) -> None:
    with store.session() as s:
        result = create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", department_ids=(org.kitchen_id,))
        )
    assert result.applied
    assert day(store, org.anna, MONDAY).absent
    assert day(store, org.ben, MONDAY).absent
    assert days(store, org.cara, MONDAY) == []


def test_overnight_shift_counts_toward_its_start_day_by_default(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "22:00", "06:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "22:00"), ("out", "06:00"))
    record = day(store, org.anna, MONDAY)
    assert record.worked_minutes == 480
    assert len(record.punches) == 2
    assert days(store, org.anna, TUESDAY) == []


def test_overnight_shift_counts_toward_its_end_day_when_the_policy_says(
    store: Store, org: Org
) -> None:
    set_policy(store, org, overnight_day="end")
    add_shift(store, org, MONDAY, "22:00", "06:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "22:07"), ("out", "06:00"))
    assert days(store, org.anna, MONDAY) == []
    record = day(store, org.anna, TUESDAY)
    assert (record.worked_minutes, record.late_minutes) == (473, 2)
    assert record.shifts[0].start == at(MONDAY, "22:00")


def test_shift_ending_at_midnight_is_not_overnight(store: Store, org: Org) -> None:
    set_policy(store, org, overnight_day="end")
    work(store, org, org.anna, MONDAY, "16:00", "00:00")
    assert day(store, org.anna, MONDAY).worked_minutes == 480


def test_night_of_the_autumn_dst_change_has_nine_real_hours(store: Store, org: Org) -> None:
    saturday = date(2026, 10, 24)  # Berlin falls back from 03:00 to 02:00 on the 25th
    add_shift(store, org, saturday, "22:00", "06:00", org.anna)
    punches(store, org, org.anna, saturday, ("in", "22:00"), ("out", "06:00"))
    record = day(store, org.anna, saturday)
    assert record.scheduled_minutes == 540
    assert record.worked_minutes == 540
    assert (record.regular_minutes, record.daily_overtime_minutes) == (480, 60)
    assert record.early_minutes == 0


def test_night_of_the_spring_dst_change_has_seven_real_hours(store: Store, org: Org) -> None:
    saturday = date(2026, 3, 28)  # Berlin springs from 02:00 to 03:00 on the 29th
    add_shift(store, org, saturday, "22:00", "06:00", org.anna)
    punches(store, org, org.anna, saturday, ("in", "22:00"), ("out", "06:00"))
    record = day(store, org.anna, saturday)
    assert record.worked_minutes == 420
    assert record.flags == ()


def test_punches_match_within_the_window_and_not_beyond(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "12:00", "16:00", org.anna)
    punch(store, org, org.anna, "in", at(MONDAY, "10:00"))  # exactly 120 minutes before
    punch(store, org, org.anna, "out", at(MONDAY, "20:00"))  # exactly 240 minutes after
    punch(store, org, org.anna, "in", at(MONDAY, "20:30"))  # outside: unscheduled
    punch(store, org, org.anna, "out", at(MONDAY, "21:00"))
    record = day(store, org.anna, MONDAY)
    scheduled = [p for p in record.punches if p.shift_id is not None]
    assert [p.at for p in scheduled] == [at(MONDAY, "10:00"), at(MONDAY, "20:00")]
    assert record.unscheduled_minutes == 30
    assert record.worked_minutes == 600 + 30
    assert Flag.UNSCHEDULED in record.flags


def test_back_to_back_shifts_each_keep_their_own_punches(store: Store, org: Org) -> None:
    first = add_shift(store, org, MONDAY, "06:00", "14:00", org.anna)
    second = add_shift(store, org, MONDAY, "14:00", "22:00", org.anna)
    punches(
        store,
        org,
        org.anna,
        MONDAY,
        ("in", "06:00"),
        ("out", "14:00"),
        ("in", "14:00"),
        ("out", "22:00"),
    )
    record = day(store, org.anna, MONDAY)
    assert [p.shift_id for p in record.punches] == [first, first, second, second]
    assert record.worked_minutes == 960
    assert record.daily_overtime_minutes == 480


def test_work_without_a_shift_is_unscheduled_on_its_local_day(store: Store, org: Org) -> None:
    punches(store, org, org.anna, MONDAY, ("in", "23:00"), ("out", "02:00"))
    record = day(store, org.anna, MONDAY)
    assert record.shifts == ()
    assert record.worked_minutes == record.unscheduled_minutes == 180
    assert Flag.UNSCHEDULED in record.flags
    assert not record.missing_punch
    assert days(store, org.anna, TUESDAY) == []


def test_daily_overtime_is_beyond_the_daily_threshold(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "08:00", "17:01")
    record = day(store, org.anna, MONDAY)
    assert (record.regular_minutes, record.daily_overtime_minutes) == (480, 61)
    assert Flag.OVERTIME in record.flags


def test_exactly_the_daily_threshold_is_no_overtime(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "08:00", "16:00")
    record = day(store, org.anna, MONDAY)
    assert record.overtime_minutes == 0
    assert Flag.OVERTIME not in record.flags


def _long_week(store: Store, org: Org) -> None:
    """Mon-Fri 10 h a day, Saturday 5 h: 40 regular, 10 daily OT, 5 weekly OT."""
    for n in range(5):
        work(store, org, org.anna, MONDAY + timedelta(days=n), "08:00", "18:00")
    work(store, org, org.anna, MONDAY + timedelta(days=5), "08:00", "13:00")


def test_weekly_overtime_does_not_count_daily_overtime_twice(store: Store, org: Org) -> None:
    _long_week(store, org)
    week = days(store, org.anna, MONDAY, MONDAY + timedelta(days=6))
    assert [d.daily_overtime_minutes for d in week] == [120] * 5 + [0]
    assert [d.weekly_overtime_minutes for d in week] == [0] * 5 + [300]
    assert sum(d.regular_minutes for d in week) == 40 * 60
    assert sum(d.worked_minutes for d in week) == sum(
        d.regular_minutes + d.overtime_minutes for d in week
    )


def test_weekly_overtime_counts_the_week_before_the_period_starts(store: Store, org: Org) -> None:
    _long_week(store, org)
    saturday = day(store, org.anna, MONDAY + timedelta(days=5))
    assert saturday.weekly_overtime_minutes == 300


def test_weekly_overtime_follows_the_policy_week_start(store: Store, org: Org) -> None:
    set_policy(store, org, week_start=5)  # weeks run Saturday to Friday
    _long_week(store, org)
    saturday = day(store, org.anna, MONDAY + timedelta(days=5))
    assert saturday.weekly_overtime_minutes == 0


def test_overtime_thresholds_of_zero_are_off(store: Store, org: Org) -> None:
    set_policy(store, org, daily_overtime_hours=0, weekly_overtime_hours=0)
    work(store, org, org.anna, MONDAY, "06:00", "20:00")
    record = day(store, org.anna, MONDAY)
    assert (record.regular_minutes, record.overtime_minutes) == (840, 0)


def test_correction_supplies_a_missing_clock_out(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:00"))
    with store.session() as s:
        result = correct_day(
            s,
            employee_id=org.anna,
            work_date=MONDAY,
            clock_out=at(MONDAY, "17:00"),
            break_minutes=30,
            reason="Forgot to clock out",
            author="sam",
        )
    assert result.changed == Changes.ATTENDANCE
    record = day(store, org.anna, MONDAY)
    assert (record.worked_minutes, record.missing_punch) == (450, False)
    assert record.correction is not None
    assert (record.correction.reason, record.correction.author) == ("Forgot to clock out", "sam")
    assert Flag.CORRECTED in record.flags
    assert record.correction.clock_out == at(MONDAY, "17:00")


def test_newest_correction_wins_and_undo_brings_back_the_older(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    with store.session() as s:
        correct_day(
            s,
            employee_id=org.anna,
            work_date=MONDAY,
            clock_in=at(MONDAY, "08:00"),
            reason="Came early for delivery",
            author="sam",
        )
    with store.session() as s:
        newer = correct_day(
            s,
            employee_id=org.anna,
            work_date=MONDAY,
            clock_in=at(MONDAY, "08:30"),
            reason="Delivery was at 08:30",
            author="kim",
        )
    assert day(store, org.anna, MONDAY).worked_minutes == 510
    with store.session() as s:
        undone = newer.undo(s)
    record = day(store, org.anna, MONDAY)
    assert (record.worked_minutes, record.correction.author) == (540, "sam")
    with store.session() as s:
        undone.undo(s)
    assert day(store, org.anna, MONDAY).correction.author == "kim"
    with store.session() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.at)).all()
    assert actions == [
        "attendance.correct",
        "attendance.correct",
        "attendance.correct.undo",
        "attendance.correct.undo",
    ]


def test_a_later_correction_builds_on_the_earlier_one(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:20"), ("out", "16:00"))
    fix = {"employee_id": org.anna, "work_date": MONDAY, "author": "sam"}
    with store.session() as s:
        correct_day(s, clock_in=at(MONDAY, "09:00"), excused=True, reason="badge broken", **fix)
    with store.session() as s:
        correct_day(s, clock_out=at(MONDAY, "17:00"), reason="left on time", **fix)
    record = day(store, org.anna, MONDAY)
    assert (record.first_in, record.last_out) == (at(MONDAY, "09:00"), at(MONDAY, "17:00"))
    assert record.correction.excused
    assert record.worked_minutes == 480
    with store.session() as s:
        correct_day(s, excused=False, reason="not excused after all", **fix)
    record = day(store, org.anna, MONDAY)
    assert not record.correction.excused
    assert record.first_in == at(MONDAY, "09:00")


def test_a_correction_that_sets_or_changes_nothing_is_refused(store: Store, org: Org) -> None:
    fix = {"employee_id": org.anna, "work_date": MONDAY, "author": "sam", "reason": "x"}
    with store.session() as s, pytest.raises(ValidationError) as info:
        correct_day(s, **fix)
    assert info.value.field == "correction"
    with store.session() as s:
        correct_day(s, break_minutes=30, **fix)
    with store.session() as s, pytest.raises(ValidationError) as info:
        correct_day(s, break_minutes=30, **fix)
    assert info.value.problem.startswith("changes nothing")
    with store.session() as s:
        count = s.scalar(select(func.count()).select_from(AttendanceCorrection))
    assert count == 1


def test_excused_correction_forgives_lateness_and_absence(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)
    punches(store, org, org.anna, MONDAY, ("in", "09:30"), ("out", "17:00"))
    with store.session() as s:
        for who in (org.anna, org.ben):
            correct_day(
                s,
                employee_id=who,
                work_date=MONDAY,
                excused=True,
                reason="Train strike",
                author="sam",
            )
    anna, ben = day(store, org.anna, MONDAY), day(store, org.ben, MONDAY)
    assert (anna.late_minutes, anna.worked_minutes) == (0, 450)
    assert not ben.absent
    assert ben.flags == (Flag.CORRECTED,)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"author": ""}, "author"),
        ({"break_minutes": -5}, "break_minutes"),
        ({"clock_in": at(MONDAY, "17:00"), "clock_out": at(MONDAY, "09:00")}, "clock_out"),
        ({"clock_in": at(MONDAY, "09:00").replace(tzinfo=None)}, "clock_in"),
    ],
    ids=["no-reason", "no-author", "negative-break", "out-before-in", "naive-time"],
)
def test_correction_refuses_bad_input_naming_the_field(
    store: Store, org: Org, changes: dict, field: str
) -> None:
    values = {"reason": "Fix", "author": "sam", **changes}
    with store.session() as s, pytest.raises(ValidationError) as info:
        correct_day(s, employee_id=org.anna, work_date=MONDAY, **values)
    assert info.value.field == field
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_correction_of_an_unknown_employee_is_not_found(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(NotFound):
        correct_day(s, employee_id="nobody", work_date=MONDAY, reason="x", author="sam")


def test_approval_signs_off_the_day_and_undo_withdraws_it(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    with store.session() as s:
        result = approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam")
    record = day(store, org.anna, MONDAY)
    assert (record.approved, record.approved_by) == (True, "sam")
    with store.session() as s:
        redo = result.undo(s)
    assert not day(store, org.anna, MONDAY).approved
    with store.session() as s:
        redo.undo(s)
    assert day(store, org.anna, MONDAY).approved
    with store.session() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.at)).all()
    assert [e.action for e in entries] == [
        "attendance.approve",
        "attendance.approve.undo",
        "attendance.approve.undo",
    ]
    assert json.loads(entries[0].detail)["work_date"] == MONDAY.isoformat()


def test_a_correction_taken_back_is_kept_and_the_day_reads_as_before(
    store: Store, org: Org
) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    with store.session() as s:
        fix = correct_day(
            s,
            employee_id=org.anna,
            work_date=MONDAY,
            clock_in=at(MONDAY, "08:00"),
            reason="Came early",
            author="sam",
            correction_id="0b5e9c1e-5d8e-4c43-9d0e-8f0c2b7a1a11",
        )
    assert fix.ids == ("0b5e9c1e-5d8e-4c43-9d0e-8f0c2b7a1a11",)
    with store.session() as s:
        taken = withdraw_correction(s, fix.ids[0], actor="kim")
    assert day(store, org.anna, MONDAY).correction is None
    assert day(store, org.anna, MONDAY).worked_minutes == 480
    with store.session() as s:
        assert s.get(AttendanceCorrection, fix.ids[0]).deleted
        with pytest.raises(NotFound):
            withdraw_correction(s, fix.ids[0], actor="kim")
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.at.desc()).limit(1)).one()
        assert (last.action, last.actor) == ("attendance.correct.withdraw", "kim")
    with store.session() as s:
        taken.undo(s)
    assert day(store, org.anna, MONDAY).correction.author == "sam"


def test_a_sign_off_keeps_the_time_given_and_can_be_taken_back(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    signed = at(TUESDAY, "08:00")
    with store.session() as s:
        result = approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam", at=signed)
    with store.session() as s:
        assert s.get(AttendanceApproval, result.ids[0]).approved_at == signed
        withdraw_approval(s, result.ids[0], actor="kim")
    assert not day(store, org.anna, MONDAY).approved


def test_correction_after_approval_needs_a_new_approval(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    with store.session() as s:
        approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam")
    with store.session() as s:
        correct_day(
            s, employee_id=org.anna, work_date=MONDAY, break_minutes=45, reason="x", author="kim"
        )
    assert not day(store, org.anna, MONDAY).approved
    with store.session() as s:
        approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="kim")
    record = day(store, org.anna, MONDAY)
    assert (record.approved, record.approved_by, record.worked_minutes) == (True, "kim", 435)


def test_approving_a_day_without_any_record_shows_it(store: Store, org: Org) -> None:
    with store.session() as s:
        approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam")
    record = day(store, org.anna, MONDAY)
    assert record.approved
    assert record.worked_minutes == 0


def test_other_employees_and_deleted_people_stay_out(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    work(store, org, org.ben, MONDAY, "09:00", "17:00")
    with store.session() as s:
        s.get(Employee, org.ben).deleted = True
        found = attendance(s, MONDAY, MONDAY).days
    assert [d.employee_id for d in found] == [org.anna]


def test_report_range_must_not_end_before_it_starts(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(ValidationError) as info:
        attendance(s, TUESDAY, MONDAY)
    assert info.value.field == "to"


def test_second_site_in_another_zone_uses_its_own_local_days(store: Store, org: Org) -> None:
    with store.session() as s:
        site = Site(company_id=org.company_id, name="NY", timezone="America/New_York")
        s.add(site)
        s.flush()
        dept = Department(company_id=org.company_id, site_id=site.id, name="Bar")
        s.add(dept)
        s.flush()
        emp = Employee(
            company_id=org.company_id,
            site_id=site.id,
            department_id=dept.id,
            first_name="Eve",
            last_name="Ng",
        )
        s.add(emp)
        s.flush()
        eve = emp.id
    tz = "America/New_York"
    punch(store, org, eve, "in", at(MONDAY, "20:00", tz))  # 02:00 Tuesday in Berlin
    punch(store, org, eve, "out", at(MONDAY, "23:00", tz))
    record = day(store, eve, MONDAY)
    assert record.worked_minutes == 180
    assert (record.timezone, record.first_in) == (tz, at(MONDAY, "20:00", tz))


def test_corrected_out_before_the_punched_in_leaves_the_day_open(store: Store, org: Org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:00"))
    with store.session() as s:
        correct_day(
            s,
            employee_id=org.anna,
            work_date=MONDAY,
            clock_out=at(MONDAY, "08:00"),
            reason="typo",
            author="sam",
        )
    record = day(store, org.anna, MONDAY)
    assert (record.worked_minutes, record.missing_punch) == (0, True)


def test_approving_several_days_is_one_step_that_undoes_and_redoes_together(
    store: Store, org: Org
) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    work(store, org, org.ben, TUESDAY, "09:00", "17:00")
    with store.session() as s:
        result = approve_days(s, days=[(org.anna, MONDAY), (org.ben, TUESDAY)], actor="sam")
    assert result.applied
    assert len(result.ids) == 2
    assert day(store, org.anna, MONDAY).approved
    assert day(store, org.ben, TUESDAY).approved
    with store.session() as s:
        undone = result.undo(s)
    assert not day(store, org.anna, MONDAY).approved
    assert not day(store, org.ben, TUESDAY).approved
    with store.session() as s:
        undone.undo(s)
    assert day(store, org.anna, MONDAY).approved
    assert day(store, org.ben, TUESDAY).approved


def test_approving_no_days_names_the_field(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(ValidationError) as caught:
        approve_days(s, days=[], actor="sam")
    assert caught.value.field == "days"


def test_approving_a_day_again_after_an_undo_reuses_its_one_approval(
    store: Store, org: Org
) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    with store.session() as s:
        first = approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam")
    with store.session() as s:
        first.undo(s)
    with store.session() as s:
        again = approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="kim")
    assert again.ids == first.ids
    assert (day(store, org.anna, MONDAY).approved_by, _approvals(store)) == ("kim", 1)
    with store.session() as s:
        again.undo(s)
    assert not day(store, org.anna, MONDAY).approved
    assert _approvals(store) == 1


def test_undo_of_a_correction_keeps_it_on_record_as_deleted(store: Store, org: Org) -> None:
    work(store, org, org.anna, MONDAY, "09:00", "17:00")
    with store.session() as s:
        result = correct_day(
            s, employee_id=org.anna, work_date=MONDAY, break_minutes=30, reason="x", author="sam"
        )
    with store.session() as s:
        result.undo(s)
    with store.session() as s:
        kept = s.scalars(select(AttendanceCorrection)).one()
        assert (kept.id, kept.deleted) == (result.ids[0], True)
    assert day(store, org.anna, MONDAY).correction is None


def test_undo_of_an_approval_refuses_once_another_site_signed_the_day_off(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        result = approve_day(s, employee_id=org.anna, work_date=MONDAY, actor="sam")
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        s.get(AttendanceApproval, result.ids[0]).approved_by = "lee"
    with store.session() as s, pytest.raises(UndoRefused, match="approved_by"):
        result.undo(s)
    assert day(store, org.anna, MONDAY).approved_by == "lee"


def _approvals(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(AttendanceApproval))
