"""What an administrator does outside HTTP: companies, and purging old tombstones."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.models import Company, PayPolicy, Site
from core.timeutil import utcnow, zone
from server import feed


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
