"""Pulling the change feed: each page, what it settles and its cursor in one local
transaction, so a pull stopped anywhere resumes where it left off.

A record with unsent local edits is not overwritten (``core.replica`` holds it):
its base, local copy and the server's go through the three-way merge. Disjoint edits
merge, and the row keeps its outbox entries, which now carry the merged record to
the server against its current version. Edits that overlap become a conflict row
(base / mine / theirs) and the record's entries wait on it; the rest of the page,
and of the feed, flows on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models.sync import PullCursor
from core.replica import apply_page
from core.store import Store
from core.timeutil import utcnow
from sync.client import SyncClient
from sync.settle import settle


@dataclass(frozen=True)
class PullResult:
    pulled: int = 0
    merged: int = 0
    conflicts: int = 0


def _cursor(session: Session, server_url: str, company_id: str) -> PullCursor:
    found = session.scalar(
        select(PullCursor).where(
            PullCursor.server_url == server_url, PullCursor.company_id == company_id
        )
    )
    if found is None:
        found = PullCursor(server_url=server_url, company_id=company_id, cursor="0")
        session.add(found)
        session.flush()
    return found


def pull(store: Store, client: SyncClient, company_id: str, *, limit: int = 500) -> PullResult:
    """Read the feed from this store's cursor to its end; see the module's docstring."""
    pulled = merged = conflicts = 0
    server = client.base_url
    while True:
        with store.session() as session:
            start = _cursor(session, server, company_id).cursor
        page = client.changes(start, limit=limit)
        with store.session() as session:
            applied = apply_page(session, page)
            pulled += len(applied.ids)
            for held in applied.held:
                if settle(session, held):
                    merged += 1
                else:
                    conflicts += 1
            cursor = _cursor(session, server, company_id)
            cursor.cursor = str(page.cursor)
            cursor.last_pulled_at = utcnow()
        if not page.has_more:
            return PullResult(pulled, merged, conflicts)
