"""Attendance corrections and sign-offs replicate through core.attendance: a correction
is never rewritten, taking one back keeps it (a tombstone) and says who did."""

from __future__ import annotations

from sqlalchemy import select

from core.models import AuditEntry
from core.wire import COLLECTIONS
from server.app import ENDPOINTS
from tests.server.conftest import Staff, Tenant, created, new_id, put_new


def _correction(tenant: Tenant, who: str, **fields) -> dict:
    body = {
        "employeeId": who,
        "workDate": "2026-06-01",
        "clockIn": "2026-06-01T07:10:00Z",
        "reason": "forgot to punch in",
        "author": "sam",
        **fields,
    }
    return created(tenant.client, "attendancecorrections", body)


def test_every_collection_on_the_wire_is_served() -> None:
    assert sorted(ep.spec.name for ep in ENDPOINTS) == sorted(COLLECTIONS)


def test_a_correction_is_kept_as_the_site_made_it(tenant: Tenant, staff: Staff) -> None:
    record_id = new_id()
    body = {
        "employeeId": staff.anna,
        "workDate": "2026-06-01",
        "clockIn": "2026-06-01T09:10:00+02:00",
        "clockOut": "2026-06-01T15:00:00Z",
        "breakMinutes": 30,
        "excused": True,
        "reason": "badge reader broken",
        "author": "sam",
    }
    response = put_new(tenant.client, "attendancecorrections", body, record_id)
    assert response.status_code == 201, response.text
    record = response.json()["attendancecorrection"]
    assert record["id"] == record_id
    assert record["companyId"] == tenant.company_id
    assert record["clockIn"] == "2026-06-01T07:10:00Z"
    assert record["clockOut"] == "2026-06-01T15:00:00Z"
    assert (record["breakMinutes"], record["excused"], record["reason"], record["author"]) == (
        30,
        True,
        "badge reader broken",
        "sam",
    )
    listed = tenant.client.get(
        "/v1/attendancecorrections", params={"employeeId": staff.anna}
    ).json()
    assert [r["id"] for r in listed["attendancecorrections"]] == [record_id]


def test_a_correction_core_refuses_is_422_in_wire_names(tenant: Tenant, staff: Staff) -> None:
    response = put_new(
        tenant.client,
        "attendancecorrections",
        {
            "employeeId": staff.anna,
            "workDate": "2026-06-01",
            "clockIn": "2026-06-01T15:00:00Z",
            "clockOut": "2026-06-01T07:00:00Z",
            "reason": "typo",
            "author": "sam",
        },
    )
    assert response.status_code == 400
    assert response.json()["detail"]["fields"][0]["field"] == "clockOut"


def test_a_correction_is_never_changed(tenant: Tenant, staff: Staff) -> None:
    record = _correction(tenant, staff.anna)
    url = f"/v1/attendancecorrections/{record['id']}"
    patched = tenant.client.patch(url, json={"reason": "other"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 405
    assert "PATCH" not in patched.headers["Allow"]
    replaced = tenant.client.put(
        url, json={**record, "reason": "other"}, headers={"If-Match": '"1"'}
    )
    assert replaced.status_code == 409
    assert replaced.json()["errCode"] == "APPEND_ONLY"
    assert tenant.client.get(url).json()["attendancecorrection"]["reason"] == record["reason"]


def test_taking_a_correction_back_keeps_it_and_names_who(tenant: Tenant, staff: Staff) -> None:
    record = _correction(tenant, staff.anna)
    url = f"/v1/attendancecorrections/{record['id']}"
    cursor = tenant.client.get("/v1/changes").json()["cursor"]
    taken = tenant.client.delete(url, headers={"If-Match": '"1"'})
    assert taken.status_code == 200, taken.text
    assert taken.json()["attendancecorrection"]["isActive"] is False
    assert tenant.client.get(url).status_code == 404
    (change,) = tenant.client.get("/v1/changes", params={"cursor": cursor}).json()["changes"]
    assert (change["id"], change["deleted"]) == (record["id"], True)
    with tenant.live.db.transaction() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.record_id == record["id"])
        ).all()
    assert sorted(actions) == ["attendance.correct", "attendance.correct.withdraw"]


def test_a_day_is_signed_off_given_again_and_taken_back(tenant: Tenant, staff: Staff) -> None:
    body = {
        "employeeId": staff.anna,
        "workDate": "2026-06-01",
        "approvedBy": "sam",
        "approvedAt": "2026-06-02T08:00:00Z",
    }
    approval = created(tenant.client, "attendanceapprovals", body)
    assert (approval["approvedBy"], approval["approvedAt"]) == ("sam", "2026-06-02T08:00:00Z")
    url = f"/v1/attendanceapprovals/{approval['id']}"
    again = tenant.client.patch(
        url,
        json={"approvedBy": "kim", "approvedAt": "2026-06-03T08:00:00Z"},
        headers={"If-Match": '"1"'},
    )
    assert again.status_code == 200, again.text
    assert again.json()["attendanceapproval"]["approvedBy"] == "kim"
    moved = tenant.client.patch(url, json={"workDate": "2026-06-02"}, headers={"If-Match": '"2"'})
    assert moved.status_code == 400
    assert moved.json()["detail"]["fields"][0]["field"] == "workDate"
    taken = tenant.client.delete(url, headers={"If-Match": '"2"'})
    assert taken.status_code == 200
    assert taken.json()["attendanceapproval"]["isActive"] is False


def test_a_second_sign_off_of_a_day_is_a_duplicate(tenant: Tenant, staff: Staff) -> None:
    body = {"employeeId": staff.anna, "workDate": "2026-06-01", "approvedBy": "sam"}
    first = created(tenant.client, "attendanceapprovals", body)
    second = put_new(tenant.client, "attendanceapprovals", {**body, "approvedBy": "kim"})
    assert second.status_code == 409
    assert second.json()["detail"]["attendanceapproval"]["id"] == first["id"]
