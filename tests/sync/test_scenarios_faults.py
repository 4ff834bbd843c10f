"""Sync runs that meet a broken network, a killed process, a busy or dying server:
each ends with nothing lost and nothing doubled on the server.

Everything is real (the server on 127.0.0.1, SQLite files, the engine); faults are
injected only at the httpx transport or by killing a real process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from core.employees import EmployeeDraft, add_employee
from core.models import Employee, OutboxEntry, Shift
from core.models.sync import PullCursor, RunOutcome
from core.scheduling import ShiftDraft, create_shift, delete_shifts, edit_shift
from core.store import open_store
from sync import push
from sync.client import SyncClient
from sync.engine import run_sync
from tests.conftest import MONDAY
from tests.server.conftest import LiveServer, Tenant
from tests.sync.conftest import (
    FaultTransport,
    ServerOn,
    SyncSite,
    server_record,
    server_records,
)

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"PUT", "PATCH", "POST", "DELETE"}


def _person_and_shift(site: SyncSite, first: str = "Anna") -> tuple[str, str]:
    with site.store.session() as s:
        person = add_employee(s, EmployeeDraft(first_name=first, last_name="Berg")).ids[0]
        shift = create_shift(
            s, ShiftDraft(site.site_id, MONDAY, "09:00", "17:00", employee_ids=(person,))
        ).ids[0]
    return person, shift


def _writes(faults: FaultTransport) -> list[str]:
    """Every write that reached the server, batches opened into their operations
    (each with its Idempotency-Key)."""
    seen = []
    for r in faults.forwarded:
        if r.url.path == "/v1/batch":
            seen += [
                f"{op['method']} {op['path']} {op['headers'].get('Idempotency-Key')}"
                for op in json.loads(r.content)["operations"]
            ]
        elif r.method in WRITES:
            seen.append(f"{r.method} {r.url.path} {r.headers.get('Idempotency-Key')}")
    return seen


def _count(writes: list[str], prefix: str) -> int:
    return sum(1 for w in writes if w.startswith(prefix + " "))


def _settled(site: SyncSite, model: type, record_id: str, version: int) -> None:
    """The row is the server's copy at ``version`` with nothing left to send."""
    row = site.read(model, record_id)
    assert (row.server_version, row.dirty, row.deleted) == (version, False, False)


# --- 1. a lost response ---------------------------------------------------------------


