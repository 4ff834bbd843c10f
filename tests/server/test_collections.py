"""The generic collection over real HTTP: envelopes, ETags, preconditions, validation,
paging, tenant isolation and scopes."""

from __future__ import annotations

import httpx
import pytest

from tests.server.conftest import Staff, Tenant, created, new_id, put_new, statements


def test_create_get_and_list_answer_in_envelopes_with_record_fields(tenant: Tenant) -> None:
    record_id = new_id()
    response = put_new(tenant.client, "departments", {"name": "Kitchen"}, record_id)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "OK"
    assert body["statusCode"] == 201
    assert body["dataName"] == "department"
    dept = body["department"]
    assert dept["id"] == record_id
    assert dept["companyId"] == tenant.company_id
    assert dept["recordVersion"] == 1
    assert dept["isActive"] is True
    assert dept["createdAt"].endswith("Z")
    assert dept["siteId"] == tenant.site_id
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/departments/{record_id}"

    got = tenant.client.get(f"/v1/departments/{record_id}")
    assert got.status_code == 200
    assert got.json()["department"] == dept
    assert got.headers["etag"] == '"1"'

    listed = tenant.client.get("/v1/departments").json()
    assert listed["dataName"] == "departments"
    assert listed["departments"] == [dept]
    assert listed["paging"] == {
        "pageNumber": 1,
        "pageRowCount": 100,
        "totalRowCount": 1,
        "pageCount": 1,
        "nextPageToken": None,
    }


def test_post_creates_with_an_id_made_by_the_server(tenant: Tenant) -> None:
    response = tenant.client.post("/v1/departments", json={"name": "Bar"})
    assert response.status_code == 201
    record_id = response.json()["department"]["id"]
    assert tenant.client.get(f"/v1/departments/{record_id}").json()["department"]["name"] == "Bar"


