"""Pulling the change feed: each page, what it settles and its cursor in one local
transaction, so a pull stopped anywhere resumes where it left off.

A record with unsent local edits is not overwritten (``core.replica`` holds it):
its base, local copy and the server's go through the three-way merge. Disjoint edits
merge, and the row keeps its outbox entries, which now carry the merged record to
the server against its current version. Edits that overlap become a conflict row
(base / mine / theirs) and the record's entries wait on it; the rest of the page,
and of the feed, flows on.

A cursor older than the tombstones the server keeps (410) means this store may have
missed deletions: it reads the whole feed again from cursor 0 and afterwards removes
the acknowledged records the server no longer sent, except those with local edits
waiting. The outbox is kept throughout. An empty answer never deletes anything: a
server that sends nothing while the store holds records it acknowledged is refused
(a wiped or wrong server), not obeyed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import OutboxEntry
from core.models.sync import PullCursor
from core.replica import apply_page
from core.store import Store
from core.timeutil import utcnow
from core.wire import COLLECTIONS, Change, ChangePage
from sync.client import SyncClient
from sync.errors import CursorExpired, SyncError
from sync.settle import settle

#: Called after each page with the number of changes read so far.
PullProgress = Callable[[int], None]


@dataclass(frozen=True)
class PullResult:
    pulled: int = 0
    merged: int = 0
    conflicts: int = 0
    #: Acknowledged records removed because a full download no longer had them.
    forgotten: int = 0
    #: True when the cursor had expired and the whole feed was read again.
    downloaded_again: bool = False


class EmptyDownload(SyncError):
    """A full download sent nothing, while the store holds records the server had."""


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


def pull(
    store: Store,
    client: SyncClient,
    company_id: str,
    *,
    limit: int = 1000,
    progress: PullProgress | None = None,
) -> PullResult:
    """Read the feed from this store's cursor to its end; see the module's docstring."""
    try:
        return _read(store, client, company_id, limit, progress)
    except CursorExpired:
        with store.session() as session:
            _cursor(session, client.base_url, company_id).cursor = "0"
        seen: set[str] = set()
        read = _read(store, client, company_id, limit, progress, seen)
        forgotten = _forget_unseen(store, seen)
        return PullResult(read.pulled, read.merged, read.conflicts, forgotten, True)


def _read(
    store: Store,
    client: SyncClient,
    company_id: str,
    limit: int,
    progress: PullProgress | None,
    seen: set[str] | None = None,
) -> PullResult:
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
            if not page.has_more:
                cursor.last_pulled_at = utcnow()
        if seen is not None:
            seen.update(c.id for c in page.changes)
        if progress is not None:
            progress(pulled)
        if not page.has_more:
            return PullResult(pulled, merged, conflicts)


def _forget_unseen(store: Store, seen: set[str]) -> int:
    """Tombstone acknowledged, live, unedited records a full download did not send."""
    with store.session() as session:
        waiting = set(session.scalars(select(OutboxEntry.record_id)))
        missing: list[Change] = []
        for spec in COLLECTIONS.values():
            model = spec.model
            rows = session.execute(
                select(model.id, model.server_version).where(
                    model.server_version.is_not(None), model.deleted.is_(False)
                )
            ).all()
            missing += [
                Change(0, spec.name, rid, version, True, None)
                for rid, version in rows
                if rid not in seen and rid not in waiting
            ]
        if not missing:
            return 0
        if not seen:
            raise EmptyDownload(
                f"the server sent no records, yet this store holds {len(missing)} it had"
                " acknowledged; nothing was deleted (is it the right server and company?)"
            )
        apply_page(session, ChangePage(tuple(missing), "0", False))
        return len(missing)
