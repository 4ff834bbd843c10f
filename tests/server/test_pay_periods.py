"""Closed pay periods on the server: closed and reopened through core, and every
write into one refused as core refuses it (422 naming the day's field)."""

from __future__ import annotations

import pytest

from tests.server.conftest import Staff, Tenant, created, put_new
from tests.server.test_pay_policies import PAY_RULES

SENTENCE = "Pay period 1–30 Nov 2026 is closed (by anna, 1 Dec); reopen it to change it"


def _fields(response) -> dict[str, str]:
    return {f["field"]: f["code"] for f in response.json()["detail"]["fields"]}


def _close(tenant: Tenant) -> dict:
    return created(
        tenant.client,
        "payperiods",
        {
            "firstDay": "2026-11-01",
            "lastDay": "2026-11-30",
            "closedBy": "anna",
            "closedAt": "2026-12-01T09:00:00Z",
        },
    )


def _shift(tenant: Tenant, staff: Staff, day: str) -> dict:
    return {
        "siteId": tenant.site_id,
        "shiftDate": day,
        "startTime": "09:00",
        "endTime": "17:00",
        "assignedUserIds": [staff.anna],
    }


def test_writes_into_a_closed_period_are_422_naming_the_day(tenant: Tenant, staff: Staff) -> None:
    kept = created(tenant.client, "shifts", _shift(tenant, staff, "2026-11-30"))
    _close(tenant)
    new = put_new(tenant.client, "shifts", _shift(tenant, staff, "2026-11-30"))
    assert new.status_code == 422, new.text
    assert new.json()["message"] == SENTENCE
    assert _fields(new) == {"shiftDate": "INVALID"}
    url = f"/v1/shifts/{kept['id']}"
    moved = tenant.client.patch(url, json={"shiftDate": "2026-12-01"}, headers={"If-Match": '"1"'})
    assert moved.status_code == 422
    deleted = tenant.client.delete(url, headers={"If-Match": '"1"'})
    assert deleted.status_code == 422
    assert deleted.json()["message"] == SENTENCE
    correction = put_new(
        tenant.client,
        "attendancecorrections",
        {
            "employeeId": staff.anna,
            "workDate": "2026-11-02",
            "excused": True,
            "reason": "doctor",
            "author": "sam",
        },
    )
    assert correction.status_code == 422
    assert _fields(correction) == {"workDate": "INVALID"}
    fine = put_new(tenant.client, "shifts", _shift(tenant, staff, "2026-12-01"))
    assert fine.status_code == 201


