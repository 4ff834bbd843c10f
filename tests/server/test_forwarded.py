"""``X-Forwarded-For`` names the caller only when a listed proxy sends it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from server.app import create_app
from server.settings import ENV_TRUSTED_PROXIES, Settings
from server.tables import RateBucket
from tests.server.conftest import LiveServer

FORGED = "203.0.113.7"


def _buckets(live: LiveServer) -> set[str]:
    with live.db.transaction() as session:
        return set(session.scalars(select(RateBucket.bucket)))


def _call_without_a_key(live: LiveServer) -> None:
    answer = httpx.get(f"{live.url}/v1/employees", headers={"X-Forwarded-For": FORGED})
    assert answer.status_code == 401


@pytest.fixture
def serve_with(tmp_path: Path) -> Iterator:
    servers: list[LiveServer] = []

    def start(settings: Settings) -> LiveServer:
        servers.append(LiveServer(create_app(settings)))
        return servers[-1]

    yield lambda **kw: start(Settings(f"sqlite:///{tmp_path / 'fwd.sqlite3'}", **kw))
    for server in servers:
        server.stop()


def test_a_local_client_cannot_choose_its_rate_bucket(serve_with) -> None:
    live = serve_with()
    _call_without_a_key(live)
    assert f"ip:{FORGED}" not in _buckets(live)
    assert "ip:127.0.0.1" in _buckets(live)


def test_a_listed_proxy_names_the_client(serve_with) -> None:
    live = serve_with(trusted_proxies=("127.0.0.1",))
    _call_without_a_key(live)
    assert f"ip:{FORGED}" in _buckets(live)


def test_the_trusted_proxies_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_TRUSTED_PROXIES, " 10.0.0.1, 10.0.0.2 ,")
    assert Settings.from_env("sqlite://").trusted_proxies == ("10.0.0.1", "10.0.0.2")
    monkeypatch.delenv(ENV_TRUSTED_PROXIES)
    assert Settings.from_env("sqlite://").trusted_proxies == ()
