"""Applying what the server sends: rows become the server's copy, with no outbox entry;
rows with unsent edits are held for a merge; a bad record is refused whole."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core import outbox
from core.changes import Changes
from core.conflicts import check_shift
from core.errors import ValidationError
from core.models import (
    ClockEvent,
    Company,
    Department,
    Employee,
    LeaveRequest,
    OutboxEntry,
    Shift,
    ShiftEmployee,
    Site,
)
from core.replica import Applied, RecordRefused, apply_page, apply_tombstone, apply_upsert
from core.scheduling import ShiftDraft, create_shift, edit_shift
from core.store import Store
from core.wire import INVALID, Change, ChangePage
from tests.conftest import MONDAY, Org

CREATED = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _id() -> str:
    return str(uuid.uuid4())


class Server:
    """Records as the server sends them, for the test store's company."""

    def __init__(self, org: Org) -> None:
        self.org = org

    def record(self, version: int = 1, record_id: str | None = None, **content: Any) -> dict:
        return {
            "id": record_id or _id(),
            "companyId": self.org.company_id,
            "recordVersion": version,
            "isActive": True,
            "createdAt": "2026-05-01T08:00:00Z",
            "updatedAt": f"2026-05-0{min(version, 9)}T09:00:00Z",
            **content,
        }

    def department(self, name: str = "Bar", **kw: Any) -> dict:
        return self.record(siteId=self.org.site_id, name=name, color="#112233", **kw)

    def employee(self, first: str = "Eve", department_id: str | None = None, **kw: Any) -> dict:
        return self.record(
            siteId=self.org.site_id,
            departmentId=department_id,
            firstName=first,
            lastName="Server",
            email=None,
            code=None,
            hourlyRate="18.50",
            contractHours="38",
            employed=True,
            employmentStart=None,
            employmentEnd=None,
            **kw,
        )

    def shift(
        self, start: str, end: str, people: list[str], day: str = "2026-06-01", **kw: Any
    ) -> dict:
        return self.record(
            siteId=self.org.site_id,
            shiftDate=day,
            startTime=start,
            endTime=end,
            assignedUserIds=people,
            assignedDepartmentIds=kw.pop("departments", []),
            departmentId=None,
            location="Dock",
            status="scheduled",
            published=True,
            templateId=kw.pop("template", None),
            notes="",
            flag="",
            **kw,
        )


@pytest.fixture
def server(org: Org) -> Server:
    return Server(org)


def _outbox(store: Store, record_id: str) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(OutboxEntry.op).where(OutboxEntry.record_id == record_id)))


def _page(*changes: tuple[str, dict | str], cursor: str = "9") -> ChangePage:
    """A page of upserts (collection, record) and tombstones (collection, "id@version")."""
    out = []
    for seq, (collection, item) in enumerate(changes, start=1):
        if isinstance(item, str):
            rid, version = item.split("@")
            out.append(Change(seq, collection, rid, int(version), True, None))
        else:
            out.append(Change(seq, collection, item["id"], item["recordVersion"], False, item))
    return ChangePage(tuple(out), cursor, False)


# --- upserts ---------------------------------------------------------------------------


def test_an_upsert_creates_the_row_as_the_server_has_it(store: Store, server: Server) -> None:
    dept = server.department("Bar", version=3)
    with store.session() as s:
        result = apply_upsert(s, "departments", dept)
    assert isinstance(result, Applied)
    assert (result.changed, result.ids, result.undo, result.held) == (
        Changes.DEPARTMENTS,
        (dept["id"],),
        None,
        (),
    )
    assert result.applied
    with store.session() as s:
        row = s.get(Department, dept["id"])
        assert (row.name, row.color, row.site_id) == ("Bar", "#112233", server.org.site_id)
        assert (row.server_version, row.etag, row.dirty, row.deleted) == (3, '"3"', False, False)
        assert row.base == dept
        assert row.created_at == CREATED
        assert row.updated_at == datetime(2026, 5, 3, 9, 0, tzinfo=UTC)
    assert _outbox(store, dept["id"]) == []


