"""Idempotency-Key over HTTP: replays, reuse with another payload, a duplicate in flight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.responses import Response

from core.models import Department
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


def test_a_request_that_outlived_its_lease_cannot_complete_beside_the_retry(
    tenant: Tenant,
) -> None:
    """The late request's own transaction (a department it made) rolls back; the
    retry that took the key over completes it, so one record stands, not two."""
    db, company = tenant.live.db, tenant.company_id
    key = f"late-{new_id()}"
    late = idempotency.claim(db, company, key, "print", lease_seconds=60)
    assert isinstance(late, idempotency.Claim)
    # The lease ran out (a lease of 0 s): a retry with the same key takes it over.
    retry = idempotency.claim(db, company, key, "print", lease_seconds=0)
    assert isinstance(retry, idempotency.Claim)
    answer = Response(b"{}", 201)

    def make(claim: idempotency.Claim, name: str) -> None:
        with db.transaction() as session:
            session.add(Department(company_id=company, site_id=tenant.site_id, name=name))
            session.flush()
            idempotency.complete(session, claim, answer)

    with pytest.raises(idempotency.ClaimLost):
        make(late, "Late")
    idempotency.release(db, late)  # frees nothing: the key is the retry's
    make(retry, "Retry")
    names = [d["name"] for d in tenant.client.get("/v1/departments").json()["departments"]]
    assert names == ["Retry"]
    replayed = idempotency.claim(db, company, key, "print", lease_seconds=60)
    assert isinstance(replayed, Response)
    assert replayed.status_code == 201


def test_a_retry_cannot_take_over_a_claim_once_it_is_answered(tenant: Tenant) -> None:
    db, company = tenant.live.db, tenant.company_id
    key = f"done-{new_id()}"
    first = idempotency.claim(db, company, key, "print", lease_seconds=60)
    assert isinstance(first, idempotency.Claim)
    with db.transaction() as session:
        idempotency.complete(session, first, Response(b"{}", 201))
    again = idempotency.claim(db, company, key, "print", lease_seconds=0)
    assert isinstance(again, Response)
    assert again.headers["idempotent-replayed"] == "true"
