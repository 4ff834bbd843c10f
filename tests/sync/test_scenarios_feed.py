"""The change feed at its edges, through the engine: a cursor the server no longer
honours, a feed that is suddenly empty, a store connected to a company that has
data, and the payroll a manager's downloaded copy computes.

Everything is real: the server on 127.0.0.1, SQLite files, run_sync and connect.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.employees import EmployeeDraft, add_employee
from core.export.table import write_csv
from core.leave import approve_leave, request_leave
from core.models import Employee, Shift
from core.models.sync import RunOutcome
from core.organisation import Setup, setup_store
from core.payroll import Payroll, payroll
from core.punches import record_punch
from core.scheduling import ShiftDraft, create_shift, delete_shifts, edit_shift
from core.store import Store, open_store
from core.wire import COLLECTIONS, RECORD_FIELDS, to_wire
from server import admin, auth
from sync.client import SyncClient
from sync.conflicts import open_conflicts, resolve_conflict
from sync.connect import ConnectRefused, connect
from sync.engine import run_sync
from sync.link import make_link
from tests.conftest import MONDAY
from tests.server.conftest import Tenant
from tests.sync.conftest import ServerOn, SyncSite, server_record, server_records

Sites = tuple[SyncSite, SyncSite]


@pytest.fixture
def sites(new_site: Callable[[str], SyncSite]) -> Sites:
    return new_site("quay"), new_site("hill")


def _records(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """Every live replicated record a store holds, as wire content."""
    found = {}
    with store.session() as s:
        for spec in COLLECTIONS.values():
            for row in s.query(spec.model).filter(spec.model.deleted.is_(False)):
                if row.server_version is None and not row.dirty:
                    continue  # a stand-in for a record not yet downloaded
                wire = to_wire(row)
                found[(spec.name, row.id)] = {
                    k: v for k, v in wire.items() if k not in RECORD_FIELDS
                }
    return found


def _shifts(site: SyncSite, *times: tuple[str, str]) -> tuple[str, list[str]]:
    with site.store.session() as s:
        anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
        drafts = [ShiftDraft(site.site_id, MONDAY, a, b, employee_ids=(anna,)) for a, b in times]
        made = [create_shift(s, draft).ids[0] for draft in drafts]
    return anna, made


# --- 9. an expired cursor -------------------------------------------------------------


def test_an_expired_cursor_downloads_again_keeping_the_outbox_and_dropping_the_deleted(
    tenant: Tenant, sites: Sites
) -> None:
    quay, hill = sites
    _, (gone, clash, calm) = _shifts(
        quay, ("06:00", "08:00"), ("09:00", "12:00"), ("13:00", "15:00")
    )
    for site in (quay, hill):
        assert site.run().outcome is RunOutcome.OK
    with quay.store.session() as s:
        delete_shifts(s, [gone])
        edit_shift(s, clash, location="Terrace")
    assert quay.run().outcome is RunOutcome.OK
    with tenant.live.db.transaction() as s:  # the server forgets the tombstone
        assert admin.purge_tombstones(s, days=0) >= 1
    with hill.store.session() as s:  # meanwhile, offline at hill
        edit_shift(s, clash, location="Lobby")
        edit_shift(s, calm, notes="bring keys")
        made = create_shift(s, ShiftDraft(hill.site_id, MONDAY, "20:00", "22:00")).ids[0]

    before = len(hill.faults.forwarded)
    result = hill.run()
    assert result.outcome is RunOutcome.OK, result.message
    cursors = [
        r.url.params["cursor"] for r in hill.faults.forwarded[before:] if "cursor" in r.url.params
    ]
    assert cursors[0] != "0"
    assert "0" in cursors  # its cursor refused (410), the feed is read again from 0 ...
    assert hill.read(Shift, gone).deleted  # ... and the shift deleted there went here too
    # Hill's own edits are kept: sent where they could be, waiting where they clash.
    assert result.conflicts == 1
    assert hill.read(Shift, clash).location == "Lobby"
    assert [(c, rid, st) for c, rid, _, st in hill.outbox()] == [("shifts", clash, "conflict")]
    assert server_record(tenant, "shifts", calm)["notes"] == "bring keys"
    assert server_record(tenant, "shifts", made) is not None

    with hill.store.session() as s:
        [conflict] = open_conflicts(s)
        resolve_conflict(s, conflict.id, "mine")
    for site in (hill, quay, hill, quay):
        assert site.run().outcome is RunOutcome.OK
    assert _records(quay.store) == _records(hill.store)
    assert server_record(tenant, "shifts", clash)["location"] == "Lobby"
    assert server_record(tenant, "shifts", gone) is None


# --- 10. an empty feed ----------------------------------------------------------------


def _company(server: ServerOn) -> tuple[str, str, str]:
    """A new company on ``server``: its id, its site's id and an all-scopes key."""
    with server.db.transaction() as s:
        company = admin.create_company(s, "Testco", timezone="Europe/Berlin")
        _, key = auth.create_key(s, company.id, auth.SCOPES)
        return company.id, company.sites[0].id, key


