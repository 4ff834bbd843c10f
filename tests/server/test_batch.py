"""``POST /v1/batch`` over HTTP: each operation answers as its own route would, a
refused one rolls back only itself, a resent batch replays and writes nothing twice."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server.conftest import Staff, Tenant, created, new_id


def _batch(client: httpx.Client, *operations: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/v1/batch", json={"operations": list(operations)})
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["dataName"] == "results"
    return document["results"]


def _create(collection: str, body: dict, record_id: str | None = None, key: str | None = None):
    headers = {"If-None-Match": "*", **({"Idempotency-Key": key} if key else {})}
    path = f"/v1/{collection}/{record_id or new_id()}"
    return {"method": "PUT", "path": path, "headers": headers, "body": body}


def _patch(collection: str, record_id: str, version: int, body: dict, key: str | None = None):
    headers = {"If-Match": f'"{version}"', **({"Idempotency-Key": key} if key else {})}
    return {
        "method": "PATCH",
        "path": f"/v1/{collection}/{record_id}",
        "headers": headers,
        "body": body,
    }


def _feed(tenant: Tenant) -> list[tuple[str, int]]:
    changes = tenant.client.get("/v1/changes").json()["changes"]
    return [(c["id"], c["recordVersion"]) for c in changes]


def test_each_operation_answers_as_its_route_would(tenant: Tenant) -> None:
    kitchen = new_id()
    [made, renamed] = _batch(
        tenant.client,
        _create("departments", {"name": "Kitchen"}, kitchen),
        _patch("departments", kitchen, 1, {"name": "Back kitchen"}),
    )
    assert (made["status"], made["etag"]) == (201, '"1"')
    assert made["headers"]["Location"] == f"/v1/departments/{kitchen}"
    assert made["body"]["department"]["name"] == "Kitchen"
    assert (renamed["status"], renamed["etag"]) == (200, '"2"')
    single = tenant.client.get(f"/v1/departments/{kitchen}").json()
    assert renamed["body"] == single
    assert _feed(tenant) == [(kitchen, 2)]


def test_a_stale_operation_is_412_with_the_current_record_and_the_rest_go_on(
    tenant: Tenant,
) -> None:
    bar = created(tenant.client, "departments", {"name": "Bar"})
    floor = new_id()
    [stale, made] = _batch(
        tenant.client,
        _patch("departments", bar["id"], 7, {"name": "Cellar"}),
        _create("departments", {"name": "Floor"}, floor),
    )
    assert stale["status"] == 412
    assert stale["body"]["errCode"] == "PRECONDITION_FAILED"
    assert stale["body"]["detail"]["department"] == bar
    assert stale["etag"] == '"1"'
    assert made["status"] == 201
    assert tenant.client.get(f"/v1/departments/{bar['id']}").json()["department"]["name"] == "Bar"


def test_a_refused_operation_rolls_back_only_itself(tenant: Tenant, staff: Staff) -> None:
    day = {"shiftDate": "2026-06-01", "startTime": "09:00", "endTime": "17:00"}
    first, clash, other = new_id(), new_id(), new_id()
    results = _batch(
        tenant.client,
        _create("shifts", {**day, "assignedUserIds": [staff.anna]}, first),
        _create("shifts", {**day, "assignedUserIds": [staff.anna]}, clash),
        _create("shifts", {**day, "startTime": "nine"}, new_id()),
        _create("shifts", {**day, "assignedUserIds": [staff.ben]}, other),
    )
    assert [r["status"] for r in results] == [201, 409, 400, 201]
    assert results[1]["body"]["detail"]["conflicts"][0]["otherId"] == first
    assert results[2]["body"]["detail"]["fields"][0]["field"] == "startTime"
    listed = {s["id"] for s in tenant.client.get("/v1/shifts").json()["shifts"]}
    assert listed == {first, other}
    shifts = [i for i, _ in _feed(tenant) if i in (first, clash, other)]
    assert shifts == [first, other]


def test_a_resent_batch_replays_every_answer_and_writes_nothing_twice(tenant: Tenant) -> None:
    kitchen = new_id()
    operations = [
        _create("departments", {"name": "Kitchen"}, kitchen, key=new_id()),
        _patch("departments", kitchen, 1, {"name": "Back kitchen"}, key=new_id()),
        _create("departments", {"name": ""}, new_id(), key=new_id()),
        {
            "method": "POST",
            "path": "/v1/departments",
            "headers": {"Idempotency-Key": new_id()},
            "body": {"name": "Bar"},
        },
    ]
    first = _batch(tenant.client, *operations)
    feed = _feed(tenant)
    again = _batch(tenant.client, *operations)
    assert [r["status"] for r in first] == [201, 200, 400, 201]
    assert [r["status"] for r in again] == [201, 200, 400, 201]
    for before, after in zip(first, again, strict=True):
        if before["status"] < 300:
            assert after["body"] == before["body"]
            assert after["etag"] == before["etag"]
            assert after["headers"]["Idempotent-Replayed"] == "true"
    assert _feed(tenant) == feed
    assert len(tenant.client.get("/v1/departments").json()["departments"]) == 2


def test_a_batch_replays_what_a_single_request_with_the_key_wrote(tenant: Tenant) -> None:
    kitchen, key = new_id(), new_id()
    single = tenant.client.put(
        f"/v1/departments/{kitchen}",
        json={"name": "Kitchen"},
        headers={"If-None-Match": "*", "Idempotency-Key": key},
    )
    [replayed] = _batch(tenant.client, _create("departments", {"name": "Kitchen"}, kitchen, key))
    assert (replayed["status"], replayed["body"]) == (201, single.json())
    assert replayed["headers"]["Idempotent-Replayed"] == "true"
    [reused] = _batch(tenant.client, _create("departments", {"name": "Bar"}, kitchen, key))
    assert reused["body"]["errCode"] == "IDEMPOTENCY_MISMATCH"


def test_each_operation_needs_its_own_scope(tenant: Tenant, staff: Staff) -> None:
    scheduler = tenant.client_with(["schedule:read", "schedule:write"])
    leave = {"employeeId": staff.anna, "startDate": "2026-06-01", "endDate": "2026-06-02"}
    [shift, asked] = _batch(
        scheduler,
        _create("departments", {"name": "Bar"}),
        _create("leaverequests", leave),
    )
    assert shift["status"] == 201
    assert (asked["status"], asked["body"]["errCode"]) == (403, "FORBIDDEN")


def test_actions_run_with_their_query_and_their_own_scope(tenant: Tenant, staff: Staff) -> None:
    leave = created(
        tenant.client,
        "leaverequests",
        {"employeeId": staff.anna, "startDate": "2026-06-01", "endDate": "2026-06-02"},
    )
    path = f"/v1/leaverequests/{leave['id']}/approve"
    writer = tenant.client_with(["leave:read", "leave:write"])
    approve = {
        "method": "POST",
        "path": path,
        "query": {"onClash": "keep"},
        "headers": {"If-Match": '"1"'},
    }
    [refused] = _batch(writer, approve)
    assert refused["status"] == 403
    [approved] = _batch(tenant.client, approve)
    assert approved["status"] == 200
    assert approved["body"]["leaverequest"]["status"] == "approved"


def test_route_rules_hold_per_operation(tenant: Tenant, staff: Staff) -> None:
    kitchen = created(tenant.client, "departments", {"name": "Pantry"})["id"]
    punch = {"employeeId": staff.anna, "kind": "in", "at": "2026-06-01T07:00:00Z"}
    punch_id = new_id()
    results = _batch(
        tenant.client,
        {"method": "PATCH", "path": f"/v1/departments/{kitchen}", "body": {"name": "X"}},
        {"method": "PUT", "path": f"/v1/departments/{kitchen}", "body": {"name": "X"}},
        {"method": "DELETE", "path": f"/v1/departments/{new_id()}", "headers": {"If-Match": '"1"'}},
        {"method": "PATCH", "path": f"/v1/clockevents/{punch_id}", "body": punch},
        {"method": "PUT", "path": f"/v1/nothing/{new_id()}", "body": {}},
        {"method": "PUT", "path": "/v1/departments/not-an-id", "headers": {"If-None-Match": "*"}},
    )
    assert [r["status"] for r in results] == [428, 428, 404, 405, 404, 400]
    assert results[3]["headers"]["Allow"] == "PUT"
    assert tenant.client.get(f"/v1/departments/{kitchen}").json()["department"]["name"] == "Pantry"


def test_a_batch_over_the_cap_or_malformed_is_400_naming_the_field(tenant: Tenant) -> None:
    one = _create("departments", {"name": "Bar"})
    over = tenant.client.post("/v1/batch", json={"operations": [one] * 501})
    assert over.status_code == 400
    assert over.json()["detail"]["fields"][0]["field"] == "operations"
    bad = tenant.client.post(
        "/v1/batch", json={"operations": [one, {"method": "GET", "path": "/v1/departments"}]}
    )
    assert bad.status_code == 400
    assert [f["field"] for f in bad.json()["detail"]["fields"]] == ["operations[1].method"]
    assert tenant.client.get("/v1/departments").json()["departments"] == []


def test_a_batch_counts_as_its_operations_against_the_rate_limit(tenant: Tenant) -> None:
    limited = tenant.client_with(["schedule:read", "schedule:write"], rate_limit=5)
    three = [_create("departments", {"name": f"D{n}"}) for n in range(3)]
    response = limited.post("/v1/batch", json={"operations": three})
    assert response.status_code == 200
    assert response.headers["x-ratelimit-remaining"] == "2"
    refused = limited.post("/v1/batch", json={"operations": three})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert len(tenant.client.get("/v1/departments").json()["departments"]) == 3


def test_a_punch_is_append_only_inside_a_batch_too(tenant: Tenant, staff: Staff) -> None:
    punch = created(
        tenant.client,
        "clockevents",
        {"employeeId": staff.anna, "kind": "in", "at": "2026-06-01T07:00:00Z"},
    )
    url = f"/v1/clockevents/{punch['id']}"
    moved = {**{k: punch[k] for k in ("employeeId", "kind")}, "at": "2026-06-01T09:00:00Z"}
    results = _batch(
        tenant.client,
        {"method": "PATCH", "path": url, "headers": {"If-Match": '"1"'}, "body": moved},
        {"method": "DELETE", "path": url, "headers": {"If-Match": '"1"'}},
        {"method": "PUT", "path": url, "headers": {"If-Match": '"1"'}, "body": moved},
    )
    assert [r["status"] for r in results] == [405, 405, 409]
    assert tenant.client.get(url).json()["clockevent"] == punch
