"""The proof over real HTTP: a store made offline joins its company on the server, and
then its records are accepted as the sync client will send them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from core.joining import RemoteSite, join_store
from core.models import Company, Shift, Site
from core.organisation import Setup, setup_store
from core.scheduling import ShiftDraft, create_shift
from core.store import Store, open_store
from core.wire import COMPANY, SITE, read_shape, to_wire
from tests.server.conftest import Tenant


@pytest.fixture
def new_store(tmp_path: Path) -> Iterator[Store]:
    """A store as File → New database makes it: a new file, set up in one session."""
    store = open_store(tmp_path / "site.shiftdesk", create=True)
    with store.session() as s:
        setup_store(s, Setup(company="Testco", site="Berlin", timezone="Europe/Berlin"))
    yield store
    store.close()


def _local_shift(store: Store) -> dict:
    with store.session() as s:
        site_id = s.scalars(select(Site.id)).one()
        shift_id = create_shift(s, ShiftDraft(site_id, date(2026, 6, 1), "22:00", "06:00")).ids[0]
    return _wire(store, shift_id)


def _wire(store: Store, shift_id: str) -> dict:
    with store.session() as s:
        shift = s.get(Shift, shift_id)
        assert shift is not None
        return to_wire(shift)


def _put_new(client: httpx.Client, record: dict) -> httpx.Response:
    return client.put(f"/v1/shifts/{record['id']}", json=record, headers={"If-None-Match": "*"})


def _join(store: Store, client: httpx.Client) -> None:
    """What the sync client will do: read /v1/currentuser, join with what it says."""
    me = client.get("/v1/currentuser").json()["currentuser"]
    company = read_shape(COMPANY, me["company"])
    summary = SITE.only("id", "name", "timezone")
    sites = [RemoteSite(**read_shape(summary, site)) for site in me["sites"]]
    result = join_store(
        store,
        company_id=company["id"],
        company_name=company["name"],
        currency=company["currency"],
        sites=sites,
    )
    assert result.joined
    assert result.backup is not None
    assert result.backup.exists()


def test_a_store_made_offline_joins_and_its_shift_is_accepted(
    tenant: Tenant, new_store: Store
) -> None:
    local = _local_shift(new_store)
    refused = _put_new(tenant.client, local)
    assert refused.status_code == 400
    [problem] = refused.json()["detail"]["fields"]
    assert (problem["field"], problem["code"]) == ("siteId", "INVALID")

    _join(new_store, tenant.client)

    joined = _wire(new_store, local["id"])
    assert joined["siteId"] == tenant.site_id
    assert joined["companyId"] == tenant.company_id
    assert {k: v for k, v in joined.items() if k not in ("siteId", "companyId")} == {
        k: v for k, v in local.items() if k not in ("siteId", "companyId")
    }
    accepted = _put_new(tenant.client, joined)
    assert accepted.status_code == 201, accepted.text
    shift = accepted.json()["shift"]
    assert (shift["id"], shift["companyId"], shift["siteId"]) == (
        joined["id"],
        tenant.company_id,
        tenant.site_id,
    )
    assert (shift["shiftDate"], shift["startTime"], shift["endTime"]) == (
        "2026-06-01",
        "22:00",
        "06:00",
    )
    with new_store.session() as s:
        assert s.scalars(select(Company.id)).one() == tenant.company_id
    assert new_store.integrity_problems() == []


def test_a_joined_store_writes_to_its_own_company_only(
    tenant: Tenant, other_tenant: Tenant, new_store: Store
) -> None:
    """Joined to one company, the store's records name nothing of another's."""
    _join(new_store, tenant.client)
    record = _local_shift(new_store)
    assert _put_new(other_tenant.client, record).status_code == 400
    assert _put_new(tenant.client, record).status_code == 201
    assert other_tenant.client.get(f"/v1/shifts/{record['id']}").status_code == 404
