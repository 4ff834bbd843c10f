"""Every answer is an envelope with a request id; an unexpected error is a clean 500
whose id is in the body and in the log, and never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.logs import LOGGER
from server.settings import Settings
from tests.server.conftest import LiveServer, Tenant, make_tenant


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[Records]:
    handler = Records()
    LOGGER.addHandler(handler)
    yield handler
    LOGGER.removeHandler(handler)


@pytest.fixture
def broken(tmp_path: Path) -> Iterator[Tenant]:
    """A server of its own whose database lost a table under it."""
    live = LiveServer(create_app(Settings(f"sqlite:///{tmp_path / 'broken.sqlite3'}")))
    tenant = make_tenant(live)
    with live.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE shift_template")
    yield tenant
    tenant.client.close()
    live.stop()


def test_an_unexpected_error_is_a_500_with_a_request_id_and_no_trace(
    broken: Tenant, logged: Records
) -> None:
    response = broken.client.get("/v1/shifttemplates")
    assert response.status_code == 500
    body = response.json()
    assert body["result"] == "ERR"
    assert body["errCode"] == "INTERNAL"
    request_id = response.headers["x-request-id"]
    assert body["detail"] == {"requestId": request_id}
    assert request_id in body["message"]
    for leak in ("Traceback", "sqlite", "shift_template", 'File "'):
        assert leak not in response.text
    [error] = [r for r in logged.records if r.levelno == logging.ERROR]
    assert error.request_id == request_id  # type: ignore[attr-defined]
    assert error.exc_info is not None
    assert "x-ratelimit-limit" in response.headers


def test_a_given_request_id_is_kept_and_echoed(tenant: Tenant, logged: Records) -> None:
    response = tenant.client.get("/v1/departments", headers={"X-Request-Id": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    [entry] = [r for r in logged.records if getattr(r, "request_id", None) == "trace-42"]
    assert entry.status == 200  # type: ignore[attr-defined]


def test_unknown_paths_and_methods_answer_in_the_error_envelope(tenant: Tenant) -> None:
    missing = tenant.client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["result"] == "ERR"
    wrong = tenant.client.request("TRACE", "/v1/departments/x")
    assert wrong.status_code == 405
    assert wrong.json()["errCode"] == "METHOD_NOT_ALLOWED"
    assert wrong.headers["allow"] == "DELETE, GET, PATCH, PUT"


def test_health_and_the_openapi_document_need_no_key(tenant: Tenant) -> None:
    assert httpx.get(f"{tenant.live.url}/health").json()["health"] == {"database": "ok"}
    document = httpx.get(f"{tenant.live.url}/v1/openapi.json").json()
    assert "/v1/shifts/{record_id}" in document["paths"]
    assert document["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key"
