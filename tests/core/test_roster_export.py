from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import update

from core.errors import NotFound, ValidationError
from core.export.ical import build_calendar
from core.export.pdf_fonts import ENV_FONTS, fallback_candidates
from core.export.roster_file import export_roster
from core.export.roster_pdf import RotaLayout, render_pdf, weeks
from core.export.roster_scope import RosterScope, load_export
from core.models import Employee, LeaveRequest, LeaveStatus, PayPolicy, ShiftStatus
from core.roster import RosterFilter
from core.scheduling import ShiftDraft, create_shift, edit_shift, publish_shifts
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.pdf_structure import font_with, page_count, page_size, shown_text

SUNDAY = MONDAY + timedelta(days=6)
BERLIN = ZoneInfo("Europe/Berlin")
#: Last Saturdays before Europe's clock changes in 2026 (last Sundays of March and October).
SPRING_SATURDAY = date(2026, 3, 28)
AUTUMN_SATURDAY = date(2026, 10, 24)


def _shift(
    store: Store, org: Org, day: date, start: str, end: str, *, publish: bool = True, **kw
) -> str:
    with store.session() as s:
        result = create_shift(s, ShiftDraft(org.site_id, day, start, end, **kw))
        assert result.applied, result.conflicts
        if publish:
            publish_shifts(s, list(result.ids))
    return result.ids[0]


def _export(store: Store, scope: RosterScope):
    with store.session() as s:
        return load_export(s, scope)


def _events(store: Store, scope: RosterScope) -> dict[str, object]:
    calendar = Calendar.from_ical(build_calendar(_export(store, scope)).to_ical())
    return {str(ev["uid"]): ev for ev in calendar.walk("VEVENT")}


def _week(**kw) -> RosterScope:
    return RosterScope(MONDAY, SUNDAY, **kw)


# --- what is exported --------------------------------------------------------------------


def test_drafts_are_left_out_unless_asked_for(store: Store, org: Org) -> None:
    published = _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    draft = _shift(
        store,
        org,
        MONDAY + timedelta(days=1),
        "09:00",
        "17:00",
        employee_ids=(org.anna,),
        publish=False,
    )
    assert set(_events(store, _week())) == {published}
    with_drafts = _events(store, _week(drafts=True))
    assert set(with_drafts) == {published, draft}
    assert str(with_drafts[draft]["status"]) == "TENTATIVE"
    assert str(with_drafts[published]["status"]) == "CONFIRMED"


def test_a_person_gets_their_named_and_department_shifts_and_no_one_elses(
    store: Store, org: Org
) -> None:
    mine = _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    team = _shift(
        store,
        org,
        MONDAY + timedelta(days=2),
        "08:00",
        "12:00",
        department_ids=(org.kitchen_id,),
        department_id=org.kitchen_id,
    )
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.cara,))
    _shift(store, org, MONDAY, "10:00", "14:00", department_id=org.kitchen_id)  # open
    assert set(_events(store, _week(employee_ids=(org.anna,)))) == {mine, team}


def test_a_department_gets_its_peoples_shifts_and_its_open_ones_each_once(
    store: Store, org: Org
) -> None:
    anna = _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    both = _shift(
        store,
        org,
        MONDAY + timedelta(days=1),
        "09:00",
        "17:00",
        employee_ids=(org.anna, org.ben),
        department_id=org.kitchen_id,
    )
    open_ = _shift(
        store, org, MONDAY, "10:00", "14:00", department_id=org.kitchen_id, location="Pass"
    )
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.cara,))
    events = _events(store, _week(department_ids=("kitchen",)))  # a name, any case
    assert set(events) == {anna, both, open_}
    assert str(events[open_]["summary"]) == "Open shift: Kitchen / Pass"
    assert "Anna Berg, Ben Cole" in str(events[both]["description"])


def test_unknown_people_and_departments_are_named(store: Store, org: Org) -> None:
    with pytest.raises(NotFound, match="nobody"):
        _export(store, _week(employee_ids=("nobody",)))
    with pytest.raises(NotFound, match="Bakery"):
        _export(store, _week(department_ids=("Bakery",)))


def test_a_backwards_or_overlong_range_is_refused(store: Store, org: Org) -> None:
    with pytest.raises(ValidationError, match="before"):
        _export(store, RosterScope(SUNDAY, MONDAY))
    with pytest.raises(ValidationError, match="at most 93"):
        _export(store, RosterScope(MONDAY, MONDAY + timedelta(days=100)))


# --- iCalendar ---------------------------------------------------------------------------


