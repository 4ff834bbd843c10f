from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.changes import Changes
from core.errors import NotFound, ValidationError
from core.models import Employee, LeaveRequest, LeaveStatus, OutboxEntry, Shift, ShiftTemplate
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.templates import (
    Application,
    TemplateDraft,
    apply_template,
    commit_dry_run,
    commit_expansion,
    create_template,
    delete_template,
    dry_run,
    edit_template,
    expand_template,
    expand_templates,
    live_templates,
    site_zones,
)
from tests.conftest import MONDAY, Org

WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


def _template(
    store: Store,
    org: Org,
    rrule: str = WEEKDAYS,
    start: str = "09:00",
    end: str = "17:00",
    name: str = "Early",
) -> str:
    with store.session() as s:
        result = create_template(
            s, TemplateDraft(org.site_id, name, start, end, rrule, MONDAY, location="Bar")
        )
    return result.ids[0]


def _live_shifts(store: Store) -> list[tuple[date, str, tuple[str, ...]]]:
    with store.session() as s:
        shifts = s.scalars(
            select(Shift).where(Shift.deleted.is_(False)).order_by(Shift.shift_date)
        ).all()
        return [(x.shift_date, x.start_time, tuple(x.employee_ids)) for x in shifts]


def _approve_leave(store: Store, org: Org, employee_id: str, day: date) -> str:
    with store.session() as s:
        leave = LeaveRequest(
            company_id=org.company_id,
            employee_id=employee_id,
            start_date=day,
            end_date=day,
            status=LeaveStatus.APPROVED,
        )
        s.add(leave)
        s.flush()
        return leave.id


# --- keeping templates ------------------------------------------------------------------


def test_create_edit_delete_each_undo_exactly(store: Store, org: Org) -> None:
    tid = _template(store, org)
    with store.session() as s:
        edited = edit_template(s, tid, name="Late", start_time="14:00", end_time="22:00")
        assert s.get(ShiftTemplate, tid).start_time == "14:00"
        edited.undo(s)
        template = s.get(ShiftTemplate, tid)
        assert (template.name, template.start_time, template.end_time) == (
            "Early",
            "09:00",
            "17:00",
        )
        deleted = delete_template(s, tid)
        assert live_templates(s) == []
        with pytest.raises(NotFound):
            expand_template(s, tid, MONDAY, MONDAY, [org.anna])
        restored = deleted.undo(s)
        assert [t.id for t in live_templates(s)] == [tid]
        restored.undo(s)
        assert s.get(ShiftTemplate, tid).deleted is True


def test_undoing_a_create_soft_deletes_and_redo_brings_it_back(store: Store, org: Org) -> None:
    with store.session() as s:
        created = create_template(
            s, TemplateDraft(org.site_id, "Night", "22:00", "06:00", "FREQ=DAILY", MONDAY)
        )
        tid = created.ids[0]
        assert created.changed == Changes.TEMPLATES
        redo = created.undo(s)
        assert s.get(ShiftTemplate, tid).deleted is True
        redo.undo(s)
        assert s.get(ShiftTemplate, tid).deleted is False


def test_a_new_template_is_queued_for_sync(store: Store, org: Org) -> None:
    tid = _template(store, org)
    with store.session() as s:
        entries = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == tid)).all()
    assert [(e.collection, e.op) for e in entries] == [("shifttemplates", "create")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"start_time": "9am"}, "start"),
        ({"end_time": "24:00"}, "end"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=8MO"}, "rrule"),
        ({"department_id": "nope"}, "department"),
        ({"site_id": "nope"}, "site"),
        ({"colour": "red"}, "template"),
    ],
)
def test_a_bad_edit_names_its_field_and_changes_nothing(
    store: Store, org: Org, changes: dict, field: str
) -> None:
    tid = _template(store, org)
    with store.session() as s, pytest.raises(ValidationError) as info:
        edit_template(s, tid, **changes)
    assert info.value.field == field
    with store.session() as s:
        assert s.get(ShiftTemplate, tid).name == "Early"


def test_an_invalid_rule_is_refused_with_its_message(store: Store, org: Org) -> None:
    draft = TemplateDraft(
        org.site_id, "X", "09:00", "17:00", "FREQ=DAILY;COUNT=2;UNTIL=20260701", MONDAY
    )
    with store.session() as s, pytest.raises(ValidationError) as info:
        create_template(s, draft)
    assert info.value.field == "rrule"
    assert "COUNT or UNTIL, not both" in info.value.problem


