"""Rate limits per key, counted in the database: headers on every answer, then 429."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from server import admin, auth, ratelimit
from server.app import create_app
from server.settings import Settings
from tests.server.conftest import LiveServer, Tenant


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


def test_the_bucket_refills_evenly(tenant: Tenant) -> None:
    """Two requests a minute: one comes back every 30 s, and a refusal charges
    nothing."""
    db = tenant.live.db
    bucket = f"test:{tenant.company_id}"
    assert ratelimit.hit(db, bucket, 2, 60, now=120.0).remaining == 1
    assert ratelimit.hit(db, bucket, 2, 60, now=121.0).remaining == 0
    refused = ratelimit.hit(db, bucket, 2, 60, now=130.0)
    assert refused.exceeded
    assert refused.reset_seconds == 20  # the first refill is due at 150
    assert refused.headers()["X-RateLimit-Reset"] == "180"  # full again
    assert not ratelimit.hit(db, bucket, 2, 60, now=150.5).exceeded
    assert ratelimit.hit(db, bucket, 2, 60, now=151.0).exceeded
    fresh = ratelimit.hit(db, bucket, 2, 60, now=1000.0)
    assert (fresh.remaining, fresh.headers()["X-RateLimit-Reset"]) == (1, "1030")


def test_a_window_boundary_does_not_let_twice_the_limit_through(tenant: Tenant) -> None:
    """A fixed window let ``limit`` through just before its end and ``limit`` more
    just after; a sliding limit refuses the second lot."""
    db = tenant.live.db
    bucket = f"edge:{tenant.company_id}"
    before = [ratelimit.hit(db, bucket, 10, 60, now=1199.9) for _ in range(10)]
    after = [ratelimit.hit(db, bucket, 10, 60, now=1200.1) for _ in range(10)]
    assert not any(q.exceeded for q in before)
    assert all(q.exceeded for q in after)
    assert all(q.reset_seconds >= 1 for q in after)
    half = [ratelimit.hit(db, bucket, 10, 60, now=1229.9) for _ in range(10)]
    assert sum(not q.exceeded for q in half) == 5  # half a window: half the limit


def test_a_batch_over_what_is_left_is_refused_whole(tenant: Tenant) -> None:
    db = tenant.live.db
    bucket = f"batch:{tenant.company_id}"
    assert ratelimit.hit(db, bucket, 10, 60, now=50.0, cost=8).remaining == 2
    assert ratelimit.hit(db, bucket, 10, 60, now=50.0, cost=3).exceeded
    assert ratelimit.hit(db, bucket, 10, 60, now=50.0, cost=2).remaining == 0


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


def test_a_sync_of_a_days_work_passes_the_default_limit(tmp_path: Path) -> None:
    """A key without a limit of its own, on a server with the default one: a push
    of 600 writes in batches of 200 and a few hundred page reads, all at once, as
    a site's sync sends them, are never refused."""
    live = LiveServer(create_app(Settings(f"sqlite:///{tmp_path / 'burst.sqlite3'}")))
    try:
        with live.db.transaction() as session:
            company = admin.create_company(session, "Burstco")
            _, secret = auth.create_key(session, company.id, auth.SCOPES)
        with httpx.Client(base_url=live.url, headers={"X-API-Key": secret}, timeout=60) as client:
            for batch in range(3):
                operations = [
                    {"method": "POST", "path": "/v1/departments", "body": {"name": f"D{batch}-{n}"}}
                    for n in range(200)
                ]
                pushed = client.post("/v1/batch", json={"operations": operations})
                assert pushed.status_code == 200, pushed.text
            for page in range(300):
                pulled = client.get("/v1/changes", params={"cursor": str(page), "limit": "5"})
                assert pulled.status_code == 200, (page, pulled.text)
            left = int(pulled.headers["x-ratelimit-remaining"])
            assert 0 < left < Settings.rate_limit
    finally:
        live.stop()