def test_an_upsert_updates_a_clean_row_and_its_base(store: Store, server: Server) -> None:
    emp = server.employee("Eve")
    with store.session() as s:
        apply_upsert(s, "employees", emp)
    changed = {**emp, "recordVersion": 2, "firstName": "Evelyn", "hourlyRate": "19"}
    with store.session() as s:
        result = apply_upsert(s, "employees", changed)
    assert (result.changed, result.ids) == (Changes.EMPLOYEES, (emp["id"],))
    with store.session() as s:
        row = s.get(Employee, emp["id"])
        assert (row.first_name, row.hourly_rate, row.server_version) == ("Evelyn", Decimal(19), 2)
        assert (row.etag, row.base, row.dirty) == ('"2"', changed, False)
    assert _outbox(store, emp["id"]) == []


def test_a_version_this_store_has_already_changes_nothing(store: Store, server: Server) -> None:
    dept = server.department("Bar", version=2)
    with store.session() as s:
        apply_upsert(s, "departments", dept)
    with store.session() as s:
        same = apply_upsert(s, "departments", {**dept})
        older = apply_upsert(s, "departments", {**dept, "recordVersion": 1, "name": "old"})
        gone = apply_tombstone(s, "departments", dept["id"], 1)
    assert same == older == gone == Applied()
    with store.session() as s:
        row = s.get(Department, dept["id"])
        assert (row.name, row.deleted) == ("Bar", False)


def test_the_servers_copy_of_the_version_this_store_has_replaces_another_local_copy(
    store: Store, server: Server
) -> None:
    """The server may write more than a push sent (who decided, for a decision sent as
    its action); its copy of that version, from the feed, is what the store keeps."""
    dept = server.department("Bar", version=2)
    with store.session() as s:
        apply_upsert(s, "departments", dept)
    with store.session() as s:
        taken = apply_upsert(s, "departments", {**dept, "name": "Bar & Grill"})
    assert taken.ids == (dept["id"],)
    with store.session() as s:
        row = s.get(Department, dept["id"])
        assert (row.name, row.server_version, row.dirty) == ("Bar & Grill", 2, False)
    assert _outbox(store, dept["id"]) == []


def test_an_inactive_record_is_stored_deleted(store: Store, server: Server) -> None:
    dept = {**server.department("Closed"), "isActive": False}
    with store.session() as s:
        apply_upsert(s, "departments", dept)
        assert s.get(Department, dept["id"]).deleted


def test_objects_already_loaded_read_the_pulled_values(store: Store, server: Server) -> None:
    dept = server.department("Bar")
    with store.session() as s:
        apply_upsert(s, "departments", dept)
    with store.session() as s:
        row = s.get(Department, dept["id"])
        assert row.name == "Bar"
        apply_upsert(s, "departments", {**dept, "recordVersion": 2, "name": "Lounge"})
        assert row.name == "Lounge"


# --- tombstones ------------------------------------------------------------------------


def test_a_tombstone_soft_deletes_the_row(store: Store, server: Server) -> None:
    dept = server.department("Bar")
    with store.session() as s:
        apply_upsert(s, "departments", dept)
    with store.session() as s:
        result = apply_tombstone(s, "departments", dept["id"], 2)
    assert (result.changed, result.ids) == (Changes.DEPARTMENTS, (dept["id"],))
    with store.session() as s:
        row = s.get(Department, dept["id"])
        assert (row.deleted, row.server_version, row.etag, row.dirty) == (True, 2, '"2"', False)
        assert row.name == "Bar"  # a tombstone keeps the row, never removes it
    assert _outbox(store, dept["id"]) == []


def test_a_tombstone_of_a_record_never_seen_writes_nothing(store: Store) -> None:
    with store.session() as s:
        assert apply_tombstone(s, "departments", _id(), 4) == Applied()
        assert s.scalar(select(func.count()).select_from(Department)) == 0


# --- unsent local edits ----------------------------------------------------------------


def test_a_row_with_unsent_edits_is_held_not_overwritten(store: Store, server: Server) -> None:
    dept = server.department("Bar")
    with store.session() as s:
        apply_upsert(s, "departments", dept)
    with store.session() as s:
        s.get(Department, dept["id"]).name = "Cocktail bar"  # a local edit, tracked
    assert _outbox(store, dept["id"]) == ["update"]
    theirs = {**dept, "recordVersion": 2, "color": "#445566"}
    with store.session() as s:
        result = apply_upsert(s, "departments", theirs)
    assert (result.changed, result.ids) == (Changes.NONE, ())
    [held] = result.held
    assert (held.collection, held.id, held.version) == ("departments", dept["id"], 2)
    assert held.base == dept
    assert (held.mine["name"], held.mine["color"]) == ("Cocktail bar", "#112233")
    assert held.theirs == theirs
    with store.session() as s:
        row = s.get(Department, dept["id"])
        assert (row.name, row.color, row.server_version, row.base) == (
            "Cocktail bar",
            "#112233",
            1,
            dept,
        )
    assert _outbox(store, dept["id"]) == ["update"]


