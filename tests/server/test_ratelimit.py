"""Rate limits per key, counted in the database: headers on every answer, then 429."""

from __future__ import annotations

import time

import httpx

from server import ratelimit
from tests.server.conftest import Tenant


def test_every_response_carries_the_limit_and_the_excess_is_429(tenant: Tenant) -> None:
    limited = tenant.client_with(["schedule:read"], rate_limit=3)
    remaining = []
    for _ in range(3):
        response = limited.get("/v1/departments")
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == "3"
        reset = int(response.headers["x-ratelimit-reset"])
        assert time.time() < reset <= time.time() + 61  # a Unix time in this window
        remaining.append(response.headers["x-ratelimit-remaining"])
    assert remaining == ["2", "1", "0"]
    refused = limited.get("/v1/departments")
    assert refused.status_code == 429
    assert refused.json()["errCode"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert tenant.client.get("/v1/departments").status_code == 200


def test_error_responses_carry_the_headers_too(tenant: Tenant) -> None:
    response = tenant.client.get("/v1/departments/not-an-id")
    assert response.status_code == 404
    assert "x-ratelimit-limit" in response.headers


def test_a_new_window_starts_the_count_again(tenant: Tenant) -> None:
    db = tenant.live.db
    bucket = f"test:{tenant.company_id}"
    assert ratelimit.hit(db, bucket, 2, 60, now=120.0).remaining == 1
    assert ratelimit.hit(db, bucket, 2, 60, now=150.0).remaining == 0
    assert ratelimit.hit(db, bucket, 2, 60, now=170.0).exceeded
    fresh = ratelimit.hit(db, bucket, 2, 60, now=180.0)
    assert (fresh.remaining, fresh.reset_seconds) == (1, 60)
    assert fresh.headers()["X-RateLimit-Reset"] == "240"


def test_health_and_the_openapi_document_show_the_quota_without_charging_it(
    tenant: Tenant,
) -> None:
    limited = tenant.client_with(["schedule:read"], rate_limit=3)
    assert limited.get("/v1/departments").headers["x-ratelimit-remaining"] == "2"
    for path in ("/health", "/v1/health", "/v1/openapi.json") * 3:
        response = limited.get(path)
        assert response.status_code == 200, path
        assert response.headers["x-ratelimit-limit"] == "3", path
        assert response.headers["x-ratelimit-remaining"] == "2", path  # nothing charged
        assert int(response.headers["x-ratelimit-reset"]) > time.time()
    anonymous = httpx.get(f"{tenant.live.url}/health")
    assert anonymous.status_code == 200
    assert "x-ratelimit-limit" in anonymous.headers
