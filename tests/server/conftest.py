"""A real server on 127.0.0.1 per database backend, and a fresh company per test.

The suite runs on SQLite and, when PostgreSQL answers at 127.0.0.1:5432 (database
``test``), again in a fresh schema there that is dropped afterwards.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import event

from server import admin, auth
from server.app import create_app
from server.db import Database
from server.serve import uvicorn_options
from server.settings import Settings

PG_USERS = ("root", "postgres")


def postgres_base() -> str | None:
    """The test database's URL, or None when no PostgreSQL answers."""
    try:
        import psycopg
    except ImportError:
        return None
    for user in PG_USERS:
        try:
            with psycopg.connect(
                host="127.0.0.1", port=5432, dbname="test", user=user, connect_timeout=3
            ):
                return f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
        except psycopg.OperationalError:
            continue
    return None


@pytest.fixture(scope="session")
def pg_base() -> str:
    base = postgres_base()
    if base is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (database test)")
    return base


def fresh_pg_schema(base: str) -> tuple[str, Database]:
    """A new, empty schema; the URL puts it first on the search path."""
    name = f"sd_test_{uuid.uuid4().hex[:12]}"
    admin_db = Database(base)
    with admin_db.engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    return f"{base}?options=-csearch_path%3D{name}", admin_db


def drop_pg_schema(url: str, admin_db: Database) -> None:
    name = url.rsplit("%3D", 1)[1]
    with admin_db.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
    admin_db.close()


#: The databases a server test runs on (Postgres only where one is configured).
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def database_url(request: pytest.FixtureRequest, sqlite_file: Path) -> Iterator[str]:
    """The URL of the fixture's database: ``sqlite_file``, or a fresh Postgres schema
    that is dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    url, admin_db = fresh_pg_schema(request.getfixturevalue("pg_base"))
    try:
        yield url
    finally:
        drop_pg_schema(url, admin_db)


@pytest.fixture(scope="session", params=DATABASES)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from database_url(request, tmp_path_factory.mktemp("server") / "server.sqlite3")


class LiveServer:
    """uvicorn serving an app in a thread, on a socket bound before it starts."""

    def __init__(self, app: FastAPI, port: int = 0, options: dict | None = None) -> None:
        """``port`` 0 takes a free one; a given port is taken again, as a restarted
        server does (its old connections may still linger in TIME_WAIT). ``options``:
        uvicorn's, default those :func:`server.serve.serve` passes."""
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Accepted connections inherit this; without it every answer waits ~40 ms on
        # delayed ACKs (asyncio sets it only on sockets it binds itself).
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port: int = self.sock.getsockname()[1]
        self.sock.listen(128)  # clients may connect at once: the backlog holds them
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", **(options or uvicorn_options()))
        )
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})
        self.thread.start()

    @property
    def db(self) -> Database:
        return self.app.state.db

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.sock.close()
        self.db.close()


def fast_settings(db_url: str) -> Settings:
    """The test server's settings: no rate limit in the way, webhooks retried within
    a few seconds (six tries, 0.2 s doubling to at most 1 s) and sent to receivers
    on 127.0.0.1 (private targets allowed, as ``SHIFTDESK_WEBHOOK_ALLOW_PRIVATE=1``)."""
    return Settings(
        db_url,
        rate_limit=100_000,
        webhook_poll_seconds=0.05,
        webhook_max_attempts=6,
        webhook_retry_base_seconds=0.2,
        webhook_retry_max_seconds=1.0,
        webhook_timeout_seconds=5.0,
        webhook_allow_private=True,
    )


@pytest.fixture(scope="session")
def live(db_url: str) -> Iterator[LiveServer]:
    server = LiveServer(create_app(fast_settings(db_url)))
    yield server
    server.stop()


@dataclass
class Tenant:
    """A company with one site (Europe/Berlin) and an all-scopes key, over real HTTP."""

    live: LiveServer
    company_id: str
    site_id: str
    key: str
    client: httpx.Client
    clients: list[httpx.Client] = field(default_factory=list)

    def client_with(self, scopes: list[str], rate_limit: int | None = None) -> httpx.Client:
        with self.live.db.transaction() as session:
            _, secret = auth.create_key(session, self.company_id, scopes, rate_limit=rate_limit)
        client = httpx.Client(base_url=self.live.url, headers={"X-API-Key": secret}, timeout=60)
        self.clients.append(client)
        return client


def make_tenant(live: LiveServer, name: str = "Testco") -> Tenant:
    with live.db.transaction() as session:
        company = admin.create_company(session, name, timezone="Europe/Berlin")
        site_id = company.sites[0].id
        _, secret = auth.create_key(session, company.id, auth.SCOPES)
        company_id = company.id
    client = httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {secret}"}, timeout=60
    )
    return Tenant(live, company_id, site_id, secret, client, [client])


@pytest.fixture
def tenant(live: LiveServer) -> Iterator[Tenant]:
    made = make_tenant(live)
    yield made
    for client in made.clients:
        client.close()


@pytest.fixture
def other_tenant(live: LiveServer) -> Iterator[Tenant]:
    made = make_tenant(live, "Othercorp")
    yield made
    for client in made.clients:
        client.close()


def new_id() -> str:
    return str(uuid.uuid4())


def put_new(client: httpx.Client, collection: str, body: dict, record_id: str | None = None, **kw):
    """Create through ``PUT`` + ``If-None-Match: *`` as the sync client does."""
    return client.put(
        f"/v1/{collection}/{record_id or new_id()}",
        json=body,
        headers={"If-None-Match": "*"},
        **kw,
    )


def created(client: httpx.Client, collection: str, body: dict) -> dict:
    response = put_new(client, collection, body)
    assert response.status_code == 201, response.text
    item = response.json()["dataName"]
    return response.json()[item]


@dataclass
class Staff:
    kitchen: str
    floor: str
    anna: str
    ben: str
    cara: str


@pytest.fixture
def staff(tenant: Tenant) -> Staff:
    kitchen = created(tenant.client, "departments", {"name": "Kitchen"})["id"]
    floor = created(tenant.client, "departments", {"name": "Floor"})["id"]
    people = [
        created(
            tenant.client,
            "employees",
            {"firstName": first, "lastName": "Test", "departmentId": dept, "hourlyRate": "20.00"},
        )["id"]
        for first, dept in (("Anna", kitchen), ("Ben", kitchen), ("Cara", floor))
    ]
    return Staff(kitchen, floor, *people)


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements ``db`` runs inside the block (the in-process live server's
    included), one string each: what a test of a path's statement count reads."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
