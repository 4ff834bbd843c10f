"""A site whose key may not read pay or personal data (no ``pay:read``, no
``personal:read``) keeps syncing: the server leaves the rate and the e-mail out,
and the site keeps its own values instead of clearing them, pushes its other edits
without touching them, and merges a 412 without sending them back.

Everything is real: the server on 127.0.0.1, a SQLite file per site, run_sync.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from core.employees import EmployeeDraft, add_employee, edit_employee
from core.models import Employee, OutboxEntry
from core.models.sync import RunOutcome
from server import auth
from sync.client import SyncClient
from sync.connect import connect
from tests.server.conftest import Tenant
from tests.sync.conftest import SyncSite, server_record, site_client

#: Everything but pay and personal data.
LIMITED = [s for s in auth.SCOPES if not s.startswith(("pay:", "personal:"))]


def _synced(site: SyncSite) -> None:
    result = site.run()
    assert result.outcome is RunOutcome.OK, (site.name, result.message, result.errors)
    assert result.failed == 0, result.errors
    assert result.conflicts == 0
    with site.store.session() as s:
        assert s.scalars(select(OutboxEntry)).all() == []


def _limited(tenant: Tenant, site: SyncSite) -> None:
    with tenant.live.db.transaction() as session:
        _, secret = auth.create_key(session, tenant.company_id, LIMITED, name="wall")
    site.client.close()
    site.client = site_client(tenant.live.url, secret, site.faults, site.waits)


def _edit(site: SyncSite, employee_id: str, **changes: object) -> None:
    with site.store.session() as s:
        assert edit_employee(s, employee_id, **changes).applied


def test_a_site_without_the_pay_scope_never_clears_its_rates(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    office, wall = new_site("office"), new_site("wall")
    with office.store.session() as s:
        anna = add_employee(
            s,
            EmployeeDraft("Anna", "Berg", email="anna@example.com", hourly_rate="20.00"),
        ).ids[0]
    _synced(office)
    _synced(wall)
    assert wall.read(Employee, anna).hourly_rate == Decimal("20.00")
    _limited(tenant, wall)

    # The office changes the rate and the name; the wall learns the name only.
    _edit(office, anna, last_name="Brandt", hourly_rate="25.00")
    _synced(office)
    _synced(wall)
    seen = wall.read(Employee, anna)
    assert (seen.last_name, seen.hourly_rate, seen.email) == (
        "Brandt",
        Decimal("20.00"),
        "anna@example.com",
    )

    # The wall's own edit goes out without the fields it may not set.
    _edit(wall, anna, first_name="Anne")
    _synced(wall)
    on_server = server_record(tenant, "employees", anna)
    assert on_server is not None
    assert (on_server["firstName"], on_server["hourlyRate"]) == ("Anne", "25")

    # A stale push (412) merges with a record that lacks the rate, and still sends
    # only what the wall changed.
    _edit(office, anna, code="A-1")
    _synced(office)
    _edit(wall, anna, last_name="Berg-Brandt")
    _synced(wall)
    on_server = server_record(tenant, "employees", anna)
    assert on_server is not None
    assert (on_server["lastName"], on_server["code"], on_server["hourlyRate"]) == (
        "Berg-Brandt",
        "A-1",
        "25",
    )
    seen = wall.read(Employee, anna)
    assert (seen.code, seen.hourly_rate, seen.email) == (
        "A-1",
        Decimal("20.00"),
        "anna@example.com",
    )
    _synced(wall)  # and nothing is left to send
    assert wall.read(Employee, anna).hourly_rate == Decimal("20.00")


def test_a_rate_changed_at_a_site_without_pay_write_is_refused_not_lost(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    """As for any scope a key lacks, the run stops naming it; the edit waits."""
    wall = new_site("wall")
    with wall.store.session() as s:
        ben = add_employee(s, EmployeeDraft("Ben", "Cole", hourly_rate="18.00")).ids[0]
    _synced(wall)
    _limited(tenant, wall)
    _edit(wall, ben, hourly_rate="30.00")
    result = wall.run()
    assert result.outcome is RunOutcome.FAILED
    assert "pay:write" in result.message
    assert wall.read(Employee, ben).hourly_rate == Decimal("30.00")
    assert [op for _, _, op, _ in wall.outbox()] == ["update"]
    on_server = server_record(tenant, "employees", ben)
    assert on_server is not None
    assert on_server["hourlyRate"] == "18"


def test_connecting_with_a_key_that_cannot_read_pay_says_what_the_store_will_lack(
    tenant: Tenant, tmp_path
) -> None:
    with tenant.live.db.transaction() as session:
        _, secret = auth.create_key(session, tenant.company_id, LIMITED, name="wall")
    with SyncClient(tenant.live.url, secret) as client:
        done = connect(tmp_path / "wall.shiftdesk", client)
    assert done.how == "created"
    assert any("pay rates" in note for note in done.notes)
    assert any("e-mail" in note for note in done.notes)
    with SyncClient(tenant.live.url, tenant.key) as client:
        full = connect(tmp_path / "office.shiftdesk", client)
    assert full.notes == ()
