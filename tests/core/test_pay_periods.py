"""Closed pay periods: what they refuse, at their edges, and reopening them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.attendance import approve_day, approve_days, correct_day
from core.conflicts import RosterRules
from core.errors import IllegalState, NotFound, ValidationError
from core.leave import approve_leave, edit_leave, request_leave
from core.models import AuditEntry, ClockEvent, PayPeriod, PayPolicy, Shift
from core.money import money
from core.pay_periods import (
    NOTHING_CLOSED,
    ClosedDays,
    PeriodClosed,
    close_period,
    closed_and_rules,
    closed_on,
    period_label,
    reopen_period,
    status_line,
)
from core.payroll import payroll
from core.policy import set_policy
from core.punch_import import PunchImportError, import_punches_csv
from core.punches import record_punch
from core.scheduling import (
    ShiftDraft,
    copy_week,
    create_shift,
    delete_shifts,
    edit_shift,
    move_shift,
    preview_move,
    publish_shifts,
)
from core.store import Store
from core.templates import TemplateDraft, create_template, expand_template
from tests.conftest import Org
from tests.core.attendance_helpers import add_shift, at, punches, work

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
DEC_1 = date(2026, 12, 1)
SENTENCE = "Pay period 1–30 Nov 2026 is closed (by anna, 1 Dec); reopen it to change it"
CLOSED_AT = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _close(store: Store, first: date = NOV_1, last: date = NOV_30) -> str:
    with store.session() as s:
        return close_period(s, first, last, actor="anna", now=CLOSED_AT).ids[0]


def _shift(store: Store, org: Org, day: date, start="09:00", end="17:00"):
    with store.session() as s:
        return create_shift(s, ShiftDraft(org.site_id, day, start, end, (org.anna,)))


def test_period_labels_read_as_people_write_them() -> None:
    assert period_label(NOV_1, NOV_30) == "1–30 Nov 2026"
    assert period_label(date(2026, 11, 28), date(2026, 12, 4)) == "28 Nov–4 Dec 2026"
    assert period_label(date(2026, 12, 15), date(2027, 1, 14)) == "15 Dec 2026–14 Jan 2027"


def test_a_shift_in_a_closed_period_is_refused_with_one_sentence(store: Store, org: Org) -> None:
    _close(store)
    refused = _shift(store, org, NOV_30)
    assert not refused.applied
    assert [(c.kind, c.reason) for c in refused.conflicts] == [("closed_period", SENTENCE)]
    assert _shift(store, org, DEC_1).applied


def test_the_boundary_is_midnight_in_the_sites_zone(store: Store, org: Org) -> None:
    """23:00–23:59 on 30 Nov in Berlin is 22:00 UTC: still November, refused. 00:00 on
    1 Dec in Berlin is 23:00 UTC on 30 Nov: December, allowed."""
    _close(store)
    late = _shift(store, org, NOV_30, "23:00", "23:59")
    assert [c.kind for c in late.conflicts] == ["closed_period"]
    first = _shift(store, org, DEC_1, "00:00", "06:00")
    assert first.applied
    with store.session() as s:
        shift = s.get(Shift, first.ids[0])
        assert shift.start_utc.replace(tzinfo=UTC) == datetime(2026, 11, 30, 23, tzinfo=UTC)


def test_an_overnight_shift_belongs_to_the_day_it_starts(store: Store, org: Org) -> None:
    """As payroll counts it (the default policy): a night from the closed period's
    last evening into the open one is the closed period's; a night from the last
    evening before a closed period into it is not."""
    _close(store)
    assert [c.kind for c in _shift(store, org, NOV_30, "22:00", "06:00").conflicts] == [
        "closed_period"
    ]
    assert _shift(store, org, NOV_1 - timedelta(days=1), "22:00", "06:00").applied


def test_with_a_policy_counting_nights_at_their_end_the_end_day_decides(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        s.scalar(select(PayPolicy)).overnight_day = "end"
    _close(store)
    assert _shift(store, org, NOV_30, "22:00", "06:00").applied
    crossing_in = _shift(store, org, NOV_1 - timedelta(days=1), "22:00", "06:00")
    assert [c.reason for c in crossing_in.conflicts] == [SENTENCE]


def test_edits_moves_deletes_and_publishing_in_a_closed_period_are_refused(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org, NOV_30).ids[0]
    _close(store)
    with store.session() as s:
        assert [c.reason for c in edit_shift(s, sid, location="Bar").conflicts] == [SENTENCE]
        assert [c.reason for c in preview_move(s, sid, day=DEC_1).conflicts] == [SENTENCE]
        assert not move_shift(s, sid, day=DEC_1).applied
        assert not edit_shift(s, sid, status="cancelled").applied
        with pytest.raises(PeriodClosed) as caught:
            delete_shifts(s, [sid])
        assert str(caught.value.problem) == SENTENCE
        with pytest.raises(PeriodClosed):
            publish_shifts(s, [sid])
    other = _shift(store, org, DEC_1 + timedelta(days=1)).ids[0]
    with store.session() as s:
        assert [c.reason for c in preview_move(s, other, day=NOV_30).conflicts] == [SENTENCE]
        assert preview_move(s, sid, day=DEC_1, copy=True).ok


def test_templates_and_copy_week_skip_closed_days_and_say_why(store: Store, org: Org) -> None:
    monday = date(2026, 11, 23)
    for n in range(7):
        assert _shift(store, org, monday + timedelta(days=n)).applied
    _close(store, date(2026, 11, 30), date(2026, 12, 6))
    with store.session() as s:
        copied = copy_week(s, monday, monday + timedelta(days=7))
        tid = create_template(
            s, TemplateDraft(org.site_id, "Day", "09:00", "17:00", "FREQ=DAILY", monday)
        ).ids[0]
        dry = expand_template(s, tid, date(2026, 12, 5), date(2026, 12, 8), [org.ben])
    assert copied.ids == ()
    assert len(copied.skipped) == 7
    assert "Pay period 30 Nov–6 Dec 2026 is closed" in copied.skipped[0].reason
    assert [p.ok for p in dry.shifts] == [False, False, True, True]


def test_attendance_corrections_and_approvals_are_refused(store: Store, org: Org) -> None:
    _close(store)
    with store.session() as s:
        with pytest.raises(PeriodClosed) as caught:
            correct_day(
                s,
                employee_id=org.anna,
                work_date=NOV_30,
                clock_in=at(NOV_30, "09:00"),
                reason="forgot",
                author="sam",
            )
        assert caught.value.field == "work_date"
        with pytest.raises(PeriodClosed):
            approve_day(s, employee_id=org.anna, work_date=NOV_1, actor="sam")
        assert approve_day(s, employee_id=org.anna, work_date=DEC_1, actor="sam").applied


def test_a_punch_counting_on_a_closed_day_is_refused_naming_the_period(
    store: Store, org: Org
) -> None:
    """Its local day decides, or the day of the shift whose window holds it: the
    clock-out the morning after a closed period's last night is that night's."""
    _shift(store, org, NOV_30, "22:00", "06:00")
    _close(store)
    with store.session() as s:
        for when in (at(NOV_30, "10:00"), at(DEC_1, "06:10")):
            with pytest.raises(PeriodClosed) as caught:
                record_punch(s, employee_id=org.anna, kind="out", at=when)
            assert (caught.value.field, caught.value.problem) == ("at", SENTENCE)
        assert record_punch(s, employee_id=org.anna, kind="in", at=at(DEC_1, "14:00")).ids
        assert record_punch(s, employee_id=org.ben, kind="in", at=at(DEC_1, "06:10")).ids


def test_undo_cannot_remove_or_bring_back_a_punch_of_a_period_closed_since(
    store: Store, org: Org
) -> None:
    """Undo refuses a punch as recording it would: the night's clock-out included."""
    _shift(store, org, NOV_30, "22:00", "06:00")
    with store.session() as s:
        punched = [
            record_punch(s, employee_id=org.anna, kind=kind, at=when)
            for kind, when in (("in", at(NOV_30, "21:58")), ("out", at(DEC_1, "06:10")))
        ]
        later = record_punch(s, employee_id=org.ben, kind="in", at=at(DEC_1, "08:00"))
    _close(store)
    for made in punched:
        with store.session() as s, pytest.raises(PeriodClosed) as caught:
            made.undo(s)
        assert (caught.value.field, caught.value.problem) == ("at", SENTENCE)
    with store.session() as s:
        assert [s.get(ClockEvent, m.ids[0]).deleted for m in punched] == [False, False]
        removed = later.undo(s)
        assert removed.applied
        assert s.get(ClockEvent, later.ids[0]).deleted
        assert removed.undo(s).applied


