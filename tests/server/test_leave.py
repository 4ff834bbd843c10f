"""Leave requests follow the state machine; an approval meets core's clash rule."""

from __future__ import annotations

from core.leave import link_id
from tests.server.conftest import Staff, Tenant, created, put_new


def _leave(tenant: Tenant, who: str, first="2026-06-01", last="2026-06-02", **kw) -> dict:
    body = {"employeeId": who, "startDate": first, "endDate": last, **kw}
    return created(tenant.client, "leaverequests", body)


def _act(tenant: Tenant, leave_id: str, action: str, version: int, **params):
    return tenant.client.post(
        f"/v1/leaverequests/{leave_id}/{action}",
        headers={"If-Match": f'"{version}"'},
        params=params,
    )


def test_a_new_request_is_pending_and_can_be_approved_then_cancelled(
    tenant: Tenant, staff: Staff
) -> None:
    leave = _leave(tenant, staff.anna)
    assert leave["status"] == "pending"
    approved = _act(tenant, leave["id"], "approve", 1)
    assert approved.status_code == 200
    record = approved.json()["leaverequest"]
    assert record["status"] == "approved"
    assert record["decidedBy"]
    assert record["decidedAt"]
    cancelled = _act(tenant, leave["id"], "cancel", 2)
    assert cancelled.json()["leaverequest"]["status"] == "cancelled"


def test_an_illegal_transition_is_422_and_changes_nothing(tenant: Tenant, staff: Staff) -> None:
    leave = _leave(tenant, staff.anna)
    assert _act(tenant, leave["id"], "reject", 1).status_code == 200
    again = _act(tenant, leave["id"], "approve", 2)
    assert again.status_code == 422
    assert again.json()["errCode"] == "ILLEGAL_TRANSITION"
    patched = tenant.client.patch(
        f"/v1/leaverequests/{leave['id']}", json={"status": "pending"}, headers={"If-Match": '"2"'}
    )
    assert patched.status_code == 422
    current = tenant.client.get(f"/v1/leaverequests/{leave['id']}").json()["leaverequest"]
    assert current["status"] == "rejected"


def _shift_for(tenant: Tenant, who: str, day: str = "2026-06-02") -> dict:
    body = {"shiftDate": day, "startTime": "09:00", "endTime": "17:00", "assignedUserIds": [who]}
    return created(tenant.client, "shifts", body)


def test_approving_over_assigned_shifts_is_409_naming_them_unless_kept(
    tenant: Tenant, staff: Staff
) -> None:
    shift = _shift_for(tenant, staff.anna)
    leave = _leave(tenant, staff.anna)
    refused = _act(tenant, leave["id"], "approve", 1)
    assert refused.status_code == 409
    assert [c["otherId"] for c in refused.json()["detail"]["conflicts"]] == [shift["id"]]
    cursor = tenant.client.get("/v1/changes").json()["cursor"]
    kept = _act(tenant, leave["id"], "approve", 1, onClash="keep")
    assert kept.status_code == 200
    assert kept.json()["leaverequest"]["status"] == "approved"
    flagged = tenant.client.get(f"/v1/shifts/{shift['id']}").json()["shift"]
    assert flagged["assignedUserIds"] == [staff.anna]
    assert "kept on this shift" in flagged["flag"]
    assert flagged["recordVersion"] == 2
    changed = tenant.client.get("/v1/changes", params={"cursor": cursor}).json()["changes"]
    link = link_id(leave["id"], shift["id"])
    assert {c["id"] for c in changed} == {shift["id"], leave["id"], link}


def test_approving_with_unassign_takes_the_person_off_the_shift(
    tenant: Tenant, staff: Staff
) -> None:
    shift = _shift_for(tenant, staff.anna)
    leave = _leave(tenant, staff.anna)
    approved = _act(tenant, leave["id"], "approve", 1, onClash="unassign")
    assert approved.status_code == 200
    after = tenant.client.get(f"/v1/shifts/{shift['id']}").json()["shift"]
    assert after["assignedUserIds"] == []
    assert after["recordVersion"] == 2
    bad = _act(tenant, _leave(tenant, staff.ben)["id"], "approve", 1, onClash="maybe")
    assert bad.status_code == 400
    assert bad.json()["detail"]["fields"][0]["field"] == "onClash"