def test_a_tombstone_of_a_row_with_unsent_edits_is_held(store: Store, org: Org) -> None:
    # The fixture's rows were made here and wait in the outbox.
    with store.session() as s:
        result = apply_tombstone(s, "employees", org.anna, 3)
    [held] = result.held
    assert (held.id, held.base, held.theirs, held.mine["firstName"]) == (
        org.anna,
        None,
        None,
        "Anna",
    )
    with store.session() as s:
        assert not s.get(Employee, org.anna).deleted


def test_pending_edits_of_the_caller_are_tracked_before_the_pull(
    store: Store, server: Server
) -> None:
    dept = server.department("Bar")
    with store.session() as s:
        apply_upsert(s, "departments", dept)
    with store.session() as s:
        s.get(Department, dept["id"]).name = "Renamed here"  # not flushed yet
        result = apply_upsert(s, "departments", {**dept, "recordVersion": 2, "name": "There"})
        assert [h.id for h in result.held] == [dept["id"]]
        assert s.get(Department, dept["id"]).name == "Renamed here"
    assert _outbox(store, dept["id"]) == ["update"]


def test_the_flag_is_put_back_even_when_a_record_is_refused(store: Store, server: Server) -> None:
    with store.session() as s:
        apply_upsert(s, "departments", server.department("Bar"))
        assert outbox.APPLYING_REMOTE not in s.info
        s.info[outbox.APPLYING_REMOTE] = False
        with pytest.raises(RecordRefused):
            apply_upsert(s, "departments", server.department(""))
        assert s.info[outbox.APPLYING_REMOTE] is False


# --- shifts ----------------------------------------------------------------------------


def test_a_pulled_shift_gets_its_instants_and_its_assignments(store: Store, server: Server) -> None:
    org = server.org
    shift = server.shift("22:00", "06:00", [org.anna], departments=[org.floor_id])
    with store.session() as s:
        result = apply_upsert(s, "shifts", shift)
    assert result.changed == Changes.SHIFTS
    with store.session() as s:
        row = s.get(Shift, shift["id"])
        # Berlin is at UTC+2 in June; the shift ends the next morning.
        assert row.start_utc == datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
        assert row.end_utc == datetime(2026, 6, 2, 4, 0, tzinfo=UTC)
        assert (row.employee_ids, row.assigned_department_ids) == ([org.anna], [org.floor_id])
    moved = {**shift, "recordVersion": 2, "startTime": "23:00", "assignedUserIds": [org.ben]}
    moved["assignedDepartmentIds"] = []
    with store.session() as s:
        apply_upsert(s, "shifts", moved)
    with store.session() as s:
        row = s.get(Shift, shift["id"])
        assert row.start_utc == datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
        assert (row.employee_ids, row.assigned_department_ids) == ([org.ben], [])
    assert _outbox(store, shift["id"]) == []


def test_a_pulled_shift_clashes_with_a_local_edit(store: Store, server: Server) -> None:
    org = server.org
    with store.session() as s:
        mine = create_shift(s, ShiftDraft(org.site_id, MONDAY, "06:00", "10:00", (org.anna,)))
    theirs = server.shift("12:00", "20:00", [org.anna])
    overnight = server.shift("22:00", "04:00", [org.cara])
    with store.session() as s:
        apply_page(s, _page(("shifts", theirs), ("shifts", overnight)))
    with store.session() as s:
        # The grid asks while a drag hovers: the pulled shift is busy time.
        hover = check_shift(
            s,
            site_id=org.site_id,
            day=MONDAY,
            start_time="09:00",
            end_time="17:00",
            employee_ids=[org.anna],
            exclude=[mine.ids[0]],
        )
        assert [(c.kind, c.other_id) for c in hover.conflicts] == [("overlap", theirs["id"])]
        edited = edit_shift(s, mine.ids[0], end_time="13:00")
        assert [c.other_id for c in edited.conflicts] == [theirs["id"]]
        # 22:00–04:00 on Monday clashes with 02:00–08:00 on Tuesday.
        early = check_shift(
            s,
            site_id=org.site_id,
            day=MONDAY + timedelta(days=1),
            start_time="02:00",
            end_time="08:00",
            employee_ids=[org.cara],
        )
        assert [c.other_id for c in early.conflicts] == [overnight["id"]]