def test_events_carry_the_shift_id_summary_and_zone_and_reexport_keeps_uids(
    store: Store, org: Org
) -> None:
    sid = _shift(
        store,
        org,
        MONDAY,
        "09:00",
        "17:30",
        employee_ids=(org.anna,),
        department_id=org.kitchen_id,
        location="Pass",
    )
    first = _events(store, _week())
    again = _events(store, _week())
    assert list(first) == list(again) == [sid]
    event = first[sid]
    assert str(event["summary"]) == "Anna Berg · Kitchen / Pass"
    assert str(event["location"]) == "Pass"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == datetime(2026, 6, 1, 9, 0, tzinfo=BERLIN)
    assert str(start.tzinfo) == "Europe/Berlin"
    assert end - start == timedelta(hours=8, minutes=30)
    assert start.astimezone(UTC) == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def test_a_team_calendar_names_the_people_and_a_personal_one_does_not(
    store: Store, org: Org
) -> None:
    solo = _shift(
        store,
        org,
        MONDAY,
        "08:00",
        "16:00",
        employee_ids=(org.anna,),
        department_id=org.kitchen_id,
        location="kitchen",
    )
    crew = _shift(
        store,
        org,
        MONDAY + timedelta(days=1),
        "08:00",
        "16:00",
        employee_ids=(org.anna, org.ben),
        department_id=org.kitchen_id,
    )
    team = _events(store, _week(department_ids=("Kitchen",)))
    assert str(team[solo]["summary"]) == "Anna Berg · Kitchen"  # no "Kitchen / kitchen"
    assert str(team[crew]["summary"]) == "Anna Berg, Ben Cole · Kitchen"
    assert str(_events(store, _week())[solo]["summary"]) == "Anna Berg · Kitchen"
    own = _events(store, _week(employee_ids=(org.anna,)))
    assert str(own[solo]["summary"]) == "Kitchen"
    assert str(own[crew]["summary"]) == "Kitchen"


def test_the_calendar_carries_the_sites_zone_definition(store: Store, org: Org) -> None:
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    data = build_calendar(_export(store, _week())).to_ical()
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in data
    assert b"DTSTART;TZID=Europe/Berlin:20260601T090000" in data


@pytest.mark.parametrize(
    ("saturday", "hours"),
    [(AUTUMN_SATURDAY, 9), (SPRING_SATURDAY, 7)],
    ids=["clocks-back-lasts-9h", "clocks-forward-lasts-7h"],
)
def test_an_overnight_shift_across_a_dst_change_lasts_what_it_really_lasts(
    store: Store, org: Org, saturday: date, hours: int
) -> None:
    sid = _shift(store, org, saturday, "22:00", "06:00", employee_ids=(org.dan,))
    events = _events(store, RosterScope(saturday, saturday + timedelta(days=1)))
    start, end = events[sid].decoded("dtstart"), events[sid].decoded("dtend")
    assert (start.hour, end.hour, end.date() - start.date()) == (22, 6, timedelta(days=1))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)


def test_a_cancelled_shift_is_kept_as_cancelled_so_calendars_drop_it(
    store: Store, org: Org
) -> None:
    sid = _shift(
        store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,), status=ShiftStatus.CANCELLED
    )
    event = _events(store, _week())[sid]
    assert str(event["status"]) == "CANCELLED"


def test_the_schedules_filters_apply(store: Store, org: Org) -> None:
    kitchen = _shift(
        store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,), location="Pass"
    )
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.cara,), location="Bar")
    assert set(_events(store, _week(filter=RosterFilter(location="Pass")))) == {kitchen}
    shown = RosterFilter(department_id=org.kitchen_id)
    assert set(_events(store, _week(filter=shown))) == {kitchen}


# --- PDF ---------------------------------------------------------------------------------


def _pdf(store: Store, scope: RosterScope, *, per_department: bool = True) -> bytes:
    return render_pdf(_export(store, scope), per_department=per_department, compress=False)


