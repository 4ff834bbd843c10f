"""Employment dates: the schedule's rules, attendance and payroll at their edges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.attendance import Flag, attendance
from core.autofill import plan_autofill
from core.employees import (
    EmployeeDraft,
    add_employee,
    edit_employee,
    import_employees_csv,
    list_employees,
)
from core.employment import Employment, employed_on
from core.errors import ValidationError
from core.models import Employee
from core.payroll import payroll
from core.roster import load_roster
from core.scheduling import ShiftDraft, copy_week, create_shift, move_shift, preview_move
from core.store import Store
from core.templates import TemplateDraft, apply_template, create_template, expand_template
from core.wire import COLLECTIONS, from_wire, to_wire
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import add_shift, work

#: Anna's first and last day in these tests: a Wednesday and the Friday after.
START = MONDAY + timedelta(days=2)
END = MONDAY + timedelta(days=4)


def _employ(store: Store, who: str, start: date | None = START, end: date | None = END) -> None:
    with store.session() as s:
        assert edit_employee(s, who, employment_start=start, employment_end=end).applied


def _shift(store: Store, org: Org, day: date, start="09:00", end="17:00", who=None):
    with store.session() as s:
        return create_shift(s, ShiftDraft(org.site_id, day, start, end, (who or org.anna,)))


def test_employed_from_the_first_to_the_last_day_both_included() -> None:
    job = Employment(START, END)
    assert [job.covers(START + timedelta(days=n)) for n in (-1, 0, 1, 2, 3)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert Employment(None, None).covers(date(1990, 1, 1))
    assert job.outside("Mia", START - timedelta(days=1)) == "Mia starts on 3 Jun 2026"
    assert job.outside("Mia", END + timedelta(days=1)) == "Mia left on 5 Jun 2026"
    assert job.outside("Mia", END) is None


def test_a_day_outside_employment_and_the_dates_read_as_the_grid_and_the_list_say_them() -> None:
    job = Employment(date(2026, 12, 5), date(2027, 11, 30))
    assert job.off_on(date(2026, 12, 4)) == "Starts on 5 Dec 2026"
    assert job.off_on(date(2027, 12, 1)) == "Left on 30 Nov 2027"
    assert job.off_on(date(2026, 12, 5)) is None
    assert job.span == "5 Dec 2026 – 30 Nov 2027"
    assert Employment(date(2026, 12, 5)).span == "from 5 Dec 2026"
    assert Employment(end=date(2026, 11, 30)).span == "until 30 Nov 2026"
    assert Employment().span == ""


def test_employed_on_reads_a_person(store: Store, org: Org) -> None:
    _employ(store, org.anna)
    with store.session() as s:
        anna = s.get(Employee, org.anna)
        assert employed_on(anna, START)
        assert employed_on(anna, END)
        assert not employed_on(anna, END + timedelta(days=1))


def test_a_shift_on_the_first_and_last_day_is_fine_outside_them_refused(
    store: Store, org: Org
) -> None:
    _employ(store, org.anna)
    assert _shift(store, org, START).applied
    assert _shift(store, org, END).applied
    before = _shift(store, org, START - timedelta(days=1))
    after = _shift(store, org, END + timedelta(days=1))
    assert not before.applied
    assert not after.applied
    assert [(c.kind, c.reason) for c in before.conflicts] == [
        ("employment", "Anna Berg starts on 3 Jun 2026")
    ]
    assert [c.reason for c in after.conflicts] == ["Anna Berg left on 5 Jun 2026"]


def test_an_overnight_shift_starting_on_the_last_day_is_allowed(store: Store, org: Org) -> None:
    """A shift belongs to the day it starts (as payroll counts it), so a night that
    starts on the last day and ends the morning after is still within employment."""
    _employ(store, org.anna)
    assert _shift(store, org, END, "22:00", "06:00").applied
    with store.session() as s:
        line = payroll(s, MONDAY, MONDAY + timedelta(days=6), employee_ids=[org.anna]).lines[0]
    assert [d.record.work_date for d in line.days] == [END]


def test_a_drag_outside_employment_is_refused_with_the_reason(store: Store, org: Org) -> None:
    _employ(store, org.anna)
    sid = _shift(store, org, START, who=org.ben).ids[0]
    with store.session() as s:
        hover = preview_move(s, sid, day=MONDAY, employee_id=org.anna)
        moved = move_shift(s, sid, day=MONDAY, employee_id=org.anna)
        fine = preview_move(s, sid, day=END, employee_id=org.anna)
    assert [c.reason for c in hover.conflicts] == ["Anna Berg starts on 3 Jun 2026"]
    assert not moved.applied
    assert fine.ok


def test_a_template_skips_the_days_outside_employment_and_says_why(store: Store, org: Org) -> None:
    _employ(store, org.anna)
    with store.session() as s:
        tid = create_template(
            s, TemplateDraft(org.site_id, "Day", "09:00", "17:00", "FREQ=DAILY", MONDAY)
        ).ids[0]
        dry = expand_template(s, tid, MONDAY, MONDAY + timedelta(days=6), [org.anna])
        refused = {p.shift_date: [c.reason for c in p.conflicts] for p in dry.shifts if not p.ok}
        applied = apply_template(s, tid, MONDAY, MONDAY + timedelta(days=6), [org.anna])
    assert refused[MONDAY] == ["Anna Berg starts on 3 Jun 2026"]
    assert refused[MONDAY + timedelta(days=6)] == ["Anna Berg left on 5 Jun 2026"]
    assert len(refused) == 4
    assert len(applied.ids) == 3
    assert "Anna Berg starts on 3 Jun 2026" in applied.skipped[0].reason


def test_copy_week_skips_days_after_the_person_left(store: Store, org: Org) -> None:
    for n in range(5):
        assert _shift(store, org, MONDAY + timedelta(days=n)).applied
    _employ(store, org.anna, start=None, end=MONDAY + timedelta(days=7 + 2))
    with store.session() as s:
        copied = copy_week(s, MONDAY, MONDAY + timedelta(days=7))
    assert len(copied.ids) == 3
    assert [x.shift_date for x in copied.skipped] == [
        MONDAY + timedelta(days=10),
        MONDAY + timedelta(days=11),
    ]


def test_a_department_shift_binds_only_members_employed_that_day(store: Store, org: Org) -> None:
    """Anna has not started on Monday: the kitchen's shift goes ahead without her."""
    _employ(store, org.anna)
    with store.session() as s:
        result = create_shift(
            s, ShiftDraft(org.site_id, MONDAY, "09:00", "17:00", department_ids=(org.kitchen_id,))
        )
    assert result.applied, result.conflicts


