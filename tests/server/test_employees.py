"""Pay and personal data have scopes of their own: without ``pay:read`` a key sees
no ``hourlyRate``, without ``personal:read`` no ``email`` (lists, gets, write
answers, 412 bodies, the change feed, batch results); without ``pay:write`` /
``personal:write`` it cannot change them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.server.conftest import Tenant, created, put_new

SCHEDULE = ["schedule:read", "schedule:write"]
GUARDED = ("hourlyRate", "email")


@pytest.fixture
def anna(tenant: Tenant) -> dict:
    return created(
        tenant.client,
        "employees",
        {
            "firstName": "Anna",
            "lastName": "Berg",
            "email": "anna@example.com",
            "hourlyRate": "21.5",
        },
    )


def _shows_none(record: dict) -> None:
    assert not set(GUARDED) & set(record), record


def test_a_schedule_key_reads_no_rate_and_no_email_anywhere(tenant: Tenant, anna: dict) -> None:
    wall = tenant.client_with(SCHEDULE)
    url = f"/v1/employees/{anna['id']}"
    _shows_none(wall.get(url).json()["employee"])
    [listed] = wall.get("/v1/employees").json()["employees"]
    _shows_none(listed)
    [change] = [c for c in wall.get("/v1/changes").json()["changes"] if c["id"] == anna["id"]]
    _shows_none(change["record"])
    stale = wall.patch(url, json={"firstName": "Anne"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    _shows_none(stale.json()["detail"]["employee"])
    patched = wall.patch(url, json={"firstName": "Anne"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200
    _shows_none(patched.json()["employee"])
    [result] = wall.post(
        "/v1/batch",
        json={
            "operations": [
                {
                    "method": "PATCH",
                    "path": url,
                    "headers": {"If-Match": '"2"'},
                    "body": {"lastName": "Brandt"},
                }
            ]
        },
    ).json()["results"]
    assert result["status"] == 200
    _shows_none(result["body"]["employee"])
    # The full key still sees both, unchanged by the schedule key's edits.
    full = tenant.client.get(url).json()["employee"]
    assert (Decimal(full["hourlyRate"]), full["email"]) == (Decimal("21.5"), "anna@example.com")


def test_each_guard_opens_with_its_own_read_scope(tenant: Tenant, anna: dict) -> None:
    payroll = tenant.client_with([*SCHEDULE, "pay:read"])
    seen = payroll.get(f"/v1/employees/{anna['id']}").json()["employee"]
    assert Decimal(seen["hourlyRate"]) == Decimal("21.5")
    assert "email" not in seen
    hr = tenant.client_with([*SCHEDULE, "personal:read"])
    seen = hr.get(f"/v1/employees/{anna['id']}").json()["employee"]
    assert seen["email"] == "anna@example.com"
    assert "hourlyRate" not in seen


def test_a_schedule_key_cannot_set_a_rate_or_an_email(tenant: Tenant, anna: dict) -> None:
    wall = tenant.client_with([*SCHEDULE, "pay:read", "personal:read"])
    url = f"/v1/employees/{anna['id']}"
    for field, value in (("hourlyRate", "99"), ("email", "x@example.com")):
        refused = wall.patch(url, json={field: value}, headers={"If-Match": '"1"'})
        assert refused.status_code == 403, field
        assert field in refused.json()["message"]
        made = put_new(wall, "employees", {"firstName": "Ben", "lastName": "Cole", field: value})
        assert made.status_code == 403, field
    # Sending back what it read is no change; leaving the fields out is none either.
    echoed = wall.patch(
        url,
        json={"firstName": "Anne", "hourlyRate": "21.50", "email": "anna@example.com"},
        headers={"If-Match": '"1"'},
    )
    assert echoed.status_code == 200
    assert put_new(wall, "employees", {"firstName": "Ben", "lastName": "Cole"}).status_code == 201
    payroll = tenant.client_with([*SCHEDULE, "pay:read", "pay:write"])
    raised = payroll.patch(url, json={"hourlyRate": "23"}, headers={"If-Match": '"2"'})
    assert raised.status_code == 200
    assert Decimal(raised.json()["employee"]["hourlyRate"]) == 23


@pytest.mark.parametrize(
    ("sent", "shown"), [("21.5", "21.5"), ("21.5000", "21.5"), ("20.00", "20")]
)
def test_one_etag_one_body_decimals_read_back_as_written(
    tenant: Tenant, sent: str, shown: str
) -> None:
    """A strong ETag promises identical bytes: the write's answer and a later GET agree
    on every decimal, in one canonical form."""
    body = {"firstName": "Dora", "lastName": "Test", "hourlyRate": sent, "contractHours": "37.50"}
    write = put_new(tenant.client, "employees", body)
    assert write.status_code == 201, write.text
    record = write.json()["employee"]
    assert (record["hourlyRate"], record["contractHours"]) == (shown, "37.5")
    url = f"/v1/employees/{record['id']}"
    read = tenant.client.get(url)
    assert read.headers["etag"] == write.headers["etag"]
    assert read.json()["employee"] == record
    patched = tenant.client.patch(
        url, json={"contractHours": "38.2500"}, headers={"If-Match": write.headers["etag"]}
    )
    assert patched.status_code == 200, patched.text
    again = tenant.client.get(url)
    assert again.json()["employee"] == patched.json()["employee"]
    assert again.json()["employee"]["contractHours"] == "38.25"


def test_employment_dates_travel_and_an_end_before_the_start_is_400(tenant: Tenant) -> None:
    mia = created(
        tenant.client,
        "employees",
        {"firstName": "Mia", "lastName": "Lund", "employmentStart": "2026-12-05"},
    )
    assert (mia["employmentStart"], mia["employmentEnd"]) == ("2026-12-05", None)
    url = f"/v1/employees/{mia['id']}"
    early = tenant.client.patch(
        url, json={"employmentEnd": "2026-12-01"}, headers={"If-Match": '"1"'}
    )
    assert early.status_code == 400, early.text
    assert {f["field"]: f["code"] for f in early.json()["detail"]["fields"]} == {
        "employmentEnd": "INVALID"
    }
    later = tenant.client.patch(
        url, json={"employmentEnd": "2027-01-31"}, headers={"If-Match": '"1"'}
    )
    assert later.status_code == 200
    assert later.json()["employee"]["employmentEnd"] == "2027-01-31"


def test_a_shift_before_a_persons_start_is_a_409_clash(tenant: Tenant) -> None:
    mia = created(
        tenant.client,
        "employees",
        {"firstName": "Mia", "lastName": "Lund", "employmentStart": "2026-12-05"},
    )
    body = {
        "siteId": tenant.site_id,
        "shiftDate": "2026-12-04",
        "startTime": "09:00",
        "endTime": "17:00",
        "assignedUserIds": [mia["id"]],
    }
    refused = put_new(tenant.client, "shifts", body)
    assert refused.status_code == 409, refused.text
    assert [c["reason"] for c in refused.json()["detail"]["conflicts"]] == [
        "Mia Lund starts on 5 Dec 2026"
    ]
    assert put_new(tenant.client, "shifts", {**body, "shiftDate": "2026-12-05"}).status_code == 201


def test_put_replaces_and_patch_merges(tenant: Tenant, anna: dict) -> None:
    """PUT is the whole record: what the body leaves out is cleared (null or the
    default); PATCH changes only what it names; a PUT without a required field is a
    400 naming it."""
    url = f"/v1/employees/{anna['id']}"
    patched = tenant.client.patch(url, json={"code": "A-7"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert patched.json()["employee"]["email"] == "anna@example.com"  # merged
    replaced = tenant.client.put(
        url, json={"firstName": "Anna", "lastName": "Brook"}, headers={"If-Match": '"2"'}
    )
    assert replaced.status_code == 200, replaced.text
    shown = replaced.json()["employee"]
    assert shown["lastName"] == "Brook"
    assert (shown["email"], shown["code"]) == (None, None)
    assert Decimal(shown["hourlyRate"]) == 0
    assert Decimal(shown["contractHours"]) == 40
    assert tenant.client.get(url).json()["employee"] == shown
    missing = tenant.client.put(url, json={"lastName": "X"}, headers={"If-Match": '"3"'})
    assert missing.status_code == 400
    assert {(f["field"], f["code"]) for f in missing.json()["detail"]["fields"]} == {
        ("firstName", "MISSING")
    }


def test_a_put_keeps_the_fields_the_key_may_not_read(tenant: Tenant, anna: dict) -> None:
    """A wall display never saw the rate or the e-mail: its replace leaves them be."""
    wall = tenant.client_with(SCHEDULE)
    url = f"/v1/employees/{anna['id']}"
    replaced = wall.put(
        url, json={"firstName": "Anna", "lastName": "Berg"}, headers={"If-Match": '"1"'}
    )
    assert replaced.status_code == 200, replaced.text
    full = tenant.client.get(url).json()["employee"]
    assert (full["email"], Decimal(full["hourlyRate"])) == ("anna@example.com", Decimal("21.5"))