def test_a_pending_request_is_edited_under_cores_rules(tenant: Tenant, staff: Staff) -> None:
    leave = _leave(tenant, staff.anna)
    url = f"/v1/leaverequests/{leave['id']}"
    moved = tenant.client.patch(url, json={"endDate": "2026-06-04"}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200
    assert moved.json()["leaverequest"]["endDate"] == "2026-06-04"
    tenant.client.post(f"{url}/reject", headers={"If-Match": '"2"'})
    refused = tenant.client.patch(url, json={"reason": "please"}, headers={"If-Match": '"3"'})
    assert refused.status_code == 422
    assert refused.json()["detail"]["fields"][0]["field"] == "status"
    same = tenant.client.patch(url, json={"endDate": "2026-06-04"}, headers={"If-Match": '"3"'})
    assert same.status_code == 200


def test_an_offline_approval_pushed_as_a_create_meets_the_same_rules(
    tenant: Tenant, staff: Staff
) -> None:
    leave = _leave(tenant, staff.ben, status="approved", decidedBy="supervisor")
    assert leave["status"] == "approved"
    assert leave["decidedBy"].startswith("key ")  # the caller's key, not the body's word
    rejected_then = tenant.client.patch(
        f"/v1/leaverequests/{leave['id']}", json={"status": "rejected"}, headers={"If-Match": '"1"'}
    )
    assert rejected_then.status_code == 422


def test_leave_shape_is_checked_field_by_field(tenant: Tenant, staff: Staff) -> None:
    backwards = put_new(
        tenant.client,
        "leaverequests",
        {"employeeId": staff.anna, "startDate": "2026-06-05", "endDate": "2026-06-01"},
    )
    assert backwards.status_code == 400
    assert backwards.json()["detail"]["fields"][0]["field"] == "endDate"
    half = put_new(
        tenant.client,
        "leaverequests",
        {
            "employeeId": staff.anna,
            "startDate": "2026-06-05",
            "endDate": "2026-06-05",
            "startTime": "12:00",
        },
    )
    assert half.status_code == 400
    assert half.json()["detail"]["fields"][0]["field"] == "endTime"


def test_deciding_needs_the_approve_scope(tenant: Tenant, staff: Staff) -> None:
    leave = _leave(tenant, staff.anna)
    writer = tenant.client_with(["leave:read", "leave:write"])
    refused = writer.post(f"/v1/leaverequests/{leave['id']}/approve", headers={"If-Match": '"1"'})
    assert refused.status_code == 403
    cancelled = writer.post(f"/v1/leaverequests/{leave['id']}/cancel", headers={"If-Match": '"1"'})
    assert cancelled.status_code == 200


def test_actions_need_if_match(tenant: Tenant, staff: Staff) -> None:
    leave = _leave(tenant, staff.anna)
    response = tenant.client.post(f"/v1/leaverequests/{leave['id']}/approve")
    assert response.status_code == 428
    stale = _act(tenant, leave["id"], "approve", 7)
    assert stale.status_code == 412
    assert stale.json()["detail"]["leaverequest"]["status"] == "pending"


def _named_client(tenant: Tenant, scopes: list[str], name: str):
    import httpx

    from server import auth

    with tenant.live.db.transaction() as session:
        _, secret = auth.create_key(session, tenant.company_id, scopes, name=name)
    client = httpx.Client(base_url=tenant.live.url, headers={"X-API-Key": secret}, timeout=60)
    tenant.clients.append(client)
    return client


def test_a_status_decision_through_plain_writes_needs_the_approve_scope(
    tenant: Tenant, staff: Staff
) -> None:
    writer = tenant.client_with(["leave:read", "leave:write"])
    body = {"employeeId": staff.anna, "startDate": "2026-07-01", "endDate": "2026-07-02"}
    for status in ("approved", "rejected", "cancelled"):
        decided = {**body, "status": status, "decidedBy": "ceo@alpha"}
        assert put_new(writer, "leaverequests", decided).status_code == 403, status
        assert writer.post("/v1/leaverequests", json=decided).status_code == 403, status
    pending = created(writer, "leaverequests", body)
    url = f"/v1/leaverequests/{pending['id']}"
    for status in ("approved", "rejected"):
        patched = writer.patch(url, json={"status": status}, headers={"If-Match": '"1"'})
        assert patched.status_code == 403, status
        replaced = writer.put(url, json={**body, "status": status}, headers={"If-Match": '"1"'})
        assert replaced.status_code == 403, status
    batch = writer.post(
        "/v1/batch",
        json={
            "operations": [
                {
                    "method": "PATCH",
                    "path": url,
                    "headers": {"If-Match": '"1"'},
                    "body": {"status": "approved"},
                }
            ]
        },
    )
    assert batch.json()["results"][0]["status"] == 403
    assert tenant.client.get(url).json()["leaverequest"]["status"] == "pending"
    # Withdrawing one's own pending request stays a writer's right.
    withdrawn = writer.patch(url, json={"status": "cancelled"}, headers={"If-Match": '"1"'})
    assert withdrawn.status_code == 200


def test_cancelling_an_approved_request_is_a_decision(tenant: Tenant, staff: Staff) -> None:
    leave = _leave(tenant, staff.cara)
    assert _act(tenant, leave["id"], "approve", 1).status_code == 200
    writer = tenant.client_with(["leave:read", "leave:write"])
    url = f"/v1/leaverequests/{leave['id']}"
    refused = writer.post(f"{url}/cancel", headers={"If-Match": '"2"'})
    assert refused.status_code == 403
    patched = writer.patch(url, json={"status": "cancelled"}, headers={"If-Match": '"2"'})
    assert patched.status_code == 403


def test_who_decided_is_the_callers_key_never_the_body(tenant: Tenant, staff: Staff) -> None:
    boss = _named_client(tenant, ["leave:read", "leave:write", "leave:approve"], "HR desk")
    body = {"employeeId": staff.anna, "startDate": "2026-08-03", "endDate": "2026-08-04"}
    made = put_new(
        boss,
        "leaverequests",
        {
            **body,
            "status": "approved",
            "decidedBy": "ceo@alpha",
            "decidedAt": "2020-01-01T00:00:00Z",
        },
    )
    assert made.status_code == 201, made.text
    record = made.json()["leaverequest"]
    assert record["decidedBy"] == "HR desk"
    assert not record["decidedAt"].startswith("2020")
    other = created(
        boss, "leaverequests", {**body, "startDate": "2026-09-01", "endDate": "2026-09-01"}
    )
    patched = boss.patch(
        f"/v1/leaverequests/{other['id']}",
        json={"status": "rejected", "decidedBy": "ceo@alpha"},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200
    assert patched.json()["leaverequest"]["decidedBy"] == "HR desk"
    acted = _leave(tenant, staff.ben, first="2026-10-01", last="2026-10-01")
    approved = _act(tenant, acted["id"], "approve", 1).json()["leaverequest"]
    assert approved["decidedBy"].startswith("key ")  # an unnamed key: its prefix
