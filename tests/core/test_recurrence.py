from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import ValidationError
from core.recurrence import MAX_PREVIEW, check_form, occurrences, parse, preview, validate

JAN_1 = date(2026, 1, 1)  # a Thursday


def test_last_friday_of_each_month() -> None:
    assert preview("FREQ=MONTHLY;BYDAY=-1FR", JAN_1, 4) == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
    ]


def test_first_monday_of_each_month() -> None:
    assert preview("RRULE:FREQ=MONTHLY;BYDAY=1MO", JAN_1, 3) == [
        date(2026, 1, 5),
        date(2026, 2, 2),
        date(2026, 3, 2),
    ]


def test_month_day_31_skips_the_months_that_are_shorter() -> None:
    assert preview("FREQ=MONTHLY;BYMONTHDAY=31", JAN_1, 5) == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
        date(2026, 8, 31),
    ]


def test_last_workday_of_the_month_through_bysetpos() -> None:
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    # May 2026 ends on a Sunday, so its last workday is Friday the 29th.
    assert preview(rule, JAN_1, 5) == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 29),
    ]


def test_every_other_week_on_two_days() -> None:
    assert preview("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", date(2026, 1, 5), 4) == [
        date(2026, 1, 5),
        date(2026, 1, 7),
        date(2026, 1, 19),
        date(2026, 1, 21),
    ]


def test_start_date_outside_the_pattern_is_not_an_occurrence() -> None:
    assert preview("FREQ=WEEKLY;BYDAY=MO", JAN_1, 2) == [date(2026, 1, 5), date(2026, 1, 12)]


def test_exdate_lines_remove_dates_in_every_notation() -> None:
    rule = "\n".join(
        [
            "RRULE:FREQ=DAILY;COUNT=6",
            "EXDATE;VALUE=DATE:20260102",
            "EXDATE:20260103T090000,2026-01-04",
        ]
    )
    assert preview(rule, JAN_1, 10) == [date(2026, 1, 1), date(2026, 1, 5), date(2026, 1, 6)]


def test_exdate_in_utc_or_another_zone_is_read_as_a_local_date() -> None:
    # 23:30 UTC on 1 Jan is already 2 Jan in Berlin; 01:00 in Tokyo on 4 Jan is 3 Jan there.
    rule = "FREQ=DAILY;COUNT=5\nEXDATE:20260101T233000Z\nEXDATE;TZID=Asia/Tokyo:20260104T010000"
    assert preview(rule, JAN_1, 10, tz="Europe/Berlin") == [
        date(2026, 1, 1),
        date(2026, 1, 4),
        date(2026, 1, 5),
    ]


def test_count_counts_before_exdate_removes_any() -> None:
    assert preview("FREQ=DAILY;COUNT=3\nEXDATE:20260102", JAN_1, 10) == [
        date(2026, 1, 1),
        date(2026, 1, 3),
    ]


def test_count_ends_the_rule_inside_a_longer_range() -> None:
    found = occurrences("FREQ=WEEKLY;BYDAY=TH;COUNT=3", JAN_1, JAN_1, date(2026, 12, 31))
    assert found == [date(2026, 1, 1), date(2026, 1, 8), date(2026, 1, 15)]


def test_a_range_cuts_a_longer_count() -> None:
    found = occurrences("FREQ=DAILY;COUNT=100", JAN_1, date(2026, 1, 10), date(2026, 1, 12))
    assert found == [date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 12)]


def test_a_range_before_the_start_date_begins_at_the_start_date() -> None:
    found = occurrences("FREQ=DAILY", JAN_1, date(2025, 12, 1), date(2026, 1, 2))
    assert found == [date(2026, 1, 1), date(2026, 1, 2)]


def test_an_endless_rule_is_listed_only_within_the_range() -> None:
    found = occurrences("FREQ=DAILY", JAN_1, date(2030, 3, 1), date(2030, 3, 7))
    assert found == [date(2030, 3, 1) + timedelta(days=n) for n in range(7)]


def test_floating_until_includes_its_day() -> None:
    assert preview("FREQ=DAILY;UNTIL=20260103", JAN_1, 10)[-1] == date(2026, 1, 3)
    assert preview("FREQ=DAILY;UNTIL=20260103T080000", JAN_1, 10)[-1] == date(2026, 1, 3)


def test_utc_until_is_its_date_in_the_sites_zone() -> None:
    # Berlin is UTC+2 in summer: 21:59:59Z is still 31 March, 23:00Z is 1 April.
    start = date(2026, 3, 30)
    before_midnight = preview("FREQ=DAILY;UNTIL=20260331T215959Z", start, 10, "Europe/Berlin")
    after_midnight = preview("FREQ=DAILY;UNTIL=20260331T230000Z", start, 10, "Europe/Berlin")
    in_new_york = preview("FREQ=DAILY;UNTIL=20260331T230000Z", start, 10, "America/New_York")
    assert before_midnight[-1] == date(2026, 3, 31)
    assert after_midnight[-1] == date(2026, 4, 1)
    assert in_new_york[-1] == date(2026, 3, 31)