def test_the_pdf_has_a_landscape_page_per_department_with_names_times_and_legend(
    store: Store, org: Org
) -> None:
    _shift(
        store,
        org,
        MONDAY,
        "09:00",
        "17:00",
        employee_ids=(org.anna,),
        location="Pass",
        department_id=org.kitchen_id,
    )
    _shift(
        store, org, MONDAY, "22:00", "06:00", employee_ids=(org.cara,), department_id=org.floor_id
    )
    _shift(store, org, MONDAY, "10:00", "14:00", department_id=org.kitchen_id)  # open
    pdf = _pdf(store, _week())
    assert page_count(pdf) == 2
    width, height = page_size(pdf)
    assert (round(width), round(height)) == (842, 595)  # A4 across
    text = shown_text(pdf)
    assert "Main – Floor" in text
    assert "Main – Kitchen" in text
    assert "Week 23: Mon 01 Jun – Sun 07 Jun 2026" in text
    assert any(t.startswith("printed ") for t in text)
    for name in ("Anna Berg", "Ben Cole", "Cara Diaz", "Dan Evans", "Open shifts"):
        assert name in text
    assert {"09:00–17:00", "22:00–06:00", "10:00–14:00", "Pass"} <= set(text)
    assert "Cancelled" in text
    assert "Leave" in text
    assert "Draft: not published yet" not in text  # no drafts, no key for them
    assert text.count("Page 1 of 2") == 1


def test_all_departments_share_pages_and_each_week_gets_its_own(store: Store, org: Org) -> None:
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    pdf = _pdf(store, RosterScope(MONDAY, SUNDAY + timedelta(days=7)), per_department=False)
    assert page_count(pdf) == 2
    text = shown_text(pdf)
    assert text.count("Main – All departments") == 2
    assert "Week 24: Mon 08 Jun – Sun 14 Jun 2026" in text


def test_pages_follow_calendar_weeks_from_monday_with_days_outside_the_range_greyed(
    store: Store, org: Org
) -> None:
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))  # before the range
    _shift(store, org, MONDAY + timedelta(days=1), "07:00", "15:00", employee_ids=(org.anna,))
    tuesday, next_monday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=14)
    pdf = _pdf(store, RosterScope(tuesday, next_monday), per_department=False)
    assert page_count(pdf) == 3
    text = shown_text(pdf)
    assert "Week 23: Tue 02 Jun – Sun 07 Jun 2026" in text
    assert "Week 24: Mon 08 Jun – Sun 14 Jun 2026" in text
    assert "Week 25: Mon 15 Jun – Mon 15 Jun 2026" in text
    # every page's columns run Monday to Sunday; the days not asked are there, empty
    assert text.count("Mon 01 Jun") == 1
    assert "Sun 21 Jun" in text
    assert "07:00–15:00" in text
    assert "09:00–17:00" not in text


def test_weeks_are_numbered_as_iso_weeks_even_across_the_year_end() -> None:
    pages = list(weeks(date(2026, 12, 1), date(2026, 12, 31)))
    assert [(p.start, p.number) for p in pages] == [
        (date(2026, 11, 30), 49),
        (date(2026, 12, 7), 50),
        (date(2026, 12, 14), 51),
        (date(2026, 12, 21), 52),
        (date(2026, 12, 28), 53),
    ]
    assert pages[0].text == "Week 49: Tue 01 Dec – Sun 06 Dec 2026"
    assert pages[-1].text == "Week 53: Mon 28 Dec – Thu 31 Dec 2026"


def test_pages_start_on_the_companys_week_start(store: Store, org: Org) -> None:
    with store.session() as s:
        s.execute(update(PayPolicy).values(week_start=6))  # Sunday
    pdf = _pdf(store, RosterScope(MONDAY, MONDAY + timedelta(days=6)), per_department=False)
    assert page_count(pdf) == 2
    text = shown_text(pdf)
    assert "Week 23: Mon 01 Jun – Sat 06 Jun 2026" in text
    assert "Week 24: Sun 07 Jun – Sun 07 Jun 2026" in text
    assert "Sun 31 May" in text


def test_the_pdf_marks_drafts_and_cancelled_shifts_and_shows_leave_but_not_its_kind(
    store: Store, org: Org
) -> None:
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,), publish=False)
    _shift(
        store,
        org,
        MONDAY,
        "18:00",
        "20:00",
        employee_ids=(org.ben,),
        location="Bar",
        status=ShiftStatus.CANCELLED,
    )
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=org.cara,
                leave_type="sick",
                start_date=MONDAY,
                end_date=MONDAY,
                status=LeaveStatus.APPROVED,
            )
        )
    pdf = _pdf(store, _week(drafts=True))
    text = shown_text(pdf)
    assert "09:00–17:00" in text
    assert "Draft: not published yet" in text
    assert "(drafts included)" in " ".join(text)
    assert "Cancelled – Bar" in text
    assert text.count("Leave") == page_count(pdf) + 1  # each page's legend, and Cara's day
    assert not any("sick" in t.lower() for t in text)
    assert "09:00–17:00" not in shown_text(_pdf(store, _week()))


