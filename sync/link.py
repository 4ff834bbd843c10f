"""Which server and company a store syncs with.

A store is linked by ``sync connect``: it then holds one pull cursor, for that
server's feed of that company, and that row *is* the link. The API key is never in
the store (:mod:`sync.credentials` keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ShiftDeskError
from core.models.sync import PullCursor, RunOutcome, SyncRun


class NotConnected(ShiftDeskError):
    """The store was never connected to a server."""

    def __init__(self) -> None:
        super().__init__(
            "this store is not connected to a server; `shiftdesk sync connect --server URL`"
            " connects it"
        )


@dataclass(frozen=True)
class Link:
    server_url: str
    company_id: str
    #: When the feed was last read to its end (None: never).
    last_pulled_at: datetime | None


def normalise_url(url: str) -> str:
    """The form a link and a stored key are kept under: no trailing slash."""
    return url.strip().rstrip("/")


def find_link(session: Session) -> Link | None:
    cursor = session.scalars(select(PullCursor).order_by(PullCursor.id).limit(1)).first()
    if cursor is None:
        return None
    return Link(cursor.server_url, cursor.company_id, cursor.last_pulled_at)


def require_link(session: Session) -> Link:
    found = find_link(session)
    if found is None:
        raise NotConnected()
    return found


def make_link(session: Session, server_url: str, company_id: str) -> Link:
    """Link the store (one link a store: a reconnection to the same company keeps
    its cursor, a link to another is the caller's to refuse first)."""
    url = normalise_url(server_url)
    found = session.scalar(
        select(PullCursor).where(PullCursor.server_url == url, PullCursor.company_id == company_id)
    )
    if found is None:
        found = PullCursor(server_url=url, company_id=company_id, cursor="0")
        session.add(found)
        session.flush()
    return Link(found.server_url, found.company_id, found.last_pulled_at)


def last_run(session: Session, *, succeeded: bool = False) -> SyncRun | None:
    """The newest run (``succeeded``: the newest that completed)."""
    query = select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(1)
    if succeeded:
        query = query.where(SyncRun.outcome.in_([RunOutcome.OK, RunOutcome.PARTIAL]))
    return session.scalars(query).first()
