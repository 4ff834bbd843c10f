"""The sync client against the real server on 127.0.0.1 (SQLite files, no mocks),
with faults injected at the transport."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from core.wire import ChangePage
from server import admin, auth
from sync.client import Call, SyncClient, Written, parse_retry_after
from sync.errors import (
    CursorExpired,
    Gone,
    Offline,
    PreconditionFailed,
    ProtocolError,
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
)
from tests.sync.conftest import FaultTransport, Staff, Tenant, new_id

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _department(client: SyncClient, name: str | None = None):
    """A new department (names are unique in a company: a fresh one unless given)."""
    body = {"name": name or f"Dept {new_id()[:8]}"}
    return client.create("departments", new_id(), body, key=new_id())


def test_current_user_names_the_company_and_its_site(client: SyncClient, tenant: Tenant) -> None:
    me = client.current_user()
    assert me.company_id == tenant.company_id
    assert me.company["name"] == "Testco"
    assert [(s.id, s.timezone) for s in me.sites] == [(tenant.site_id, "Europe/Berlin")]
    assert "leave:approve" in me.scopes


def test_create_update_delete_round_trip(client: SyncClient) -> None:
    dept_id = new_id()
    made = client.create("departments", dept_id, {"name": "Kitchen"}, key=new_id())
    assert (made.record["id"], made.record["name"], made.version) == (dept_id, "Kitchen", 1)
    assert made.etag == '"1"'

    changed = client.update(
        "departments", dept_id, {"name": "Galley"}, base_version=made.version, key=new_id()
    )
    assert (changed.record["name"], changed.version) == ("Galley", 2)

    fetched = client.get("departments", dept_id)
    assert fetched is not None
    assert fetched.record["name"] == "Galley"
    assert client.get("departments", dept_id, if_none_match=fetched.etag) is None

    gone = client.delete("departments", dept_id, base_version=changed.version, key=new_id())
    assert gone.version == 3
    with pytest.raises(Gone):
        client.get("departments", dept_id)


def test_a_stale_if_match_carries_the_current_record(client: SyncClient) -> None:
    made = _department(client)
    client.update(
        "departments", made.record["id"], {"name": "Galley"}, base_version=1, key=new_id()
    )

    with pytest.raises(PreconditionFailed) as stale:
        client.update(
            "departments", made.record["id"], {"name": "Pantry"}, base_version=1, key=new_id()
        )
    assert stale.value.current["name"] == "Galley"
    assert (stale.value.version, stale.value.etag) == (2, '"2"')


def test_creating_an_existing_id_is_a_precondition_failure(client: SyncClient) -> None:
    made = _department(client, "Kitchen")
    with pytest.raises(PreconditionFailed) as exists:
        client.create("departments", made.record["id"], {"name": "Other"}, key=new_id())
    assert exists.value.current["name"] == "Kitchen"


def test_a_lost_answer_resent_with_the_same_key_returns_the_first_and_writes_once(
    client: SyncClient, faults: FaultTransport
) -> None:
    dept_id, key = new_id(), new_id()
    faults.drop_responses(1)
    with pytest.raises(Offline):
        client.create("departments", dept_id, {"name": "Kitchen"}, key=key)
    assert len(faults.forwarded) == 1  # the server did write

    again = client.create("departments", dept_id, {"name": "Kitchen"}, key=key)
    assert again.replayed
    assert (again.record["id"], again.version) == (dept_id, 1)
    page = client.changes(0)
    assert [c.id for c in page.changes] == [dept_id]


def test_updating_a_record_deleted_remotely_is_gone(client: SyncClient) -> None:
    made = _department(client)
    record_id = made.record["id"]
    client.delete("departments", record_id, base_version=1, key=new_id())
    with pytest.raises(Gone):
        client.update("departments", record_id, {"name": "Galley"}, base_version=1, key=new_id())
    with pytest.raises(Gone):
        client.delete("departments", record_id, base_version=2, key=new_id())


def test_an_approval_that_clashes_is_rejected_naming_the_shift_then_kept(
    client: SyncClient, staff: Staff
) -> None:
    shift = client.create(
        "shifts",
        new_id(),
        {
            "shiftDate": "2026-06-02",
            "startTime": "09:00",
            "endTime": "17:00",
            "assignedUserIds": [staff.anna],
        },
        key=new_id(),
    )
    leave = client.create(
        "leaverequests",
        new_id(),
        {"employeeId": staff.anna, "startDate": "2026-06-01", "endDate": "2026-06-02"},
        key=new_id(),
    )
    leave_id = leave.record["id"]

    with pytest.raises(Rejected) as refused:
        client.action("leaverequests", leave_id, "approve", base_version=1, key=new_id())
    assert refused.value.status == 409
    assert [c.other_id for c in refused.value.conflicts] == [shift.record["id"]]

    kept = client.action(
        "leaverequests", leave_id, "approve", {"onClash": "keep"}, base_version=1, key=new_id()
    )
    assert (kept.record["status"], kept.version) == ("approved", 2)


def test_a_bad_field_is_rejected_naming_it(client: SyncClient) -> None:
    with pytest.raises(Rejected) as bad:
        client.create("departments", new_id(), {"name": ""}, key=new_id())
    assert bad.value.status == 400
    assert [p.field for p in bad.value.problems] == ["name"]


def test_a_refused_key_is_unauthorized(tenant: Tenant, faults: FaultTransport) -> None:
    stranger = SyncClient(tenant.live.url, "not-a-key", transport=faults)
    with stranger, pytest.raises(Unauthorized) as refused:
        stranger.current_user()
    assert refused.value.status == 401


def test_a_missing_scope_is_unauthorized(tenant: Tenant, faults: FaultTransport) -> None:
    with tenant.live.db.transaction() as session:
        _, reader = auth.create_key(session, tenant.company_id, ["schedule:read"])
    limited = SyncClient(tenant.live.url, reader, transport=faults)
    with limited, pytest.raises(Unauthorized) as refused:
        limited.create("departments", new_id(), {"name": "Kitchen"}, key=new_id())
    assert refused.value.status == 403


def test_429_waits_what_retry_after_says_then_goes_through(
    client: SyncClient, faults: FaultTransport, waits: list[float]
) -> None:
    faults.answer(429, times=2, retry_after="1")
    made = _department(client)
    assert made.version == 1
    assert waits == [1.0, 1.0]
    assert len(faults.forwarded) == 1


def test_503_with_an_http_date_waits_until_then(
    tenant: Tenant, faults: FaultTransport, waits: list[float]
) -> None:
    faults.answer(503, times=1, retry_after=format_datetime(NOW + timedelta(seconds=7), True))
    with SyncClient(
        tenant.live.url,
        tenant.key,
        transport=faults,
        sleep=waits.append,
        clock=lambda: NOW,
        jitter=lambda w: w / 10,
    ) as client:
        assert client.current_user().company_id == tenant.company_id
    assert waits == [pytest.approx(7.7)]


def test_a_huge_retry_after_is_capped(client: SyncClient, faults: FaultTransport, waits) -> None:
    faults.answer(429, times=1, retry_after="3600")
    _department(client)
    assert waits == [client.max_wait]


def test_429_beyond_the_retries_is_rate_limited_with_the_wait_asked(
    client: SyncClient, faults: FaultTransport, waits: list[float]
) -> None:
    faults.answer(429, times=client.retries + 1, retry_after="5")
    with pytest.raises(RateLimited) as limited:
        _department(client)
    assert limited.value.retry_after == 5.0
    assert waits == [5.0] * client.retries
    assert faults.forwarded == []


def test_503_beyond_the_retries_is_unavailable(
    client: SyncClient, faults: FaultTransport, waits: list[float]
) -> None:
    faults.answer(503, times=client.retries + 1, retry_after=None)
    with pytest.raises(Unavailable) as busy:
        client.changes(0)
    assert busy.value.retry_after is None
    assert waits == [1.0, 2.0, 4.0]  # no Retry-After: doubling


def test_network_failures_are_offline_and_not_retried(
    client: SyncClient, faults: FaultTransport
) -> None:
    faults.fail_every(2)
    _department(client)
    with pytest.raises(Offline):
        _department(client)
    assert len(faults.requests) == 2
    _department(client)


def test_the_change_feed_pages_with_its_cursor(client: SyncClient) -> None:
    ids = [_department(client, f"D{n}").record["id"] for n in range(3)]
    first = client.changes(0, limit=2)
    assert isinstance(first, ChangePage)
    assert [c.id for c in first.changes] == ids[:2]
    assert first.has_more
    rest = client.changes(first.cursor, limit=2)
    assert [c.id for c in rest.changes] == ids[2:]
    assert not rest.has_more


def test_a_write_answered_with_a_weak_etag_is_a_protocol_error(
    tenant: Tenant, faults: FaultTransport
) -> None:
    class Weakening(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = faults.handle_request(request)
            response.headers["ETag"] = "W/" + response.headers["ETag"]
            return response

    client = SyncClient(tenant.live.url, tenant.key, transport=Weakening())
    with client, pytest.raises(ProtocolError, match=r'W/"1"'):
        _department(client)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0", 0.0),
        ("120", 120.0),
        ("Mon, 01 Jun 2026 12:00:30 GMT", 30.0),
        ("Mon, 01 Jun 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str | None, seconds) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_an_expired_cursor_says_so_and_cursor_0_starts_over(
    client: SyncClient, tenant: Tenant
) -> None:
    kept = _department(client)
    old = client.changes(0).cursor
    dropped = _department(client)
    client.delete("departments", dropped.record["id"], base_version=1, key=new_id())
    with tenant.live.db.transaction() as session:
        assert admin.purge_tombstones(session, days=-1) >= 1
    with pytest.raises(CursorExpired):
        client.changes(old)
    assert [c.id for c in client.changes(0).changes] == [kept.record["id"]]


def test_a_lost_update_answer_resent_with_its_key_is_replayed_not_applied_twice(
    client: SyncClient, faults: FaultTransport
) -> None:
    made = _department(client)
    record_id, key = made.record["id"], new_id()
    faults.drop_responses(1)
    with pytest.raises(Offline):
        client.update("departments", record_id, {"name": "Galley"}, base_version=1, key=key)
    again = client.update("departments", record_id, {"name": "Galley"}, base_version=1, key=key)
    assert (again.replayed, again.version, again.record["name"]) == (True, 2, "Galley")
    fetched = client.get("departments", record_id)
    assert fetched is not None
    assert fetched.version == 2


def test_a_batch_answers_each_write_as_a_lone_call_would(client: SyncClient) -> None:
    made = _department(client, "Kitchen")
    kitchen, bar = made.record["id"], new_id()
    written, stale, bad, gone = client.batch(
        [
            Call.create("departments", bar, {"name": "Bar"}, key=new_id()),
            Call.update("departments", kitchen, {"name": "Galley"}, base_version=7, key=new_id()),
            Call.update("departments", kitchen, {"name": ""}, base_version=1, key=new_id()),
            Call.delete("departments", new_id(), base_version=1, key=new_id()),
        ]
    )
    assert isinstance(written, Written)
    assert (written.record["id"], written.version, written.etag) == (bar, 1, '"1"')
    assert isinstance(stale, PreconditionFailed)
    assert (stale.current["name"], stale.etag) == ("Kitchen", '"1"')
    assert isinstance(bad, Rejected)
    assert [p.field for p in bad.problems] == ["name"]
    assert isinstance(gone, Gone)


def test_a_lost_batch_answer_is_offline_and_the_resend_replays_every_write(
    client: SyncClient, faults: FaultTransport
) -> None:
    ids = [new_id(), new_id()]
    calls = [
        Call.create("departments", ids[0], {"name": "Kitchen"}, key=new_id()),
        Call.create("departments", ids[1], {"name": "Bar"}, key=new_id()),
    ]
    faults.drop_responses(1)
    with pytest.raises(Offline):
        client.batch(calls)
    again = client.batch(calls)
    assert [(w.record["id"], w.version, w.replayed) for w in again] == [  # type: ignore[union-attr]
        (ids[0], 1, True),
        (ids[1], 1, True),
    ]
    assert [c.id for c in client.changes(0).changes] == ids


def test_a_rate_limited_batch_raises_for_the_whole_batch(
    client: SyncClient, faults: FaultTransport
) -> None:
    faults.answer(429, times=4)
    with pytest.raises(RateLimited):
        client.batch([Call.create("departments", new_id(), {"name": "Bar"}, key=new_id())])
    assert faults.forwarded == []