def test_reopen_needs_a_reason_and_a_period_is_never_deleted(tenant: Tenant, staff: Staff) -> None:
    period = _close(tenant)
    url = f"/v1/payperiods/{period['id']}"
    no_reason = tenant.client.patch(url, json={"reopenedBy": "ben"}, headers={"If-Match": '"1"'})
    assert no_reason.status_code == 400
    assert _fields(no_reason) == {"reopenReason": "INVALID"}
    gone = tenant.client.delete(url, headers={"If-Match": '"1"'})
    assert gone.status_code == 422
    reopened = tenant.client.patch(
        url, json={"reopenedBy": "ben", "reopenReason": "late punches"}, headers={"If-Match": '"1"'}
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["payperiod"]["reopenedAt"] is not None
    assert put_new(tenant.client, "shifts", _shift(tenant, staff, "2026-11-30")).status_code == 201
    again = put_new(
        tenant.client,
        "payperiods",
        {"firstDay": "2026-11-16", "lastDay": "2026-12-15", "closedBy": "anna"},
    )
    assert again.status_code == 201
    overlapping = put_new(
        tenant.client,
        "payperiods",
        {"firstDay": "2026-11-01", "lastDay": "2026-11-30", "closedBy": "anna"},
    )
    assert overlapping.status_code == 422
    assert _fields(overlapping) == {"firstDay": "INVALID"}


def test_a_punch_on_a_closed_day_is_422_naming_its_instant(tenant: Tenant, staff: Staff) -> None:
    _close(tenant)
    punch = {"employeeId": staff.anna, "kind": "in", "at": "2026-11-30T08:00:00Z"}
    refused = put_new(tenant.client, "clockevents", punch)
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"] == SENTENCE
    assert _fields(refused) == {"at": "INVALID"}
    later = put_new(tenant.client, "clockevents", {**punch, "at": "2026-12-01T08:00:00Z"})
    assert later.status_code == 201, later.text


def test_leave_on_a_closed_day_or_outside_employment_is_refused_naming_the_date(
    tenant: Tenant, staff: Staff
) -> None:
    _close(tenant)
    leave = {"employeeId": staff.anna, "startDate": "2026-11-30", "endDate": "2026-12-01"}
    closed = put_new(tenant.client, "leaverequests", leave)
    assert closed.status_code == 422, closed.text
    assert closed.json()["message"] == SENTENCE
    assert _fields(closed) == {"startDate": "INVALID"}
    leaving = tenant.client.patch(
        f"/v1/employees/{staff.anna}",
        json={"employmentEnd": "2026-12-01"},
        headers={"If-Match": '"1"'},
    )
    assert leaving.status_code == 200, leaving.text
    late = put_new(
        tenant.client,
        "leaverequests",
        {**leave, "startDate": "2026-12-01", "endDate": "2026-12-02"},
    )
    assert late.status_code == 400, late.text  # as an overlapping request is
    assert _fields(late) == {"endDate": "INVALID"}
    assert "left on 1 Dec 2026" in late.json()["message"]


def test_a_period_keeps_the_pay_rules_it_was_closed_with_and_they_are_pay_data(
    tenant: Tenant,
) -> None:
    """Those the site sent (a key with pay:write), else the company's policy; shown
    with pay:read only, and never changed while the period stays closed."""
    policy = tenant.client.get(f"/v1/paypolicies/{tenant.company_id}").json()["paypolicy"]
    rules = {k: policy[k] for k in PAY_RULES}
    sent = {**rules, "dailyOvertimeHours": "7.5"}
    period = created(
        tenant.client,
        "payperiods",
        {"firstDay": "2026-10-01", "lastDay": "2026-10-31", "closedBy": "anna", "payRules": sent},
    )
    assert period["payRules"] == sent
    url = f"/v1/payperiods/{period['id']}"
    changed = tenant.client.patch(
        url, json={"payRules": rules}, headers={"If-Match": f'"{period["recordVersion"]}"'}
    )
    assert changed.status_code == 422, changed.text
    assert _fields(changed) == {"payRules": "INVALID"}
    bad = put_new(
        tenant.client,
        "payperiods",
        {"firstDay": "2026-09-01", "lastDay": "2026-09-30", "closedBy": "anna", "payRules": {}},
    )
    assert bad.status_code == 400
    assert _fields(bad) == {"payRules": "INVALID"}

    clerk = tenant.client_with(["attendance:read", "attendance:write"])
    own = created(
        clerk,
        "payperiods",
        {"firstDay": "2026-11-01", "lastDay": "2026-11-30", "closedBy": "ben", "payRules": sent},
    )
    assert "payRules" not in own
    assert "payRules" not in clerk.get(f"/v1/payperiods/{own['id']}").json()["payperiod"]
    shown = tenant.client.get(f"/v1/payperiods/{own['id']}").json()["payperiod"]
    assert shown["payRules"] == rules


BAD_RULES = [
    ("dailyOvertimeHours", [1]),
    ("dailyOvertimeHours", None),
    ("dailyOvertimeHours", True),
    ("dailyOvertimeHours", "1e999"),
    ("dailyOvertimeHours", "NaN"),
    ("dailyOvertimeHours", "-5"),
    ("dailyOvertimeHours", "99999"),
    ("overtimeMultiplier", "0"),
    ("overnightDay", 5),
    ("overnightDay", ["end"]),
    ("weekStart", "monday"),
    ("weekStart", 9),
    ("weekStart", 1.5),
    ("graceMinutes", 10**30),
]


@pytest.mark.parametrize(("name", "value"), BAD_RULES)
def test_kept_pay_rules_are_checked_against_the_policys_limits_naming_the_rule(
    tenant: Tenant, name: str, value: object
) -> None:
    """A kept rule is priced as the policy's would be: one the policy could never
    hold (past its limits, not a number) is refused, naming payRules.<rule>."""
    policy = tenant.client.get(f"/v1/paypolicies/{tenant.company_id}").json()["paypolicy"]
    rules = {**{k: policy[k] for k in PAY_RULES}, name: value}
    bad = put_new(
        tenant.client,
        "payperiods",
        {"firstDay": "2026-09-01", "lastDay": "2026-09-30", "closedBy": "anna", "payRules": rules},
    )
    assert bad.status_code == 400, bad.text
    assert _fields(bad) == {f"payRules.{name}": "INVALID"}


@pytest.mark.parametrize("value", ["x", 5, [1], True])
def test_pay_rules_that_are_not_an_object_are_refused(tenant: Tenant, value: object) -> None:
    bad = put_new(
        tenant.client,
        "payperiods",
        {"firstDay": "2026-09-01", "lastDay": "2026-09-30", "closedBy": "anna", "payRules": value},
    )
    assert bad.status_code == 400, bad.text
    assert _fields(bad) == {"payRules": "INVALID"}


def test_a_full_put_without_pay_rules_reopens_and_keeps_them(tenant: Tenant) -> None:
    """An older client knows no payRules: its PUT reopening a period leaves them out,
    which asks nothing of them (the server fills them itself), so they stay."""
    body = {
        "firstDay": "2026-10-01",
        "lastDay": "2026-10-31",
        "closedBy": "anna",
        "closedAt": "2026-11-01T09:00:00Z",
    }
    period = created(tenant.client, "payperiods", body)
    reopened = tenant.client.put(
        f"/v1/payperiods/{period['id']}",
        json={
            **body,
            "reopenedBy": "sam",
            "reopenedAt": "2026-11-02T09:00:00Z",
            "reopenReason": "a missed shift",
        },
        headers={"If-Match": f'"{period["recordVersion"]}"'},
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["payperiod"]["reopenedBy"] == "sam"
    assert reopened.json()["payperiod"]["payRules"] == period["payRules"]