def test_a_wiped_server_sending_an_empty_feed_deletes_nothing_here(
    migrated_file: Path, tmp_path: Path
) -> None:
    first = ServerOn(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    port = int(first.url.rsplit(":", 1)[1])
    company_id, site_id, key = _company(first)
    path = tmp_path / "site.shiftdesk"
    shutil.copyfile(migrated_file, path)
    store = open_store(path)
    try:
        with store.session() as s:
            setup_store(
                s, Setup("Testco", "Main", "Europe/Berlin"), company_id=company_id, site_id=site_id
            )
            make_link(s, first.url, company_id)
            anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
            create_shift(s, ShiftDraft(site_id, MONDAY, "09:00", "17:00", employee_ids=(anna,)))
        with SyncClient(first.url, key) as client:
            assert run_sync(store, client).pushed == 2
        first.stop()
        kept = _records(store)
        assert len(kept) == 2

        # Reinstalled on an empty database, same address, a new key: the feed is empty.
        wiped = ServerOn(f"sqlite:///{tmp_path / 'reinstalled.sqlite3'}", port)
        try:
            _, _, new_key = _company(wiped)
            with SyncClient(wiped.url, new_key) as client:
                result = run_sync(store, client)
                assert client.changes(0).changes == ()
        finally:
            wiped.stop()
        assert result.outcome is RunOutcome.FAILED
        assert "nothing was deleted" in result.message
        assert _records(store) == kept
        with store.session() as s:
            assert s.get(Employee, anna).server_version == 1  # still the server's copy
    finally:
        store.close()


# --- 12. connecting a store to a company ----------------------------------------------


def _fill(site: SyncSite) -> None:
    """Quay's week: two people, their shifts and an approved leave, all synced."""
    with site.store.session() as s:
        anna = add_employee(
            s, EmployeeDraft(first_name="Anna", last_name="Berg", hourly_rate="20.00")
        ).ids[0]
        ben = add_employee(
            s, EmployeeDraft(first_name="Ben", last_name="Cole", hourly_rate="17.35")
        ).ids[0]
        for day in range(5):
            for who in (anna, ben):
                create_shift(
                    s,
                    ShiftDraft(
                        site.site_id,
                        MONDAY + timedelta(days=day),
                        "09:00",
                        "17:00",
                        employee_ids=(who,),
                    ),
                )
        leave = request_leave(
            s,
            employee_id=ben,
            start_date=MONDAY + timedelta(days=4),
            end_date=MONDAY + timedelta(days=4),
            leave_type="paid",
        ).ids[0]
        assert approve_leave(s, leave, actor="Quay", on_clash="unassign").applied
        berlin = ZoneInfo("Europe/Berlin")
        for day in range(4):
            when = MONDAY + timedelta(days=day)
            late = 7 * day  # minutes late: 0, 7, 14, 21
            punches = [
                (anna, "in", time(9, late)),
                (anna, "out", time(18, 30) if day == 2 else time(17, 0)),  # overtime once
                (ben, "in", time(8, 58)),
                (ben, "out", time(17, 2)),
            ]
            for who, kind, at in punches:
                instant = datetime.combine(when, at, tzinfo=berlin).astimezone(UTC)
                record_punch(s, employee_id=who, kind=kind, at=instant)
    result = site.run()
    assert (result.outcome, result.failed, result.pending) == (RunOutcome.OK, 0, 0)


def test_a_new_store_connected_to_a_company_with_data_downloads_it(
    tenant: Tenant, new_site: Callable[[str], SyncSite], tmp_path: Path
) -> None:
    quay = new_site("quay")
    _fill(quay)
    path = tmp_path / "manager.shiftdesk"
    with SyncClient(tenant.live.url, tenant.key) as client:
        done = connect(path, client)
    assert done.how == "created"
    assert done.run is not None
    assert done.run.outcome is RunOutcome.OK
    manager = open_store(path, create=False)
    try:
        assert _records(manager) == _records(quay.store)
        assert len(_records(manager)) > 20
    finally:
        manager.close()


def test_a_store_with_its_own_data_is_refused_by_a_company_with_data_and_left_as_it_was(
    tenant: Tenant, new_site: Callable[[str], SyncSite], migrated_file: Path, tmp_path: Path
) -> None:
    quay = new_site("quay")
    _, _ = _shifts(quay, ("09:00", "17:00"))
    assert quay.run().outcome is RunOutcome.OK
    path = tmp_path / "elsewhere.shiftdesk"
    shutil.copyfile(migrated_file, path)
    other = open_store(path)
    with other.session() as s:  # a store of its own, never connected, with records
        setup_store(s, Setup("Elsewhere Ltd", "Depot", "Europe/Berlin"))
        add_employee(s, EmployeeDraft(first_name="Olga", last_name="Ek"))
    with other.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    other.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with (
        SyncClient(tenant.live.url, tenant.key) as client,
        pytest.raises(ConnectRefused, match="cannot be merged"),
    ):
        connect(path, client)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("elsewhere")) == [
        "elsewhere.shiftdesk"
    ]  # no backup, no journal left beside it
    assert set(server_records(tenant, "employees")) == {
        rid for (c, rid) in _records(quay.store) if c == "employees"
    }


