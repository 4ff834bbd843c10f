"""Leave decided before a store joined its company reaches the server as decided.

A demo's outbox starts afresh once the demo is built, so a request decided after
that waits as its own action when the store joins; one decided on a store that
never queued anything waits as nothing at all. Either way the first sync ends with
the server holding the status and the links the store holds, and nothing waiting.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from core.demo import build_demo
from core.employees import EmployeeDraft, add_employee
from core.leave import approve_leave, cancel_leave, leave_clashes, reject_leave, request_leave
from core.models import LeaveRequest, LeaveShiftLink, LeaveStatus, OutboxEntry, Site
from core.models.sync import RunOutcome
from core.organisation import Setup, setup_store
from core.scheduling import ShiftDraft, create_shift
from core.store import Store, open_store
from sync.client import SyncClient
from sync.conflicts import open_conflicts
from sync.connect import connect
from sync.engine import run_sync
from tests.conftest import MONDAY
from tests.server.conftest import Tenant
from tests.sync.conftest import server_record, server_records


def _live_links(store: Store) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(LeaveShiftLink.id).where(LeaveShiftLink.deleted.is_(False))))


def _join_and_sync(tenant: Tenant, path: Path) -> Store:
    """Connect the store at ``path`` to ``tenant``'s empty company and sync once;
    asserts the run was clean and left nothing waiting or in conflict."""
    with SyncClient(tenant.live.url, tenant.key) as client:
        assert connect(path, client).how == "joined"
        store = open_store(path, create=False)
        run = run_sync(store, client)
    assert run.outcome is RunOutcome.OK, run.errors
    with store.session() as s:
        assert not open_conflicts(s)
        assert [(e.collection, e.op, e.fields) for e in s.scalars(select(OutboxEntry))] == []
    return store


def _server_links(tenant: Tenant) -> set[str]:
    return {k for k, v in server_records(tenant, "leaveshiftlinks").items() if v}


@pytest.mark.parametrize("how", ["unassign", "keep", "reject", "cancel_approved"])
def test_a_demo_leave_decided_after_the_demo_reaches_the_server_as_decided(
    how: str, tenant: Tenant, migrated_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "demo.shiftdesk"
    shutil.copyfile(migrated_file, path)
    store = open_store(path)
    build_demo(store, employees=8, weeks=3, seed=3, start=date(2026, 1, 5))
    with store.session() as s:
        if how == "cancel_approved":
            target = s.scalar(
                select(LeaveRequest.id).where(LeaveRequest.status == LeaveStatus.APPROVED)
            )
            assert target is not None
            cancel_leave(s, target, actor="boss")
        else:
            pending = list(
                s.scalars(
                    select(LeaveRequest.id)
                    .where(LeaveRequest.status == LeaveStatus.PENDING)
                    .order_by(LeaveRequest.id)
                )
            )
            target = next((i for i in pending if leave_clashes(s, i)), pending[0])
            if how == "reject":
                reject_leave(s, target, actor="boss")
            else:
                assert approve_leave(s, target, actor="boss", on_clash=how).applied
        status = s.get(LeaveRequest, target).status
    store.close()
    store = _join_and_sync(tenant, path)
    with store.session() as s:
        assert s.get(LeaveRequest, target).status == status
    links = _live_links(store)
    store.close()
    assert server_record(tenant, "leaverequests", target)["status"] == status
    assert _server_links(tenant) == links


def test_leave_decided_in_a_store_that_never_queued_joins_as_decided(
    tenant: Tenant, migrated_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "depot.shiftdesk"
    shutil.copyfile(migrated_file, path)
    store = open_store(path)
    with store.session() as s:
        setup_store(s, Setup("Depot Ltd", "Depot", "Europe/Berlin"))
        site_id = s.scalar(select(Site.id))
        people = [
            add_employee(s, EmployeeDraft(first_name=f"P{i}", last_name="X")).ids[0]
            for i in range(4)
        ]
        for who in people:
            create_shift(s, ShiftDraft(site_id, MONDAY, "08:00", "16:00", employee_ids=(who,)))
        asked = [
            request_leave(
                s, employee_id=who, start_date=MONDAY, end_date=MONDAY, leave_type="paid"
            ).ids[0]
            for who in people
        ]
        approve_leave(s, asked[0], actor="boss", on_clash="keep")
        reject_leave(s, asked[1], actor="boss")
        approve_leave(s, asked[2], actor="boss", on_clash="keep")
        cancel_leave(s, asked[2], actor="boss")
        approve_leave(s, asked[3], actor="boss", on_clash="unassign")
        s.execute(delete(OutboxEntry))  # a store from before the outbox, say
        statuses = {i: s.get(LeaveRequest, i).status for i in asked}
    links = _live_links(store)
    store.close()
    store = _join_and_sync(tenant, path)
    store.close()
    for leave_id, status in statuses.items():
        assert server_record(tenant, "leaverequests", leave_id)["status"] == status
    assert _server_links(tenant) == links
