"""An erasure on the server (``shiftdesk server erase-employee``) reaches every site
through the change feed: a site's copy of the person, live or deleted, is erased on
its next sync.

Everything is real: the server on 127.0.0.1, a SQLite file per site, run_sync.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from core.employees import EmployeeDraft, add_employee, delete_employee
from core.models import Employee
from core.models.sync import RunOutcome
from server import admin
from tests.server.conftest import Tenant
from tests.sync.conftest import SyncSite


def _synced(site: SyncSite) -> None:
    result = site.run()
    assert result.outcome is RunOutcome.OK, (site.name, result.message, result.errors)
    assert (result.failed, result.conflicts, result.pending) == (0, 0, 0)


def test_an_erased_person_is_erased_at_every_site(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    office, quay = new_site("office"), new_site("quay")
    with office.store.session() as s:
        draft = EmployeeDraft("Zelda", "Quist", email="zq@example.com", hourly_rate="31")
        zelda = add_employee(s, draft).ids[0]
        gone = add_employee(s, EmployeeDraft("Yuri", "Pohl", code="P-1")).ids[0]
    _synced(office)
    with office.store.session() as s:
        delete_employee(s, gone)
    _synced(office)
    _synced(quay)

    for person in (zelda, gone):
        admin.erase_employee(tenant.live.db.url, tenant.company_id, person)

    for site in (office, quay):
        _synced(site)
        live = site.read(Employee, zelda)
        assert (live.first_name, live.email, live.hourly_rate) == ("Erased", None, Decimal(0))
        assert not live.deleted
        assert "Zelda" not in str(live.base)
        deleted = site.read(Employee, gone)
        assert (deleted.first_name, deleted.code, deleted.deleted) == ("Erased", None, True)
