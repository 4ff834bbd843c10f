"""The store's pay policy is changed through core: the long-shift limit within 0 to
24 hours, checked with a clear sentence, one undo step, read by the next check."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.changes import Changes
from core.errors import ValidationError
from core.policy import set_policy, show_policy
from core.scheduling import ShiftDraft, check_draft
from core.store import Store
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