def test_a_utc_until_is_read_in_the_sites_zone(store: Store, org: Org) -> None:
    # 22:30 UTC on Tuesday 2 June is already Wednesday in Berlin (UTC+2).
    tid = _template(store, org, rrule="FREQ=DAILY;UNTIL=20260602T223000Z")
    with store.session() as s:
        expansion = expand_template(s, tid, MONDAY, MONDAY + timedelta(days=6), [org.anna])
    assert expansion.occurrences[tid] == (MONDAY, MONDAY + timedelta(1), MONDAY + timedelta(2))


# --- expansion: the dry run ---------------------------------------------------------------


def test_dry_run_proposes_one_shift_per_employee_per_occurrence_and_writes_nothing(
    store: Store, org: Org
) -> None:
    tid = _template(store, org)
    with store.session() as s:
        expansion = expand_template(
            s, tid, MONDAY, MONDAY + timedelta(days=13), [org.anna, org.cara]
        )
    assert len(expansion.occurrences[tid]) == 10
    assert len(expansion.shifts) == 20
    assert expansion.ok
    first = expansion.shifts[0]
    assert (first.shift_date, first.start_time, first.end_time) == (MONDAY, "09:00", "17:00")
    assert [p.employee_id for p in expansion.shifts[:2]] == [org.anna, org.cara]
    assert _live_shifts(store) == []


def test_each_department_gets_one_shift_per_occurrence(store: Store, org: Org) -> None:
    tid = _template(store, org, rrule="FREQ=WEEKLY;BYDAY=SA")
    with store.session() as s:
        result = apply_template(
            s, tid, MONDAY, MONDAY + timedelta(days=13), department_ids=[org.kitchen_id]
        )
    assert len(result.ids) == 2
    with store.session() as s:
        shifts = [s.get(Shift, sid) for sid in result.ids]
        assert [x.assigned_department_ids for x in shifts] == [[org.kitchen_id]] * 2
        assert all(x.employee_ids == [] and x.template_id == tid for x in shifts)


def test_one_shift_per_member_gives_each_active_member_their_own_checked_shift(
    store: Store, org: Org
) -> None:
    tid = _template(store, org, rrule="FREQ=DAILY;COUNT=2")
    with store.session() as s:  # Ben works already on the Tuesday: only his clashes
        busy = create_shift(
            s, ShiftDraft(org.site_id, MONDAY + timedelta(1), "08:00", "12:00", (org.ben,))
        ).ids[0]
        app = Application(tid, (org.anna,), (org.kitchen_id,), per_member=True)
        expansion = expand_templates(s, [app], MONDAY, MONDAY + timedelta(days=6))
        proposed = sorted(
            (p.shift_date, p.employee_id, p.department_id, bool(p.conflicts))
            for p in expansion.shifts
        )
        # Anna, chosen by name and as a member, gets one shift a day, not two; no
        # shift is the department's as a whole.
        assert proposed == sorted(
            [
                (MONDAY, org.anna, None, False),
                (MONDAY, org.ben, None, False),
                (MONDAY + timedelta(1), org.anna, None, False),
                (MONDAY + timedelta(1), org.ben, None, True),
            ]
        )
        assert expansion.conflicts[0].other_id == busy
        result = commit_expansion(s, expansion)
    assert (len(result.ids), len(result.skipped)) == (3, 1)
    with store.session() as s:
        written = [s.get(Shift, sid) for sid in result.ids]
        assert all(x.assigned_department_ids == [] for x in written)
        assert [x.department_id for x in written if x.employee_ids == [org.ben]] == [org.kitchen_id]
        assert sorted(x.employee_ids[0] for x in written) == sorted([org.anna, org.anna, org.ben])


def test_one_shift_per_member_of_departments_with_nobody_is_refused(store: Store, org: Org) -> None:
    tid = _template(store, org)
    with store.session() as s:
        for emp in (org.cara, org.dan):
            s.get(Employee, emp).active = False
    with store.session() as s, pytest.raises(ValidationError) as refused:
        expand_templates(s, [Application(tid, (), (org.floor_id,), True)], MONDAY, MONDAY)
    assert refused.value.field == "departments"


