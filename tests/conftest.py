"""Fixtures shared by every layer's tests: a real store on a real SQLite file."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may read or write the keyring of the person running them: keys go to the
# file fallback, under a configuration folder each test gets of its own.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.pop("SHIFTDESK_API_KEY", None)

from core.models import Company, Department, Employee, PayPolicy, Site
from core.store import Store, open_store


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test's own configuration folder (kept API keys live there)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


def store_template(path: Path, fill: Callable[[Store], object] | None = None) -> Path:
    """A new store at ``path``, filled by ``fill``, then checkpointed and closed, so the
    one file holds everything (no ``-wal`` or ``-shm`` beside it) and a copy of it is
    a whole store. Build it once per run and hand each test its own copy."""
    opened = open_store(path)
    try:
        if fill is not None:
            fill(opened)
        with opened.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        opened.close()
    left = [side for side in ("-wal", "-shm") if path.with_name(path.name + side).exists()]
    assert not left, f"{path} is still open somewhere: {left} beside it"
    return path


@contextmanager
def open_copy(template: Path, path: Path) -> Iterator[Store]:
    """A private copy of ``template`` at ``path``, open for the block and closed after
    it: what a store fixture yields, so no test sees another's writes."""
    shutil.copyfile(template, path)
    opened = open_store(path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One freshly migrated store, copied for each test: migrating every time is slow."""
    return store_template(tmp_path_factory.mktemp("template") / "migrated.shiftdesk")


@pytest.fixture
def store(tmp_path: Path, migrated_file: Path) -> Iterator[Store]:
    with open_copy(migrated_file, tmp_path / "test.shiftdesk") as opened:
        yield opened


@pytest.fixture
def statements(store: Store) -> Iterator[list[str]]:
    """The SQL the store runs while the test runs: what a hot path costs, counted."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    yield seen
    event.remove(store.engine, "before_cursor_execute", count)


class Org:
    """Ids of a small company: one site in Europe/Berlin, two departments, four people."""

    def __init__(self, store: Store, tz: str = "Europe/Berlin") -> None:
        with store.session() as s:
            company = Company(name="Testco")
            s.add(company)
            s.flush()
            self.company_id = company.id
            site = Site(company_id=company.id, name="Main", timezone=tz)
            s.add(site)
            s.flush()
            self.site_id = site.id
            s.add(PayPolicy(company_id=company.id))
            kitchen = Department(company_id=company.id, site_id=site.id, name="Kitchen")
            floor = Department(company_id=company.id, site_id=site.id, name="Floor")
            s.add_all([kitchen, floor])
            s.flush()
            self.kitchen_id, self.floor_id = kitchen.id, floor.id
            people = [
                ("Anna", "Berg", kitchen.id),
                ("Ben", "Cole", kitchen.id),
                ("Cara", "Diaz", floor.id),
                ("Dan", "Evans", floor.id),
            ]
            emps = [
                Employee(
                    company_id=company.id,
                    site_id=site.id,
                    department_id=dept,
                    first_name=first,
                    last_name=last,
                    hourly_rate=Decimal("20.00"),
                    contract_hours=Decimal(40),
                )
                for first, last, dept in people
            ]
            s.add_all(emps)
            s.flush()
            self.anna, self.ben, self.cara, self.dan = (e.id for e in emps)


@pytest.fixture
def org(store: Store) -> Org:
    return Org(store)


#: A Monday well clear of DST changes.
MONDAY = date(2026, 6, 1)