# --- pages -----------------------------------------------------------------------------


def test_a_page_refreshes_every_kind_of_data_it_wrote(store: Store, server: Server) -> None:
    org = server.org
    dept = server.department("Bar")
    emp = server.employee("Eve", dept["id"])
    shift = server.shift("09:00", "17:00", [emp["id"]])
    leave = server.record(
        employeeId=emp["id"],
        leaveType="paid",
        startDate="2026-06-10",
        endDate="2026-06-11",
        startTime=None,
        endTime=None,
        status="pending",
        reason="",
        decidedBy=None,
        decidedAt=None,
    )
    punch = server.record(
        employeeId=emp["id"], kind="in", at="2026-06-01T07:01:00Z", source="lock", deviceId="L1"
    )
    with store.session() as s:
        result = apply_page(
            s,
            _page(
                ("clockevents", punch),
                ("leaverequests", leave),
                ("shifts", shift),
                ("employees", emp),
                ("departments", dept),
                ("employees", f"{org.dan}@1"),  # held: made here, waiting in the outbox
            ),
        )
    assert result.changed == (
        Changes.DEPARTMENTS | Changes.EMPLOYEES | Changes.SHIFTS | Changes.LEAVE | Changes.PUNCHES
    )
    assert result.ids == (punch["id"], leave["id"], shift["id"], emp["id"], dept["id"])
    assert [h.id for h in result.held] == [org.dan]
    with store.session() as s:
        assert s.get(ClockEvent, punch["id"]).at_utc == datetime(2026, 6, 1, 7, 1, tzinfo=UTC)
        assert s.get(LeaveRequest, leave["id"]).employee_id == emp["id"]
        assert s.get(Employee, emp["id"]).department_id == dept["id"]
        # Only the fixture's own creates wait: two departments and four people.
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == 6