def test_a_punch_file_with_lines_on_closed_days_is_refused_by_line(store: Store, org: Org) -> None:
    _close(store)
    text = (
        f"employee,timestamp,kind\n{org.anna},2026-11-30T09:00,in\n{org.anna},2026-12-01T09:00,in\n"
    )
    with store.session() as s, pytest.raises(PunchImportError) as caught:
        import_punches_csv(s, text)
    assert [str(p) for p in caught.value.problems] == [f"line 2: timestamp: {SENTENCE}"]
    with store.session() as s:
        assert s.scalars(select(ClockEvent)).all() == []


def test_approving_a_selection_reads_the_closed_periods_once(
    store: Store, org: Org, statements: list[str]
) -> None:
    """A month of four people's days: one query for the periods, not one per day."""
    _close(store)
    december = [DEC_1 + timedelta(days=n) for n in range(30)]
    people = (org.anna, org.ben, org.cara, org.dan)
    days = [(who, day) for who in people for day in december]
    with store.session() as s:
        statements.clear()
        assert approve_days(s, days=days, actor="sam").applied
    assert sum("FROM pay_period" in sql for sql in statements) == 1
    with store.session() as s, pytest.raises(PeriodClosed) as caught:
        approve_days(s, days=[(org.anna, DEC_1), (org.ben, NOV_30)], actor="sam")
    assert (caught.value.field, caught.value.problem) == ("work_date", SENTENCE)


