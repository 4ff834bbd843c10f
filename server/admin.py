"""What an administrator does outside HTTP: companies, and purging old tombstones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.models import Company, PayPolicy, Site
from core.timeutil import utcnow, zone
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
    session: Session, name: str, *, timezone: str = "UTC", site: str = ""
) -> Company:
    """A tenant with its first site (shift times are local to it) and default policy."""
    if not name.strip():
        raise ValidationError("name", "must not be empty")
    zone(timezone)
    company = Company(name=name.strip())
    session.add(company)
    session.flush()
    session.add(Site(company_id=company.id, name=site or name.strip(), timezone=timezone))
    session.add(PayPolicy(company_id=company.id))
    session.flush()
    return company


def purge_tombstones(session: Session, days: int) -> int:
    return feed.purge_tombstones(session, utcnow() - timedelta(days=days))