def test_a_dtstart_line_equal_to_the_start_date_is_accepted() -> None:
    assert preview("DTSTART:20260101\nRRULE:FREQ=DAILY;COUNT=2", JAN_1, 5) == [
        date(2026, 1, 1),
        date(2026, 1, 2),
    ]


def test_lower_case_and_a_trailing_semicolon_are_accepted() -> None:
    assert parse("rrule:freq=weekly;byday=mo;", JAN_1).first(1) == [date(2026, 1, 5)]


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("", "the rule is empty"),
        ("BYDAY=MO", "no FREQ"),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not a frequency"),
        ("FREQ=HOURLY", "repeats within a day"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR sets times of day"),
        ("FREQ=DAILY;COLOUR=RED", "'COLOUR' is not a part of a recurrence rule"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number of 1 or more"),
        ("FREQ=DAILY;COUNT=x", "COUNT must be a whole number"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20260301", "give COUNT or UNTIL, not both"),
        ("FREQ=DAILY;UNTIL=2026", "UNTIL '2026' is not a date"),
        ("FREQ=DAILY;UNTIL=20261399", "not a real date"),
        ("FREQ=DAILY;UNTIL=20251231", "UNTIL (2025-12-31) is before the start date"),
        ("FREQ=MONTHLY;BYDAY=8MO", "Monday number 8 of a month, which has at most 5"),
        ("FREQ=YEARLY;BYDAY=54MO", "Monday number 54 of a year, which has at most 53"),
        ("FREQ=WEEKLY;BYDAY=1MO", "needs FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=WEEKLY;BYDAY=MON", "'MON' is not a weekday"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32: days of a month run from 1 to 31"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used with FREQ=WEEKLY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13: months run from 1 to 12"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "BYMONTHDAY=30 never falls in February"),
        ("FREQ=MONTHLY;BYSETPOS=-1", "BYSETPOS picks from the days other BY parts select"),
        ("FREQ=MONTHLY;BYYEARDAY=100", "BYYEARDAY needs FREQ=YEARLY"),
        ("FREQ=WEEKLY;WKST=XX", "WKST=XX is not a weekday"),
        ("FREQ=DAILY;COUNT", "'COUNT' is not a NAME=VALUE part"),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "never produces a date"),
        ("FREQ=DAILY;COUNT=1\nEXDATE:20260101", "EXDATE removes every date"),
        ("FREQ=DAILY\nEXDATE:tomorrow", "EXDATE 'tomorrow' is not a date"),
        ("FREQ=DAILY\nRDATE:20260105", "'RDATE' is not understood here"),
        ("FREQ=DAILY\nFREQ=WEEKLY", "give one RRULE, not 2"),
        ("DTSTART:20260105\nRRULE:FREQ=DAILY", "differs from the template's start date"),
    ],
)
def test_invalid_rules_are_refused_with_a_message_naming_the_problem(rule: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate(rule, JAN_1)
    assert info.value.field == "rrule"
    assert words in info.value.problem


def test_preview_count_must_be_sensible() -> None:
    with pytest.raises(ValidationError) as info:
        preview("FREQ=DAILY", JAN_1, MAX_PREVIEW + 1)
    assert info.value.field == "count"


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        occurrences("FREQ=DAILY", JAN_1, date(2026, 2, 1), date(2026, 1, 1))
    assert info.value.field == "to"


@pytest.mark.parametrize("rule", ["FREQ=DAILY", "FREQ=DAILY;UNTIL=20260110T000000Z"])
def test_an_unknown_zone_is_refused_whatever_the_rule(rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        preview(rule, JAN_1, 3, "Mars/Olympus")
    assert info.value.field == "timezone"


#: Rules whose problem shows only against a start date (the template's check, not the form's).
_NEED_A_START = ("is before the start date", "never produces", "EXDATE removes", "differs from")


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=DAILY;BYHOUR=9", "FREQ=WEEKLY;BYDAY=1MO"])
def test_the_form_check_refuses_in_the_words_of_the_full_check(rule: str) -> None:
    with pytest.raises(ValidationError) as full:
        validate(rule, JAN_1)
    with pytest.raises(ValidationError) as form:
        check_form(rule)
    assert (form.value.field, form.value.problem) == (full.value.field, full.value.problem)


def test_the_form_check_leaves_what_needs_a_start_date_to_the_full_check() -> None:
    for rule in (
        "FREQ=DAILY;UNTIL=20251231",
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
        "DTSTART:20260105\nRRULE:FREQ=DAILY",
    ):
        assert check_form(f" {rule} ") == rule
        with pytest.raises(ValidationError) as full:
            validate(rule, JAN_1)
        assert any(words in full.value.problem for words in _NEED_A_START)