def test_leave_decisions_touching_a_closed_period_are_refused(store: Store, org: Org) -> None:
    with store.session() as s:
        leave = request_leave(
            s, employee_id=org.anna, start_date=NOV_30, end_date=DEC_1, leave_type="paid"
        ).ids[0]
    _close(store)
    with store.session() as s, pytest.raises(PeriodClosed) as caught:
        approve_leave(s, leave, actor="sam")
    assert caught.value.problem == SENTENCE


def test_asking_for_leave_on_a_closed_day_is_refused(store: Store, org: Org) -> None:
    with store.session() as s:
        pending = request_leave(
            s, employee_id=org.anna, start_date=DEC_1, end_date=DEC_1, leave_type="paid"
        ).ids[0]
    _close(store)
    with store.session() as s:
        with pytest.raises(PeriodClosed) as caught:
            request_leave(
                s, employee_id=org.ben, start_date=NOV_30, end_date=DEC_1, leave_type="sick"
            )
        assert (caught.value.field, caught.value.problem) == ("start_date", SENTENCE)
        with pytest.raises(PeriodClosed):
            edit_leave(s, pending, start_date=NOV_30)


def test_reopening_needs_a_reason_and_is_audited(store: Store, org: Org) -> None:
    pid = _close(store)
    with store.session() as s:
        with pytest.raises(ValidationError) as caught:
            reopen_period(s, NOV_1, NOV_30, actor="anna", reason=" ")
        assert caught.value.field == "reason"
        with pytest.raises(NotFound):
            reopen_period(s, NOV_1, NOV_30 - timedelta(days=1), actor="anna", reason="x")
        reopen_period(s, NOV_1, NOV_30, actor="ben", reason="a missed night shift")
    with store.session() as s:
        period = s.get(PayPeriod, pid)
        assert (period.reopened_by, period.reopen_reason) == ("ben", "a missed night shift")
        assert closed_on(s, org.company_id, NOV_30) is None
        trail = s.scalars(select(AuditEntry.action).where(AuditEntry.record_id == pid)).all()
        assert sorted(trail) == ["payperiod.close", "payperiod.reopen"]
    assert _shift(store, org, NOV_30).applied


