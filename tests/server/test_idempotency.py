"""Idempotency-Key over HTTP: replays, reuse with another payload, a duplicate in flight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from server import idempotency
from tests.server.conftest import Tenant, new_id


def _create(tenant: Tenant, record_id: str, key: str, name: str = "Kitchen"):
    return tenant.client.put(
        f"/v1/departments/{record_id}",
        json={"name": name},
        headers={"If-None-Match": "*", "Idempotency-Key": key},
    )


def _feed_ids(tenant: Tenant) -> list[str]:
    return [c["id"] for c in tenant.client.get("/v1/changes").json()["changes"]]


def test_a_replay_returns_the_stored_response_and_writes_nothing(tenant: Tenant) -> None:
    record_id, key = new_id(), new_id()
    first = _create(tenant, record_id, key)
    assert first.status_code == 201
    again = _create(tenant, record_id, key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert _feed_ids(tenant) == [record_id]


def test_the_same_key_with_another_payload_is_422(tenant: Tenant) -> None:
    record_id, key = new_id(), new_id()
    assert _create(tenant, record_id, key).status_code == 201
    other = _create(tenant, record_id, key, name="Bar")
    assert other.status_code == 422
    assert other.json()["errCode"] == "IDEMPOTENCY_MISMATCH"


def test_a_duplicate_while_the_first_is_in_flight_is_409(tenant: Tenant) -> None:
    record_id, key = new_id(), new_id()
    path = f"/v1/departments/{record_id}"
    # Another worker has claimed the key and is still writing.
    print_ = idempotency.fingerprint("PUT", path + "?", {"name": "Kitchen"}, ("", "*"))
    held = idempotency.claim(tenant.live.db, tenant.company_id, key, print_, 60)
    assert isinstance(held, idempotency.Claim)
    response = _create(tenant, record_id, key)
    assert response.status_code == 409
    assert response.json()["errCode"] == "IDEMPOTENCY_IN_PROGRESS"
    assert tenant.client.get(path).status_code == 404


def test_parallel_duplicates_write_once_and_agree(tenant: Tenant) -> None:
    record_id, key = new_id(), new_id()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: _create(tenant, record_id, key), range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    created = [r for r in responses if r.status_code == 201]
    assert created
    assert all(r.json() == created[0].json() for r in created)
    assert _feed_ids(tenant) == [record_id]


def test_a_refused_request_frees_its_key_for_the_corrected_one(tenant: Tenant) -> None:
    record_id, key = new_id(), new_id()
    refused = tenant.client.put(
        f"/v1/departments/{record_id}",
        json={"name": ""},
        headers={"If-None-Match": "*", "Idempotency-Key": key},
    )
    assert refused.status_code == 400
    assert _create(tenant, record_id, key).status_code == 201


def test_a_retried_post_returns_the_record_it_made_the_first_time(tenant: Tenant) -> None:
    key = new_id()
    first = tenant.client.post(
        "/v1/departments", json={"name": "Bar"}, headers={"Idempotency-Key": key}
    )
    again = tenant.client.post(
        "/v1/departments", json={"name": "Bar"}, headers={"Idempotency-Key": key}
    )
    assert first.status_code == again.status_code == 201
    assert again.json()["department"]["id"] == first.json()["department"]["id"]
    assert len(tenant.client.get("/v1/departments").json()["departments"]) == 1
