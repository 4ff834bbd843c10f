"""``/v1/sites`` and the company and sites ``/v1/currentuser`` names, over real HTTP."""

from __future__ import annotations

from core.models import Site, new_id
from core.wire import COMPANY, SITE, read_shape
from tests.server.conftest import Tenant


def _add_site(tenant: Tenant, name: str, timezone: str) -> str:
    """A further site, as the administrator adds one in the server's database."""
    with tenant.live.db.transaction() as session:
        site = Site(id=new_id(), company_id=tenant.company_id, name=name, timezone=timezone)
        session.add(site)
    return site.id


def test_sites_are_listed_by_name_in_the_list_envelope(tenant: Tenant) -> None:
    dock = _add_site(tenant, "dock", "Europe/London")
    body = tenant.client.get("/v1/sites").json()
    assert body["dataName"] == "sites"
    assert body["sites"] == [
        {"id": dock, "companyId": tenant.company_id, "name": "dock", "timezone": "Europe/London"},
        {
            "id": tenant.site_id,
            "companyId": tenant.company_id,
            "name": "Testco",
            "timezone": "Europe/Berlin",
        },
    ]
    assert body["paging"] == {
        "pageNumber": 1,
        "pageRowCount": 100,
        "totalRowCount": 2,
        "pageCount": 1,
        "nextPageToken": None,
    }
    # The sync client reads them with the same shape.
    assert read_shape(SITE, body["sites"][0]) == {
        "id": dock,
        "company_id": tenant.company_id,
        "name": "dock",
        "timezone": "Europe/London",
    }


def test_sites_page_like_every_list(tenant: Tenant) -> None:
    _add_site(tenant, "Annex", "UTC")
    second = tenant.client.get("/v1/sites", params={"pageRowCount": 1, "pageNumber": 2}).json()
    assert [s["name"] for s in second["sites"]] == ["Testco"]
    assert second["paging"] == {
        "pageNumber": 2,
        "pageRowCount": 1,
        "totalRowCount": 2,
        "pageCount": 2,
        "nextPageToken": None,
    }
    first = tenant.client.get("/v1/sites", params={"pageRowCount": 1}).json()
    assert [s["name"] for s in first["sites"]] == ["Annex"]
    token = first["paging"]["nextPageToken"]
    by_token = tenant.client.get("/v1/sites", params={"pageRowCount": 1, "pageToken": token})
    assert [s["name"] for s in by_token.json()["sites"]] == ["Testco"]
    bad = tenant.client.get("/v1/sites", params={"pageRowCount": 0})
    assert bad.status_code == 400
    assert bad.json()["detail"]["fields"][0]["field"] == "pageRowCount"


def test_a_site_is_read_by_id_and_another_companys_is_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    got = tenant.client.get(f"/v1/sites/{tenant.site_id}")
    assert got.status_code == 200
    assert got.json()["dataName"] == "site"
    assert got.json()["site"]["timezone"] == "Europe/Berlin"
    for missing in (other_tenant.site_id, new_id(), "not-an-id"):
        answer = tenant.client.get(f"/v1/sites/{missing}")
        assert answer.status_code == 404, missing
        assert answer.json()["errCode"] == "NOT_FOUND"
    assert [s["id"] for s in other_tenant.client.get("/v1/sites").json()["sites"]] == [
        other_tenant.site_id
    ]


def test_sites_are_read_only(tenant: Tenant) -> None:
    url = f"/v1/sites/{tenant.site_id}"
    for method in ("PUT", "PATCH", "DELETE"):
        answer = tenant.client.request(method, url, json={"name": "X"})
        assert answer.status_code == 405, method
        assert answer.headers["allow"] == "GET"
    assert tenant.client.post("/v1/sites", json={"name": "X"}).status_code == 405


def test_any_key_of_the_company_reads_its_sites(tenant: Tenant) -> None:
    punches_only = tenant.client_with(["attendance:write"])
    assert punches_only.get("/v1/departments").status_code == 403
    assert punches_only.get("/v1/sites").json()["sites"][0]["id"] == tenant.site_id
    assert punches_only.get(f"/v1/sites/{tenant.site_id}").status_code == 200


def test_currentuser_names_the_company_and_its_sites(tenant: Tenant) -> None:
    annex = _add_site(tenant, "Annex", "Europe/Paris")
    me = tenant.client_with(["leave:read"]).get("/v1/currentuser").json()["currentuser"]
    assert me["companyId"] == tenant.company_id
    assert me["companyName"] == "Testco"
    assert me["scopes"] == ["leave:read"]
    assert me["company"] == {"id": tenant.company_id, "name": "Testco", "currency": "EUR"}
    assert me["sites"] == [
        {"id": annex, "name": "Annex", "timezone": "Europe/Paris"},
        {"id": tenant.site_id, "name": "Testco", "timezone": "Europe/Berlin"},
    ]
    assert read_shape(COMPANY, me["company"])["currency"] == "EUR"
    assert read_shape(SITE.only("id", "name", "timezone"), me["sites"][0])["id"] == annex
