"""Webhooks against a real receiver (``http.server`` on 127.0.0.1 in a thread):
subscriptions through the API, signed deliveries written with the write and sent
after its commit, retries across a receiver outage, the dead-letter list."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from server.app import create_app
from tests.server.conftest import LiveServer, Staff, Tenant, created, fast_settings, put_new

SECRET = "a-receivers-secret-of-some-length"


@dataclass
class Receipt:
    delivery: str
    event: str
    signature: str
    body: bytes
    answered: int
    path: str = ""
    host: str = ""

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on a fixed port that can go down and come back; it answers
    ``status`` (200 unless told otherwise) and keeps every request it got."""

    port: int = 0
    status: int = 200
    receipts: list[Receipt] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answered = receiver.status
                with receiver._lock:
                    receiver.receipts.append(
                        Receipt(
                            self.headers["X-ShiftDesk-Delivery"],
                            self.headers["X-ShiftDesk-Event"],
                            self.headers["X-ShiftDesk-Signature"],
                            body,
                            answered,
                            self.path,
                            self.headers["Host"],
                        )
                    )
                self.send_response(answered)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: the port refuses connections until :meth:`start` again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def accepted(self) -> list[Receipt]:
        with self._lock:
            return [r for r in self.receipts if 200 <= r.answered < 300]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    made.start()
    yield made
    made.stop()


def _subscribe(tenant: Tenant, url: str, events: list[str]) -> dict:
    response = tenant.client.post(
        "/v1/webhooks", json={"url": url, "events": events, "secret": SECRET}
    )
    assert response.status_code == 201, response.text
    return response.json()["webhook"]


def _until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _punch(tenant: Tenant, who: str, kind: str, at: str) -> dict:
    return created(tenant.client, "clockevents", {"employeeId": who, "kind": kind, "at": at})


