"""The sync layer against a real server on 127.0.0.1, through a transport that can
inject faults: the seam httpx's own tests use.

The server, its database and the per-test company come from tests/server/conftest.py
(imported here so they are fixtures of these tests too; only this directory pays
for importing FastAPI).
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from core.models import OutboxEntry
from core.organisation import Setup, setup_store
from core.store import Store, open_store
from core.wire import ChangePage, ErrorEnvelope
from server.app import create_app
from server.settings import Settings
from sync.client import SyncClient
from sync.engine import RunResult, run_sync
from sync.link import make_link
from tests.server.conftest import (  # noqa: F401 - fixtures, found by name
    LiveServer,
    Staff,
    Tenant,
    db_url,
    live,
    new_id,
    pg_base,
    staff,
    tenant,
)


@dataclass
class Fault:
    """One canned answer given instead of forwarding: a status and its headers."""

    status: int
    headers: dict[str, str]


@dataclass
class FaultTransport(httpx.BaseTransport):
    """Wraps the real :class:`httpx.HTTPTransport` and, on request, misbehaves:

    - :meth:`drop_responses`: forward, let the server write, then lose the answer
      (``httpx.ReadError``), as a connection cut mid-response does;
    - :meth:`fail_every`: every Nth call fails to connect (``httpx.ConnectError``)
      without reaching the server;
    - :meth:`answer`: the next calls get a canned status (429 with ``Retry-After``,
      503) without reaching the server.

    ``requests`` keeps every request seen and ``forwarded`` those that reached it.
    """

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    requests: list[httpx.Request] = field(default_factory=list)
    forwarded: list[httpx.Request] = field(default_factory=list)
    _drops: int = 0
    _every: int = 0
    _counted: int = 0
    _spared: int = 0
    _canned: deque[Fault] = field(default_factory=deque)

    def drop_responses(self, count: int = 1, after: int = 0) -> None:
        """Lose the answers of ``count`` calls that reach the server, once ``after``
        more have been answered normally."""
        self._drops += count
        self._spared = after

    def calm(self) -> None:
        """Stop misbehaving: no drops, failures or canned answers left."""
        self._drops = self._every = self._counted = self._spared = 0
        self._canned.clear()

    def fail_every(self, n: int) -> None:
        """Every ``n``-th call from now on (0 stops it) fails before the server."""
        self._every = n
        self._counted = 0

    def answer(self, status: int, times: int = 1, retry_after: str | None = "1") -> None:
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        self._canned.extend(Fault(status, headers) for _ in range(times))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self._canned:
            fault = self._canned.popleft()
            body = ErrorEnvelope(fault.status, "INJECTED", "injected by the test").to_json()
            return httpx.Response(
                fault.status,
                headers={**fault.headers, "Content-Type": "application/json"},
                content=body,
                request=request,
            )
        if self._every:
            self._counted += 1
            if self._counted % self._every == 0:
                raise httpx.ConnectError("injected: connection refused", request=request)
        self.forwarded.append(request)
        response = self.inner.handle_request(request)
        if self._drops and self._spared:
            self._spared -= 1
        elif self._drops:
            self._drops -= 1
            response.read()
            response.close()
            raise httpx.ReadError("injected: the answer was lost after the server wrote")
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def faults() -> FaultTransport:
    return FaultTransport()


@pytest.fixture
def waits() -> list[float]:
    """What the client slept, in order: pass ``waits.append`` as its ``sleep``."""
    return []


@pytest.fixture
def client(
    tenant: Tenant,  # noqa: F811 - the fixture imported above
    faults: FaultTransport,
    waits: list[float],
) -> Iterator[SyncClient]:
    """The tenant's key over the fault transport; backoff sleeps are recorded, not
    slept, and have no jitter."""
    with SyncClient(
        tenant.live.url, tenant.key, transport=faults, sleep=waits.append, jitter=lambda w: 0.0
    ) as made:
        yield made


@dataclass
class SyncSite:
    """One store of a company on the real server, with its own fault transport: what
    a laptop at a site (or a manager's copy) is to the scenarios."""

    name: str
    path: Path
    store: Store
    client: SyncClient
    faults: FaultTransport
    waits: list[float]
    company_id: str
    site_id: str

    def run(self) -> RunResult:
        return run_sync(self.store, self.client)

    def read(self, model: type[Any], record_id: str) -> Any:
        """A row as it stands (None when absent), detached from its session."""
        with self.store.session() as s:
            row = s.get(model, record_id)
            if row is not None:
                s.refresh(row)
                s.expunge(row)
            return row

    def outbox(self) -> list[tuple[str, str, str, str]]:
        """Every entry as (collection, record id, op, state), oldest first."""
        with self.store.session() as s:
            return [
                (e.collection, e.record_id, str(e.op), str(e.state))
                for e in s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))
            ]

    def close(self) -> None:
        self.client.close()
        self.store.close()


def site_client(url: str, key: str, faults: FaultTransport, waits: list[float]) -> SyncClient:
    """A client whose backoff sleeps are recorded in ``waits``, not slept."""
    return SyncClient(url, key, transport=faults, sleep=waits.append, jitter=lambda w: 0.0)


@pytest.fixture
def new_site(
    tenant: Tenant,  # noqa: F811 - the fixture imported above
    migrated_file: Path,
    tmp_path: Path,
) -> Iterator[Callable[[str], SyncSite]]:
    """Makes sites of the tenant's company: a store set up with the server's company
    and site ids and linked to the server, as ``sync connect`` leaves a first site."""
    made: list[SyncSite] = []

    def make(name: str) -> SyncSite:
        path = tmp_path / f"{name}.shiftdesk"
        shutil.copyfile(migrated_file, path)
        store = open_store(path)
        with store.session() as s:
            setup_store(
                s,
                Setup("Testco", "Main", "Europe/Berlin"),
                company_id=tenant.company_id,
                site_id=tenant.site_id,
            )
            make_link(s, tenant.live.url, tenant.company_id)
        faults, waits = FaultTransport(), []
        site = SyncSite(
            name,
            path,
            store,
            site_client(tenant.live.url, tenant.key, faults, waits),
            faults,
            waits,
            tenant.company_id,
            tenant.site_id,
        )
        made.append(site)
        return site

    yield make
    for site in made:
        site.close()


def server_records(tenant: Tenant, collection: str) -> dict[str, dict[str, Any] | None]:  # noqa: F811
    """What the server holds of one collection, read with plain GETs of its change
    feed: each record by id, None for a tombstone."""
    found: dict[str, dict[str, Any] | None] = {}
    cursor = "0"
    while True:
        response = tenant.client.get("/v1/changes", params={"cursor": cursor, "limit": 1000})
        assert response.status_code == 200, response.text
        page = ChangePage.parse(response.json())
        for change in page.changes:
            if change.collection == collection:
                found[change.id] = None if change.deleted else dict(change.record or {})
        cursor = str(page.cursor)
        if not page.has_more:
            return found


def server_record(tenant: Tenant, collection: str, record_id: str) -> dict[str, Any] | None:  # noqa: F811
    """One record by a plain GET; None when the server has no live record of that id."""
    response = tenant.client.get(f"/v1/{collection}/{record_id}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body = response.json()
    return body[body["dataName"]]


class ServerOn(LiveServer):
    """A server on a given port (0: any free one), so a restarted one has the URL
    the store is linked to."""

    def __init__(self, database: str, port: int = 0) -> None:
        self.app = create_app(Settings(database, rate_limit=100_000))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})
        self.thread.start()
