"""The builder's rule shapes, to RRULE text and back."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.templates.rule import RuleSpec, describe, from_text, to_text

START = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (RuleSpec("DAILY"), "FREQ=DAILY"),
        (RuleSpec("WEEKLY", 2, ("WE", "MO")), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"),
        (RuleSpec("MONTHLY", month_day=15, count=6), "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6"),
        (
            RuleSpec("MONTHLY", position=-1, weekday="FR", until=date(2026, 12, 31)),
            "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231",
        ),
    ],
)
def test_a_spec_writes_its_rule_and_reads_back_the_same(spec: RuleSpec, text: str) -> None:
    assert to_text(spec) == text
    again = from_text(text)
    assert again is not None
    assert to_text(again) == text


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=YEARLY;BYMONTH=3",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1",
        "FREQ=DAILY;BYDAY=MO",
        "FREQ=WEEKLY;UNTIL=20261231T230000Z",
        "FREQ=WEEKLY\nEXDATE:20260608",
        "not a rule",
    ],
)
def test_rules_the_controls_cannot_show_are_left_to_the_text(text: str) -> None:
    assert from_text(text) is None


def test_a_typed_rule_with_its_prefix_and_lower_case_is_read() -> None:
    assert from_text("RRULE:freq=weekly;byday=sa,su") == RuleSpec("WEEKLY", weekdays=("SA", "SU"))


def test_rules_read_as_sentences() -> None:
    assert describe(RuleSpec("WEEKLY", weekdays=("MO", "TU", "WE", "TH", "FR")), START) == (
        "Every weekday (Mon–Fri)"
    )
    assert describe(RuleSpec("WEEKLY", 2, ("MO", "TH"), count=4), START) == (
        "Every 2 weeks on Mon, Thu, 4 times"
    )
    assert describe(RuleSpec("MONTHLY", position=-1, weekday="FR"), START) == (
        "Every month on the last Friday"
    )
    assert describe(RuleSpec("MONTHLY"), START) == "Every month on day 1"