def test_a_page_of_many_records_costs_a_few_statements(
    store: Store, server: Server, statements: list[str]
) -> None:
    org = server.org
    people = [server.employee(f"P{n}", org.kitchen_id) for n in range(600)]
    shifts = [
        server.shift("08:00", "12:00", [p["id"]], day=f"2026-06-{1 + n % 28:02d}")
        for n, p in enumerate(people * 3)
    ]
    page = _page(*(("employees", p) for p in people), *(("shifts", x) for x in shifts))
    with store.session() as s:
        statements.clear()
        result = apply_page(s, page)
        used = len(statements)
    assert len(result.ids) == 2400
    assert used < 30, statements
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ShiftEmployee)) == 1800
        assert s.scalar(select(func.count()).select_from(Shift).where(Shift.dirty)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == 6
    changed = _page(
        *(("employees", {**p, "recordVersion": 2, "lastName": "Moved"}) for p in people)
    )
    with store.session() as s:
        statements.clear()
        assert len(apply_page(s, changed).ids) == 600
        assert len(statements) < 15, statements
    with store.session() as s:
        assert s.scalar(select(func.count()).where(Employee.last_name == "Moved")) == 600


# --- references ------------------------------------------------------------------------


def test_a_record_may_come_before_the_department_it_names(store: Store, server: Server) -> None:
    # The feed keeps each record at its latest change: an employee created in a
    # department renamed later comes first, here even a page earlier.
    dept = server.department("Bar", version=2)
    emp = server.employee("Eve", dept["id"])
    with store.session() as s:
        first = apply_page(s, _page(("employees", emp)))
    assert first.ids == (emp["id"],)
    assert first.changed == Changes.EMPLOYEES
    with store.session() as s:
        stand_in = s.get(Department, dept["id"])
        assert (stand_in.deleted, stand_in.server_version, stand_in.dirty) == (True, None, False)
        assert s.get(Employee, emp["id"]).department_id == dept["id"]
        assert s.get(Employee, emp["id"]).base == emp
    with store.session() as s:
        apply_page(s, _page(("departments", dept)))
    with store.session() as s:
        row = s.get(Department, dept["id"])
        assert (row.name, row.deleted, row.server_version) == ("Bar", False, 2)
    assert _outbox(store, dept["id"]) == []
    assert store.integrity_problems() == []


def test_records_naming_a_deleted_record_never_seen_keep_their_reference(
    store: Store, server: Server
) -> None:
    gone_emp, gone_template = _id(), _id()
    leave = server.record(
        employeeId=gone_emp,
        leaveType="sick",
        startDate="2026-06-10",
        endDate="2026-06-10",
        startTime=None,
        endTime=None,
        status="approved",
        reason="",
        decidedBy="boss",
        decidedAt="2026-06-09T10:00:00Z",
    )
    shift = server.shift("09:00", "17:00", [gone_emp], template=gone_template)
    with store.session() as s:
        apply_page(
            s,
            _page(("leaverequests", leave), ("shifts", shift), ("employees", f"{gone_emp}@3")),
        )
    with store.session() as s:
        assert s.get(Employee, gone_emp).deleted
        assert s.get(LeaveRequest, leave["id"]).employee_id == gone_emp
        assert s.get(Shift, shift["id"]).template_id == gone_template
        assert s.get(Shift, shift["id"]).employee_ids == [gone_emp]
    assert store.integrity_problems() == []


# --- refusals --------------------------------------------------------------------------


def test_a_bad_record_is_refused_naming_the_field_and_nothing_is_written(
    store: Store, server: Server
) -> None:
    good = server.department("Bar")
    bad = server.shift("25:00", "06:00", [server.org.anna])
    with store.session() as s, pytest.raises(RecordRefused) as caught:
        apply_page(s, _page(("departments", good), ("shifts", bad)))
    assert caught.value.field == "startTime"
    assert [(p.field, p.code) for p in caught.value.problems] == [("startTime", INVALID)]
    assert (caught.value.collection, caught.value.record_id) == ("shifts", bad["id"])
    assert f"shift {bad['id']}" in str(caught.value)
    with store.session() as s:
        assert s.get(Department, good["id"]) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"recordVersion": "2"}, "recordVersion"),
        ({"createdAt": None}, "createdAt"),
        ({"siteId": None}, "siteId"),
    ],
)
def test_records_outside_the_contract_are_refused(
    store: Store, server: Server, change: dict, field: str
) -> None:
    with store.session() as s, pytest.raises(RecordRefused) as caught:
        apply_upsert(s, "departments", {**server.department("Bar"), **change})
    assert caught.value.field == field


def test_a_record_of_another_company_is_refused(store: Store, server: Server) -> None:
    other = {**server.department("Bar"), "companyId": _id()}
    with store.session() as s, pytest.raises(ValidationError) as caught:
        apply_upsert(s, "departments", other)
    assert caught.value.field == "companyId"
    assert server.org.company_id in caught.value.problem


def test_a_record_at_a_site_this_store_does_not_know_is_refused(
    store: Store, server: Server
) -> None:
    with store.session() as s:
        elsewhere = Company(name="Elsewhere")
        s.add(elsewhere)
        s.flush()
        foreign_site = Site(company_id=elsewhere.id, name="Far", timezone="UTC")
        s.add(foreign_site)
        s.flush()
        foreign = foreign_site.id
    for site_id in (_id(), foreign):
        with store.session() as s, pytest.raises(ValidationError) as caught:
            apply_upsert(s, "departments", {**server.department("Bar"), "siteId": site_id})
        assert caught.value.field == "siteId"


def test_a_pulled_punch_duplicating_one_made_here_is_refused(store: Store, server: Server) -> None:
    org = server.org
    at = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    with store.session() as s:
        s.add(ClockEvent(company_id=org.company_id, employee_id=org.anna, kind="in", at_utc=at))
    punch = server.record(
        employeeId=org.anna, kind="in", at="2026-06-01T07:00:00Z", source="lock", deviceId=None
    )
    with store.session() as s, pytest.raises(ValidationError) as caught:
        apply_upsert(s, "clockevents", punch)
    assert caught.value.field == "clockevents"
    assert "duplicates" in caught.value.problem


def test_an_unknown_collection_is_refused(store: Store, server: Server) -> None:
    with store.session() as s, pytest.raises(ValidationError) as caught:
        apply_upsert(s, "sites", server.department("Bar"))
    assert caught.value.field == "collection"