def test_no_absence_before_the_start_or_after_the_end(store: Store, org: Org) -> None:
    """Shifts written before the dates were known: not absences, and not paid."""
    for day in (START - timedelta(days=1), START, END, END + timedelta(days=1)):
        add_shift(store, org, day, "09:00", "17:00", org.anna)
    work(store, org, org.ben, START, "09:00", "17:00")
    _employ(store, org.anna)
    with store.session() as s:
        days = attendance(s, MONDAY, MONDAY + timedelta(days=6), employee_ids=[org.anna]).days
    absent = [d.work_date for d in days if Flag.ABSENT in d.flags]
    assert absent == [START, END]


def test_payroll_pays_only_days_of_employment(store: Store, org: Org) -> None:
    for day in (START - timedelta(days=1), START, END, END + timedelta(days=1)):
        work(store, org, org.anna, day, "09:00", "17:00")
    _employ(store, org.anna)
    with store.session() as s:
        line = payroll(s, MONDAY, MONDAY + timedelta(days=6), employee_ids=[org.anna]).lines[0]
    assert [d.record.work_date for d in line.days] == [START, END]
    assert line.regular_hours == Decimal(16)


def test_an_end_before_the_start_is_refused_naming_the_field(store: Store, org: Org) -> None:
    with store.session() as s, pytest.raises(ValidationError) as caught:
        add_employee(
            s,
            EmployeeDraft(
                "Mia", "Lund", employment_start="2026-12-05", employment_end="2026-12-01"
            ),
        )
    assert caught.value.field == "employment_end"
    _employ(store, org.anna)
    with store.session() as s, pytest.raises(ValidationError) as caught:
        edit_employee(s, org.anna, employment_start=END + timedelta(days=1))
    assert caught.value.field == "employment_start"
    with store.session() as s, pytest.raises(ValidationError) as caught:
        edit_employee(s, org.anna, employment_end="5/6/2026")
    assert caught.value.field == "employment_end"
    assert "is not a date" in caught.value.problem


