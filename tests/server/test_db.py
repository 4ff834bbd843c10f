"""Several workers on one database: schema creation at once, and no state of their own."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from server.app import create_app
from server.db import Database
from server.settings import Settings
from tests.server.conftest import (
    DATABASES,
    LiveServer,
    Tenant,
    created,
    database_url,
    make_tenant,
    put_new,
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
        with db.engine.begin() as conn:  # as a server from before the columns made it
            conn.exec_driver_sql('ALTER TABLE "shift" DROP COLUMN changed_since_published')
            conn.exec_driver_sql('ALTER TABLE "employee" DROP COLUMN employment_start')
            conn.exec_driver_sql('ALTER TABLE "employee" DROP COLUMN employment_end')
        db.ensure_schema()
        columns = {c["name"] for c in inspect(db.engine).get_columns("shift")}
        people = {c["name"] for c in inspect(db.engine).get_columns("employee")}
    finally:
        db.close()
    assert "changed_since_published" in columns
    assert {"employment_start", "employment_end"} <= people
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


# --- overload: a busy database is a 503 with Retry-After, never a 500 or a hang -------


@contextmanager
def _server(url: str, **limits: float) -> Iterator[tuple[LiveServer, Tenant]]:
    server = LiveServer(create_app(Settings(url, rate_limit=100_000, **limits)))
    tenant = make_tenant(server)
    try:
        yield server, tenant
    finally:
        for client in tenant.clients:
            client.close()
        server.stop()


@contextmanager
def _locked(url: str, postgres_sql: str) -> Iterator[None]:
    """Another process's transaction holding a lock until the block ends: SQLite's
    whole file, or what ``postgres_sql`` locks."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    holder = Database(url)
    try:
        with holder.engine.connect() as conn:
            conn.exec_driver_sql(postgres_sql)
            try:
                yield
            finally:
                conn.rollback()
    finally:
        holder.close()


def _busy(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["errCode"] == "BUSY"
    assert int(response.headers["retry-after"]) >= 1


def test_a_request_that_finds_the_pool_spent_is_told_to_retry(db_url: str) -> None:
    with _server(db_url, db_pool_size=1, db_pool_timeout=0.3) as (server, tenant):
        with server.db.engine.connect():  # the worker's only connection is taken
            _busy(tenant.client.get("/v1/departments"))
            _busy(put_new(tenant.client, "departments", {"name": "Kitchen"}))
        assert tenant.client.get("/v1/departments").status_code == 200


def test_a_lock_held_too_long_is_503_in_the_rate_limit_and_in_a_write(db_url: str) -> None:
    with _server(db_url, db_lock_timeout=0.5) as (_, tenant):
        with _locked(db_url, "LOCK TABLE rate_bucket IN ACCESS EXCLUSIVE MODE"):
            started = time.monotonic()
            _busy(tenant.client.get("/v1/departments", timeout=15))
            assert time.monotonic() - started < 10
        counter = f"SELECT * FROM feed_counter WHERE company_id = '{tenant.company_id}' FOR UPDATE"
        created(tenant.client, "departments", {"name": "Bar"})  # the counter row exists
        with _locked(db_url, counter):
            _busy(put_new(tenant.client, "departments", {"name": "Kitchen"}, timeout=15))
        names = [d["name"] for d in tenant.client.get("/v1/departments").json()["departments"]]
        assert names == ["Bar"]


def test_a_burst_of_writers_larger_than_the_pool_gets_only_success_or_503(db_url: str) -> None:
    writers = 24
    with _server(db_url, db_pool_size=3, db_pool_timeout=0.2, db_lock_timeout=0.3) as (
        _,
        tenant,
    ):
        with ThreadPoolExecutor(writers) as pool:
            answers = list(
                pool.map(
                    lambda n: put_new(tenant.client, "departments", {"name": f"D{n}"}),
                    range(writers * 3),
                )
            )
        statuses = Counter(a.status_code for a in answers)
        assert set(statuses) <= {201, 503}, statuses
        for answer in answers:
            if answer.status_code == 503:
                _busy(answer)
        listed = tenant.client.get("/v1/departments", params={"pageRowCount": 500}).json()
        assert listed["paging"]["totalRowCount"] == statuses[201]
