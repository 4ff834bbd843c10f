"""Headers every answer carries: personal data is never cached or sniffed."""

from __future__ import annotations

from tests.server.conftest import Tenant, created


def _private(response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_every_v1_answer_is_no_store_and_nosniff(tenant: Tenant) -> None:
    anna = created(tenant.client, "employees", {"firstName": "Anna", "lastName": "Test"})
    _private(tenant.client.get("/v1/employees"))
    _private(tenant.client.get(f"/v1/employees/{anna['id']}"))
    _private(tenant.client.get("/v1/employees/not-an-id"))  # an error too
    _private(tenant.client.patch(f"/v1/employees/{anna['id']}", json={"firstName": "Ann"}))
    _private(tenant.client.get("/v1/employees", headers={"X-API-Key": "wrong"}))


def test_an_unauthenticated_answer_is_no_store_too(tenant: Tenant) -> None:
    import httpx

    with httpx.Client(base_url=tenant.live.url) as anonymous:
        response = anonymous.get("/v1/employees")
    assert response.status_code == 401
    _private(response)