def test_dst_change_keeps_local_times_and_moves_the_instants(store: Store, org: Org) -> None:
    # Berlin moves its clocks forward on Sunday 29 March 2026.
    with store.session() as s:
        tid = create_template(
            s, TemplateDraft(org.site_id, "Day", "09:00", "17:00", "FREQ=DAILY", date(2026, 3, 1))
        ).ids[0]
        expansion = expand_template(s, tid, date(2026, 3, 28), date(2026, 3, 30), [org.anna])
    before, _, after = expansion.shifts
    assert (before.start_time, after.start_time) == ("09:00", "09:00")
    assert before.start_utc == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert after.start_utc == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert after.end_utc - after.start_utc == timedelta(hours=8)


def test_overnight_template_over_the_autumn_change_lasts_an_hour_longer(
    store: Store, org: Org
) -> None:
    # The night of 24/25 October 2026 has 25 hours in Berlin.
    with store.session() as s:
        tid = create_template(
            s,
            TemplateDraft(org.site_id, "Night", "22:00", "06:00", "FREQ=DAILY", date(2026, 10, 1)),
        ).ids[0]
        expansion = expand_template(s, tid, date(2026, 10, 23), date(2026, 10, 24), [org.anna])
        result = commit_expansion(s, expansion)
    lengths = [p.end_utc - p.start_utc for p in expansion.shifts]
    assert lengths == [timedelta(hours=8), timedelta(hours=9)]
    assert result.applied
    assert _live_shifts(store)[1][:2] == (date(2026, 10, 24), "22:00")


def test_conflict_with_an_existing_shift_is_shown_on_that_occurrence(
    store: Store, org: Org
) -> None:
    tid = _template(store, org)
    with store.session() as s:
        existing = create_shift(
            s, ShiftDraft(org.site_id, MONDAY + timedelta(1), "16:00", "20:00", (org.anna,))
        ).ids[0]
        expansion = expand_template(s, tid, MONDAY, MONDAY + timedelta(days=4), [org.anna])
    clashing = [p for p in expansion.shifts if p.conflicts]
    assert [p.shift_date for p in clashing] == [MONDAY + timedelta(1)]
    assert clashing[0].conflicts[0].other_id == existing
    assert "Anna Berg already works 16:00–20:00" in clashing[0].conflicts[0].reason


def test_approved_leave_clashes_with_the_occurrences_it_covers(store: Store, org: Org) -> None:
    tid = _template(store, org)
    leave = _approve_leave(store, org, org.anna, MONDAY + timedelta(days=2))
    with store.session() as s:
        expansion = expand_template(s, tid, MONDAY, MONDAY + timedelta(days=4), [org.anna])
    conflicts = expansion.conflicts
    assert [(c.kind, c.other_id) for c in conflicts] == [("leave", leave)]
    assert "approved" in conflicts[0].reason


def test_conflicts_inside_the_batch_are_found(store: Store, org: Org) -> None:
    # Anna by name and the kitchen (Anna's department) would both work every occurrence.
    tid = _template(store, org, rrule="FREQ=DAILY;COUNT=2")
    with store.session() as s:
        expansion = expand_template(
            s, tid, MONDAY, MONDAY + timedelta(days=6), [org.anna], [org.kitchen_id]
        )
    assert [p.ok for p in expansion.shifts] == [True, False, True, False]
    assert all("(in this batch)" in c.reason for c in expansion.conflicts)


def test_two_templates_applied_together_are_checked_against_each_other(
    store: Store, org: Org
) -> None:
    early = _template(store, org, start="06:00", end="14:00")
    late = _template(store, org, start="13:00", end="21:00", name="Late")
    with store.session() as s:
        expansion = expand_templates(
            s,
            [Application(early, (org.anna,)), Application(late, (org.anna, org.ben))],
            MONDAY,
            MONDAY,
        )
    assert [(p.template_id, p.employee_id, p.ok) for p in expansion.shifts] == [
        (early, org.anna, True),
        (late, org.anna, False),
        (late, org.ben, True),
    ]


def test_rest_time_is_a_warning_not_a_conflict(store: Store, org: Org) -> None:
    tid = _template(store, org, rrule="FREQ=DAILY;COUNT=2", start="14:00", end="23:00")
    with store.session() as s:
        create_shift(
            s, ShiftDraft(org.site_id, MONDAY + timedelta(1), "06:00", "10:00", (org.ben,))
        )
        expansion = expand_template(s, tid, MONDAY, MONDAY + timedelta(days=1), [org.ben])
    assert expansion.ok
    assert [w.kind for w in expansion.shifts[0].warnings] == ["rest"]