def test_a_long_team_continues_on_a_new_page_with_its_band_repeated(store: Store, org: Org) -> None:
    with store.session() as s:
        s.add_all(
            Employee(
                company_id=org.company_id,
                site_id=org.site_id,
                department_id=org.kitchen_id,
                first_name="Cook",
                last_name=f"{n:02d}",
            )
            for n in range(40)
        )
    pdf = _pdf(store, _week(department_ids=(org.kitchen_id,)))
    assert page_count(pdf) == 2
    text = shown_text(pdf)
    assert "Kitchen (continued)" in text
    assert "Cook 00" in text
    assert "Cook 39" in text


def _rename(store: Store, employee_id: str, first: str, last: str) -> None:
    with store.session() as s:
        s.execute(
            update(Employee)
            .where(Employee.id == employee_id)
            .values(first_name=first, last_name=last)
        )


def _named_rota(store: Store, org: Org, fallbacks: list[Path]) -> RotaLayout:
    _rename(store, org.anna, "Zoë", "Łukasiewicz")
    _rename(store, org.ben, "Ødegård", "Ωmega")
    _rename(store, org.dan, "李雷", "Wang")
    for who in (org.anna, org.ben, org.dan):
        _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(who,), location="Café Ŝ")
    return RotaLayout(_export(store, _week()), per_department=False, fallbacks=fallbacks)


def test_names_outside_western_letters_print_as_written(store: Store, org: Org) -> None:
    rota = _named_rota(store, org, [])
    text = shown_text(rota.render(compress=False))
    assert {"Zoë Łukasiewicz", "Ødegård Ωmega", "Café Ŝ"} <= set(text)
    # no font here has Chinese: each letter prints as "?", not dropped
    assert "?? Wang" in text
    assert rota.pdf.font_set.loaded == {}


def test_letters_the_shipped_font_lacks_come_from_a_fallback_font(
    store: Store, org: Org, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    cjk = font_with("李雷", tmp_path / "cjk.ttf")
    rota = _named_rota(store, org, [broken, cjk])
    text = shown_text(rota.render(compress=False))
    assert "李雷 Wang" in text
    assert "Zoë Łukasiewicz" in text
    assert list(rota.pdf.font_set.loaded.values()) == [cjk]  # the broken one passed over


def test_a_rota_that_needs_no_fallback_loads_none(store: Store, org: Org, tmp_path: Path) -> None:
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    rota = RotaLayout(_export(store, _week()), fallbacks=[font_with("李", tmp_path / "cjk.ttf")])
    assert "Anna Berg" in shown_text(rota.render(compress=False))
    assert rota.pdf.font_set.loaded == {}


def test_fallback_fonts_named_in_the_environment_come_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = font_with("李", tmp_path / "named.ttf")
    monkeypatch.setenv(ENV_FONTS, os.pathsep.join([str(named), str(tmp_path / "missing.ttf")]))
    assert fallback_candidates()[0] == named
    assert tmp_path / "missing.ttf" not in fallback_candidates()


# --- files -------------------------------------------------------------------------------


def test_the_suffix_picks_the_format_and_others_are_refused(
    store: Store, org: Org, tmp_path: Path
) -> None:
    _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    with store.session() as s:
        export_roster(s, _week(), tmp_path / "week.PDF")
        export_roster(s, _week(), tmp_path / "week.ics")
        with pytest.raises(ValidationError, match=r"must end in \.pdf or \.ics"):
            export_roster(s, _week(), tmp_path / "week.txt")
        with pytest.raises(ValidationError, match="does not exist"):
            export_roster(s, _week(), tmp_path / "missing" / "week.ics")
    assert (tmp_path / "week.PDF").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "week.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_shift_changed_since_published_is_exported_with_its_current_times(
    store: Store, org: Org
) -> None:
    sid = _shift(store, org, MONDAY, "09:00", "17:00", employee_ids=(org.anna,))
    with store.session() as s:
        assert edit_shift(s, sid, start_time="10:00").applied
    event = _events(store, _week())[sid]
    assert event.decoded("dtstart") == datetime(2026, 6, 1, 10, 0, tzinfo=BERLIN)
    assert str(event["status"]) == "CONFIRMED"


def test_an_export_that_matches_nobody_still_prints_a_page_saying_so(
    store: Store, org: Org
) -> None:
    pdf = _pdf(store, _week(filter=RosterFilter(name="Nobody by this name")))
    assert page_count(pdf) == 1
    assert "Nobody matches this export's people, departments and filters." in shown_text(pdf)
    assert _events(store, _week(filter=RosterFilter(name="Nobody by this name"))) == {}
