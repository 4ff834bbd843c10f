"""What the real server answers parses with core.wire's shapes, and renders back to
the very bytes that were sent: the sync client reads the server's own spelling.
Its change feed, page by page, applies to a local store (core.replica)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.models import Department, Employee, OutboxEntry, Shift
from core.organisation import Setup, setup_store
from core.replica import apply_page
from core.store import Store
from core.wire import (
    CONFLICT,
    MISSING,
    PRECONDITION_FAILED,
    UNDEFINED,
    VALIDATION,
    ChangePage,
    Envelope,
    ErrorEnvelope,
    ListEnvelope,
)
from tests.server.conftest import Staff, Tenant, created, new_id, put_new


def _same_bytes(document, response) -> None:
    assert document.to_json() == response.content


def test_a_record_answer_parses_and_renders_back_to_its_bytes(tenant: Tenant) -> None:
    response = put_new(tenant.client, "departments", {"name": "Küche"})
    envelope = Envelope.parse(response.json(), "department")
    assert envelope.status_code == response.status_code == 201
    assert envelope.data["name"] == "Küche"
    _same_bytes(envelope, response)
    again = tenant.client.get(f"/v1/departments/{envelope.data['id']}")
    _same_bytes(Envelope.parse(again.json(), "department"), again)


def test_a_list_answer_parses_with_its_paging(tenant: Tenant) -> None:
    for name in ("A", "B", "C"):
        created(tenant.client, "departments", {"name": name})
    response = tenant.client.get("/v1/departments", params={"pageRowCount": 2, "pageNumber": 2})
    listed = ListEnvelope.parse(response.json(), "departments")
    assert [d["name"] for d in listed.items] == ["C"]
    assert (listed.paging.page_number, listed.paging.total_row_count) == (2, 3)
    assert listed.paging.page_count == 2
    _same_bytes(listed, response)


def test_error_answers_parse_with_what_a_client_reads_from_them(
    tenant: Tenant, staff: Staff
) -> None:
    invalid = put_new(tenant.client, "shifts", {"startTime": "09:00", "colour": "red"})
    error = ErrorEnvelope.parse(invalid.json())
    assert (error.status, error.err_code) == (400, VALIDATION)
    assert {(p.field, p.code) for p in error.problems} >= {
        ("colour", UNDEFINED),
        ("shiftDate", MISSING),
    }
    _same_bytes(error, invalid)

    dept = tenant.client.get(f"/v1/departments/{staff.kitchen}").json()["department"]
    stale = tenant.client.patch(
        f"/v1/departments/{staff.kitchen}", json={"name": "X"}, headers={"If-Match": '"0"'}
    )
    error = ErrorEnvelope.parse(stale.json())
    assert (error.status, error.err_code) == (412, PRECONDITION_FAILED)
    assert error.current == dept
    _same_bytes(error, stale)

    shift = {"shiftDate": "2026-06-01", "startTime": "09:00", "endTime": "17:00"}
    created(tenant.client, "shifts", {**shift, "assignedUserIds": [staff.anna]})
    clash = put_new(tenant.client, "shifts", {**shift, "assignedUserIds": [staff.anna]})
    error = ErrorEnvelope.parse(clash.json())
    assert (error.status, error.err_code) == (409, CONFLICT)
    assert [c.employee_id for c in error.conflicts] == [staff.anna]
    _same_bytes(error, clash)

    missing = tenant.client.get(f"/v1/shifts/{new_id()}")
    _same_bytes(ErrorEnvelope.parse(missing.json()), missing)


def test_a_change_page_parses_with_upserts_and_tombstones(tenant: Tenant, staff: Staff) -> None:
    bar = created(tenant.client, "departments", {"name": "Bar"})["id"]
    tenant.client.delete(f"/v1/departments/{bar}", headers={"If-Match": '"1"'})
    first = tenant.client.get("/v1/changes", params={"limit": 3})
    page = ChangePage.parse(first.json())
    assert page.has_more
    assert [c.collection for c in page.changes] == ["departments", "departments", "employees"]
    assert page.changes[0].record["name"] == "Kitchen"
    _same_bytes(page, first)
    rest = tenant.client.get("/v1/changes", params={"cursor": page.cursor})
    page = ChangePage.parse(rest.json())
    assert not page.has_more
    [tombstone] = [c for c in page.changes if c.deleted]
    assert (tombstone.id, tombstone.record, tombstone.record_version) == (bar, None, 2)
    _same_bytes(page, rest)


def test_the_real_feed_applies_to_a_local_store_page_by_page(
    tenant: Tenant, staff: Staff, store: Store
) -> None:
    # The kitchen is renamed after its people were made: its change comes after theirs.
    tenant.client.patch(
        f"/v1/departments/{staff.kitchen}", json={"name": "Cuisine"}, headers={"If-Match": '"1"'}
    )
    shift = created(
        tenant.client,
        "shifts",
        {
            "shiftDate": "2026-06-01",
            "startTime": "22:00",
            "endTime": "06:00",
            "assignedUserIds": [staff.anna],
        },
    )
    # A department deleted before this store ever saw it (an empty one: core refuses
    # to delete one people are in) arrives as a tombstone only.
    bar = created(tenant.client, "departments", {"name": "Bar"})["id"]
    tenant.client.delete(f"/v1/departments/{bar}", headers={"If-Match": '"1"'})
    with store.session() as s:
        setup_store(
            s,
            Setup("Testco", "Main", "Europe/Berlin"),
            company_id=tenant.company_id,
            site_id=tenant.site_id,
        )
    cursor, pulled = "0", []
    while True:
        response = tenant.client.get("/v1/changes", params={"cursor": cursor, "limit": 2})
        page = ChangePage.parse(response.json())
        with store.session() as s:
            pulled += apply_page(s, page).ids
        cursor = page.cursor
        if not page.has_more:
            break
    assert len(pulled) == 6  # the tombstone of a record never seen here writes nothing
    with store.session() as s:
        assert s.get(Department, staff.kitchen).name == "Cuisine"
        assert s.get(Department, bar) is None
        assert s.get(Employee, staff.cara).department_id == staff.floor
        row = s.get(Shift, shift["id"])
        assert (row.start_utc, row.employee_ids) == (
            datetime(2026, 6, 1, 20, 0, tzinfo=UTC),
            [staff.anna],
        )
        assert (row.base, row.etag) == (shift, '"1"')
        assert s.scalars(select(OutboxEntry)).all() == []
    assert store.integrity_problems() == []