@pytest.mark.parametrize(
    ("first", "last", "employees", "field"),
    [
        (MONDAY, MONDAY - timedelta(1), ("anna",), "to"),
        (MONDAY, MONDAY + timedelta(days=2000), ("anna",), "to"),
        (MONDAY, MONDAY, (), "employees"),
        (MONDAY, MONDAY, ("nobody",), "employee"),
    ],
)
def test_bad_expansion_input_names_its_field(
    store: Store, org: Org, first: date, last: date, employees: tuple, field: str
) -> None:
    tid = _template(store, org)
    ids = [getattr(org, e, e) for e in employees]
    with store.session() as s, pytest.raises(ValidationError) as info:
        expand_template(s, tid, first, last, ids)
    assert info.value.field == field


# --- committing -----------------------------------------------------------------------


def test_skip_writes_the_rest_and_reports_the_skipped(store: Store, org: Org) -> None:
    tid = _template(store, org)
    leave = _approve_leave(store, org, org.anna, MONDAY + timedelta(days=2))
    with store.session() as s:
        result = apply_template(
            s, tid, MONDAY, MONDAY + timedelta(days=4), [org.anna], on_conflict="skip"
        )
    assert len(result.ids) == 4
    assert [c.other_id for x in result.skipped for c in x.conflicts] == [leave]
    assert MONDAY + timedelta(days=2) not in [day for day, _, _ in _live_shifts(store)]


def test_abort_writes_nothing_and_returns_the_conflicts(store: Store, org: Org) -> None:
    tid = _template(store, org)
    _approve_leave(store, org, org.anna, MONDAY + timedelta(days=2))
    with store.session() as s:
        result = apply_template(
            s, tid, MONDAY, MONDAY + timedelta(days=4), [org.anna, org.ben], on_conflict="abort"
        )
    assert not result.applied
    assert [c.kind for c in result.conflicts] == ["leave"]
    assert _live_shifts(store) == []


def test_abort_without_conflicts_writes_everything(store: Store, org: Org) -> None:
    tid = _template(store, org)
    with store.session() as s:
        result = apply_template(
            s, tid, MONDAY, MONDAY + timedelta(6), [org.ben], on_conflict="abort"
        )
    assert result.applied
    assert len(_live_shifts(store)) == 5


def test_an_unknown_conflict_choice_is_refused(store: Store, org: Org) -> None:
    tid = _template(store, org)
    with store.session() as s, pytest.raises(ValidationError) as info:
        apply_template(s, tid, MONDAY, MONDAY, [org.ben], on_conflict="ignore")
    assert info.value.field == "on_conflict"


def test_written_shifts_carry_the_template_and_are_queued_for_sync(store: Store, org: Org) -> None:
    tid = _template(store, org)
    with store.session() as s:
        result = apply_template(s, tid, MONDAY, MONDAY + timedelta(6), [org.cara])
    with store.session() as s:
        shifts = [s.get(Shift, sid) for sid in result.ids]
        assert {(x.template_id, x.location, x.published) for x in shifts} == {(tid, "Bar", False)}
        assert {(x.status, x.dirty, x.deleted, x.flag) for x in shifts} == {
            ("scheduled", True, False, "")
        }
        assert shifts[0].start_utc == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
        queued = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id.in_(result.ids))).all()
    assert (
        sorted((e.op, e.collection, str(e.fields)) for e in queued)
        == [("create", "shifts", "{'changed': []}")] * 5
    )


def test_undo_removes_the_whole_application_in_one_step_and_redo_restores_it(
    store: Store, org: Org
) -> None:
    tid = _template(store, org)
    with store.session() as s:
        create_shift(s, ShiftDraft(org.site_id, MONDAY, "18:00", "22:00", (org.dan,)))
    with store.session() as s:
        result = apply_template(s, tid, MONDAY, MONDAY + timedelta(days=27), [org.anna, org.ben])
    assert len(result.ids) == 40
    with store.session() as s:
        redo = result.undo(s)
    remaining = _live_shifts(store)
    assert remaining == [(MONDAY, "18:00", (org.dan,))]
    with store.session() as s:
        redo.undo(s)
    assert len(_live_shifts(store)) == 41


