"""A company made on the server is set up exactly as a local store is (core's setup)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from core.errors import NotFound, ValidationError
from core.models import Company, PayPolicy, Site
from core.organisation import Setup, setup_store
from core.store import Store
from server import admin
from server.db import Database
from tests.server.conftest import created, new_id, put_new


@pytest.fixture
def server_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    db.ensure_schema()
    yield db
    db.close()


def _columns(row: object, *skip: str) -> dict[str, object]:
    table = row.__table__  # type: ignore[attr-defined]
    return {c.key: getattr(row, c.key) for c in table.columns if c.key not in ("id", *skip)}


def test_server_company_has_what_a_local_setup_writes(server_db: Database, store: Store) -> None:
    with server_db.transaction() as s:
        made = admin.create_company(
            s, " Harbour  Hotels ", timezone="Europe/London", site="Dover", currency="gbp"
        )
        company_id = made.id
    with store.session() as s:
        setup_store(
            s,
            Setup(
                company=" Harbour  Hotels ", site="Dover", timezone="Europe/London", currency="gbp"
            ),
        )
    with server_db.transaction() as remote, store.session() as local:
        for model, skip in (
            (Company, ()),
            (Site, ("company_id",)),
            (PayPolicy, ("company_id", "created_at", "updated_at")),
        ):
            [theirs] = remote.scalars(select(model)).all()
            [ours] = local.scalars(select(model)).all()
            assert _columns(theirs, *skip) == _columns(ours, *skip), model.__name__
        assert remote.scalars(select(Site.company_id)).one() == company_id
        assert remote.get(Company, company_id).currency == "GBP"


def test_the_server_holds_many_companies_each_with_its_site(server_db: Database) -> None:
    with server_db.transaction() as s:
        first = admin.create_company(s, "Acme", timezone="Europe/Berlin").id
        second = admin.create_company(s, "Acme", timezone="UTC", site="Depot").id
    with server_db.transaction() as s:
        sites = {row.company_id: (row.name, row.timezone) for row in s.scalars(select(Site))}
        assert sites == {first: ("Acme", "Europe/Berlin"), second: ("Depot", "UTC")}
        assert len(s.scalars(select(PayPolicy)).all()) == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "company"),
        ({"name": "A", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "A", "timezone": "Europe"}, "timezone"),
        ({"name": "A", "currency": "euro"}, "currency"),
        ({"name": "A", "site": "   "}, "site"),
    ],
)
def test_bad_input_is_refused_as_core_refuses_it(
    server_db: Database, store: Store, kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as remote, server_db.transaction() as s:
        admin.create_company(s, **kwargs)
    setup = Setup(
        company=kwargs["name"],
        site=kwargs.get("site") or kwargs["name"],
        timezone=kwargs.get("timezone", "UTC"),
        currency=kwargs.get("currency", "EUR"),
    )
    with pytest.raises(ValidationError) as local, store.session() as s:
        setup_store(s, setup)
    assert (remote.value.field, remote.value.problem) == (local.value.field, local.value.problem)
    assert remote.value.field == field
    with server_db.transaction() as s:
        assert s.scalars(select(Company)).all() == []


# --- erasure (GDPR) -------------------------------------------------------------------


def _stored_text(tenant) -> str:
    """Everything the server keeps of the company's feed and replays, as text."""
    from server.tables import Change, IdempotencyRecord

    with tenant.live.db.transaction() as session:
        changes = session.scalars(
            select(Change.record).where(Change.company_id == tenant.company_id)
        )
        bodies = session.scalars(
            select(IdempotencyRecord.body).where(IdempotencyRecord.company_id == tenant.company_id)
        )
        return json.dumps([*changes, *bodies])


def test_erasing_a_person_reaches_the_record_the_feed_and_the_replays(tenant) -> None:
    body = {
        "firstName": "Zelda",
        "lastName": "Quist",
        "email": "zq@example.com",
        "hourlyRate": "31",
    }
    anna_id = new_id()
    made = tenant.client.put(
        f"/v1/employees/{anna_id}",
        json=body,
        headers={"If-None-Match": "*", "Idempotency-Key": "make-zelda"},
    )
    assert made.status_code == 201
    gone_id = created(tenant.client, "employees", {**body, "code": "Q-7"})["id"]
    deleted = tenant.client.delete(f"/v1/employees/{gone_id}", headers={"If-Match": '"1"'})
    assert deleted.status_code == 200
    assert "Zelda" in _stored_text(tenant)

    for person in (anna_id, gone_id):
        admin.erase_employee(tenant.live.db.url, tenant.company_id, person)

    stored = _stored_text(tenant)
    for word in ("Zelda", "Quist", "zq@example.com", "Q-7"):
        assert word not in stored
    shown = tenant.client.get(f"/v1/employees/{anna_id}").json()["employee"]
    assert (shown["firstName"], shown["email"], shown["code"]) == ("Erased", None, None)
    assert Decimal(shown["hourlyRate"]) == 0
    changes = {c["id"]: c for c in tenant.client.get("/v1/changes").json()["changes"]}
    assert changes[anna_id]["record"]["lastName"] == shown["lastName"]
    # A deleted person's erased record goes out whole, still inactive, so sites
    # overwrite their copy; a 412 shows it erased too.
    assert changes[gone_id]["deleted"] is False
    assert changes[gone_id]["record"]["isActive"] is False
    assert changes[gone_id]["record"]["firstName"] == "Erased"
    clash = put_new(tenant.client, "employees", body, record_id=gone_id)
    assert clash.status_code == 412
    assert clash.json()["detail"]["employee"]["firstName"] == "Erased"
    replayed = tenant.client.put(
        f"/v1/employees/{anna_id}",
        json=body,
        headers={"If-None-Match": "*", "Idempotency-Key": "make-zelda"},
    )
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json()["employee"]["firstName"] == "Erased"


def test_erasing_someone_of_another_company_is_not_found(tenant, other_tenant) -> None:
    theirs = created(other_tenant.client, "employees", {"firstName": "Al", "lastName": "B"})
    with pytest.raises(NotFound):
        admin.erase_employee(tenant.live.db.url, tenant.company_id, theirs["id"])
    assert (
        other_tenant.client.get(f"/v1/employees/{theirs['id']}").json()["employee"]["firstName"]
        == "Al"
    )