def test_get_with_the_current_etag_is_304_and_with_an_old_one_200(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    url = f"/v1/departments/{dept['id']}"
    fresh = tenant.client.get(url, headers={"If-None-Match": '"1"'})
    assert fresh.status_code == 304
    assert fresh.content == b""
    assert fresh.headers["etag"] == '"1"'
    tenant.client.patch(url, json={"name": "Cuisine"}, headers={"If-Match": '"1"'})
    stale = tenant.client.get(url, headers={"If-None-Match": '"1"'})
    assert stale.status_code == 200
    assert stale.json()["department"]["name"] == "Cuisine"


def test_patch_with_the_current_version_applies_and_bumps_it(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    response = tenant.client.patch(
        f"/v1/departments/{dept['id']}", json={"color": "#112233"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    changed = response.json()["department"]
    assert (changed["name"], changed["color"], changed["recordVersion"]) == (
        "Kitchen",
        "#112233",
        2,
    )


def test_writes_without_if_match_are_428(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    url = f"/v1/departments/{dept['id']}"
    for response in (
        tenant.client.patch(url, json={"name": "X"}),
        tenant.client.delete(url),
        tenant.client.put(url, json={"name": "X"}),
    ):
        assert response.status_code == 428
        assert response.json()["errCode"] == "PRECONDITION_REQUIRED"
    assert tenant.client.get(url).json()["department"]["name"] == "Kitchen"


def test_stale_if_match_is_412_with_the_current_record_and_etag(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    url = f"/v1/departments/{dept['id']}"
    tenant.client.patch(url, json={"name": "Cuisine"}, headers={"If-Match": '"1"'})
    response = tenant.client.patch(url, json={"color": "#000000"}, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body["result"] == "ERR"
    assert body["status"] == 412
    assert body["errCode"] == "PRECONDITION_FAILED"
    assert body["detail"]["etag"] == '"2"'
    assert body["detail"]["department"]["name"] == "Cuisine"
    assert body["detail"]["department"]["color"] != "#000000"


def test_create_over_an_existing_id_is_412_with_that_record(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    again = put_new(tenant.client, "departments", {"name": "Other"}, dept["id"])
    assert again.status_code == 412
    assert again.json()["detail"]["department"]["name"] == "Kitchen"


def test_put_with_if_match_replaces_the_record(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    response = tenant.client.put(
        f"/v1/departments/{dept['id']}",
        json={"name": "Cuisine", "color": "#abcdef"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.json()["department"]["name"] == "Cuisine"


def test_delete_is_soft_and_hides_the_record(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    url = f"/v1/departments/{dept['id']}"
    response = tenant.client.delete(url, headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["department"]["isActive"] is False
    assert tenant.client.get(url).status_code == 404
    assert tenant.client.get("/v1/departments").json()["departments"] == []


def test_validation_names_each_field_missing_undefined_or_invalid(tenant: Tenant) -> None:
    response = put_new(
        tenant.client,
        "employees",
        {"lastName": "Berg", "nickname": "AB", "hourlyRate": 12.5, "email": None},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errCode"] == "VALIDATION"
    fields = {(f["field"], f["code"]) for f in body["detail"]["fields"]}
    assert fields == {
        ("firstName", "MISSING"),
        ("nickname", "UNDEFINED"),
        ("hourlyRate", "INVALID"),
    }
    assert tenant.client.get("/v1/employees").json()["employees"] == []


def test_a_body_that_is_not_json_is_named_as_such(tenant: Tenant) -> None:
    response = tenant.client.put(
        f"/v1/departments/{new_id()}",
        content=b"{not json",
        headers={"If-None-Match": "*", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["fields"][0]["field"] == "body"


def test_a_reference_to_a_missing_record_is_invalid(tenant: Tenant) -> None:
    response = put_new(
        tenant.client,
        "employees",
        {"firstName": "Anna", "lastName": "Berg", "departmentId": new_id()},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["fields"][0]["field"] == "departmentId"


def test_paging_splits_a_list_and_counts_pages(tenant: Tenant) -> None:
    for n in range(5):
        created(tenant.client, "departments", {"name": f"D{n}"})
    page = tenant.client.get("/v1/departments", params={"pageNumber": 2, "pageRowCount": 2})
    body = page.json()
    assert len(body["departments"]) == 2
    token = body["paging"].pop("nextPageToken")
    assert body["paging"] == {
        "pageNumber": 2,
        "pageRowCount": 2,
        "totalRowCount": 5,
        "pageCount": 3,
    }
    last = tenant.client.get("/v1/departments", params={"pageToken": token, "pageRowCount": 2})
    assert last.json()["paging"]["pageNumber"] == 3
    assert (
        last.json()["departments"]
        == tenant.client.get("/v1/departments", params={"pageNumber": 3, "pageRowCount": 2}).json()[
            "departments"
        ]
    )
    bad = tenant.client.get("/v1/departments", params={"pageRowCount": 0})
    assert bad.status_code == 400
    assert bad.json()["detail"]["fields"][0]["field"] == "pageRowCount"


def test_another_companys_records_answer_404_never_403(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    url = f"/v1/departments/{dept['id']}"
    intruder = other_tenant.client
    assert intruder.get(url).status_code == 404
    assert intruder.patch(url, json={"name": "X"}, headers={"If-Match": '"1"'}).status_code == 404
    assert intruder.delete(url, headers={"If-Match": '"1"'}).status_code == 404
    assert put_new(intruder, "departments", {"name": "X"}, dept["id"]).status_code == 404
    assert intruder.get("/v1/departments").json()["departments"] == []
    linked = put_new(
        intruder, "employees", {"firstName": "E", "lastName": "F", "departmentId": dept["id"]}
    )
    assert linked.status_code == 400
    assert tenant.client.get(url).json()["department"]["name"] == "Kitchen"


def test_a_key_without_the_scope_gets_403(tenant: Tenant) -> None:
    reader = tenant.client_with(["schedule:read"])
    assert reader.get("/v1/departments").status_code == 200
    response = put_new(reader, "departments", {"name": "Kitchen"})
    assert response.status_code == 403
    assert response.json()["errCode"] == "FORBIDDEN"
    assert "schedule:write" in response.json()["message"]
    leave_only = tenant.client_with(["leave:read"])
    assert leave_only.get("/v1/shifts").status_code == 403


def test_missing_or_revoked_keys_get_401(tenant: Tenant) -> None:
    anonymous = httpx.get(f"{tenant.live.url}/v1/departments")
    assert anonymous.status_code == 401
    assert anonymous.json()["errCode"] == "UNAUTHORIZED"
    wrong = httpx.get(f"{tenant.live.url}/v1/departments", headers={"X-API-Key": "sdk_nope"})
    assert wrong.status_code == 401
    mixed = httpx.get(
        f"{tenant.live.url}/v1/departments",
        headers={"X-API-Key": tenant.key, "Authorization": "Bearer sdk_other"},
    )
    assert mixed.status_code == 401


def test_currentuser_names_the_key_its_company_and_scopes(tenant: Tenant) -> None:
    body = tenant.client.get("/v1/currentuser").json()
    assert body["dataName"] == "currentuser"
    assert body["currentuser"]["companyId"] == tenant.company_id
    assert body["currentuser"]["companyName"] == "Testco"
    assert "schedule:write" in body["currentuser"]["scopes"]


def test_every_collection_round_trips_a_record(tenant: Tenant) -> None:
    anna = created(tenant.client, "employees", {"firstName": "Anna", "lastName": "Berg"})
    bodies = {
        "shifttemplates": {
            "name": "Early",
            "startTime": "06:00",
            "endTime": "14:00",
            "rrule": "FREQ=WEEKLY;BYDAY=MO,TU",
            "dtstart": "2026-06-01",
        },
        "clockevents": {"employeeId": anna["id"], "kind": "in", "at": "2026-06-01T06:02:00Z"},
        "leaverequests": {
            "employeeId": anna["id"],
            "startDate": "2026-07-01",
            "endDate": "2026-07-03",
        },
        "shifts": {
            "shiftDate": "2026-06-02",
            "startTime": "09:00",
            "endTime": "17:00",
            "assignedUserIds": [anna["id"]],
        },
    }
    for collection, body in bodies.items():
        record = created(tenant.client, collection, body)
        for name, value in body.items():
            assert record[name] == value, (collection, name)
        listed = tenant.client.get(f"/v1/{collection}").json()[collection]
        assert [r["id"] for r in listed] == [record["id"]]


def test_a_duplicate_punch_is_409_not_a_server_error(tenant: Tenant) -> None:
    anna = created(tenant.client, "employees", {"firstName": "Anna", "lastName": "Berg"})
    punch = {"employeeId": anna["id"], "kind": "in", "at": "2026-06-01T06:00:00Z"}
    assert put_new(tenant.client, "clockevents", punch).status_code == 201
    again = put_new(tenant.client, "clockevents", punch)
    assert again.status_code == 409
    assert again.json()["errCode"] == "CONFLICT"
    assert len(tenant.client.get("/v1/clockevents").json()["clockevents"]) == 1


def _named(response: httpx.Response) -> dict[str, str]:
    return {f["field"]: f["code"] for f in response.json()["detail"]["fields"]}


def test_an_unknown_list_filter_is_a_400_naming_it(tenant: Tenant) -> None:
    created(tenant.client, "departments", {"name": "Kitchen"})
    response = tenant.client.get("/v1/departments", params={"nmae": "Kitchen", "colour": "x"})
    assert response.status_code == 400, response.text
    assert response.json()["errCode"] == "VALIDATION"
    assert _named(response) == {"colour": "UNDEFINED", "nmae": "UNDEFINED"}
    shifts = tenant.client.get("/v1/shifts", params={"from": "2026-01-01", "date": "2026-01-02"})
    assert shifts.status_code == 400
    assert _named(shifts) == {"date": "UNDEFINED"}


def test_paging_and_documented_filters_still_work(tenant: Tenant) -> None:
    """(pageToken is exercised in test_paging.py.)"""
    created(tenant.client, "departments", {"name": "Kitchen"})
    first = tenant.client.get("/v1/departments", params={"pageNumber": 1, "pageRowCount": 1})
    assert first.status_code == 200, first.text
    employee = tenant.client.get("/v1/employees", params={"employed": "true"})
    shifts = tenant.client.get(
        "/v1/shifts",
        params={"from": "2026-01-01", "to": "2026-01-31", "assignedUserIds_op": "overlap"},
    )
    for response in (employee, shifts):
        assert response.status_code == 200, response.text


def test_a_flood_of_unknown_filters_names_only_the_first_few(tenant: Tenant) -> None:
    params = {f"x{i:03}": "1" for i in range(200)}
    response = tenant.client.get("/v1/departments", params=params)
    assert response.status_code == 400
    assert len(_named(response)) == 20


@pytest.mark.parametrize(
    ("path", "known"),
    [
        ("/v1/sites", {"pageRowCount": "5"}),
        ("/v1/changes", {"cursor": "0", "limit": "10"}),
        ("/v1/webhooks", {}),
        ("/v1/webhookdeliveries", {"status": "delivered", "pageNumber": "1"}),
        ("/v1/webhookdeadletters", {"pageRowCount": "5"}),
    ],
)
def test_the_other_lists_refuse_unknown_filters_too(
    tenant: Tenant, path: str, known: dict[str, str]
) -> None:
    assert tenant.client.get(path, params=known).status_code == 200
    response = tenant.client.get(path, params={**known, "sice": "1", "colour": "x"})
    assert response.status_code == 400, response.text
    assert _named(response) == {"colour": "UNDEFINED", "sice": "UNDEFINED"}


def _by_id_lookups(seen: list[str], table: str) -> int:
    return len([s for s in seen if s.lstrip().startswith("SELECT") and f"{table}.id =" in s])


def test_a_post_does_not_look_up_the_id_it_has_just_made(tenant: Tenant) -> None:
    """A POST's id is a new random one, which no record can hold: the existence
    check a PUT needs (the site chose that id) is one statement it skips."""
    with statements(tenant.live.db) as posted:
        made = tenant.client.post("/v1/departments", json={"name": "Kitchen"})
    assert made.status_code == 201, made.text
    with statements(tenant.live.db) as put:
        assert put_new(tenant.client, "departments", {"name": "Bar"}).status_code == 201
    assert _by_id_lookups(posted, "department") == _by_id_lookups(put, "department") - 1
    made_id = made.json()["department"]["id"]
    again = put_new(tenant.client, "departments", {"name": "Spa"}, made_id)
    assert again.status_code == 412


def _shift_reads(seen: list[str]) -> int:
    return len([s for s in seen if s.lstrip().startswith("SELECT") and "WHERE shift.id =" in s])


def test_a_shift_write_reads_its_shift_and_its_pay_policy_once(
    tenant: Tenant, staff: Staff
) -> None:
    """core's check reads the policy's rules and closed periods in one statement; a
    POST does not look up the id it made; a PATCH's shift, read for its If-Match,
    is the one core edits (not read again)."""
    body = {
        "shiftDate": "2027-03-01",
        "startTime": "09:00",
        "endTime": "17:00",
        "assignedUserIds": [staff.anna],
    }
    with statements(tenant.live.db) as posted:
        made = tenant.client.post("/v1/shifts", json=body)
    assert made.status_code == 201, made.text
    shift = made.json()["shift"]
    with statements(tenant.live.db) as patched:
        changed = tenant.client.patch(
            f"/v1/shifts/{shift['id']}",
            json={"notes": "moved the break"},
            headers={"If-Match": f'"{shift["recordVersion"]}"'},
        )
    assert changed.status_code == 200, changed.text
    assert _shift_reads(posted) == 0
    assert _shift_reads(patched) == 1
    for seen in (posted, patched):
        assert len([s for s in seen if "pay_policy" in s]) == 1