def test_an_overlapping_close_is_refused_naming_the_closed_one(store: Store, org: Org) -> None:
    _close(store)
    with store.session() as s, pytest.raises(IllegalState) as caught:
        close_period(s, date(2026, 11, 16), date(2026, 12, 15), actor="anna")
    assert "pay period 1–30 Nov 2026 is closed already (by anna)" in caught.value.problem
    with store.session() as s:
        assert status_line(s, org.company_id, NOV_1, NOV_30).startswith("Closed by anna on")
        assert status_line(s, org.company_id, DEC_1, date(2026, 12, 31)) == "Open"


def test_undo_cannot_change_a_period_closed_since(store: Store, org: Org) -> None:
    """An edit made before the close, undone after it, would change paid history."""
    made = _shift(store, org, NOV_30)
    with store.session() as s:
        moved = edit_shift(s, made.ids[0], start_time="10:00")
    created = _shift(store, org, NOV_1)
    elsewhere = _shift(store, org, DEC_1)
    with store.session() as s:
        into = edit_shift(s, elsewhere.ids[0], shift_date=NOV_30, start_time="18:00")
    assert into.applied
    _close(store)
    for step in (moved.undo, created.undo, into.undo):
        with store.session() as s, pytest.raises(PeriodClosed):
            step(s)
    with store.session() as s:
        shift = s.get(Shift, made.ids[0])
        assert (shift.deleted, shift.start_time) == (False, "10:00")
        assert s.get(Shift, created.ids[0]).deleted is False
        assert s.get(Shift, elsewhere.ids[0]).shift_date == NOV_30
    with store.session() as s:
        reopen_period(s, NOV_1, NOV_30, actor="anna", reason="fix a slip")
    with store.session() as s:
        assert moved.undo(s).applied


def test_the_workbooks_status_line_says_when_in_the_sites_time(store: Store, org: Org) -> None:
    """Closed at 22:30 UTC on 8 Jun is half past midnight on 9 Jun in Berlin."""
    first, last = date(2026, 6, 1), date(2026, 6, 7)
    with store.session() as s:
        close_period(s, first, last, actor="anna", now=datetime(2026, 6, 8, 22, 30, tzinfo=UTC))
    with store.session() as s:
        line = status_line(s, org.company_id, first, last)
    assert line == "Closed by anna on 9 Jun 2026 at 00:30"


def _ten_hour_days(store: Store, org: Org, *days: date) -> None:
    """Anna works 08:00 to 18:00 on each day, as scheduled."""
    for day in days:
        add_shift(store, org, day, "08:00", "18:00", org.anna)
        punches(store, org, org.anna, day, ("in", "08:00"), ("out", "18:00"))


def _overtime(store: Store, first: date, last: date) -> tuple[Decimal, Decimal, Decimal]:
    with store.session() as s:
        line = next(x for x in payroll(s, first, last).lines if x.person.name == "Anna Berg")
    return line.overtime_hours, line.overtime_pay, line.gross


def test_a_closed_period_is_priced_with_the_policy_it_was_closed_with(
    store: Store, org: Org
) -> None:
    """30 Nov (closed) and 1 Dec (open), ten hours each, in one payroll week. After
    the overtime threshold and multiplier change, November pays as it was paid and
    December under the new rules; reopening November lets it take them too."""
    _ten_hour_days(store, org, NOV_30, DEC_1)
    before = _overtime(store, NOV_1, NOV_30)
    assert before[0] == Decimal(2)
    _close(store)
    with store.session() as s:
        kept = s.scalars(select(PayPeriod)).one().pay_rules
        assert kept["dailyOvertimeHours"] == "8"
        assert set_policy(s, daily_overtime_hours="9", overtime_multiplier="2").applied
    assert _overtime(store, NOV_1, NOV_30) == before
    assert _overtime(store, DEC_1, DEC_1)[0] == Decimal(1)
    both = _overtime(store, NOV_30, DEC_1)
    dec = _overtime(store, DEC_1, DEC_1)
    assert both == (before[0] + dec[0], before[1] + dec[1], before[2] + dec[2])
    with store.session() as s:
        reopen_period(s, NOV_1, NOV_30, actor="anna", reason="policy back-dated")
    assert _overtime(store, NOV_1, NOV_30)[0] == Decimal(1)


