"""``shiftdesk server …`` in-process, and the server started by the command itself."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cli import main
from server.app import create_app
from server.settings import Settings
from tests.server.conftest import LiveServer


def _last_token(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out.split()[-1]


def test_company_and_key_made_on_the_command_line_open_the_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "server.sqlite3")
    company = _last_token(capsys, ["server", "create-company", "Acme", "--db", db])
    key = _last_token(
        capsys,
        ["server", "create-key", "--company", company, "--scopes", "schedule:read", "--db", db],
    )
    assert key.startswith("sdk_")
    live = LiveServer(create_app(Settings(f"sqlite:///{db}")))
    try:
        me = httpx.get(f"{live.url}/v1/currentuser", headers={"X-API-Key": key}).json()
        assert me["currentuser"]["companyName"] == "Acme"
        assert main(["server", "list-keys", "--json", "--db", db]) == 0
        [listed] = json.loads(capsys.readouterr().out)
        assert listed["companyId"] == company
        assert listed["scopes"] == ["schedule:read"]
        assert listed["revokedAt"] is None
        assert key not in json.dumps(listed)
        assert main(["server", "revoke-key", listed["id"], "--db", db]) == 0
        revoked = httpx.get(f"{live.url}/v1/currentuser", headers={"X-API-Key": key})
        assert revoked.status_code == 401
    finally:
        live.stop()


def test_list_keys_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "server.sqlite3")
    company = _last_token(capsys, ["server", "create-company", "Acme", "--db", db])
    _last_token(
        capsys,
        ["server", "create-key", "--company", company, "--scopes", "leave:read", "--db", db],
    )
    assert main(["server", "list-keys", "--db", db]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["id", "company", "prefix", "scopes"]
    assert company in row


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["create-key", "--company", "nope", "--scopes", "schedule:read"], "no company"),
        (["create-key", "--company", "X", "--scopes", "everything"], "scopes"),
        (["revoke-key", "nope"], "no API key"),
        (["create-company", "Acme", "--timezone", "Mars/Base"], "timezone"),
        (["create-company", "Acme", "--currency", "euro"], "currency"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    assert main(["server", *argv, "--db", str(tmp_path / "s.sqlite3")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert needle in err


def _get_once_listening(url: str, process: subprocess.Popen, timeout: float = 60) -> httpx.Response:
    """GET ``url`` as soon as the server takes connections, asking every 50 ms: httpx's
    own connect retries back off exponentially and so waited seconds past the start."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=30) as client:
        while True:
            try:
                return client.get(url)
            except httpx.ConnectError:
                assert process.poll() is None, "the server exited before it took connections"
                assert time.monotonic() < deadline, f"nothing took connections in {timeout} s"
                time.sleep(0.05)


