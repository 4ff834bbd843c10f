"""The store's pay policy is changed through core: every field within its bounds,
checked with a clear sentence naming it, one undo step, queued for the server,
read by the next check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.attendance import Rules
from core.changes import Changes
from core.errors import ValidationError
from core.models import OutboxEntry, OutboxOp
from core.models.policy import PAY_FIELDS
from core.policy import SETTINGS, allowed, set_policy, show_policy, store_policy
from core.scheduling import ShiftDraft, check_draft
from core.store import Store
from core.wire import COLLECTIONS, PAY
from tests.conftest import MONDAY, Org


def _long_shift_warnings(store: Store, org: Org) -> list[str]:
    with store.session() as s:
        draft = ShiftDraft(org.site_id, MONDAY, "07:00", "18:30", employee_ids=(org.anna,))
        return [w.reason for w in check_draft(s, draft).warnings]


def test_the_long_shift_limit_set_is_the_one_the_next_check_uses(store: Store, org: Org) -> None:
    assert _long_shift_warnings(store, org) == []  # 11.5 h: within the default 12
    with store.session() as s:
        result = set_policy(s, max_shift_hours="10,5")
    assert result.applied
    assert result.changed == Changes.ORGANISATION
    assert _long_shift_warnings(store, org) == ["lasts 11.5 h, longer than 10.5 h"]
    with store.session() as s:
        assert show_policy(s).max_shift_hours == Decimal("10.5")
        assert not set_policy(s, max_shift_hours=Decimal("10.50")).applied  # no change
    with store.session() as s:
        result.undo(s)
    with store.session() as s:
        assert show_policy(s).max_shift_hours == 12


def test_zero_turns_the_long_shift_warning_off(store: Store, org: Org) -> None:
    with store.session() as s:
        set_policy(s, max_shift_hours=0)
    with store.session() as s:
        draft = ShiftDraft(org.site_id, MONDAY, "06:00", "22:00", employee_ids=(org.anna,))
        assert check_draft(s, draft).warnings == ()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("25", "25 is outside 0 to 24 hours (0 turns the long-shift warning off)"),
        ("-1", "-1 is outside 0 to 24 hours (0 turns the long-shift warning off)"),
        ("twelve", "'twelve' is not a number of hours (e.g. 12 or 10.5)"),
        ("nan", "'nan' is not a number of hours (e.g. 12 or 10.5)"),
        ("10.125", "10.125 has more than two decimal places (e.g. 10.25)"),
    ],
)
def test_a_limit_outside_a_day_is_refused_naming_the_field_and_keeps_the_old(
    store: Store, org: Org, value: str, problem: str
) -> None:
    with store.session() as s, pytest.raises(ValidationError) as refused:
        set_policy(s, max_shift_hours=value)
    assert (refused.value.field, refused.value.problem) == ("max_shift_hours", problem)
    with store.session() as s:
        assert show_policy(s).max_shift_hours == 12


def test_a_store_not_set_up_has_no_policy_to_set(store: Store) -> None:
    with store.session() as s, pytest.raises(ValidationError) as refused:
        set_policy(s, max_shift_hours=8)
    assert refused.value.field == "company"
    assert "not set up yet" in refused.value.problem


def test_every_field_is_set_checked_and_undone_as_one_step(store: Store, org: Org) -> None:
    with store.session() as s:
        result = set_policy(
            s,
            daily_overtime_hours="7,5",
            weekly_overtime_hours=38,
            overtime_multiplier="1.25",
            late_penalty_per_minute="0.1234",
            grace_minutes="10",
            match_before_minutes=60,
            match_after_minutes=300,
            overnight_day="End",
            week_start="sunday",
            min_rest_hours="10.5",
            max_consecutive_days=5,
            unpaid_break_minutes=30,
            unpaid_break_after_hours="5.5",
        )
    assert result.applied
    with store.session() as s:
        row = show_policy(s)
    assert (row.daily_overtime_hours, row.weekly_overtime_hours) == (Decimal("7.5"), 38)
    assert (row.overtime_multiplier, row.late_penalty_per_minute) == (
        Decimal("1.25"),
        Decimal("0.1234"),
    )
    assert (row.grace_minutes, row.match_before_minutes, row.match_after_minutes) == (10, 60, 300)
    assert (row.overnight_day, row.week_start) == ("end", 6)
    assert (row.min_rest_hours, row.max_consecutive_days) == (Decimal("10.5"), 5)
    assert (row.unpaid_break_minutes, row.unpaid_break_after_hours) == (30, Decimal("5.5"))
    with store.session() as s:
        result.undo(s)
    with store.session() as s:
        row = show_policy(s)
    assert (row.daily_overtime_hours, row.overnight_day, row.week_start) == (8, "start", 0)
    assert (row.overtime_multiplier, row.unpaid_break_minutes) == (Decimal("1.5"), 0)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("overtime_multiplier", "0.9", "0.9 is outside 1 to 10 (1 pays overtime as regular time)"),
        ("daily_overtime_hours", "-1", "-1 is outside 0 to 24 hours (0 turns daily overtime off)"),
        (
            "weekly_overtime_hours",
            "169",
            "169 is outside 0 to 168 hours (0 turns weekly overtime off)",
        ),
        (
            "late_penalty_per_minute",
            "-0.5",
            "-0.5 is outside 0 to 1000 (an amount per minute late; 0: none)",
        ),
        (
            "late_penalty_per_minute",
            "0.12345",
            "0.12345 has more than four decimal places (e.g. 0.1234)",
        ),
        ("grace_minutes", "2.5", "'2.5' is not a whole number of minutes"),
        ("grace_minutes", 241, "241 is outside 0 to 240 minutes"),
        ("match_after_minutes", "lots", "'lots' is not a whole number of minutes"),
        ("week_start", 7, "7 is outside 0 to 6 (0 = Monday ... 6 = Sunday)"),
        (
            "overnight_day",
            "middle",
            "'middle' is neither start nor end (the day an overnight shift's hours count toward)",
        ),
        ("min_rest_hours", "49", "49 is outside 0 to 48 hours (0 turns the rest warning off)"),
        (
            "max_consecutive_days",
            -1,
            "-1 is outside 0 to 31 days (0 turns the days-in-a-row warning off)",
        ),
        ("unpaid_break_after_hours", "x", "'x' is not a number of hours (e.g. 6 or 5.5)"),
        ("daily_overtime_hours", " ", "give a number of hours (e.g. 8 or 7.5)"),
        ("grace_minutes", "", "give a whole number of minutes"),
    ],
)
def test_each_field_is_refused_out_of_bounds_naming_it_and_nothing_changes(
    store: Store, org: Org, field: str, value: object, problem: str
) -> None:
    with store.session() as s, pytest.raises(ValidationError) as refused:
        set_policy(s, **{"match_before_minutes": 7, field: value})
    assert (refused.value.field, refused.value.problem) == (field, problem)
    with store.session() as s:
        assert show_policy(s).match_before_minutes == 120  # the good one did not go alone


def test_an_unknown_setting_is_refused_by_name(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(ValidationError) as refused:
        set_policy(s, overtime_rate="2")
    assert (refused.value.field, refused.value.problem) == (
        "overtime_rate",
        "is not a setting of the pay policy",
    )


def test_the_policy_is_its_companys_record_and_an_edit_is_queued_not_its_creation(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        policy = store_policy(s)
        assert policy.id == policy.company_id  # one per company, named alike everywhere
        mine = select(OutboxEntry).where(OutboxEntry.collection == "paypolicies")
        assert s.scalars(mine).all() == []  # made with the company, not queued
        set_policy(s, daily_overtime_hours=7, grace_minutes=10)
    with store.session() as s:
        [entry] = s.scalars(mine).all()
        assert (entry.collection, entry.record_id, entry.op) == (
            "paypolicies",
            org.company_id,
            OutboxOp.UPDATE,
        )
        assert entry.fields["changed"] == ["daily_overtime_hours", "grace_minutes"]
        assert store_policy(s).dirty


def test_each_fields_bounds_read_as_its_refusal_says_them(store: Store, org: Org) -> None:
    assert allowed("daily_overtime_hours") == "0 to 24 hours (0 turns daily overtime off)"
    assert allowed("grace_minutes") == "0 to 240 minutes"
    for name in SETTINGS:
        with store.session() as s, pytest.raises(ValidationError) as refused:
            set_policy(s, **{name: 5000})
        assert refused.value.problem == f"5000 is outside {allowed(name)}"


def test_the_pay_guarded_settings_are_exactly_what_attendance_and_payroll_read() -> None:
    """One list: a setting payroll reads is guarded as pay on the wire, and one it
    does not read is not."""
    guarded = {f.attr for f in COLLECTIONS["paypolicies"].fields if f.guard == PAY}
    assert guarded == set(PAY_FIELDS) == set(Rules.__dataclass_fields__)