def test_a_period_closed_before_its_rules_were_kept_takes_the_policy_as_it_stands(
    store: Store, org: Org
) -> None:
    _ten_hour_days(store, org, NOV_30)
    _close(store)
    with store.session() as s:
        s.scalars(select(PayPeriod)).one().pay_rules = None
        set_policy(s, daily_overtime_hours="9")
    assert _overtime(store, NOV_1, NOV_30)[0] == Decimal(1)


def test_the_overnight_day_stays_while_a_closed_period_holds_a_night_shift(
    store: Store, org: Org
) -> None:
    """Moving a night's hours to another day would change what the period paid (its
    daily overtime, or the period itself at its edge): refused naming the period."""
    _shift(store, org, NOV_30, "09:00", "17:00")
    _close(store)
    with store.session() as s:
        assert set_policy(s, overnight_day="end").applied  # no night in it: nothing moves
        assert set_policy(s, overnight_day="start").applied
    with store.session() as s:
        reopen_period(s, NOV_1, NOV_30, actor="anna", reason="a night shift left out")
    _shift(store, org, NOV_30, "22:00", "06:00")
    _close(store)
    with store.session() as s:
        with pytest.raises(IllegalState) as caught:
            set_policy(s, overnight_day="end")
        assert caught.value.field == "overnight_day"
        assert "pay period 1–30 Nov 2026 is closed (by anna)" in caught.value.problem
        assert set_policy(s, grace_minutes=10).applied
        assert s.scalar(select(PayPolicy.overnight_day)) == "start"


def test_overlapping_closed_periods_pay_each_day_once_under_the_earlier_ones_rules(
    store: Store, org: Org
) -> None:
    """A pull takes another site's closure as the server has it, overlap or not: 1-30
    Nov closed here, 15 Nov-15 Dec (kept with another multiplier) pulled. 20 Nov is
    paid once, under the earlier period's rules, as :func:`closed_on` places it."""
    work(store, org, org.anna, date(2026, 11, 20), "08:00", "16:00")
    _close(store)
    with store.session() as s:
        set_policy(s, overtime_multiplier=2)
        mine = s.scalars(select(PayPeriod)).one()
        s.add(
            PayPeriod(
                company_id=org.company_id,
                first_day=date(2026, 11, 15),
                last_day=date(2026, 12, 15),
                closed_by="ben",
                closed_at=mine.closed_at,
                pay_rules=dict(mine.pay_rules, overtimeMultiplier="2"),
            )
        )
    with store.session() as s:
        (line,) = payroll(s, NOV_1, NOV_30, employee_ids=[org.anna]).lines
    assert (line.regular_hours, line.multiplier) == (Decimal(8), Decimal("1.5"))


def test_undo_and_redo_cannot_move_the_overnight_day_under_a_closed_night(
    store: Store, org: Org
) -> None:
    """Undoing a change of the overnight day puts the old day back: refused, as the
    change itself is, while a closed period holds a night shift; so is its redo."""
    with store.session() as s:
        changed = set_policy(s, overnight_day="end")
    _shift(store, org, NOV_30, "22:00", "06:00")
    _close(store)
    with store.session() as s:
        with pytest.raises(IllegalState) as caught:
            changed.undo(s)
        assert caught.value.field == "overnight_day"
    with store.session() as s:
        assert s.scalar(select(PayPolicy.overnight_day)) == "end"
        reopen_period(s, NOV_1, NOV_30, actor="anna", reason="nights counted at the start")
    with store.session() as s:
        undone = changed.undo(s)
        assert s.scalar(select(PayPolicy.overnight_day)) == "start"
    _close(store)
    with store.session() as s, pytest.raises(IllegalState):
        undone.undo(s)
    with store.session() as s:
        assert s.scalar(select(PayPolicy.overnight_day)) == "start"


def test_weekly_overtime_across_a_closed_edge_counts_the_closed_days_as_they_were_paid(
    store: Store, org: Org
) -> None:
    """Payroll week Thu 26 Nov - Wed 2 Dec. Three 12 h days before the close (daily
    overtime past 8 h: 24 h regular, 12 h overtime); then daily overtime is turned
    off and 1 Dec has 8 h. The week's regular hours before 1 Dec are the 24 paid, not
    the 36 the new rules would make of them: 32 h in all, no weekly overtime, asked
    with or without the closed days."""
    with store.session() as s:
        set_policy(s, week_start=3, unpaid_break_minutes=0)
    for day in (date(2026, 11, 27), date(2026, 11, 28), NOV_30):
        work(store, org, org.anna, day, "06:00", "18:00")
    _close(store)
    with store.session() as s:
        set_policy(s, daily_overtime_hours=0)
    work(store, org, org.anna, DEC_1, "08:00", "16:00")
    assert _overtime(store, date(2026, 11, 26), NOV_30)[0] == Decimal(12)
    assert _overtime(store, date(2026, 11, 26), DEC_1)[0] == Decimal(12)
    assert _overtime(store, DEC_1, DEC_1)[0] == Decimal(0)


