"""A pay period closed at one site reaches the server and the other sites; an edit
made offline into it elsewhere is refused by the server (through core's rule) and
waits as a failed operation instead of changing paid history. Employment dates
travel the same way, and the other site's rules use them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.employees import EmployeeDraft, add_employee
from core.models import PayPeriod
from core.models.sync import RunOutcome
from core.pay_periods import close_period, closed_on, reopen_period
from core.payroll import payroll
from core.policy import set_policy
from core.punches import record_punch
from core.scheduling import ShiftDraft, create_shift, edit_shift
from server import auth
from sync.failed import failed_ops
from tests.conftest import MONDAY
from tests.server.conftest import Tenant
from tests.sync.conftest import SyncSite, server_record, site_client
from tests.sync.test_guarded_fields import LIMITED
from tests.sync.test_pay_policy_sync import _a_long_monday, _overtime

SUNDAY = MONDAY + timedelta(days=6)
NEXT_MONDAY = MONDAY + timedelta(days=7)


@pytest.fixture
def sites(new_site: Callable[[str], SyncSite]) -> tuple[SyncSite, SyncSite]:
    return new_site("quay"), new_site("hill")


def _syncs(*sites: SyncSite) -> None:
    for site in (*sites, *sites):
        result = site.run()
        assert result.outcome is RunOutcome.OK, (site.name, result.message, result.errors)


def test_an_old_edit_into_a_period_closed_elsewhere_is_a_failed_operation(
    tenant: Tenant, sites: tuple[SyncSite, SyncSite]
) -> None:
    quay, hill = sites
    with quay.store.session() as s:
        anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
        shift = create_shift(
            s, ShiftDraft(quay.site_id, MONDAY, "09:00", "17:00", employee_ids=(anna,))
        ).ids[0]
    _syncs(quay, hill)
    with hill.store.session() as s:  # offline at hill: a late change to Monday
        assert edit_shift(s, shift, start_time="10:00").applied
    with quay.store.session() as s:
        period = close_period(s, MONDAY, SUNDAY, actor="anna").ids[0]
    _syncs(quay)
    assert server_record(tenant, "payperiods", period)["closedBy"] == "anna"
    result = hill.run()
    assert result.outcome is RunOutcome.PARTIAL, result.errors
    with hill.store.session() as s:
        [failed] = failed_ops(s)
        assert closed_on(s, None, MONDAY) is not None  # the close reached hill too
    assert failed.record_id == shift
    assert "422" in failed.reason
    assert "Pay period 1–7 Jun 2026 is closed (by anna" in failed.reason
    assert server_record(tenant, "shifts", shift)["startTime"] == "09:00"


def test_reopening_with_a_reason_replicates(
    tenant: Tenant, sites: tuple[SyncSite, SyncSite]
) -> None:
    quay, hill = sites
    with quay.store.session() as s:
        period = close_period(s, MONDAY, SUNDAY, actor="anna").ids[0]
    _syncs(quay, hill)
    with hill.store.session() as s:
        reopen_period(s, MONDAY, SUNDAY, actor="ben", reason="a night shift was missed")
    _syncs(hill, quay)
    on_server = server_record(tenant, "payperiods", period)
    assert (on_server["reopenedBy"], on_server["reopenReason"]) == (
        "ben",
        "a night shift was missed",
    )
    with quay.store.session() as s:
        assert s.get(PayPeriod, period).reopened_by == "ben"
        assert closed_on(s, None, MONDAY) is None


def test_employment_dates_reach_the_other_site_and_its_rules(
    tenant: Tenant, sites: tuple[SyncSite, SyncSite]
) -> None:
    quay, hill = sites
    with quay.store.session() as s:
        mia = add_employee(
            s, EmployeeDraft(first_name="Mia", last_name="Lund", employment_start=SUNDAY)
        ).ids[0]
    _syncs(quay, hill)
    assert server_record(tenant, "employees", mia)["employmentStart"] == "2026-06-07"
    with hill.store.session() as s:
        early = create_shift(s, ShiftDraft(hill.site_id, MONDAY, "09:00", "17:00", (mia,)))
    assert [c.reason for c in early.conflicts] == ["Mia Lund starts on 7 Jun 2026"]


def test_a_closed_week_is_paid_as_closed_at_every_site_after_the_policy_changes(
    tenant: Tenant, sites: tuple[SyncSite, SyncSite]
) -> None:
    """Quay closes the week of a ten-hour Monday; hill then lowers the daily overtime
    threshold. Both sites still pay that Monday's two hours of overtime, and the
    next Monday, open, under the new rule."""
    quay, hill = sites
    anna = _a_long_monday(quay)
    closed = _overtime(quay, anna)
    assert closed[0] == 2
    with quay.store.session() as s:
        period = close_period(s, MONDAY, SUNDAY, actor="anna").ids[0]
    _syncs(quay, hill)
    with hill.store.session() as s:
        assert set_policy(s, daily_overtime_hours="6").applied
    _syncs(hill, quay)
    on_server = server_record(tenant, "payperiods", period)
    assert on_server is not None
    assert on_server["payRules"]["dailyOvertimeHours"] == "8"
    for site in (quay, hill):
        assert _overtime(site, anna) == closed, site.name
    with quay.store.session() as s:
        create_shift(s, ShiftDraft(quay.site_id, NEXT_MONDAY, "08:00", "18:00", (anna,)))
        for kind, hour in (("in", 8), ("out", 18)):
            at = datetime.combine(NEXT_MONDAY, time(hour), tzinfo=ZoneInfo("Europe/Berlin"))
            record_punch(s, employee_id=anna, kind=kind, at=at.astimezone(UTC))
        (line,) = payroll(s, NEXT_MONDAY, NEXT_MONDAY, employee_ids=[anna]).lines
    assert line.overtime_hours == 4


def test_a_site_without_the_pay_scopes_closes_and_pulls_periods_without_their_rules(
    tenant: Tenant, sites: tuple[SyncSite, SyncSite]
) -> None:
    """It never reads the kept rules (its copy has none and takes its own policy)
    and closing a period is not refused: the server keeps the company's rules."""
    quay, hill = sites
    with tenant.live.db.transaction() as session:
        _, secret = auth.create_key(session, tenant.company_id, LIMITED, name="hill")
    hill.client.close()
    hill.client = site_client(tenant.live.url, secret, hill.faults, hill.waits)
    with quay.store.session() as s:
        set_policy(s, daily_overtime_hours="7")
        first = close_period(s, MONDAY, SUNDAY, actor="anna").ids[0]
    _syncs(quay, hill)
    assert hill.read(PayPeriod, first).pay_rules is None
    with hill.store.session() as s:
        second = close_period(s, NEXT_MONDAY, NEXT_MONDAY + timedelta(days=6), actor="ben")
    _syncs(hill)
    on_server = server_record(tenant, "payperiods", second.ids[0])
    assert on_server is not None
    assert on_server["payRules"]["dailyOvertimeHours"] == "7"
    assert hill.read(PayPeriod, second.ids[0]).pay_rules["dailyOvertimeHours"] == "8"


