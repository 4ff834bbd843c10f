"""Webhook URLs that would make the server a client of its own network are refused:
at subscribe time (400 naming ``url``) and again before every try (a name that
resolves to a private address by then is a failed try, never a request)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from server import webhook_targets, webhooks
from server.app import create_app
from tests.server.conftest import LiveServer, Tenant, created, fast_settings, make_tenant
from tests.server.test_webhooks import SECRET, Receiver, _until


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[Tenant]:
    """A server as shipped: private webhook targets not allowed."""
    settings = fast_settings(f"sqlite:///{tmp_path / 'strict.sqlite3'}")
    live = LiveServer(create_app(replace(settings, webhook_allow_private=False)))
    tenant = make_tenant(live)
    yield tenant
    for client in tenant.clients:
        client.close()
    live.stop()


def _fields(response) -> dict[str, str]:
    return {f["field"]: f["message"] for f in response.json()["detail"]["fields"]}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/in",
        "file:///etc/passwd",
        "https://user:pw@example.com/in",
        "https://token@example.com/in",
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00:ec2::254]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.100.100.200/hook",
    ],
)
def test_a_private_or_odd_url_is_refused_naming_url(strict: Tenant, url: str) -> None:
    response = strict.client.post("/v1/webhooks", json={"url": url, "events": ["*"]})
    assert response.status_code == 400, response.text
    assert set(_fields(response)) == {"url"}


def test_a_public_url_is_accepted_and_a_change_is_checked_too(strict: Tenant) -> None:
    made = strict.client.post("/v1/webhooks", json={"url": "https://8.8.8.8/in", "events": ["*"]})
    assert made.status_code == 201, made.text
    hook = made.json()["webhook"]["id"]
    moved = strict.client.patch(f"/v1/webhooks/{hook}", json={"url": "http://127.0.0.1/in"})
    assert moved.status_code == 400
    assert "SHIFTDESK_WEBHOOK_ALLOW_PRIVATE" in _fields(moved)["url"]


def test_a_name_that_resolves_privately_by_delivery_time_is_not_sent_to(
    strict: Tenant, receiver: Receiver
) -> None:
    """As after DNS rebinding: the subscription passed its check (written here as
    if its name had resolved publicly then), but the name now resolves to
    127.0.0.1; every try is refused before any connection, and logged."""
    with strict.live.db.transaction() as session:
        webhooks.create_subscription(
            session,
            strict.company_id,
            {"url": f"http://localhost:{receiver.port}/hook", "events": ["employee.created"]},
            allow_private=True,
        )
    created(strict.client, "employees", {"firstName": "Ada", "lastName": "Lovelace"})

    def tried() -> list[dict]:
        log = strict.client.get("/v1/webhookdeliveries").json()["webhookdeliveries"]
        return [d for d in log if d["attempts"] >= 2]

    _until(lambda: bool(tried()))
    (delivery,) = tried()
    assert delivery["lastStatus"] is None
    assert "127.0.0.1" in delivery["lastError"] or "::1" in delivery["lastError"]
    assert receiver.receipts == []


def test_an_allowed_private_name_is_sent_to_the_address_it_resolved_to(
    tenant: Tenant, receiver: Receiver
) -> None:
    """With private targets allowed (the suite's servers), a name is resolved once
    and the try goes to that address with the name as Host."""
    made = tenant.client.post(
        "/v1/webhooks",
        json={
            "url": f"http://localhost:{receiver.port}/hook",
            "events": ["employee.created"],
            "secret": SECRET,
        },
    )
    assert made.status_code == 201, made.text
    created(tenant.client, "employees", {"firstName": "Grace", "lastName": "Hopper"})
    _until(lambda: len(receiver.accepted()) == 1)
    assert receiver.accepted()[0].host == f"localhost:{receiver.port}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    made.start()
    yield made
    made.stop()


def test_a_pinned_https_try_verifies_the_certificate_for_the_name(tmp_path: Path) -> None:
    """The try goes to the address that was checked, yet TLS still checks the
    receiver's certificate against the URL's name (its SNI), and the receiver sees
    that name as Host: pinning costs https receivers nothing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        target = webhook_targets.pin(f"https://localhost:{port}/hook", allow_private=True)
        assert target.url == f"https://127.0.0.1:{port}/hook"
        trusted = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(verify=trusted) as client:
            answer = client.post(
                target.url, content=b"{}", headers=target.headers, extensions=target.extensions
            )
            assert answer.status_code == 204
            assert hosts == [f"localhost:{port}"]
            with pytest.raises(httpx.ConnectError):  # the address alone is not the name
                client.post(target.url, content=b"{}")
    finally:
        server.shutdown()
        server.server_close()