def test_subscriptions_are_managed_through_the_api(tenant: Tenant, other_tenant: Tenant) -> None:
    made = tenant.client.post(
        "/v1/webhooks", json={"url": "https://example.com/in", "events": ["shift.*"]}
    )
    assert made.status_code == 201
    hook = made.json()["webhook"]
    assert len(hook["secret"]) >= 16  # made for the caller, shown this once
    url = f"/v1/webhooks/{hook['id']}"
    listed = tenant.client.get("/v1/webhooks").json()["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    changed = tenant.client.patch(url, json={"events": ["employee.created"], "isActive": False})
    assert changed.status_code == 200
    assert changed.json()["webhook"]["events"] == ["employee.created"]
    assert changed.json()["webhook"]["isActive"] is False
    bad = tenant.client.post(
        "/v1/webhooks", json={"url": "ftp://x", "events": ["shift.exploded"], "colour": 1}
    )
    assert bad.status_code == 400
    fields = {f["field"]: f["code"] for f in bad.json()["detail"]["fields"]}
    assert fields == {"url": "INVALID", "events": "INVALID", "colour": "UNDEFINED"}
    missing = tenant.client.post("/v1/webhooks", json={})
    assert {f["field"] for f in missing.json()["detail"]["fields"]} == {"url", "events"}
    assert other_tenant.client.get(url).status_code == 404
    reader = tenant.client_with(["schedule:read"])
    assert reader.get("/v1/webhooks").status_code == 403
    assert tenant.client.delete(url).status_code == 200
    assert tenant.client.get(url).status_code == 404


def test_a_punch_is_delivered_signed_with_its_record(
    tenant: Tenant, staff: Staff, receiver: Receiver
) -> None:
    _subscribe(tenant, receiver.url, ["attendance.clock_in", "attendance.clock_out"])
    punch_in = _punch(tenant, staff.anna, "in", "2026-06-01T07:00:00Z")
    punch_out = _punch(tenant, staff.anna, "out", "2026-06-01T15:00:00Z")
    _until(lambda: len(receiver.accepted()) == 2)
    by_event = {r.event: r for r in receiver.accepted()}
    assert set(by_event) == {"attendance.clock_in", "attendance.clock_out"}
    for receipt, punch in (
        (by_event["attendance.clock_in"], punch_in),
        (by_event["attendance.clock_out"], punch_out),
    ):
        expected = hmac.new(SECRET.encode(), receipt.body, hashlib.sha256).hexdigest()
        assert receipt.signature == f"sha256={expected}"
        assert list(receipt.payload) == ["event", "timestamp", "data"]
        assert receipt.payload["event"] == receipt.event
        assert receipt.payload["timestamp"].endswith("Z")
        assert receipt.payload["data"]["id"] == punch["id"]

    def log() -> list[dict]:
        return tenant.client.get("/v1/webhookdeliveries").json()["webhookdeliveries"]

    # The receiver has each body before the worker records its answer.
    _until(lambda: {d["status"] for d in log()} == {"delivered"})
    one = tenant.client.get(f"/v1/webhookdeliveries/{by_event['attendance.clock_in'].delivery}")
    detail = one.json()["webhookdelivery"]
    assert detail["attempts"] == 1
    assert detail["attemptLog"][0]["statusCode"] == 200


def test_a_refused_write_sends_nothing(tenant: Tenant, staff: Staff, receiver: Receiver) -> None:
    _subscribe(tenant, receiver.url, ["*"])
    punch = {"employeeId": staff.ben, "kind": "in", "at": "2026-06-01T07:00:00Z"}
    assert put_new(tenant.client, "clockevents", punch).status_code == 201
    assert put_new(tenant.client, "clockevents", punch).status_code == 409  # the same twice
    bad = put_new(tenant.client, "employees", {"firstName": "  ", "lastName": "X"})
    assert bad.status_code == 400
    _until(lambda: len(receiver.accepted()) >= 1)
    time.sleep(0.5)
    assert [r.event for r in receiver.accepted()] == ["attendance.clock_in"]
    log = tenant.client.get("/v1/webhookdeliveries").json()["paging"]
    assert log["totalRowCount"] == 1


def test_events_name_what_happened(tenant: Tenant, staff: Staff, receiver: Receiver) -> None:
    _subscribe(tenant, receiver.url, ["employee.*", "leave.*", "shift.*"])
    person = created(tenant.client, "employees", {"firstName": "Eve", "lastName": "New"})
    url = f"/v1/employees/{person['id']}"
    tenant.client.patch(url, json={"lastName": "Renamed"}, headers={"If-Match": '"1"'})
    tenant.client.delete(url, headers={"If-Match": '"2"'})
    body = {"shiftDate": "2026-06-03", "startTime": "09:00", "endTime": "17:00"}
    created(tenant.client, "shifts", body)
    leave = created(
        tenant.client,
        "leaverequests",
        {"employeeId": staff.cara, "startDate": "2026-07-01", "endDate": "2026-07-02"},
    )
    decided = tenant.client.post(
        f"/v1/leaverequests/{leave['id']}/approve", headers={"If-Match": '"1"'}
    )
    assert decided.status_code == 200
    wanted = [
        "employee.created",
        "employee.updated",
        "employee.deleted",
        "shift.created",
        "leave.created",
        "leave.updated",
        "leave.approved",
    ]
    _until(lambda: len(receiver.accepted()) >= len(wanted))
    assert sorted(r.event for r in receiver.accepted()) == sorted(wanted)


def test_every_clock_in_is_seen_once_per_delivery_id_across_an_outage(
    tenant: Tenant, staff: Staff, receiver: Receiver
) -> None:
    """Two server processes (workers) on one database, a receiver that goes down
    while punches come in and comes back: every punch arrives, under one delivery
    id, accepted exactly once."""
    second = LiveServer(create_app(fast_settings(tenant.live.db.url)))
    try:
        _subscribe(tenant, receiver.url, ["attendance.clock_in"])
        receiver.stop()
        punches = [
            _punch(tenant, who, "in", f"2026-06-{day:02d}T07:00:00Z")
            for day in range(1, 6)
            for who in (staff.anna, staff.ben, staff.cara)
        ]

        # While it is down the tries fail and are logged; nothing is lost.
        def failed_once() -> bool:
            log = tenant.client.get("/v1/webhookdeliveries").json()["webhookdeliveries"]
            return len(log) == len(punches) and all(d["attempts"] >= 1 for d in log)

        _until(failed_once)
        receiver.start()  # back, on the same port
        _until(lambda: len({r.delivery for r in receiver.accepted()}) == len(punches))
        time.sleep(1.0)  # anything sent twice would have arrived by now
        accepted = receiver.accepted()
        ids = [r.delivery for r in accepted]
        assert len(ids) == len(set(ids)) == len(punches)  # once per delivery id
        punch_of = {r.delivery: r.payload["data"]["id"] for r in accepted}
        assert sorted(punch_of.values()) == sorted(p["id"] for p in punches)
        log = tenant.client.get("/v1/webhookdeliveries").json()["webhookdeliveries"]
        assert {d["status"] for d in log} == {"delivered"}
        assert all(d["attempts"] >= 2 for d in log)
        assert {d["id"] for d in log} == set(ids)
    finally:
        second.stop()


def test_dead_letters_are_listed_replayed_and_discarded(
    tenant: Tenant, staff: Staff, receiver: Receiver
) -> None:
    receiver.status = 500
    _subscribe(tenant, receiver.url, ["attendance.clock_in"])
    first = _punch(tenant, staff.anna, "in", "2026-06-01T07:00:00Z")
    second = _punch(tenant, staff.ben, "in", "2026-06-01T07:00:00Z")

    def dead() -> list[dict]:
        return tenant.client.get("/v1/webhookdeadletters").json()["webhookdeliveries"]

    _until(lambda: len(dead()) == 2)
    letters = {d["payload"]["data"]["id"]: d for d in dead()}
    assert all(d["attempts"] == 6 and d["lastStatus"] == 500 for d in letters.values())
    receiver.status = 200
    replayed = tenant.client.post(f"/v1/webhookdeadletters/{letters[first['id']]['id']}/replay")
    assert replayed.status_code == 200
    _until(lambda: len(receiver.accepted()) == 1)
    assert receiver.accepted()[0].delivery == letters[first["id"]]["id"]
    discarded = tenant.client.delete(f"/v1/webhookdeadletters/{letters[second['id']]['id']}")
    assert discarded.json()["webhookdelivery"]["status"] == "discarded"
    assert dead() == []
    again = tenant.client.post(f"/v1/webhookdeadletters/{letters[first['id']]['id']}/replay")
    assert again.status_code == 404  # delivered: no longer a dead letter
    time.sleep(0.5)
    assert len(receiver.accepted()) == 1


def test_a_payload_shows_only_what_the_subscribing_key_may_read(
    tenant: Tenant, receiver: Receiver
) -> None:
    """A wall display's key (no pay or personal scope) subscribes: its payloads carry
    neither the rate nor the e-mail; a payroll key's carry both; a revoked key's
    subscription gets nothing. The log shows a reader no more than it may read."""
    display = tenant.client_with(["schedule:read", "webhooks:manage"])
    payroll = tenant.client_with(["schedule:read", "pay:read", "personal:read", "webhooks:manage"])
    gone = tenant.client_with(["schedule:read", "pay:read", "webhooks:manage"])
    for client, path in ((display, "/display"), (payroll, "/payroll"), (gone, "/gone")):
        made = client.post(
            "/v1/webhooks",
            json={"url": receiver.url + path, "events": ["employee.created"], "secret": SECRET},
        )
        assert made.status_code == 201, made.text
    gone_key = gone.headers["X-API-Key"]
    with tenant.live.db.transaction() as session:
        from server import auth

        auth.revoke_key(session, auth.authenticate(session, gone_key).key_id)
    created(
        tenant.client,
        "employees",
        {"firstName": "Ada", "lastName": "Pay", "email": "ada@example.com", "hourlyRate": "31.50"},
    )
    _until(lambda: len(receiver.accepted()) >= 2)
    time.sleep(0.5)
    by_path = {r.path: r.payload["data"] for r in receiver.accepted()}
    assert set(by_path) == {"/hook/display", "/hook/payroll"}
    assert by_path["/hook/payroll"]["hourlyRate"] == "31.5"
    assert by_path["/hook/payroll"]["email"] == "ada@example.com"
    assert "hourlyRate" not in by_path["/hook/display"]
    assert "email" not in by_path["/hook/display"]
    assert by_path["/hook/display"]["firstName"] == "Ada"
    logged = display.get("/v1/webhookdeliveries").json()["webhookdeliveries"]
    assert len(logged) == 2
    assert all("hourlyRate" not in d["payload"]["data"] for d in logged)


def test_purge_forgets_old_finished_deliveries_and_keeps_dead_letters(
    tenant: Tenant, staff: Staff, receiver: Receiver
) -> None:
    """``shiftdesk server purge``: delivered and discarded deliveries older than the
    retention go, with their tries; a dead letter stays however old, and so does a
    recent delivery."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from core.timeutil import utcnow
    from server import admin
    from server.tables import WebhookAttempt, WebhookDelivery

    _subscribe(tenant, receiver.url, ["attendance.clock_in"])
    receiver.status = 500
    _punch(tenant, staff.anna, "in", "2026-06-01T07:00:00Z")
    _punch(tenant, staff.ben, "in", "2026-06-01T07:00:00Z")

    def dead() -> list[dict]:
        return tenant.client.get("/v1/webhookdeadletters").json()["webhookdeliveries"]

    _until(lambda: len(dead()) == 2)
    kept_dead, discarded = (d["id"] for d in dead())
    assert tenant.client.delete(f"/v1/webhookdeadletters/{discarded}").status_code == 200
    receiver.status = 200
    _punch(tenant, staff.cara, "in", "2026-06-01T07:00:00Z")
    _until(lambda: len(receiver.accepted()) == 1)
    old_delivered = receiver.accepted()[0].delivery
    mine = WebhookDelivery.company_id == tenant.company_id

    def recorded_as_delivered(delivery_id: str) -> bool:
        # The receiver has the body before the worker records its answer.
        with tenant.live.db.transaction() as session:
            status = session.scalar(
                select(WebhookDelivery.status).where(WebhookDelivery.id == delivery_id)
            )
        return status == "delivered"

    _until(lambda: recorded_as_delivered(old_delivered))
    with tenant.live.db.transaction() as session:
        long_ago = utcnow() - timedelta(days=40)
        session.execute(update(WebhookDelivery).where(mine).values(created_at=long_ago))
        session.execute(
            update(WebhookDelivery)
            .where(mine, WebhookDelivery.status == "delivered")
            .values(delivered_at=long_ago)
        )
    _punch(tenant, staff.cara, "in", "2026-06-02T07:00:00Z")
    _until(lambda: len(receiver.accepted()) == 2)
    recent = receiver.accepted()[1].delivery
    _until(lambda: recorded_as_delivered(recent))

    with tenant.live.db.transaction() as session:
        done = admin.purge(session, 30)
    assert done.webhook_deliveries >= 2
    with tenant.live.db.transaction() as session:
        rows = session.execute(select(WebhookDelivery.id, WebhookDelivery.status).where(mine))
        left = dict(rows.all())
        tries = set(
            session.scalars(
                select(WebhookAttempt.delivery_id).where(
                    WebhookAttempt.delivery_id.in_([old_delivered, discarded])
                )
            )
        )
    assert left == {kept_dead: "dead", recent: "delivered"}
    assert tries == set()
    assert [d["id"] for d in dead()] == [kept_dead]


def test_a_key_subscribes_only_to_events_of_records_it_may_read(tenant: Tenant) -> None:
    """A schedule key may not listen to punches or leave (it cannot read them), by
    name, by family or by ``*``; the operator's add-webhook may."""
    display = tenant.client_with(["schedule:read", "webhooks:manage"])
    url = "https://8.8.8.8/in"
    for events in (["attendance.clock_in"], ["leave.*"], ["*"], ["shift.*", "leave.approved"]):
        refused = display.post("/v1/webhooks", json={"url": url, "events": events})
        assert refused.status_code == 400, (events, refused.text)
        assert {f["field"] for f in refused.json()["detail"]["fields"]} == {"events"}
    made = display.post("/v1/webhooks", json={"url": url, "events": ["shift.*", "employee.*"]})
    assert made.status_code == 201, made.text
    widened = display.patch(
        f"/v1/webhooks/{made.json()['webhook']['id']}", json={"events": ["attendance.*"]}
    )
    assert widened.status_code == 400
    everything = tenant.client.post("/v1/webhooks", json={"url": url, "events": ["*"]})
    assert everything.status_code == 201


def test_a_change_of_subscriptions_applies_from_the_very_next_write(
    tenant: Tenant, receiver: Receiver
) -> None:
    """A worker remembers a company's subscriptions between its writes: one made,
    changed, removed, or whose key is revoked, applies from the next write on."""

    def logged() -> int:
        return tenant.client.get("/v1/webhookdeliveries").json()["paging"]["totalRowCount"]

    def hire(name: str) -> None:
        created(tenant.client, "employees", {"firstName": name, "lastName": "Hooked"})

    hire("Before")  # the company's subscriptions (none) are read and remembered
    sub = _subscribe(tenant, receiver.url, ["employee.created"])
    hire("Made")
    assert logged() == 1
    changed = tenant.client.patch(f"/v1/webhooks/{sub['id']}", json={"events": ["shift.*"]})
    assert changed.status_code == 200, changed.text
    hire("Changed")
    assert logged() == 1
    keyed = tenant.client_with(["schedule:read", "webhooks:manage"])
    made = keyed.post(
        "/v1/webhooks",
        json={"url": receiver.url, "events": ["employee.created"], "secret": SECRET},
    )
    assert made.status_code == 201, made.text
    hire("Keyed")
    assert logged() == 2
    with tenant.live.db.transaction() as session:
        from server import auth

        auth.revoke_key(session, auth.authenticate(session, keyed.headers["X-API-Key"]).key_id)
    hire("Revoked")
    assert logged() == 2
    assert tenant.client.patch(
        f"/v1/webhooks/{sub['id']}", json={"events": ["employee.*"]}
    ).is_success
    hire("Back")
    assert logged() == 3
    assert tenant.client.delete(f"/v1/webhooks/{sub['id']}").is_success
    hire("Removed")
    assert logged() == 3