def test_overlapping_closes_made_offline_at_two_sites_pay_the_shared_day_once(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    """Offline, quay closes Monday to Sunday; hill doubles the multiplier and closes
    Saturday before to Monday. The pull brings hill's closure to quay unchecked: its
    Monday is paid once (8 h regular, 2 h overtime), not under both periods."""
    quay, hill = new_site("quay"), new_site("hill")
    anna = _a_long_monday(quay)
    for site in (quay, hill, quay, hill):
        site.run()
    with quay.store.session() as s:
        close_period(s, MONDAY, SUNDAY, actor="anna")
    with hill.store.session() as s:
        set_policy(s, overtime_multiplier="2")
        close_period(s, MONDAY - timedelta(days=2), MONDAY, actor="ben")
    for site in (hill, hill, quay, quay):
        site.run()
    with quay.store.session() as s:
        assert len(s.query(PayPeriod).all()) == 2
        (line,) = payroll(s, MONDAY, MONDAY, employee_ids=[anna]).lines
    assert (line.regular_hours, line.overtime_hours) == (8, 2)


def test_a_period_closed_without_its_rules_kept_is_sent_without_pay_rules(
    tenant: Tenant, new_site: Callable[[str], SyncSite]
) -> None:
    """A period closed before its rules were kept holds none: its create leaves
    payRules out rather than sending null (which a server that knows no such field
    refuses), and the server fills the company's rules as for any site."""
    quay = new_site("quay")
    quay.run()
    with quay.store.session() as s:
        made = close_period(s, MONDAY, SUNDAY, actor="anna").ids[0]
        s.get(PayPeriod, made).pay_rules = None
    seen = len(quay.faults.requests)
    quay.run()
    sent = [r.content for r in quay.faults.requests[seen:] if made.encode() in r.content]
    assert sent
    assert not any(b"payRules" in body for body in sent)
    policy = tenant.client.get(f"/v1/paypolicies/{tenant.company_id}").json()["paypolicy"]
    held = server_record(tenant, "payperiods", made)
    assert held is not None
    assert held["payRules"] == {k: policy[k] for k in held["payRules"]}
