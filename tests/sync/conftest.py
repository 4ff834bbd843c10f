"""The sync layer against a real server on 127.0.0.1, through a transport that can
inject faults: the seam httpx's own tests use.

The server, its database and the per-test company come from tests/server/conftest.py
(imported here so they are fixtures of these tests too; only this directory pays
for importing FastAPI).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from core.wire import ErrorEnvelope
from sync.client import SyncClient
from tests.server.conftest import (  # noqa: F401 - fixtures, found by name
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
