"""The company's pay policy over HTTP: one per company under the company's id, made
with it unpublished, taken over by the first write (If-Match "0" or a create),
checked by core field by field, never deleted, its pay fields guarded."""

from __future__ import annotations

from decimal import Decimal

from core.models import PayPolicy, new_id
from tests.server.conftest import Tenant


def _policy(tenant: Tenant) -> dict:
    response = tenant.client.get(f"/v1/paypolicies/{tenant.company_id}")
    assert response.status_code == 200, response.text
    return response.json()["paypolicy"]


def test_the_policy_is_made_with_the_company_and_the_first_patch_publishes_it(
    tenant: Tenant,
) -> None:
    made = _policy(tenant)
    assert (made["id"], made["recordVersion"], made["dailyOvertimeHours"]) == (
        tenant.company_id,
        0,
        "8",
    )
    url = f"/v1/paypolicies/{tenant.company_id}"
    assert tenant.client.patch(url, json={"graceMinutes": 10}).status_code == 428
    answer = tenant.client.patch(
        url, json={"dailyOvertimeHours": "7.5"}, headers={"If-Match": '"0"'}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"] == '"1"'
    assert _policy(tenant)["dailyOvertimeHours"] == "7.5"
    stale = tenant.client.patch(url, json={"graceMinutes": 9}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    feed = tenant.client.get("/v1/changes", params={"cursor": "0"}).json()["changes"]
    assert [(c["collection"], c["id"]) for c in feed] == [("paypolicies", tenant.company_id)]


def test_core_checks_each_field_by_name(tenant: Tenant) -> None:
    url = f"/v1/paypolicies/{tenant.company_id}"
    for body, field in (
        ({"overtimeMultiplier": "0.5"}, "overtimeMultiplier"),
        ({"dailyOvertimeHours": "25"}, "dailyOvertimeHours"),
        ({"weekStart": 7}, "weekStart"),
        ({"overnightDay": "noon"}, "overnightDay"),
    ):
        answer = tenant.client.patch(url, json=body, headers={"If-Match": '"0"'})
        assert answer.status_code == 400, answer.text
        assert [f["field"] for f in answer.json()["detail"]["fields"]] == [field]
    assert _policy(tenant)["recordVersion"] == 0


def test_a_create_takes_the_unpublished_policy_over_once_and_a_second_is_refused(
    tenant: Tenant,
) -> None:
    url = f"/v1/paypolicies/{tenant.company_id}"
    body = {"weeklyOvertimeHours": "38", "overnightDay": "end"}
    made = tenant.client.put(url, json=body, headers={"If-None-Match": "*"})
    assert made.status_code == 201, made.text
    assert (made.json()["paypolicy"]["weeklyOvertimeHours"], made.headers["ETag"]) == ("38", '"1"')
    assert tenant.client.put(url, json=body, headers={"If-None-Match": "*"}).status_code == 412
    other = tenant.client.put(
        f"/v1/paypolicies/{new_id()}", json=body, headers={"If-None-Match": "*"}
    )
    assert other.status_code == 409
    assert tenant.client.post("/v1/paypolicies", json=body).status_code == 409
    gone = tenant.client.delete(url, headers={"If-Match": '"1"'})
    assert gone.status_code == 422
    assert _policy(tenant)["overnightDay"] == "end"


def test_pay_fields_need_the_pay_scopes_the_rest_attendance(tenant: Tenant) -> None:
    url = f"/v1/paypolicies/{tenant.company_id}"
    clerk = tenant.client_with(["attendance:read", "attendance:write"])
    shown = clerk.get(url).json()["paypolicy"]
    assert shown["minRestHours"] == "11"
    refused = clerk.patch(url, json={"overtimeMultiplier": "2"}, headers={"If-Match": '"0"'})
    assert refused.status_code == 403
    assert "pay:write" in refused.json()["message"]
    done = clerk.patch(url, json={"minRestHours": "10"}, headers={"If-Match": '"0"'})
    assert done.status_code == 200, done.text
    scheduler = tenant.client_with(["schedule:read"])
    assert scheduler.get(url).status_code == 403


#: Every policy field that changes what payroll computes, as the wire names it, with
#: a value unlike the default.
PAY_RULES = {
    "graceMinutes": 9,
    "matchBeforeMinutes": 60,
    "matchAfterMinutes": 60,
    "overnightDay": "end",
    "weekStart": 6,
    "dailyOvertimeHours": "7",
    "weeklyOvertimeHours": "38",
    "overtimeMultiplier": "2",
    "latePenaltyPerMinute": "0.5",
    "unpaidBreakMinutes": 30,
    "unpaidBreakAfterHours": "5",
}


def test_every_rule_that_moves_pay_is_read_and_set_with_the_pay_scopes_alone(
    tenant: Tenant,
) -> None:
    url = f"/v1/paypolicies/{tenant.company_id}"
    clerk = tenant.client_with(["attendance:read", "attendance:write"])
    shown = clerk.get(url).json()["paypolicy"]
    assert set(PAY_RULES).isdisjoint(shown)
    assert {"minRestHours", "maxConsecutiveDays", "maxShiftHours"} <= set(shown)
    for name, value in PAY_RULES.items():
        refused = clerk.patch(url, json={name: value}, headers={"If-Match": '"0"'})
        assert refused.status_code == 403, (name, refused.text)
        assert refused.json()["message"].endswith(f"pay:write to set {name}"), name
    assert _policy(tenant)["recordVersion"] == 0
    payroll = tenant.client_with(["attendance:read", "attendance:write", "pay:write"])
    done = payroll.patch(url, json=PAY_RULES, headers={"If-Match": '"0"'})
    assert done.status_code == 200, done.text
    assert {k: v for k, v in _policy(tenant).items() if k in PAY_RULES} == PAY_RULES


def test_a_whole_policy_sent_back_with_its_pay_rules_as_stored_needs_no_pay_scope(
    tenant: Tenant,
) -> None:
    """A site without the pay scopes pushes its whole policy (one the server never
    acknowledged, or a PUT): pay rules equal to the stored ones are no change."""
    with tenant.live.db.transaction() as session:
        policy = session.get(PayPolicy, tenant.company_id)
        assert policy is not None
        policy.overtime_multiplier = Decimal(2)
        policy.grace_minutes = 9
    url = f"/v1/paypolicies/{tenant.company_id}"
    whole = {
        k: v
        for k, v in _policy(tenant).items()
        if k not in {"id", "companyId", "recordVersion", "isActive", "createdAt", "updatedAt"}
    }
    clerk = tenant.client_with(["attendance:read", "attendance:write"])
    whole["minRestHours"] = "10"
    done = clerk.patch(url, json=whole, headers={"If-Match": '"0"'})
    assert done.status_code == 200, done.text
    replaced = clerk.put(url, json={**whole, "maxShiftHours": "10"}, headers={"If-Match": '"1"'})
    assert replaced.status_code == 200, replaced.text
    moved = clerk.put(url, json={**whole, "weekStart": 6}, headers={"If-Match": '"2"'})
    assert moved.status_code == 403, moved.text
    assert moved.json()["message"].endswith("pay:write to set weekStart")
    stored = _policy(tenant)
    assert (stored["minRestHours"], stored["maxShiftHours"], stored["weekStart"]) == ("10", "10", 0)
    assert (stored["graceMinutes"], stored["overtimeMultiplier"]) == (9, "2")


def test_another_companys_policy_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    assert tenant.client.get(f"/v1/paypolicies/{other_tenant.company_id}").status_code == 404


def test_taking_an_unpublished_policy_over_changes_pay_fields_only_with_pay_write(
    tenant: Tenant,
) -> None:
    """The policy an old server kept (migrated, unpublished) holds its own pay rules:
    a create over it changes them as any write does, with pay:write."""
    with tenant.live.db.transaction() as session:
        policy = session.get(PayPolicy, tenant.company_id)
        assert policy is not None
        policy.overtime_multiplier = Decimal(2)
    url = f"/v1/paypolicies/{tenant.company_id}"
    clerk = tenant.client_with(["attendance:read", "attendance:write"])
    body = {"minRestHours": "9", "overtimeMultiplier": "1.5"}
    refused = clerk.put(url, json=body, headers={"If-None-Match": "*"})
    assert refused.status_code == 403, refused.text
    assert "pay:write" in refused.json()["message"]
    assert _policy(tenant)["recordVersion"] == 0
    kept = {"minRestHours": "9", "overtimeMultiplier": "2"}
    done = clerk.put(url, json=kept, headers={"If-None-Match": "*"})
    assert done.status_code == 201, done.text
    assert (_policy(tenant)["overtimeMultiplier"], _policy(tenant)["minRestHours"]) == ("2", "9")
