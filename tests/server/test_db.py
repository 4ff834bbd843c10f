"""Several workers on one database: schema creation at once, and no state of their own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import inspect

from server.app import create_app
from server.db import Database
from server.settings import Settings
from tests.server.conftest import (
    DATABASES,
    LiveServer,
    created,
    database_url,
    make_tenant,
)


@pytest.fixture(params=DATABASES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request, tmp_path / "fresh.sqlite3")


def test_workers_starting_together_create_the_schema_once(empty_url: str) -> None:
    workers = 4
    barrier = threading.Barrier(workers)

    def start() -> set[str]:
        db = Database(empty_url)
        try:
            barrier.wait()
            db.ensure_schema()
            return set(inspect(db.engine).get_table_names())
        finally:
            db.close()

    with ThreadPoolExecutor(workers) as pool:
        tables = list(pool.map(lambda _: start(), range(workers)))
    assert all(t == tables[0] for t in tables)
    assert {"shift", "employee", "api_key", "change", "feed_counter", "idempotency"} <= tables[0]


def test_a_database_from_an_older_server_gains_the_columns_added_since(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        db.ensure_schema()
        with db.engine.begin() as conn:  # as a server from before the column made it
            conn.exec_driver_sql('ALTER TABLE "shift" DROP COLUMN changed_since_published')
        db.ensure_schema()
        columns = {c["name"] for c in inspect(db.engine).get_columns("shift")}
    finally:
        db.close()
    assert "changed_since_published" in columns
    tenant_server = LiveServer(create_app(Settings(empty_url)))
    try:
        tenant = make_tenant(tenant_server)
        shift = created(
            tenant.client,
            "shifts",
            {"siteId": tenant.site_id, "shiftDate": "2026-06-01", "startTime": "09:00",
             "endTime": "17:00"},
        )  # fmt: skip
        assert shift["recordVersion"] == 1
    finally:
        tenant_server.stop()


def test_two_servers_on_one_database_share_limits_and_versions(empty_url: str) -> None:
    first = LiveServer(create_app(Settings(empty_url)))
    second = LiveServer(create_app(Settings(empty_url)))
    try:
        tenant = make_tenant(first)
        a = tenant.client_with(["schedule:read", "schedule:write"], rate_limit=4)
        dept = created(a, "departments", {"name": "Kitchen"})
        b = tenant.client_with(["schedule:read", "schedule:write"])
        b.headers["X-API-Key"] = a.headers["X-API-Key"]
        b.base_url = second.url
        seen = b.get(f"/v1/departments/{dept['id']}")
        assert seen.headers["etag"] == '"1"'
        changed = b.patch(
            f"/v1/departments/{dept['id']}", json={"name": "Bar"}, headers={"If-Match": '"1"'}
        )
        assert changed.status_code == 200
        stale = a.patch(
            f"/v1/departments/{dept['id']}", json={"name": "Pub"}, headers={"If-Match": '"1"'}
        )
        assert stale.status_code == 412
        assert stale.headers["x-ratelimit-remaining"] == "0"
        assert b.get("/v1/departments").status_code == 429
        for client in tenant.clients:
            client.close()
    finally:
        first.stop()
        second.stop()
