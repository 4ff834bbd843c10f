"""Shifts over HTTP: core's overlap and leave rules answer 409; list filters."""

from __future__ import annotations

from tests.server.conftest import Staff, Tenant, created, put_new


def _shift(client, who: list[str], day: str = "2026-06-01", start="09:00", end="17:00", **kw):
    body = {"shiftDate": day, "startTime": start, "endTime": end, "assignedUserIds": who, **kw}
    return put_new(client, "shifts", body)


def test_an_overlapping_shift_is_409_naming_the_other_shift(tenant: Tenant, staff: Staff) -> None:
    first = _shift(tenant.client, [staff.anna], start="22:00", end="04:00")
    assert first.status_code == 201
    first_id = first.json()["shift"]["id"]
    clash = _shift(tenant.client, [staff.anna], day="2026-06-02", start="02:00", end="08:00")
    assert clash.status_code == 409
    body = clash.json()
    assert body["errCode"] == "CONFLICT"
    [conflict] = body["detail"]["conflicts"]
    assert conflict["kind"] == "overlap"
    assert conflict["otherId"] == first_id
    assert conflict["employeeId"] == staff.anna
    assert "Anna" in conflict["reason"]
    listed = tenant.client.get("/v1/shifts").json()["shifts"]
    assert [s["id"] for s in listed] == [first_id]


def test_back_to_back_shifts_do_not_clash(tenant: Tenant, staff: Staff) -> None:
    assert _shift(tenant.client, [staff.anna], start="06:00", end="14:00").status_code == 201
    assert _shift(tenant.client, [staff.anna], start="14:00", end="22:00").status_code == 201


def test_moving_a_shift_onto_another_is_409_and_changes_nothing(
    tenant: Tenant, staff: Staff
) -> None:
    _shift(tenant.client, [staff.anna], day="2026-06-02")
    mine = _shift(tenant.client, [staff.anna], day="2026-06-01").json()["shift"]
    url = f"/v1/shifts/{mine['id']}"
    moved = tenant.client.patch(url, json={"shiftDate": "2026-06-02"}, headers={"If-Match": '"1"'})
    assert moved.status_code == 409
    assert tenant.client.get(url).json()["shift"]["shiftDate"] == "2026-06-01"
    ok = tenant.client.patch(url, json={"shiftDate": "2026-06-03"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["shift"]["recordVersion"] == 2


def test_a_shift_over_approved_leave_is_409_naming_the_leave(tenant: Tenant, staff: Staff) -> None:
    leave = created(
        tenant.client,
        "leaverequests",
        {"employeeId": staff.ben, "startDate": "2026-06-01", "endDate": "2026-06-05"},
    )
    approve = tenant.client.post(
        f"/v1/leaverequests/{leave['id']}/approve", headers={"If-Match": '"1"'}
    )
    assert approve.status_code == 200
    clash = _shift(tenant.client, [staff.ben], day="2026-06-03")
    assert clash.status_code == 409
    [conflict] = clash.json()["detail"]["conflicts"]
    assert (conflict["kind"], conflict["otherId"]) == ("leave", leave["id"])


def test_a_department_assignment_binds_its_members(tenant: Tenant, staff: Staff) -> None:
    assert _shift(tenant.client, [staff.anna]).status_code == 201
    clash = _shift(tenant.client, [], assignedDepartmentIds=[staff.kitchen])
    assert clash.status_code == 409
    assert {c["employeeId"] for c in clash.json()["detail"]["conflicts"]} == {staff.anna}


def test_core_field_errors_come_back_in_wire_names(tenant: Tenant, staff: Staff) -> None:
    inactive = tenant.client.patch(
        f"/v1/employees/{staff.cara}", json={"employed": False}, headers={"If-Match": '"1"'}
    )
    assert inactive.status_code == 200
    response = _shift(tenant.client, [staff.cara])
    assert response.status_code == 400
    [problem] = response.json()["detail"]["fields"]
    assert problem["field"] == "assignedUserIds"
    assert "inactive" in problem["message"]


def test_shift_list_filters_by_date_range_department_status_and_people(
    tenant: Tenant, staff: Staff
) -> None:
    def ids(**params) -> set[str]:
        response = tenant.client.get("/v1/shifts", params=params)
        assert response.status_code == 200, response.text
        return {s["id"] for s in response.json()["shifts"]}

    a = _shift(tenant.client, [staff.anna], day="2026-06-01").json()["shift"]["id"]
    ab = _shift(
        tenant.client, [staff.anna, staff.ben], day="2026-06-02", departmentId=staff.kitchen
    ).json()["shift"]["id"]
    c = _shift(tenant.client, [staff.cara], day="2026-06-03", status="cancelled").json()["shift"][
        "id"
    ]
    assert ids(shiftDate="2026-06-02") == {ab}
    assert ids(**{"from": "2026-06-02", "to": "2026-06-03"}) == {ab, c}
    assert ids(departmentId=staff.kitchen) == {ab}
    assert ids(status="cancelled") == {c}
    both = f"{staff.anna},{staff.ben}"
    assert ids(assignedUserIds=both, assignedUserIds_op="contains") == {ab}
    assert ids(assignedUserIds=both, assignedUserIds_op="overlap") == {a, ab}
    assert ids(assignedUserIds=staff.cara) == {c}
    bad = tenant.client.get("/v1/shifts", params={"shiftDate": "June 1st"})
    assert bad.status_code == 400
    assert bad.json()["detail"]["fields"][0]["field"] == "shiftDate"


def test_deleting_a_shift_frees_the_time(tenant: Tenant, staff: Staff) -> None:
    first = _shift(tenant.client, [staff.anna]).json()["shift"]
    gone = tenant.client.delete(f"/v1/shifts/{first['id']}", headers={"If-Match": '"1"'})
    assert gone.status_code == 200
    assert _shift(tenant.client, [staff.anna]).status_code == 201


def test_put_replaces_a_shift_and_patch_merges(tenant: Tenant, staff: Staff) -> None:
    made = _shift(tenant.client, [staff.anna], notes="bring keys", location="Quay")
    assert made.status_code == 201, made.text
    url = f"/v1/shifts/{made.json()['shift']['id']}"
    patched = tenant.client.patch(url, json={"endTime": "18:00"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert patched.json()["shift"]["notes"] == "bring keys"
    body = {"shiftDate": "2026-06-01", "startTime": "10:00", "endTime": "16:00"}
    replaced = tenant.client.put(url, json=body, headers={"If-Match": '"2"'})
    assert replaced.status_code == 200, replaced.text
    shift = replaced.json()["shift"]
    assert (shift["startTime"], shift["endTime"]) == ("10:00", "16:00")
    assert (shift["notes"], shift["location"], shift["assignedUserIds"]) == ("", "", [])
    assert tenant.client.get(url).json()["shift"]["assignedUserIds"] == []
    missing = tenant.client.put(url, json={"startTime": "10:00"}, headers={"If-Match": '"3"'})
    assert missing.status_code == 400
    named = {f["field"] for f in missing.json()["detail"]["fields"]}
    assert named == {"shiftDate", "endTime"}
