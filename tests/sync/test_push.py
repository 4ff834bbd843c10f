"""The push against the real server: the outbox goes a batch at a time, a lost batch
answer is resent without a duplicate, a refusal fails only its entry."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.employees import EmployeeDraft, add_employee
from core.models import OutboxEntry, OutboxState, Shift
from core.organisation import Setup, resolve_site, setup_store
from core.scheduling import ShiftDraft, create_shift
from core.store import Store, open_store
from sync import push as push_module
from sync.client import SyncClient
from sync.errors import Offline
from sync.push import push
from tests.conftest import MONDAY
from tests.sync.conftest import FaultTransport, Tenant


@pytest.fixture
def store(tenant: Tenant, migrated_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A site's store joined to the tenant's company and site."""
    path = tmp_path / "site.shiftdesk"
    shutil.copyfile(migrated_file, path)
    opened = open_store(path)
    with opened.session() as s:
        setup_store(
            s,
            Setup("Testco", "Main", "Europe/Berlin"),
            company_id=tenant.company_id,
            site_id=tenant.site_id,
        )
    yield opened
    opened.close()


def _offline_week(store: Store, people: int = 3, days: int = 5) -> list[str]:
    """Edits made offline: people, then a shift each per day; returns the shift ids."""
    with store.session() as s:
        site_id = resolve_site(s).id
        staff = [
            add_employee(s, EmployeeDraft(first_name=f"P{n}", last_name="Test")).ids[0]
            for n in range(people)
        ]
    shifts = []
    for day in range(days):
        for who in staff:
            with store.session() as s:
                draft = ShiftDraft(site_id, MONDAY + timedelta(days=day), "09:00", "17:00", (who,))
                shifts.append(create_shift(s, draft).ids[0])
    return shifts


def _outbox(store: Store) -> dict[str, int]:
    with store.session() as s:
        rows = s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state))
        return dict(rows.all())


def _server_feed(tenant: Tenant) -> list[tuple[str, int]]:
    changes = tenant.client.get("/v1/changes", params={"limit": 500}).json()["changes"]
    return [(c["id"], c["recordVersion"]) for c in changes]


def test_the_outbox_goes_a_batch_at_a_time_in_dependency_order(
    store: Store, client: SyncClient, faults: FaultTransport, tenant: Tenant, monkeypatch
) -> None:
    monkeypatch.setattr(push_module, "BATCH", 4)
    shifts = _offline_week(store)  # 3 people then 15 shifts naming them
    result = push(store, client)
    assert (result.pushed, result.failed, result.pending) == (18, 0, 0)
    assert [r.url.path for r in faults.forwarded] == ["/v1/batch"] * 5
    assert _outbox(store) == {}
    fed = _server_feed(tenant)
    assert {i for i, _ in fed} >= set(shifts)
    with store.session() as s:
        row = s.get(Shift, shifts[0])
        assert (row.server_version, row.dirty, row.base["id"]) == (1, False, shifts[0])


def test_a_lost_batch_answer_resent_writes_nothing_twice(
    store: Store, client: SyncClient, faults: FaultTransport, tenant: Tenant
) -> None:
    shifts = _offline_week(store)
    faults.drop_responses(1)
    with pytest.raises(Offline):
        push(store, client)
    written = _server_feed(tenant)
    assert len(written) == 18  # the server did write the whole batch
    assert _outbox(store) == {OutboxState.PENDING: 18}  # kept, to be sent again

    result = push(store, client)
    assert (result.pushed, result.failed, result.pending) == (18, 0, 0)
    assert _server_feed(tenant) == written  # each answer replayed, nothing written again
    with store.session() as s:
        assert {s.get(Shift, i).server_version for i in shifts} == {1}


def test_a_refused_entry_fails_alone_and_the_batch_goes_on(
    store: Store, client: SyncClient, tenant: Tenant
) -> None:
    with store.session() as s:
        site_id = resolve_site(s).id
        anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
        ben = add_employee(s, EmployeeDraft(first_name="Ben", last_name="Berg")).ids[0]
    push(store, client)
    theirs = {"shiftDate": MONDAY.isoformat(), "startTime": "08:00", "endTime": "12:00"}
    made = tenant.client.put(
        f"/v1/shifts/{'0' * 8}-0000-4000-8000-{'0' * 12}",
        json={**theirs, "assignedUserIds": [anna]},
        headers={"If-None-Match": "*"},
    )
    assert made.status_code == 201, made.text
    with store.session() as s:  # not pulled yet: no clash in sight here
        clash = create_shift(s, ShiftDraft(site_id, MONDAY, "10:00", "14:00", (anna,))).ids[0]
        fine = create_shift(s, ShiftDraft(site_id, MONDAY, "10:00", "14:00", (ben,))).ids[0]
    result = push(store, client)
    assert (result.pushed, result.failed, result.pending) == (1, 1, 0)
    with store.session() as s:
        [failed] = s.scalars(select(OutboxEntry)).all()
        assert (failed.record_id, failed.state) == (clash, OutboxState.FAILED)
        assert "409" in (failed.last_error or "")
        assert s.get(Shift, fine).server_version == 1


def test_a_server_without_batches_gets_the_entries_one_by_one(
    store: Store, client: SyncClient, faults: FaultTransport, tenant: Tenant
) -> None:
    _offline_week(store, people=1, days=2)
    faults.answer(404, retry_after=None)  # as a server that has no /v1/batch answers
    result = push(store, client)
    assert (result.pushed, result.pending) == (3, 0)
    paths = [r.url.path for r in faults.requests]
    assert paths[0] == "/v1/batch"
    assert "/v1/batch" not in paths[1:]
    assert len(_server_feed(tenant)) == 3
