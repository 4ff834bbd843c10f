"""What an administrator does outside HTTP: companies, and purging old tombstones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.orm import Session

from core.models import Company
from core.organisation import Setup, setup_store
from core.timeutil import utcnow
from server import feed
from server.db import Database
from server.settings import database_url


@contextmanager
def transaction(db: str | None) -> Iterator[Session]:
    """One committed unit of work on the server database ``db`` names (a path or a URL;
    None: the default), its tables made first if it has none."""
    database = Database(database_url(db))
    try:
        database.ensure_schema()
        with database.transaction() as session:
            yield session
    finally:
        database.close()


def create_company(
    session: Session, name: str, *, timezone: str = "UTC", site: str = "", currency: str = "EUR"
) -> Company:
    """A tenant made exactly as a local store is set up (core's :func:`setup_store`):
    the company, its first site in an IANA zone (shift times are local to it; named
    after the company unless ``site`` is given) and the default pay policy, with the
    same checks and messages. The database holds many companies, so others may exist."""
    done = setup_store(
        session,
        Setup(company=name, site=site or name, timezone=timezone, currency=currency),
        sole=False,
    )
    company = session.get(Company, done.ids[0])
    assert company is not None
    return company


def purge_tombstones(session: Session, days: int) -> int:
    return feed.purge_tombstones(session, utcnow() - timedelta(days=days))
