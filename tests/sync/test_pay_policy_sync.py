"""The pay policy replicates: an overtime rule set at one site is the one every
other site's payroll uses; a new store takes the company's policy, a store joining
an empty company uploads its own, and edits at two sites merge field by field.
Everything is real: the server on 127.0.0.1, SQLite files, run_sync and connect."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.employees import EmployeeDraft, add_employee
from core.models import OutboxEntry, PayPolicy
from core.models.sync import RunOutcome
from core.organisation import Setup, setup_store
from core.payroll import payroll
from core.policy import set_policy, show_policy
from core.punches import record_punch
from core.scheduling import ShiftDraft, create_shift
from core.store import open_store
from server import auth
from sync.client import SyncClient
from sync.conflicts import open_conflicts, resolve_conflict
from sync.connect import connect
from sync.engine import run_sync
from tests.conftest import MONDAY
from tests.server.conftest import Tenant
from tests.sync.conftest import SyncSite, server_record, server_records, site_client
from tests.sync.test_guarded_fields import LIMITED


def _syncs(*sites: SyncSite) -> None:
    for site in sites:
        result = site.run()
        assert result.outcome is RunOutcome.OK, (site.name, result.message, result.errors)


def _a_long_monday(site: SyncSite) -> str:
    """Anna works 08:00 to 18:00 on Monday, as scheduled: ten hours."""
    berlin = ZoneInfo("Europe/Berlin")
    with site.store.session() as s:
        anna = add_employee(
            s, EmployeeDraft(first_name="Anna", last_name="Berg", hourly_rate="20.00")
        ).ids[0]
        create_shift(s, ShiftDraft(site.site_id, MONDAY, "08:00", "18:00", employee_ids=(anna,)))
        for kind, at in (("in", time(8)), ("out", time(18))):
            instant = datetime.combine(MONDAY, at, tzinfo=berlin).astimezone(UTC)
            record_punch(s, employee_id=anna, kind=kind, at=instant)
    return anna


def _overtime(site: SyncSite, who: str) -> tuple[Decimal, Decimal]:
    with site.store.session() as s:
        (line,) = payroll(s, MONDAY, MONDAY, employee_ids=[who]).lines
    return line.overtime_hours, line.gross


def test_a_daily_overtime_rule_set_at_one_site_is_the_one_the_other_sites_payroll_uses(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay, hill = new_site("quay"), new_site("hill")
    anna = _a_long_monday(quay)
    _syncs(quay, hill)
    assert _overtime(hill, anna) == (Decimal(2), Decimal("220.00"))  # 8 h + 2 h × 1.5
    with quay.store.session() as s:
        assert set_policy(s, daily_overtime_hours="6").applied
    _syncs(quay)
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert (on_server["dailyOvertimeHours"], on_server["recordVersion"]) == ("6", 1)
    _syncs(hill)
    assert hill.read(PayPolicy, tenant.company_id).daily_overtime_hours == 6
    assert _overtime(hill, anna) == (Decimal(4), Decimal("240.00"))  # 6 h + 4 h × 1.5
    assert hill.outbox() == []


def test_edits_at_two_sites_merge_field_by_field_and_the_same_field_conflicts(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay, hill = new_site("quay"), new_site("hill")
    with quay.store.session() as s:
        set_policy(s, grace_minutes=10)
    _syncs(quay, hill)  # both stand on the published policy now
    with quay.store.session() as s:
        set_policy(s, weekly_overtime_hours=38, overtime_multiplier="1.25")
    with hill.store.session() as s:
        set_policy(s, week_start=6, overtime_multiplier="2")
    _syncs(quay, hill)
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert (on_server["weeklyOvertimeHours"], on_server["overtimeMultiplier"]) == ("38", "1.25")
    with hill.store.session() as s:  # the same field at both: hill's policy waits on it
        [conflict] = open_conflicts(s)
        assert (conflict.collection, conflict.record_id) == ("paypolicies", tenant.company_id)
        assert conflict.label == "pay policy"
        assert [(f.name, f.mine, f.theirs) for f in conflict.fields] == [
            ("overtimeMultiplier", "2", "1.25")
        ]
        resolve_conflict(s, conflict.id, "theirs")
    _syncs(hill, quay)
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert (on_server["weekStart"], on_server["overtimeMultiplier"]) == (6, "1.25")
    for site in (quay, hill):  # the disjoint edits merged, at both sites
        with site.store.session() as s:
            row = show_policy(s)
        assert (row.weekly_overtime_hours, row.week_start, row.grace_minutes) == (38, 6, 10)
        assert row.overtime_multiplier == Decimal("1.25")


def test_a_new_store_connected_to_the_company_takes_its_policy(
    tenant: Tenant, new_site: Callable[[str], SyncSite], tmp_path: Path
) -> None:
    quay = new_site("quay")
    with quay.store.session() as s:
        set_policy(s, overnight_day="end", match_after_minutes=300)
    _syncs(quay)
    path = tmp_path / "manager.shiftdesk"
    with SyncClient(tenant.live.url, tenant.key) as client:
        done = connect(path, client)
    assert done.how == "created"
    assert done.run is not None
    assert done.run.outcome is RunOutcome.OK
    manager = open_store(path, create=False)
    try:
        with manager.session() as s:
            row = show_policy(s)
            assert _nothing_waits(s)
        assert (row.overnight_day, row.match_after_minutes) == ("end", 300)
    finally:
        manager.close()


def _nothing_waits(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


def test_a_store_with_data_joining_an_empty_company_uploads_its_policy(
    tenant: Tenant, migrated_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "depot.shiftdesk"
    _own_store(
        migrated_file, path, with_data=True, daily_overtime_hours="9", unpaid_break_minutes=30
    )
    _joined(tenant, path)
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert (on_server["dailyOvertimeHours"], on_server["unpaidBreakMinutes"]) == ("9", 30)


def _as_before_it_replicated(site: SyncSite, **values: object) -> None:
    """The store's policy as migration 0008 leaves a store's own rules: values the
    server never saw, no version, nothing queued."""
    with site.store.session() as s:
        s.execute(
            PayPolicy.__table__.update()  # type: ignore[attr-defined]
            .where(PayPolicy.__table__.c.id == site.company_id)  # type: ignore[attr-defined]
            .values(**values, server_version=None, base=None, dirty=False)
        )
        s.execute(OutboxEntry.__table__.delete())  # type: ignore[attr-defined]
        s.commit()


def test_the_first_edit_of_a_policy_the_server_never_saw_carries_all_its_rules(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    quay = new_site("quay")
    _as_before_it_replicated(quay, daily_overtime_hours=7, overtime_multiplier=Decimal(2))
    with quay.store.session() as s:
        assert set_policy(s, grace_minutes=9).applied
    _syncs(quay)
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert on_server is not None
    assert (
        on_server["dailyOvertimeHours"],
        on_server["overtimeMultiplier"],
        on_server["graceMinutes"],
    ) == ("7", "2", 9)
    row = quay.read(PayPolicy, tenant.company_id)
    assert (row.daily_overtime_hours, row.overtime_multiplier, row.grace_minutes) == (7, 2, 9)


def _own_store(migrated_file: Path, path: Path, *, with_data: bool, **policy: object) -> None:
    """A store set up offline, with its own rules (``policy``), and maybe a person."""
    shutil.copyfile(migrated_file, path)
    store = open_store(path)
    with store.session() as s:
        setup_store(s, Setup("Depot Ltd", "Depot", "Europe/Berlin"))
        if with_data:
            add_employee(s, EmployeeDraft(first_name="Olga", last_name="Ek"))
        if policy:
            set_policy(s, **policy)
    store.close()


def _joined(tenant: Tenant, path: Path) -> None:
    with SyncClient(tenant.live.url, tenant.key) as client:
        done = connect(path, client)
        assert done.how == "joined"
        store = open_store(path, create=False)
        try:
            assert run_sync(store, client).outcome is RunOutcome.OK
            with store.session() as s:
                assert open_conflicts(s) == []
                assert _nothing_waits(s)
        finally:
            store.close()


def _policy_at(path: Path) -> tuple[Decimal, int]:
    store = open_store(path, create=False)
    try:
        with store.session() as s:
            row = show_policy(s)
        return row.daily_overtime_hours, row.grace_minutes
    finally:
        store.close()


def test_a_store_with_data_joins_a_company_with_only_a_published_policy_and_takes_it(
    tenant: Tenant, new_site: Callable[[str], SyncSite], migrated_file: Path, tmp_path: Path
) -> None:
    quay = new_site("quay")
    with quay.store.session() as s:
        set_policy(s, daily_overtime_hours="6", grace_minutes=12)
    _syncs(quay)  # the company holds its published policy and nothing else
    path = tmp_path / "depot.shiftdesk"
    _own_store(migrated_file, path, with_data=True)
    _joined(tenant, path)
    assert _policy_at(path) == (6, 12)
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert on_server is not None
    assert (on_server["dailyOvertimeHours"], on_server["recordVersion"]) == ("6", 1)
    assert [r["firstName"] for r in server_records(tenant, "employees").values() if r] == ["Olga"]


def test_a_setup_only_store_joining_a_company_with_data_takes_its_policy(
    tenant: Tenant, new_site: Callable[[str], SyncSite], migrated_file: Path, tmp_path: Path
) -> None:
    quay = new_site("quay")
    _a_long_monday(quay)
    with quay.store.session() as s:
        set_policy(s, daily_overtime_hours="7", grace_minutes=3)
    _syncs(quay)
    path = tmp_path / "manager.shiftdesk"
    _own_store(migrated_file, path, with_data=False)
    _joined(tenant, path)
    assert _policy_at(path) == (7, 3)


def test_a_policy_the_server_never_saw_merges_with_one_published_since_against_the_defaults(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    """Only what each site changed from the defaults counts: disjoint rules merge and
    reach the server, the same rule set apart is the one conflict."""
    quay, hill = new_site("quay"), new_site("hill")
    _as_before_it_replicated(quay, overtime_multiplier=Decimal(2), grace_minutes=9)
    with quay.store.session() as s:
        assert set_policy(s, week_start=6).applied
    with hill.store.session() as s:
        assert set_policy(s, daily_overtime_hours="6").applied
    _syncs(hill, quay)
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert on_server is not None
    assert (
        on_server["dailyOvertimeHours"],
        on_server["overtimeMultiplier"],
        on_server["graceMinutes"],
        on_server["weekStart"],
    ) == ("6", "2", 9, 6)
    with quay.store.session() as s:
        assert open_conflicts(s) == []
        row = show_policy(s)
    assert (row.daily_overtime_hours, row.overtime_multiplier, row.week_start) == (6, 2, 6)
    assert quay.outbox() == []
    dock = new_site("dock")
    _as_before_it_replicated(dock, overtime_multiplier=Decimal(3), max_consecutive_days=5)
    with dock.store.session() as s:
        set_policy(s, min_rest_hours="10")
    _syncs(dock)
    with dock.store.session() as s:
        [conflict] = open_conflicts(s)
        assert [(f.name, f.mine, f.theirs) for f in conflict.fields] == [
            ("overtimeMultiplier", "3", "2")
        ]


def test_a_joining_stores_policy_merges_with_one_published_before_its_first_sync(
    tenant: Tenant, new_site: Callable[[str], SyncSite], migrated_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "depot.shiftdesk"
    _own_store(migrated_file, path, with_data=True)
    depot = open_store(path)
    with depot.session() as s:
        set_policy(s, unpaid_break_minutes=30)
    depot.close()
    with SyncClient(tenant.live.url, tenant.key) as client:
        assert connect(path, client).how == "joined"  # its policy's create is queued
    quay = new_site("quay")
    with quay.store.session() as s:
        set_policy(s, grace_minutes=12)
    _syncs(quay)  # published meanwhile: the create is refused, and merged
    with SyncClient(tenant.live.url, tenant.key) as client:
        depot = open_store(path, create=False)
        try:
            assert run_sync(depot, client).outcome is RunOutcome.OK
            with depot.session() as s:
                assert open_conflicts(s) == []
                assert _nothing_waits(s)
                row = show_policy(s)
            assert (row.grace_minutes, row.unpaid_break_minutes) == (12, 30)
        finally:
            depot.close()
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert on_server is not None
    assert (on_server["graceMinutes"], on_server["unpaidBreakMinutes"]) == (12, 30)


def test_a_site_without_the_pay_scopes_sends_its_migrated_policy_and_only_pay_rules_wait(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    """The whole policy a migrated store sends (never acknowledged) passes a key
    without pay:write while its pay rules are the server's; a pay rule it changes
    is refused naming the field, and waits."""
    wall = new_site("wall")
    with tenant.live.db.transaction() as session:
        _, secret = auth.create_key(session, tenant.company_id, LIMITED, name="wall")
    wall.client.close()
    wall.client = site_client(tenant.live.url, secret, wall.faults, wall.waits)
    _as_before_it_replicated(wall)
    with wall.store.session() as s:
        assert set_policy(s, min_rest_hours="10").applied
    _syncs(wall)
    assert wall.outbox() == []
    on_server = server_record(tenant, "paypolicies", tenant.company_id)
    assert on_server is not None
    assert (on_server["minRestHours"], on_server["recordVersion"]) == ("10", 1)
    with wall.store.session() as s:
        assert set_policy(s, grace_minutes=15).applied
    result = wall.run()
    assert result.outcome is RunOutcome.FAILED
    assert "pay:write to set graceMinutes" in result.message
    assert [op for _, _, op, _ in wall.outbox()] == ["update"]
    assert server_record(tenant, "paypolicies", tenant.company_id)["graceMinutes"] == 5
    assert wall.read(PayPolicy, tenant.company_id).grace_minutes == 15
