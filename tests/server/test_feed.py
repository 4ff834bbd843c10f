"""The change feed over HTTP: commit order, paging by cursor, tombstones, 410, scopes."""

from __future__ import annotations

from server import admin
from tests.server.conftest import Tenant, created, new_id, statements


def _changes(client, cursor: str | None = None, limit: int | None = None) -> dict:
    params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
    response = client.get("/v1/changes", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_changes_come_in_commit_order_with_the_latest_state_of_each_record(
    tenant: Tenant,
) -> None:
    kitchen = created(tenant.client, "departments", {"name": "Kitchen"})
    anna = created(tenant.client, "employees", {"firstName": "Anna", "lastName": "Berg"})
    tenant.client.patch(
        f"/v1/departments/{kitchen['id']}", json={"name": "Cuisine"}, headers={"If-Match": '"1"'}
    )
    page = _changes(tenant.client)
    assert page["dataName"] == "changes"
    assert [(c["collection"], c["id"]) for c in page["changes"]] == [
        ("employees", anna["id"]),
        ("departments", kitchen["id"]),
    ]
    seqs = [c["seq"] for c in page["changes"]]
    assert seqs == sorted(seqs)
    assert page["changes"][1]["record"]["name"] == "Cuisine"
    assert page["changes"][1]["recordVersion"] == 2
    assert page["hasMore"] is False
    assert _changes(tenant.client, page["cursor"])["changes"] == []


def test_a_cursor_pages_through_and_then_sees_only_later_changes(tenant: Tenant) -> None:
    names = [f"D{n}" for n in range(5)]
    for name in names:
        created(tenant.client, "departments", {"name": name})
    seen, cursor = [], "0"
    while True:
        page = _changes(tenant.client, cursor, limit=2)
        seen += [c["record"]["name"] for c in page["changes"]]
        cursor = page["cursor"]
        if not page["hasMore"]:
            break
    assert seen == names
    created(tenant.client, "departments", {"name": "Late"})
    assert [c["record"]["name"] for c in _changes(tenant.client, cursor)["changes"]] == ["Late"]


def test_a_delete_reaches_the_feed_as_a_tombstone(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    cursor = _changes(tenant.client)["cursor"]
    tenant.client.delete(f"/v1/departments/{dept['id']}", headers={"If-Match": '"1"'})
    [tombstone] = _changes(tenant.client, cursor)["changes"]
    assert tombstone == {
        "seq": tombstone["seq"],
        "collection": "departments",
        "id": dept["id"],
        "recordVersion": 2,
        "deleted": True,
        "record": None,
    }


def test_a_cursor_older_than_the_kept_tombstones_is_410(tenant: Tenant) -> None:
    first = created(tenant.client, "departments", {"name": "Kitchen"})
    old_cursor = _changes(tenant.client)["cursor"]
    second = created(tenant.client, "departments", {"name": "Bar"})
    tenant.client.delete(f"/v1/departments/{second['id']}", headers={"If-Match": '"1"'})
    with tenant.live.db.transaction() as session:
        assert admin.purge_tombstones(session, days=-1) >= 1
    gone = tenant.client.get("/v1/changes", params={"cursor": old_cursor})
    assert gone.status_code == 410
    assert gone.json()["errCode"] == "CURSOR_EXPIRED"
    restart = _changes(tenant.client, "0")
    assert [c["id"] for c in restart["changes"]] == [first["id"]]
    assert _changes(tenant.client, restart["cursor"])["changes"] == []


def test_a_cursor_from_the_future_is_410(tenant: Tenant) -> None:
    response = tenant.client.get("/v1/changes", params={"cursor": "999999"})
    assert response.status_code == 410


def test_a_bad_cursor_or_limit_is_422(tenant: Tenant) -> None:
    for params, name in (({"cursor": "abc"}, "cursor"), ({"limit": "0"}, "limit")):
        response = tenant.client.get("/v1/changes", params=params)
        assert response.status_code == 400
        assert response.json()["detail"]["fields"][0]["field"] == name


def test_a_key_sees_only_the_collections_it_may_read(tenant: Tenant) -> None:
    anna = created(tenant.client, "employees", {"firstName": "Anna", "lastName": "Berg"})
    created(
        tenant.client,
        "leaverequests",
        {"employeeId": anna["id"], "startDate": "2026-06-01", "endDate": "2026-06-01"},
    )
    schedule_only = tenant.client_with(["schedule:read"])
    assert {c["collection"] for c in _changes(schedule_only)["changes"]} == {"employees"}
    nothing = tenant.client_with(["leave:approve"])
    assert nothing.get("/v1/changes").status_code == 403


def test_companies_have_separate_feeds(tenant: Tenant, other_tenant: Tenant) -> None:
    created(tenant.client, "departments", {"name": "Kitchen"})
    assert _changes(other_tenant.client)["changes"] == []


def test_a_single_write_takes_its_number_and_the_lock_in_one_counter_statement(
    tenant: Tenant,
) -> None:
    kitchen = created(tenant.client, "departments", {"name": "Kitchen"})
    with statements(tenant.live.db) as seen:
        renamed = tenant.client.patch(
            f"/v1/departments/{kitchen['id']}",
            json={"name": "Cuisine"},
            headers={"If-Match": '"1"'},
        )
    assert renamed.status_code == 200, renamed.text
    assert len([s for s in seen if "feed_counter" in s]) == 1
    page = _changes(tenant.client)
    assert page["cursor"] == str(page["changes"][-1]["seq"])


def test_a_batch_numbers_its_changes_in_order_and_the_cursor_ends_on_the_last(
    tenant: Tenant,
) -> None:
    before = _changes(tenant.client)["cursor"]
    operations = [
        {
            "method": "PUT",
            "path": f"/v1/departments/{new_id()}",
            "headers": {"If-None-Match": "*"},
            "body": {"name": name},
        }
        for name in ("Bar", "Spa", "Lobby")
    ]
    answer = tenant.client.post("/v1/batch", json={"operations": operations})
    assert answer.status_code == 200, answer.text
    page = _changes(tenant.client, before)
    seqs = [c["seq"] for c in page["changes"]]
    assert len(seqs) == 3
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    assert page["cursor"] == str(seqs[-1])
    assert _changes(tenant.client, page["cursor"])["changes"] == []