#: Several workers take seconds to start (a process each) and guard their start on
#: one SQLite file together, which few edits touch: ``slow``.
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_shiftdesk_server_serves_the_api(tmp_path: Path, workers: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = tmp_path / "served.sqlite3"
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "cli", "server", "--db", str(db)),
            *("--port", str(port), "--workers", str(workers)),
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        health = _get_once_listening(f"http://127.0.0.1:{port}/health", process)
        assert health.json()["health"]["database"] == "ok"
        assert db.exists()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_purge_tombstones_reports_what_it_forgot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "server.sqlite3")
    assert main(["server", "purge-tombstones", "--days", "30", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("0 tombstone(s) older than 30 days purged")


def test_create_key_offers_the_pay_and_personal_scopes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["server", "create-key", "--help"])
    helped = capsys.readouterr().out
    for scope in ("pay:read", "pay:write", "personal:read", "personal:write"):
        assert scope in helped
    db = str(tmp_path / "server.sqlite3")
    company = _last_token(capsys, ["server", "create-company", "Acme", "--db", db])
    scopes = "schedule:read,pay:read,pay:write,personal:read"
    argv = ["server", "create-key", "--company", company, "--scopes", scopes, "--db", db]
    assert _last_token(capsys, argv).startswith("sdk_")
    assert main(["server", "list-keys", "--json", "--db", db]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["scopes"] == scopes.split(",")


def test_erase_employee_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "server.sqlite3")
    company = _last_token(capsys, ["server", "create-company", "Acme", "--db", db])
    scopes = "schedule:read,schedule:write,personal:read"
    key = _last_token(
        capsys,
        ["server", "create-key", "--company", company, "--scopes", scopes, "--db", db],
    )
    live = LiveServer(create_app(Settings(f"sqlite:///{db}")))
    try:
        client = httpx.Client(base_url=live.url, headers={"X-API-Key": key})
        person = client.post("/v1/employees", json={"firstName": "Zelda", "lastName": "Quist"})
        employee = person.json()["employee"]["id"]
        argv = ["server", "erase-employee", "--company", company, "--employee", employee]
        assert main([*argv, "--db", db]) == 0
        assert "erased" in capsys.readouterr().out
        shown = client.get(f"/v1/employees/{employee}").json()["employee"]
        assert shown["firstName"] == "Erased"
        client.close()
        nobody = ["server", "erase-employee", "--company", company, "--employee", company]
        assert main([*nobody, "--db", db]) == 1
    finally:
        live.stop()


def test_webhooks_are_managed_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from server import webhooks
    from server.admin import transaction

    db = str(tmp_path / "server.sqlite3")
    company = _last_token(capsys, ["server", "create-company", "Acme", "--db", db])
    argv = ["server", "add-webhook", "--company", company, "--url", "http://127.0.0.1:9/h"]
    assert main([*argv, "--events", "attendance.*", "--db", db]) != 0
    assert "SHIFTDESK_WEBHOOK_ALLOW_PRIVATE" in capsys.readouterr().err
    monkeypatch.setenv("SHIFTDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    secret = _last_token(capsys, [*argv, "--events", "attendance.*", "--db", db])
    assert len(secret) >= 16
    assert main(["server", "list-webhooks", "--json", "--db", db]) == 0
    (hook,) = json.loads(capsys.readouterr().out)
    assert (hook["url"], hook["events"]) == ("http://127.0.0.1:9/h", ["attendance.*"])
    assert main(["server", "add-webhook", *argv[2:], "--events", "nope", "--db", db]) != 0
    assert "events" in capsys.readouterr().err
    # A delivery that failed every try, as the worker leaves it.
    with transaction(db) as session:
        session.add(
            webhooks.WebhookDelivery(
                id="d-1",
                company_id=company,
                subscription_id=hook["id"],
                event="attendance.clock_in",
                body='{"event":"attendance.clock_in","timestamp":"x","data":{}}',
                status=webhooks.DEAD,
                attempts=8,
            )
        )
    assert main(["server", "dead-letters", "--json", "--db", db]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)] == ["d-1"]
    assert main(["server", "replay-delivery", "d-1", "--db", db]) == 0
    assert "sent again" in capsys.readouterr().out
    assert main(["server", "webhook-deliveries", "--status", "pending", "--json", "--db", db]) == 0
    assert [d["attempts"] for d in json.loads(capsys.readouterr().out)] == [0]
    assert main(["server", "discard-delivery", "d-1", "--db", db]) != 0  # not dead now
    capsys.readouterr()
    assert main(["server", "remove-webhook", hook["id"], "--db", db]) == 0
    capsys.readouterr()
    assert main(["server", "webhook-deliveries", "--json", "--db", db]) == 0
    assert [d["status"] for d in json.loads(capsys.readouterr().out)] == ["discarded"]


def _serving(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, int]:
    """``shiftdesk server`` on a free port, its stdout and stderr captured in files."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [sys.executable, "-m", "cli", "server", "--db", str(tmp_path / "s.sqlite3")]
    out = (tmp_path / "out.txt").open("w")
    err = (tmp_path / "err.txt").open("w")
    process = subprocess.Popen([*argv, "--port", str(port), *extra], stdout=out, stderr=err)
    out.close()
    err.close()
    return process, port


def test_uvicorns_access_log_is_off_beside_the_json_log(tmp_path: Path) -> None:
    """uvicorn's access log would record query strings; the JSON log records the path."""
    process, port = _serving(tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/health?secret=hunter2"
        assert _get_once_listening(url, process).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    logged = (tmp_path / "out.txt").read_text() + (tmp_path / "err.txt").read_text()
    assert '"path": "/health"' in logged  # the JSON request log
    assert "hunter2" not in logged
    assert "GET /health" not in logged


def _stopped(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def test_a_non_local_address_without_tls_is_warned_about(tmp_path: Path) -> None:
    process, port = _serving(tmp_path, "--host", "0.0.0.0")
    try:
        assert _get_once_listening(f"http://127.0.0.1:{port}/health", process).status_code == 200
    finally:
        _stopped(process)
    err = (tmp_path / "err.txt").read_text()
    assert "warning: serving plain HTTP on 0.0.0.0" in err
    assert "--ssl-certfile" in err


def test_loopback_is_served_without_a_warning(tmp_path: Path) -> None:
    process, port = _serving(tmp_path)
    try:
        assert _get_once_listening(f"http://127.0.0.1:{port}/health", process).status_code == 200
    finally:
        _stopped(process)
    assert "warning" not in (tmp_path / "err.txt").read_text()


def test_ssl_options_serve_https_without_the_warning(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    process, port = _serving(
        tmp_path, "--host", "0.0.0.0", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)
    )
    try:
        deadline = time.monotonic() + 60
        with httpx.Client(verify=False, timeout=30) as client:
            while True:
                try:
                    health = client.get(f"https://127.0.0.1:{port}/health")
                    break
                except httpx.ConnectError:
                    assert process.poll() is None, "the server exited before it took connections"
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
        assert health.status_code == 200
    finally:
        _stopped(process)
    assert "warning" not in (tmp_path / "err.txt").read_text()


def test_a_certificate_without_its_key_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["server", "--db", str(tmp_path / "s.sqlite3"), "--ssl-certfile", "c.pem"]
    assert main(argv) == 1
    assert "--ssl-keyfile" in capsys.readouterr().err


def test_purge_forgets_old_idempotency_records_and_idle_rate_buckets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re
    from datetime import timedelta

    from sqlalchemy import select, update

    from core.timeutil import utcnow
    from server import admin, auth
    from server.tables import IdempotencyRecord, RateBucket

    db = tmp_path / "server.sqlite3"
    live = LiveServer(create_app(Settings(f"sqlite:///{db}", rate_window_seconds=3600)))
    try:
        with live.db.transaction() as session:
            company = admin.create_company(session, "Purgeco")
            _, secret = auth.create_key(session, company.id, auth.SCOPES)
        with httpx.Client(base_url=live.url, headers={"X-API-Key": secret}) as client:
            for key in ("old-write", "new-write"):
                answer = client.post(
                    "/v1/departments", json={"name": key}, headers={"Idempotency-Key": key}
                )
                assert answer.status_code == 201, answer.text
        with live.db.transaction() as session:
            session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.key == "old-write")
                .values(claimed_at=utcnow() - timedelta(days=40))
            )
            session.add(RateBucket(bucket="ip:192.0.2.1", tat=time.time() - 5))
            session.add(RateBucket(bucket="ip:192.0.2.2", tat=time.time() + 3600))
    finally:
        live.stop()

    assert main(["server", "purge", "--days", "30", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    counts = re.match(
        r"0 tombstone\(s\) and 1 idempotency record\(s\) older than 30 days,"
        r" and (\d+) idle rate bucket\(s\), purged",
        out,
    )
    assert counts is not None, out
    assert int(counts[1]) >= 1
    database = admin.Database(f"sqlite:///{db}")
    try:
        with database.transaction() as session:
            keys = session.scalars(select(IdempotencyRecord.key)).all()
            buckets = session.scalars(select(RateBucket.bucket)).all()
    finally:
        database.close()
    assert keys == ["new-write"]
    assert "ip:192.0.2.1" not in buckets
    assert "ip:192.0.2.2" in buckets  # still refilling: it still decides


def test_purge_refuses_days_below_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "server.sqlite3")
    assert main(["server", "purge", "--days", "0", "--db", db]) == 1
    assert "--days must be at least 1" in capsys.readouterr().err