def test_a_lost_answer_is_resent_on_the_next_run_without_a_duplicate(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay = new_site("quay")
    person, shift = _person_and_shift(quay)
    quay.faults.drop_responses(1)  # both are written there, the batch's answer lost
    first = quay.run()
    assert first.outcome is RunOutcome.FAILED
    assert "could not be reached" in first.message
    assert first.pending == 2
    again = quay.run()
    assert again.outcome is RunOutcome.OK, again.message
    assert (again.pushed, again.conflicts, again.failed, again.pending) == (2, 0, 0, 0)
    # The same requests went twice, under the same keys; the server acted once and
    # replayed its answers.
    puts = _writes(quay.faults)
    assert _count(puts, f"PUT /v1/employees/{person}") == 2
    assert _count(puts, f"PUT /v1/shifts/{shift}") == 2
    assert len(set(puts)) == 2
    assert list(server_records(tenant, "employees")) == [person]
    assert server_record(tenant, "employees", person)["recordVersion"] == 1
    _settled(quay, Employee, person, 1)
    _settled(quay, Shift, shift, 1)

    with quay.store.session() as s:  # and an edit whose answer is lost
        edit_shift(s, shift, location="Terrace")
    quay.faults.drop_responses(1)
    assert quay.run().outcome is RunOutcome.FAILED
    assert quay.run().outcome is RunOutcome.OK
    on_server = server_record(tenant, "shifts", shift)
    assert (on_server["location"], on_server["recordVersion"]) == ("Terrace", 2)
    _settled(quay, Shift, shift, 2)
    assert quay.outbox() == []


# --- 2. a killed process --------------------------------------------------------------


def _killed_sync(site: SyncSite, tenant: Tenant, n: int, mode: str = "run", limit: int = 0) -> None:
    """Run a sync of ``site``'s store in another process that is SIGKILLed right
    after its ``n``-th response; the store is closed here while it runs."""
    site.store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [str(site.path), tenant.live.url, tenant.key, str(n), mode, str(limit or 1000)]
    done = subprocess.run(
        [sys.executable, "-m", "tests.sync.killed_sync", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    site.store = open_store(site.path, create=False)


def test_a_process_killed_between_the_servers_write_and_its_commit_loses_nothing(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay = new_site("quay")
    person, shift = _person_and_shift(quay)
    _killed_sync(quay, tenant, 1)  # the batch answered, then SIGKILL before the commit
    assert server_record(tenant, "employees", person) is not None
    assert server_record(tenant, "shifts", shift) is not None
    with quay.store.session() as s:  # this store never heard of it
        assert s.get(Shift, shift).server_version is None
    result = quay.run()
    assert result.outcome is RunOutcome.OK, result.message
    assert (result.conflicts, result.failed, result.pending) == (0, 0, 0)
    assert list(server_records(tenant, "employees")) == [person]
    assert server_record(tenant, "employees", person)["recordVersion"] == 1
    assert server_record(tenant, "shifts", shift)["recordVersion"] == 1
    _settled(quay, Employee, person, 1)
    _settled(quay, Shift, shift, 1)
    assert quay.outbox() == []


def test_a_pull_killed_after_a_page_arrived_resumes_from_the_last_applied_page(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay, hill = new_site("quay"), new_site("hill")
    with quay.store.session() as s:
        people = [
            add_employee(s, EmployeeDraft(first_name=f"P{n}", last_name="Test")).ids[0]
            for n in range(5)
        ]
    assert quay.run().pushed == 5
    # Pages of two: the first is applied, the second arrives and the process dies.
    _killed_sync(hill, tenant, 2, mode="pull", limit=2)
    with hill.store.session() as s:
        stored = [p for p in people if s.get(Employee, p) is not None]
        cursor = s.query(PullCursor).one().cursor
    assert len(stored) == 2
    assert cursor != "0"
    result = hill.run()
    assert result.outcome is RunOutcome.OK, result.message
    assert result.pulled == 3  # from where it stopped, not from the start
    for p in people:
        _settled(hill, Employee, p, 1)


# --- 5. nothing to say ----------------------------------------------------------------


def test_a_shift_made_edited_and_deleted_before_any_push_sends_nothing(
    new_site: Callable[[str], SyncSite],
) -> None:
    quay = new_site("quay")
    with quay.store.session() as s:
        shift = create_shift(s, ShiftDraft(quay.site_id, MONDAY, "09:00", "17:00")).ids[0]
    with quay.store.session() as s:
        edit_shift(s, shift, location="Terrace", notes="bring keys")
    with quay.store.session() as s:
        delete_shifts(s, [shift])
    assert quay.outbox() == []
    result = quay.run()
    assert (result.outcome, result.pushed, result.pending) == (RunOutcome.OK, 0, 0)
    assert {r.method for r in quay.faults.requests} == {"GET"}  # only the feed was read
    assert all(r.url.path == "/v1/changes" for r in quay.faults.requests)


# --- 7. a rate-limit storm ------------------------------------------------------------


def test_a_storm_of_429s_is_waited_out_as_the_server_asks(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay = new_site("quay")
    _person, shift = _person_and_shift(quay)
    quay.faults.answer(429, times=3, retry_after="7")
    result = quay.run()
    assert result.outcome is RunOutcome.OK, result.message
    assert result.pushed == 2
    assert quay.waits == [7.0, 7.0, 7.0]  # recorded, not slept
    assert server_record(tenant, "shifts", shift)["recordVersion"] == 1
    assert quay.outbox() == []


def test_429s_beyond_the_clients_retries_fail_the_run_and_keep_the_outbox(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay = new_site("quay")
    _person_and_shift(quay)
    with quay.store.session() as s:
        before = [(e.seq, e.key, e.state) for e in s.query(OutboxEntry).order_by(OutboxEntry.seq)]
    quay.faults.answer(429, times=quay.client.retries + 1, retry_after="120")
    result = quay.run()
    assert result.outcome is RunOutcome.FAILED
    assert result.message.startswith("the server is busy")
    assert "try again in 120 s" in result.message
    assert (result.pushed, result.pending) == (0, 2)
    assert quay.waits == [quay.client.max_wait] * quay.client.retries  # capped
    with quay.store.session() as s:
        after = [(e.seq, e.key, e.state) for e in s.query(OutboxEntry).order_by(OutboxEntry.seq)]
    assert after == before
    assert quay.faults.forwarded == []  # nothing reached the server
    assert server_records(tenant, "employees") == {}
    assert quay.run().outcome is RunOutcome.OK  # the storm over, the next run sends it
    assert quay.outbox() == []


# --- 8. the server dies mid-push ------------------------------------------------------


class _StopAfter(FaultTransport):
    """Stops ``server`` once ``n`` requests have reached it and been answered."""

    def __init__(self, server: LiveServer, n: int) -> None:
        super().__init__()
        self.server, self.n = server, n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if len(self.forwarded) == self.n:
            response.read()
            self.server.stop()
        return response


def test_a_server_that_dies_mid_push_loses_nothing_and_a_restarted_one_finishes(
    tenant: Tenant, db_url: str, new_site: Callable[[str], SyncSite], monkeypatch
) -> None:
    monkeypatch.setattr(push, "BATCH", 2)  # two requests' worth of work
    first = ServerOn(db_url)
    port = int(first.url.rsplit(":", 1)[1])
    quay = new_site("quay")
    with quay.store.session() as s:
        s.query(PullCursor).update({"server_url": first.url})  # linked to this server
        people = [
            add_employee(s, EmployeeDraft(first_name=f"P{n}", last_name="Test")).ids[0]
            for n in range(4)
        ]
    stopper = _StopAfter(first, 1)
    with SyncClient(first.url, tenant.key, transport=stopper, sleep=quay.waits.append) as client:
        result = run_sync(quay.store, client)
    assert result.outcome is RunOutcome.FAILED
    assert "could not be reached" in result.message
    assert "nothing was lost" in result.message
    assert (result.pushed, result.pending) == (2, 2)  # two went before it died, two wait
    assert set(server_records(tenant, "employees")) == set(people[:2])
    for p in people[:2]:
        _settled(quay, Employee, p, 1)

    second = ServerOn(db_url, port)
    try:
        with SyncClient(second.url, tenant.key, sleep=quay.waits.append) as client:
            again = run_sync(quay.store, client)
    finally:
        second.stop()
    assert again.outcome is RunOutcome.OK, again.message
    assert (again.pushed, again.pending, again.failed) == (2, 0, 0)
    assert set(server_records(tenant, "employees")) == set(people)
    for p in people:
        _settled(quay, Employee, p, 1)


def test_an_edit_made_while_an_answer_was_lost_follows_the_resent_request(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay = new_site("quay")
    _, shift = _person_and_shift(quay)
    assert quay.run().outcome is RunOutcome.OK
    with quay.store.session() as s:
        edit_shift(s, shift, location="Terrace")
    quay.faults.drop_responses(1)  # written there; the answer lost
    assert quay.run().outcome is RunOutcome.FAILED
    with quay.store.session() as s:  # edited again before the resend
        edit_shift(s, shift, location="Garden")
    again = quay.run()
    assert again.outcome is RunOutcome.OK, again.message
    assert (again.pushed, again.failed, again.conflicts) == (2, 0, 0)
    on_server = server_record(tenant, "shifts", shift)
    assert (on_server["location"], on_server["recordVersion"]) == ("Garden", 3)
    _settled(quay, Shift, shift, 3)
    assert quay.outbox() == []
