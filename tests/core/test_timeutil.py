from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.errors import ValidationError
from core.timeutil import (
    parse_hhmm,
    shift_instants,
    shift_time_problem,
    wall_time_kind,
    zone,
)


def test_day_shift_in_berlin_summer() -> None:
    start, end = shift_instants(date(2026, 6, 1), "09:00", "17:00", "Europe/Berlin")
    assert start == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    assert end == datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


def test_end_before_start_ends_next_day() -> None:
    start, end = shift_instants(date(2026, 6, 1), "22:00", "06:00", "UTC")
    assert end - start == timedelta(hours=8)
    assert end.date() == date(2026, 6, 2)


def test_overnight_across_fall_back_is_one_hour_longer() -> None:
    # Berlin leaves summer time at 03:00 on 25 Oct 2026.
    start, end = shift_instants(date(2026, 10, 24), "22:00", "06:00", "Europe/Berlin")
    assert end - start == timedelta(hours=9)


def test_overnight_across_spring_forward_in_new_york_is_shorter() -> None:
    # New York moves to summer time at 02:00 on 8 Mar 2026.
    start, end = shift_instants(date(2026, 3, 7), "22:00", "06:00", "America/New_York")
    assert end - start == timedelta(hours=7)


def test_equal_start_and_end_is_a_full_day() -> None:
    start, end = shift_instants(date(2026, 6, 1), "08:00", "08:00", "UTC")
    assert end - start == timedelta(hours=24)


@pytest.mark.parametrize("bad", ["24:00", "9:00", "09:60", "nine", ""])
def test_bad_times_name_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_hhmm(bad, "start")
    assert info.value.field == "start"


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe", "", "../etc"])
def test_unknown_zone_is_a_validation_error(name: str) -> None:
    with pytest.raises(ValidationError, match="IANA"):
        shift_instants(date(2026, 6, 1), "09:00", "17:00", name)


def test_wall_time_kind_finds_the_spring_gap_and_the_autumn_fold() -> None:
    berlin = zone("Europe/Berlin")
    assert wall_time_kind(datetime(2026, 3, 29, 2, 30), berlin) == "gap"
    assert wall_time_kind(datetime(2026, 10, 25, 2, 30), berlin) == "fold"
    assert wall_time_kind(datetime(2026, 6, 1, 2, 30), berlin) is None


def test_shift_time_problem_names_the_field_of_a_time_that_does_not_exist() -> None:
    problem = shift_time_problem(date(2026, 3, 29), "02:30", "10:00", "Europe/Berlin")
    assert problem is not None
    assert problem.field == "start"
    assert problem.problem == (
        "02:30 does not exist on Sun 29 Mar in Europe/Berlin: clocks go forward"
    )
    overnight = shift_time_problem(date(2026, 3, 28), "22:00", "02:15", "Europe/Berlin")
    assert overnight is not None
    assert overnight.field == "end"
    assert shift_time_problem(date(2026, 3, 29), "03:00", "10:00", "Europe/Berlin") is None
