"""What an administrator does outside HTTP: companies, purging old tombstones, and
erasing a person (GDPR)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.employees import erase_employee as erase
from core.errors import NotFound
from core.models import Company, Employee
from core.organisation import Setup, setup_store
from core.timeutil import utcnow
from core.wire import COLLECTIONS, to_wire
from server import feed, ratelimit, records, webhooks
from server.db import Database
from server.settings import database_url
from server.tables import IdempotencyRecord, RateBucket


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


@dataclass(frozen=True)
class Purged:
    tombstones: int
    rate_buckets: int
    idempotency_records: int
    webhook_deliveries: int = 0


def purge(
    session: Session,
    days: int,
    *,
    now: float | None = None,
    delivery_days: int | None = None,
) -> Purged:
    """Forget what the server no longer needs: tombstones and ``Idempotency-Key``
    records older than ``days`` (a retry of such a request is then a new request),
    rate buckets that are full again by ``now`` (default: now; such a bucket decides
    nothing a fresh one would not), and webhook
    deliveries delivered or discarded more than ``delivery_days`` (default ``days``)
    ago; dead letters stay until discarded. Without this the rate table keeps a row
    per client address for ever, the idempotency table one per write and the
    delivery log one per event sent."""
    if days < 1:
        raise ValueError("--days must be at least 1")
    if delivery_days is not None and delivery_days < 1:
        raise ValueError("--delivery-days must be at least 1")
    current = utcnow()
    tombstones = feed.purge_tombstones(session, current - timedelta(days=days))
    buckets = session.execute(delete(RateBucket).where(ratelimit.idle_before(now))).rowcount
    kept = session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.claimed_at < current - timedelta(days=days)
        )
    ).rowcount
    deliveries = webhooks.purge_deliveries(
        session, current - timedelta(days=days if delivery_days is None else delivery_days)
    )
    return Purged(tombstones, buckets, kept, deliveries)


def erase_employee(db: str | None, company_id: str, employee_id: str) -> None:
    """Erase a person of ``company_id`` everywhere the server keeps them (GDPR), in
    one transaction: the record (core's :func:`core.employees.erase_employee`), its
    copy in the change feed, which then carries the erased record to every site
    (a deleted person's too, as a record with ``isActive: false``), and the answers
    kept for Idempotency-Key replays that showed the person."""
    database = Database(database_url(db))
    try:
        database.ensure_schema()
        with database.transaction() as session, feed.turn(database, session, company_id):
            employee = session.get(Employee, employee_id)
            if employee is None or employee.company_id != company_id:
                raise NotFound("employee", employee_id)
            erase(session, employee_id)
            records.stamp(employee)
            session.flush()
            wire = to_wire(employee)
            feed.record(session, employee, wire, whole=True)
            _erase_replays(session, company_id, wire)
    finally:
        database.close()


def _erase_replays(session: Session, company_id: str, erased: Mapping[str, Any]) -> None:
    """Stored answers that show the person get the erased record in their place (a
    replay still answers, with what is true now)."""
    item = COLLECTIONS["employees"].item
    kept = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.company_id == company_id,
            IdempotencyRecord.body.contains(str(erased["id"])),
        )
    )
    for row in kept:
        try:
            document = json.loads(row.body or "")
        except ValueError:
            continue
        shown = document.get(item) if isinstance(document, dict) else None
        if not isinstance(shown, dict) or shown.get("id") != erased["id"]:
            continue
        document[item] = {k: erased[k] for k in shown if k in erased}
        row.body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