def test_site_zones_name_each_sites_zone(store: Store) -> None:
    org = Org(store, tz="America/New_York")
    with store.session() as s:
        assert site_zones(s) == {org.site_id: "America/New_York"}


def test_a_template_with_equal_times_warns_and_so_does_each_shift_it_makes(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        created = create_template(
            s, TemplateDraft(org.site_id, "Day", "09:00", "09:00", "FREQ=DAILY", MONDAY)
        )
        assert [w.reason for w in created.warnings] == [
            "lasts 24 hours: start and end are both 09:00"
        ]
        expansion = expand_template(s, created.ids[0], MONDAY, MONDAY, [org.anna])
        assert [w.reason for w in expansion.shifts[0].warnings] == [
            "lasts 24 hours: start and end are both 09:00"
        ]
        edited = edit_template(s, created.ids[0], end_time="17:00")
        assert edited.warnings == ()


def test_an_occurrence_in_the_spring_gap_is_skipped_and_the_rest_written(
    store: Store, org: Org
) -> None:
    with store.session() as s:
        tid = create_template(
            s, TemplateDraft(org.site_id, "Night", "02:30", "06:00", "FREQ=DAILY", date(2026, 3, 1))
        ).ids[0]
        first, last = date(2026, 3, 28), date(2026, 3, 30)
        expansion = expand_template(s, tid, first, last, [org.anna])
        gap = [p for p in expansion.shifts if p.conflicts]
        assert [p.shift_date for p in gap] == [date(2026, 3, 29)]
        assert gap[0].conflicts[0].kind == "time"
        assert gap[0].conflicts[0].reason == (
            "02:30 does not exist on Sun 29 Mar in Europe/Berlin: clocks go forward"
        )
        result = commit_expansion(s, expansion, on_conflict="skip")
    assert len(result.ids) == 2
    assert [x.shift_date for x in result.skipped] == [date(2026, 3, 29)]
    assert [day for day, _, _ in _live_shifts(store)] == [date(2026, 3, 28), date(2026, 3, 30)]


def test_two_templates_of_a_site_may_not_share_a_name(store: Store, org: Org) -> None:
    first = _template(store, org)
    with store.session() as s, pytest.raises(ValidationError) as info:
        create_template(
            s, TemplateDraft(org.site_id, " early ", "06:00", "14:00", WEEKDAYS, MONDAY)
        )
    assert info.value.field == "name"
    assert info.value.problem == (
        f"Main already has a template called 'Early' (09:00–17:00, id {first})"
    )
    with store.session() as s:
        late = create_template(
            s, TemplateDraft(org.site_id, "Late", "14:00", "22:00", WEEKDAYS, MONDAY)
        ).ids[0]
        assert edit_template(s, first, location="Hall").applied
        with pytest.raises(ValidationError):
            edit_template(s, late, name="EARLY")


def test_a_dry_run_is_committed_from_another_session_without_expanding_again(
    store: Store, org: Org, statements: list[str]
) -> None:
    """The desktop previews, then applies: what the preview showed is written as is
    while nobody wrote to the store; the shifts are read once, by the preview."""
    tid = _template(store, org)
    apps = [Application(tid, (org.anna, org.ben))]
    with store.session() as s:
        dry = dry_run(store, s, apps, MONDAY, MONDAY + timedelta(days=13))
    statements.clear()
    with store.session() as s:
        result = commit_dry_run(store, s, dry)
    assert len(result.ids) == len(dry.expansion.shifts) == 20
    assert not [sql for sql in statements if "FROM shift" in sql], statements
    assert len(_live_shifts(store)) == 20


def test_a_dry_run_is_expanded_again_when_the_store_changed_since(store: Store, org: Org) -> None:
    tid = _template(store, org)
    apps = [Application(tid, (org.anna,))]
    with store.session() as s:
        dry = dry_run(store, s, apps, MONDAY, MONDAY + timedelta(days=4))
    assert all(p.ok for p in dry.expansion.shifts)
    with store.session() as s:  # written after the preview: Tuesday now clashes
        create_shift(
            s,
            ShiftDraft(
                org.site_id, MONDAY + timedelta(days=1), "12:00", "20:00", employee_ids=(org.anna,)
            ),
        )
    with store.session() as s:
        result = commit_dry_run(store, s, dry)
    assert len(result.ids) == 4
    assert [x.shift_date for x in result.skipped] == [MONDAY + timedelta(days=1)]
    assert len(_live_shifts(store)) == 5
