"""The proof over real HTTP that a leave decision made at a site travels as its action:
a store on the server's company pulls a request and a shift it clashes with, decides
offline, and its outbox entries, replayed in order as the sync client will send them,
are accepted, and the server writes the same kept-on-shift link as the store."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import select

from core import leave, outbox
from core.models import LeaveShiftLink, OutboxEntry, Shift
from core.organisation import Setup, setup_store
from core.replica import apply_page
from core.store import Store
from core.wire import COLLECTIONS, ChangePage, to_wire
from tests.server.conftest import Staff, Tenant, created


def _shift(tenant: Tenant, staff: Staff) -> dict:
    return created(
        tenant.client,
        "shifts",
        {
            "shiftDate": "2026-06-02",
            "startTime": "09:00",
            "endTime": "17:00",
            "assignedUserIds": [staff.anna],
        },
    )


def _on_the_server(tenant: Tenant, staff: Staff) -> tuple[dict, dict]:
    shift = _shift(tenant, staff)
    request = created(
        tenant.client,
        "leaverequests",
        {"employeeId": staff.anna, "startDate": "2026-06-01", "endDate": "2026-06-03"},
    )
    return shift, request


def _join(store: Store, tenant: Tenant) -> None:
    with store.session() as s:
        setup_store(
            s,
            Setup("Testco", "Main", "Europe/Berlin"),
            company_id=tenant.company_id,
            site_id=tenant.site_id,
        )


def _pull(store: Store, client: httpx.Client, cursor: str = "0") -> str:
    while True:
        page = ChangePage.parse(client.get("/v1/changes", params={"cursor": cursor}).json())
        with store.session() as s:
            apply_page(s, page)
        cursor = page.cursor
        if not page.has_more:
            return cursor


def _queued(store: Store) -> list[OutboxEntry]:
    with store.session() as s:
        entries = outbox.in_push_order(s.scalars(select(OutboxEntry)).all())
        s.expunge_all()
        return entries


def _wire_fields(store: Store, entry: OutboxEntry) -> dict[str, Any]:
    """The record's wire fields an entry names (all of them for a create), with the
    values a create withholds for the action after it."""
    spec = COLLECTIONS[entry.collection]
    with store.session() as s:
        record = to_wire(s.get(spec.model, entry.record_id))
    withheld = entry.fields.get("withheld", {})
    by_attr = {f.attr: f.name for f in spec.fields}
    if entry.op == "create":
        body = {k: v for k, v in record.items() if k in by_attr.values()}
        body.update({by_attr[a]: v for a, v in withheld.items()})
        return body
    return {by_attr[a]: record[by_attr[a]] for a in entry.fields["changed"]}


def _replay(store: Store, client: httpx.Client) -> list[httpx.Response]:
    """Send the store's outbox in push order, each entry with its key, as the sync client
    will; a record's entries after its create are based on the version the create got."""
    answers, versions = [], {}
    for entry in _queued(store):
        base = entry.base_version or versions.get(entry.record_id)
        headers = {"Idempotency-Key": entry.key}
        url = f"/v1/{entry.collection}/{entry.record_id}"
        if entry.op == "create":
            headers["If-None-Match"] = "*"
            response = client.put(url, json=_wire_fields(store, entry), headers=headers)
        elif entry.op == "update":
            headers["If-Match"] = f'"{base}"'
            response = client.patch(url, json=_wire_fields(store, entry), headers=headers)
        else:
            assert entry.op == "action"
            headers["If-Match"] = f'"{base}"'
            params = {k: v for k, v in entry.fields["params"].items() if v is not None}
            response = client.post(
                f"{url}/{entry.fields['action']}", params=params, headers=headers
            )
        answers.append(response)
        if response.is_success:
            document = response.json()
            versions[entry.record_id] = document[document["dataName"]]["recordVersion"]
    return answers


def _clear_outbox(store: Store) -> None:
    """What a push does with the entries the server accepted: gone, and their records
    no longer waiting (the pull brings the server's copies)."""
    with store.session() as s:
        for entry in s.scalars(select(OutboxEntry)):
            record = s.get(COLLECTIONS[entry.collection].model, entry.record_id)
            record.dirty = False
            s.delete(entry)