def test_csv_import_reads_the_dates(store: Store, org: Org) -> None:
    text = (
        "first_name,last_name,code,employment_start,employment_end\n"
        "Mia,Lund,M1,2026-12-05,\n"
        "Ola,Berg,O1,2026-01-01,2026-11-30\n"
    )
    with store.session() as s:
        import_employees_csv(s, text)
        rows = {r.code: (r.employment_start, r.employment_end) for r in list_employees(s)}
    assert rows["M1"] == (date(2026, 12, 5), None)
    assert rows["O1"] == (date(2026, 1, 1), date(2026, 11, 30))
    bad = (
        "first_name,last_name,code,employment_start,employment_end\n"
        "Mia,Lund,M1,2026-12-05,2026-12-01\n"
    )
    with store.session() as s, pytest.raises(ValidationError) as caught:
        import_employees_csv(s, bad)
    assert "line 2: employment_end the employment would end" in caught.value.problem


def test_the_wire_carries_the_dates_in_camel_case(store: Store, org: Org) -> None:
    _employ(store, org.anna, end=None)
    with store.session() as s:
        record = to_wire(s.get(Employee, org.anna))
    assert (record["employmentStart"], record["employmentEnd"]) == ("2026-06-03", None)
    parsed = from_wire(COLLECTIONS["employees"], {"employmentEnd": "2026-12-31"}, partial=True)
    assert parsed == {"employment_end": date(2026, 12, 31)}


def test_the_grid_shows_a_team_shift_only_in_rows_of_members_employed_then(
    store: Store, org: Org
) -> None:

    _employ(store, org.anna)
    with store.session() as s:
        for day in (MONDAY, START):
            draft = ShiftDraft(org.site_id, day, "09:00", "17:00", department_ids=(org.kitchen_id,))
            assert create_shift(s, draft).applied
        roster = load_roster(s, MONDAY, MONDAY + timedelta(days=6))
    assert roster.shifts(org.anna, MONDAY) == ()
    assert len(roster.shifts(org.anna, START)) == 1
    assert len(roster.shifts(org.ben, MONDAY)) == 1
    assert not any(c.conflicts for c in roster.problems.values())


def test_csv_update_checks_its_dates_against_the_ones_kept(store: Store, org: Org) -> None:
    header = "first_name,last_name,code,employment_start,employment_end\n"
    with store.session() as s:
        import_employees_csv(s, header + "Mia,Lund,M1,2026-12-05,\n")
    with store.session() as s, pytest.raises(ValidationError) as caught:
        import_employees_csv(s, header + "Mia,Lund,M1,,2026-11-30\n")
    assert caught.value.problem.startswith("line 2: employment_end the employment would end")


def test_auto_fill_proposes_nobody_outside_their_employment(store: Store, org: Org) -> None:
    """Auto-fill's hard rules are the conflict index's, employment dates included."""
    for who in (org.ben, org.cara, org.dan):
        _employ(store, who, start=None, end=MONDAY - timedelta(days=1))
    _employ(store, org.anna)
    with store.session() as s:
        opened = [
            create_shift(
                s,
                ShiftDraft(org.site_id, day, "09:00", "17:00", department_id=org.kitchen_id),
            ).ids[0]
            for day in (MONDAY, START)
        ]
        plan = plan_autofill(s, MONDAY, MONDAY + timedelta(days=6))
    assert [(p.shift_id, p.employee_id) for p in plan.proposals] == [(opened[1], org.anna)]
