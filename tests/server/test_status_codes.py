"""The seed APIs' status codes: a validation failure is 400 naming each field
MISSING / UNDEFINED / INVALID, a state machine's refusal 422, a clash or duplicate
409, on a single route and per operation of ``/v1/batch`` alike."""

from __future__ import annotations

from tests.server.conftest import Staff, Tenant, created, new_id, put_new


def _fields(response) -> dict[str, str]:
    return {f["field"]: f["code"] for f in response.json()["detail"]["fields"]}


def test_a_validation_failure_is_400_naming_each_field(tenant: Tenant, staff: Staff) -> None:
    response = put_new(
        tenant.client,
        "shifts",
        {"startTime": "nine", "endTime": "17:00", "colour": "red"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["status"] == 400
    assert response.json()["errCode"] == "VALIDATION"
    assert _fields(response) == {
        "shiftDate": "MISSING",
        "startTime": "INVALID",
        "colour": "UNDEFINED",
    }


def test_a_bad_query_parameter_is_400_naming_it(tenant: Tenant) -> None:
    response = tenant.client.get("/v1/changes", params={"limit": "0"})
    assert response.status_code == 400
    assert _fields(response) == {"limit": "INVALID"}


def test_a_state_machine_refusal_is_422(tenant: Tenant, staff: Staff) -> None:
    body = {"employeeId": staff.anna, "startDate": "2026-06-01", "endDate": "2026-06-02"}
    leave = created(tenant.client, "leaverequests", body)
    url = f"/v1/leaverequests/{leave['id']}"
    approved = tenant.client.post(f"{url}/approve", headers={"If-Match": '"1"'})
    assert approved.status_code == 200
    edited = tenant.client.patch(url, json={"reason": "x"}, headers={"If-Match": '"2"'})
    assert edited.status_code == 422
    assert edited.json()["errCode"] == "ILLEGAL_TRANSITION"
    assert _fields(edited) == {"status": "INVALID"}
    deleted = tenant.client.delete(url, headers={"If-Match": '"2"'})
    assert deleted.status_code == 422
    assert deleted.json()["errCode"] == "ILLEGAL_TRANSITION"


def test_a_duplicate_is_409(tenant: Tenant, staff: Staff) -> None:
    again = put_new(tenant.client, "departments", {"name": "Kitchen"})
    assert again.status_code == 409
    assert _fields(again) == {"name": "INVALID"}


def test_a_batch_answers_each_operation_with_the_same_codes(tenant: Tenant, staff: Staff) -> None:
    body = {"employeeId": staff.anna, "startDate": "2026-06-01", "endDate": "2026-06-01"}
    leave = created(tenant.client, "leaverequests", body)
    tenant.client.post(f"/v1/leaverequests/{leave['id']}/reject", headers={"If-Match": '"1"'})

    def create(collection: str, record: dict) -> dict:
        return {
            "method": "PUT",
            "path": f"/v1/{collection}/{new_id()}",
            "headers": {"If-None-Match": "*"},
            "body": record,
        }

    operations = [
        create("departments", {"name": ""}),
        create("departments", {"name": "Floor"}),
        {
            "method": "PATCH",
            "path": f"/v1/leaverequests/{leave['id']}",
            "headers": {"If-Match": '"2"'},
            "body": {"status": "approved"},
        },
    ]
    response = tenant.client.post("/v1/batch", json={"operations": operations})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [400, 409, 422]