def test_an_approval_kept_on_shift_offline_is_accepted_as_the_action(
    tenant: Tenant, staff: Staff, store: Store
) -> None:
    shift, request = _on_the_server(tenant, staff)
    _join(store, tenant)
    cursor = _pull(store, tenant.client)
    with store.session() as s:
        assert s.get(Shift, shift["id"]).employee_ids == [staff.anna]
        result = leave.approve_leave(s, request["id"], actor="sam", on_clash="keep")
        assert result.applied
    [entry] = _queued(store)
    assert (entry.op, entry.fields, entry.base_version) == (
        "action",
        {"action": "approve", "params": {"onClash": "keep"}},
        1,
    )

    [answer] = _replay(store, tenant.client)

    assert answer.status_code == 200, answer.text
    assert answer.json()["leaverequest"]["status"] == "approved"
    flagged = tenant.client.get(f"/v1/shifts/{shift['id']}").json()["shift"]
    assert flagged["assignedUserIds"] == [staff.anna]
    assert "kept on this shift" in flagged["flag"]
    link_id = leave.link_id(request["id"], shift["id"])
    link = tenant.client.get(f"/v1/leaveshiftlinks/{link_id}")
    assert link.status_code == 200, link.text
    assert (link.json()["leaveshiftlink"]["leaveId"], link.json()["leaveshiftlink"]["shiftId"]) == (
        request["id"],
        shift["id"],
    )
    with store.session() as s:
        assert [k.id for k in leave.kept_links(s, request["id"])] == [link_id]

    # The pull brings the server's link back onto the store's: one record.
    _clear_outbox(store)
    cursor = _pull(store, tenant.client, cursor)
    with store.session() as s:
        links = s.scalars(select(LeaveShiftLink)).all()
        assert [(k.id, k.server_version) for k in links] == [(link_id, 1)]

    # A cancellation here takes the note off there too, through the server's link.
    with store.session() as s:
        leave.cancel_leave(s, request["id"], actor="sam")
    [cancelled] = _replay(store, tenant.client)
    assert cancelled.status_code == 200, cancelled.text
    cleared = tenant.client.get(f"/v1/shifts/{shift['id']}").json()["shift"]
    assert "kept on this shift" not in cleared["flag"]
    assert tenant.client.get(f"/v1/leaveshiftlinks/{link_id}").status_code == 404


def test_an_approval_taking_the_person_off_is_the_action_alone_and_the_server_does_the_same(
    tenant: Tenant, staff: Staff, store: Store
) -> None:
    shift, request = _on_the_server(tenant, staff)
    _join(store, tenant)
    _pull(store, tenant.client)
    with store.session() as s:
        leave.approve_leave(s, request["id"], actor="sam", on_clash="unassign")
    # The server takes her off and links the shift itself, as this store did.
    assert [(e.collection, e.op) for e in _queued(store)] == [("leaverequests", "action")]

    answers = _replay(store, tenant.client)

    assert [a.status_code for a in answers] == [200], [a.text for a in answers]
    freed = tenant.client.get(f"/v1/shifts/{shift['id']}").json()["shift"]
    assert freed["assignedUserIds"] == []
    links = tenant.client.get("/v1/leaveshiftlinks").json()["leaveshiftlinks"]
    assert [(k["leaveId"], k["shiftId"]) for k in links] == [(request["id"], shift["id"])]
    status = tenant.client.get(f"/v1/leaverequests/{request['id']}").json()["leaverequest"]
    assert status["status"] == "approved"


def test_a_request_made_and_approved_offline_is_created_then_approved(
    tenant: Tenant, staff: Staff, store: Store
) -> None:
    shift = _shift(tenant, staff)
    _join(store, tenant)
    _pull(store, tenant.client)
    _clear_outbox(store)
    with store.session() as s:
        lid = leave.request_leave(
            s,
            employee_id=staff.anna,
            start_date=date(2026, 6, 2),
            end_date=date(2026, 6, 2),
            leave_type="sick",
        ).ids[0]
    with store.session() as s:
        leave.approve_leave(s, lid, actor="sam", on_clash="keep")

    answers = _replay(store, tenant.client)

    assert [a.status_code for a in answers] == [201, 200], [a.text for a in answers]
    assert answers[0].json()["leaverequest"]["status"] == "pending"
    assert answers[1].json()["leaverequest"]["status"] == "approved"
    link_id = leave.link_id(lid, shift["id"])
    assert tenant.client.get(f"/v1/leaveshiftlinks/{link_id}").status_code == 200
