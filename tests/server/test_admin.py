"""A company made on the server is set up exactly as a local store is (core's setup)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from core.errors import ValidationError
from core.models import Company, PayPolicy, Site
from core.organisation import Setup, setup_store
from core.store import Store
from server import admin
from server.db import Database


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
        for model, skip in ((Company, ()), (Site, ("company_id",)), (PayPolicy, ("company_id",))):
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