def _overtime_by_day(store: Store, who: str, first: date, last: date) -> dict[date, Decimal]:
    with store.session() as s:
        line = next(x for x in payroll(s, first, last).lines if x.person.id == who)
    return {d.record.work_date: d.overtime_hours for d in line.days}


def test_weekly_overtime_is_the_same_whichever_day_the_range_starts_after_the_week_moved(
    store: Store, org: Org
) -> None:
    """Weeks ran Wednesday to Tuesday with daily overtime past 9 h until 25 Nov was
    closed; then weeks run Monday to Sunday, weekly overtime past 36 h and no daily
    overtime. 26 Nov's week starts on Monday 23 Nov, whose 12 h days were paid 9 h
    regular each, 18 h: the 10 h days of 26-28 Nov cross 36 h on the 27th whether the
    range asked starts on 23 or on 25 Nov."""
    with store.session() as s:
        set_policy(
            s,
            week_start=2,
            daily_overtime_hours="9",
            weekly_overtime_hours="40",
            unpaid_break_minutes=0,
        )
    for day in (23, 24):
        work(store, org, org.anna, date(2026, 11, day), "06:00", "18:00")
    for day in (26, 27, 28):
        work(store, org, org.anna, date(2026, 11, day), "08:00", "18:00")
    _close(store, NOV_1, date(2026, 11, 25))
    with store.session() as s:
        set_policy(s, week_start=0, daily_overtime_hours="0", weekly_overtime_hours="36")
    wide = _overtime_by_day(store, org.anna, date(2026, 11, 23), NOV_30)
    narrow = _overtime_by_day(store, org.anna, date(2026, 11, 25), NOV_30)
    days = [date(2026, 11, d) for d in (26, 27, 28)]
    assert [wide[d] for d in days] == [narrow[d] for d in days] == [0, 2, 10]


def _pay_by_day(store: Store, first: date, last: date) -> dict[tuple[str, date], tuple]:
    with store.session() as s:
        report = payroll(s, first, last)
    return {
        (line.person.id, d.record.work_date): (d.regular_hours, d.overtime_hours)
        for line in report.lines
        for d in line.days
    }


@pytest.mark.parametrize("seed", range(6))
def test_each_day_is_paid_the_same_whatever_range_is_asked(
    store: Store, org: Org, seed: int
) -> None:
    """Random long days over three weeks, a random part of them closed under one
    week start and daily overtime, the rest under another week start and none: the
    days of a range are paid as the days of the same range asked in two parts,
    wherever it is cut (a cut inside the closed days once changed the pay of the
    week after them)."""
    rng = random.Random(seed)
    start = date(2026, 11, 16)
    first_rules = {
        "week_start": rng.randrange(7),
        "daily_overtime_hours": rng.choice(["8", "9"]),
        "weekly_overtime_hours": rng.choice(["30", "40"]),
        "unpaid_break_minutes": 0,
    }
    with store.session() as s:
        set_policy(s, **first_rules)
    for n in range(21):
        for who in (org.anna, org.ben):
            if rng.random() < 0.9:  # long days, each past the daily overtime first paid
                end = rng.choice(["17:00", "19:00"])
                work(store, org, who, start + timedelta(days=n), "07:00", end)
    closed_from = start + timedelta(days=rng.randrange(3))
    _close(store, closed_from, closed_from + timedelta(days=rng.randrange(5, 14)))
    with store.session() as s:
        set_policy(
            s,
            week_start=(first_rules["week_start"] + rng.randrange(1, 7)) % 7,
            daily_overtime_hours="0",
            weekly_overtime_hours=rng.choice(["32", "36"]),
        )
    last = start + timedelta(days=20)
    whole = _pay_by_day(store, start, last)
    for cut in range(1, 21):
        parts = _pay_by_day(store, start, start + timedelta(days=cut - 1))
        parts |= _pay_by_day(store, start + timedelta(days=cut), last)
        differ = {k: (v, parts.get(k)) for k, v in whole.items() if parts.get(k) != v}
        assert not differ, (cut, first_rules, sorted(differ.items())[:4])


