"""Lists page by number or by ``nextPageToken`` (keyset): a list that changes while
a client reads it by token skips nothing and repeats nothing."""

from __future__ import annotations

import base64
import json

from tests.server.conftest import Tenant, created


def _shift(tenant: Tenant, day: str, start: str = "09:00") -> dict:
    body = {"shiftDate": day, "startTime": start, "endTime": "17:00"}
    return created(tenant.client, "shifts", body)


def _page(tenant: Tenant, **params) -> dict:
    response = tenant.client.get("/v1/shifts", params={"pageRowCount": 2, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_reading_by_token_while_the_list_changes_skips_and_repeats_nothing(
    tenant: Tenant,
) -> None:
    days = [f"2026-06-{d:02d}" for d in range(2, 9)]
    shifts = [_shift(tenant, day) for day in days]
    first = _page(tenant)
    seen = [s["id"] for s in first["shifts"]]
    assert seen == [shifts[0]["id"], shifts[1]["id"]]
    assert first["paging"]["pageNumber"] == 1
    token = first["paging"]["nextPageToken"]
    assert token
    # Meanwhile a shift that sorts before everything read: page numbers now shift
    # under the reader, so page 2 repeats a row already seen.
    _shift(tenant, "2026-06-01")
    by_number = [s["id"] for s in _page(tenant, pageNumber=2)["shifts"]]
    assert shifts[1]["id"] in by_number
    # ... and a seen shift deleted, and one added among those still to come.
    gone = shifts[0]
    deleted = tenant.client.delete(f"/v1/shifts/{gone['id']}", headers={"If-Match": '"1"'})
    assert deleted.status_code == 200
    late = _shift(tenant, "2026-06-05", "12:00")
    numbers = [1]
    while token:
        page = _page(tenant, pageToken=token)
        numbers.append(page["paging"]["pageNumber"])
        seen += [s["id"] for s in page["shifts"]]
        token = page["paging"]["nextPageToken"]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(seen) == len(set(seen))  # nothing twice
    assert {s["id"] for s in shifts} <= set(seen)  # nothing there all along missed
    assert late["id"] in seen


def test_the_last_page_has_no_token(tenant: Tenant) -> None:
    for day in ("2026-06-02", "2026-06-03"):
        _shift(tenant, day)
    page = _page(tenant)
    assert page["paging"]["nextPageToken"] is None
    assert page["paging"]["totalRowCount"] == 2


def _forged(token: str) -> str:
    """The token with its sort key rewritten (a date where a date goes no longer)."""
    text, _, mac = token.partition(".")
    doc = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    doc["k"][0] = ["s", "not a date"]
    raw = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    return f"{raw}.{mac}"


def test_a_token_is_good_only_for_its_own_filters(tenant: Tenant) -> None:
    for day in ("2026-06-02", "2026-06-02", "2026-06-02", "2026-06-03"):
        _shift(tenant, day)
    token = _page(tenant, shiftDate="2026-06-02")["paging"]["nextPageToken"]
    same = _page(tenant, shiftDate="2026-06-02", pageToken=token)
    assert len(same["shifts"]) == 1
    for params in (
        {"shiftDate": "2026-06-03", "pageToken": token},
        {"pageToken": "not-a-token"},
        {"pageToken": "eyJrIjpbXX0"},
        {"pageToken": _forged(token)},
    ):
        bad = tenant.client.get("/v1/shifts", params=params)
        assert bad.status_code == 400, bad.text
        assert bad.json()["detail"]["fields"][0]["field"] == "pageToken"
    both = tenant.client.get(
        "/v1/shifts", params={"shiftDate": "2026-06-02", "pageToken": token, "pageNumber": 2}
    )
    assert both.status_code == 400
    assert both.json()["detail"]["fields"][0]["field"] == "pageNumber"


def test_every_list_pages_by_token(tenant: Tenant) -> None:
    for name in ("A", "B", "C"):
        created(tenant.client, "departments", {"name": name})
    names, params = [], {"pageRowCount": 2}
    while True:
        body = tenant.client.get("/v1/departments", params=params).json()
        names += [d["name"] for d in body["departments"]]
        if body["paging"]["nextPageToken"] is None:
            break
        params = {"pageRowCount": 2, "pageToken": body["paging"]["nextPageToken"]}
    assert names == ["A", "B", "C"]