# --- 13. payroll from the site and from the manager's copy ----------------------------


def _figures(report: Payroll) -> dict[str, tuple[Decimal | int, ...]]:
    return {
        line.person.id: (
            line.rate,
            line.regular_hours,
            line.overtime_hours,
            line.paid_leave_hours,
            line.late_minutes,
            line.penalty,
            line.gross,
        )
        for line in report.lines
    }


@pytest.mark.slow
def test_payroll_at_the_site_and_from_the_managers_copy_agree_to_the_cent(
    tenant: Tenant, new_site: Callable[[str], SyncSite], tmp_path: Path
) -> None:
    quay = new_site("quay")
    _fill(quay)
    path = tmp_path / "manager.shiftdesk"
    with SyncClient(tenant.live.url, tenant.key) as client:
        assert connect(path, client).run.outcome is RunOutcome.OK
    manager = open_store(path, create=False)
    now = datetime(2026, 6, 15, 12, tzinfo=UTC)
    last = MONDAY + timedelta(days=6)
    try:
        with quay.store.session() as s:
            at_site = payroll(s, MONDAY, last, now=now)
        with manager.session() as s:
            at_office = payroll(s, MONDAY, last, now=now)
    finally:
        manager.close()
    assert _figures(at_office) == _figures(at_site)
    for name in ("regular_pay", "overtime_pay", "leave_pay", "penalty", "gross"):
        assert at_office.total(name) == at_site.total(name)
    # The week has every component in it, so the agreement is not of zeros.
    assert at_site.total("overtime_pay") > 0
    assert at_site.total("leave_pay") > 0
    assert sum(line.late_minutes for line in at_site.lines) > 0
    assert at_site.total("gross") > Decimal("1000")
    site_csv = write_csv(at_site, tmp_path / "site.csv").read_text()
    office_csv = write_csv(at_office, tmp_path / "office.csv").read_text()
    assert office_csv == site_csv