def test_a_line_paid_at_two_multipliers_shows_none_and_adds_each_spans_pay(
    store: Store, org: Org
) -> None:
    """30 Nov (closed, ×1.5) and 1 Dec (×2), ten hours each: Anna's line holds
    overtime paid at both, so it shows no multiplier (no single one prices it) and
    its overtime pay is each day's, added. Ben's overtime is all on 30 Nov: his
    line keeps ×1.5 and hours × rate × 1.5 is still what it paid."""
    _ten_hour_days(store, org, NOV_30, DEC_1)
    work(store, org, org.ben, NOV_30, "08:00", "18:00")
    _close(store)
    with store.session() as s:
        set_policy(s, overtime_multiplier="2")
        report = payroll(s, NOV_30, DEC_1, employee_ids=[org.anna, org.ben])
    anna, ben = (next(x for x in report.lines if x.person.id == who) for who in (org.anna, org.ben))
    paid_at = (Decimal("1.5"), Decimal(2))
    per_day = [
        money(d.overtime_hours * anna.rate * m) for d, m in zip(anna.days, paid_at, strict=True)
    ]
    assert [d.overtime_hours for d in anna.days] == [Decimal(2), Decimal(2)]
    assert (anna.multiplier, anna.overtime_pay) == (None, sum(per_day))
    assert anna.regular_pay == money(anna.regular_hours * anna.rate)
    assert anna.gross == anna.regular_pay + anna.overtime_pay + anna.leave_pay - anna.penalty
    assert ben.multiplier == Decimal("1.5")
    assert ben.overtime_pay == money(ben.overtime_hours * ben.rate * ben.multiplier) > 0
    assert [(s.first, s.last) for s in report.spans] == [(NOV_30, NOV_30), (DEC_1, DEC_1)]
    assert [s.rules.overtime_multiplier for s in report.spans] == [Decimal("1.5"), Decimal(2)]


def test_closed_and_rules_read_together_match_each_read_alone(store: Store, org: Org) -> None:
    """One statement for a single shift's check gives what the two loaders give: no
    period closed, two closed (one reopened, not counted), and no policy at all."""

    def seen(closed: ClosedDays, rules: RosterRules) -> tuple:
        """What a check reads of them (a period is a row of whichever statement)."""
        periods = [(p.id, p.first_day, p.last_day, p.closed_by) for p in closed.periods]
        windows = (closed.overnight_day, closed.zones, closed.match_before, closed.match_after)
        return periods, windows, rules

    def both(s):
        return seen(ClosedDays.load(s, org.company_id), RosterRules.for_company(s, org.company_id))

    with store.session() as s:
        policy = s.scalar(select(PayPolicy))
        policy.min_rest_hours, policy.week_start, policy.overnight_day = 9, 6, "end"
    with store.session() as s:
        assert seen(*closed_and_rules(s, org.company_id)) == both(s)
        assert closed_and_rules(s, org.company_id)[0] is NOTHING_CLOSED
    _close(store)
    _close(store, DEC_1, date(2026, 12, 31))
    with store.session() as s:
        reopen_period(s, DEC_1, date(2026, 12, 31), actor="anna", reason="a late punch")
    with store.session() as s:
        closed, rules = closed_and_rules(s, org.company_id)
        assert seen(closed, rules) == both(s)
        assert [p.first_day for p in closed.periods] == [NOV_1]
        assert closed.overnight_day == "end"
        assert rules.week_start == 6
    with store.session() as s:
        s.delete(s.scalar(select(PayPolicy)))
    with store.session() as s:
        closed, rules = closed_and_rules(s, org.company_id)
        assert seen(closed, rules) == both(s)
        assert rules == RosterRules()
        assert [p.first_day for p in closed.periods] == [NOV_1]
