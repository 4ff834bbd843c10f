"""A single collection write is refused as every request is, before anything of it
is written, and in the same order (429 or 401, then 403, then its body): the guard
for any change of where a write's key and rate limit are checked."""

from __future__ import annotations

import httpx

from server import auth
from tests.server.conftest import Tenant

SHIFT = {"shiftDate": "2027-03-01", "startTime": "09:00", "endTime": "17:00"}


def _shifts(tenant: Tenant) -> int:
    listed = tenant.client.get("/v1/shifts")
    assert listed.status_code == 200, listed.text
    return int(listed.json()["paging"]["totalRowCount"])


def _client(tenant: Tenant, secret: str) -> httpx.Client:
    client = httpx.Client(base_url=tenant.live.url, headers={"X-API-Key": secret}, timeout=60)
    tenant.clients.append(client)
    return client


def test_a_write_without_a_valid_key_is_401_whatever_its_path_and_body(tenant: Tenant) -> None:
    anonymous = _client(tenant, "sdk_nothing_known")
    too_big = iter([b"x" * 600_000, b"x" * 600_000])  # no Content-Length: read to the cap
    answers = [
        anonymous.post("/v1/shifts", content=b"{not json"),
        anonymous.post("/v1/shifts", content=too_big),
        anonymous.put("/v1/shifts/not-an-id", json=SHIFT, headers={"If-None-Match": "*"}),
        anonymous.patch("/v1/shifts/not-an-id", json={}),
        anonymous.patch("/v1/clockevents/not-an-id", json={}),  # not routed: 401, then 405
    ]
    for answer in answers:
        assert answer.status_code == 401, answer.text
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.headers["X-RateLimit-Limit"]
    assert _shifts(tenant) == 0


def test_a_revoked_key_writes_nothing_on_its_very_next_request(tenant: Tenant) -> None:
    with tenant.live.db.transaction() as session:
        key, secret = auth.create_key(session, tenant.company_id, auth.SCOPES)
        key_id = key.id
    client = _client(tenant, secret)
    assert client.post("/v1/shifts", json=SHIFT).status_code == 201  # the key is known now
    with tenant.live.db.transaction() as session:
        auth.revoke_key(session, key_id)
    refused = client.post("/v1/shifts", json=SHIFT)
    assert refused.status_code == 401, refused.text
    assert _shifts(tenant) == 1


def test_a_key_without_the_scope_is_403_before_its_body_is_read(tenant: Tenant) -> None:
    reader = tenant.client_with(["schedule:read"])
    refused = reader.post("/v1/shifts", content=b"{not json")
    assert refused.status_code == 403, refused.text
    assert "schedule:write" in refused.json()["message"]


def test_a_spent_bucket_is_429_before_the_write_and_charges_nothing(tenant: Tenant) -> None:
    limited = tenant.client_with(["schedule:write"], rate_limit=1)
    invalid = limited.post("/v1/shifts", json={})
    assert invalid.status_code == 400  # a refused write is charged all the same
    spent = limited.post("/v1/shifts", json=SHIFT)
    assert spent.status_code == 429, spent.text
    assert int(spent.headers["Retry-After"]) >= 1
    assert spent.headers["X-RateLimit-Remaining"] == "0"
    assert _shifts(tenant) == 0
