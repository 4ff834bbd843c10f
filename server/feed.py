"""The change feed: every write of a record gets the company's next change number.

Soundness under concurrent writers: a writing transaction first updates its
company's :class:`FeedCounter` row (:func:`turn`) and holds that row lock until it
commits, so the numbers of one company are handed out *and committed* in one order. A reader
therefore always sees a prefix of the numbers and its cursor never passes a
transaction that commits later. (A plain sequence would not do: on PostgreSQL
number 11 can commit before number 10.) Each record keeps only its latest change,
so the feed stays as large as the data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from core.models import Synced
from core.timeutil import utcnow
from core.wire import COLLECTIONS, ChangePage, collection_of, to_wire, without
from core.wire import Change as WireChange
from server import webhooks
from server.db import Database
from server.tables import Change, FeedCounter


class CursorGone(Exception):
    """The cursor is older than the kept tombstones (or from another database)."""


@dataclass
class _Turn:
    """The company's write turn, held by one transaction: the numbers it hands out."""

    db: Database
    company_id: str
    seq: int
    #: The company's :attr:`FeedCounter.webhooks_version`, read with the turn.
    webhooks_version: int = 0


#: ``session.info`` key of the turn a transaction holds.
_TURN = "feed_turn"

#: The tables, not their mapped classes, in the statements every write makes: a
#: statement over a mapped class goes through the ORM's bulk machinery (an
#: autoflush and its bookkeeping), which these plain rows do not need.
_COUNTER = FeedCounter.__table__
_CHANGE = Change.__table__


#: Built once, as every write runs them: building and keying a statement anew on
#: each write cost more than running it.
_TAKE = (
    update(_COUNTER)
    .where(_COUNTER.c.company_id == bindparam("turn_company"))
    .values(seq=_COUNTER.c.seq + 1)
    .returning(_COUNTER.c.seq, _COUNTER.c.webhooks_version)
)
#: The change upsert per dialect (see :func:`_change_upsert`).
_UPSERTS: dict[str, Insert] = {}
_CHANGE_FIELDS = ("company_id", "seq", "version", "deleted", "record", "at")


def _change_upsert(db: Database) -> Insert:
    """A record's change, replacing its previous one: built once per dialect, its
    values bound by column name."""
    stmt = _UPSERTS.get(db.engine.dialect.name)
    if stmt is None:
        insert = db.insert(_CHANGE)
        stmt = _UPSERTS[db.engine.dialect.name] = insert.on_conflict_do_update(
            index_elements=["collection", "record_id"],
            set_={name: insert.excluded[name] for name in _CHANGE_FIELDS},
        )
    return stmt


def _take(session: Session, company_id: str) -> tuple[int, int] | None:
    """Lock the company's counter row and take its next number in the same
    statement; the number it answers is this transaction's first. With it comes
    the version of the company's webhook subscriptions."""
    row = session.execute(_TAKE, {"turn_company": company_id}).first()
    return None if row is None else (row[0], row[1])


@contextmanager
def turn(db: Database, session: Session, company_id: str) -> Iterator[None]:
    """Hold the company's write turn for the rest of the transaction; the first
    statement of every writing transaction. It takes the row lock and the first
    number at once (most writes record one change: one statement in all); further
    numbers are handed out from memory (the row stays locked, so nobody else can)
    and written back once, when the block ends: a batch of writes pays one more
    counter update, not one each. A number taken by a write that was rolled back (a
    savepoint), or by a turn that recorded nothing, is skipped: the feed has gaps
    anyway, as it keeps only each record's latest change."""
    taken = _take(session, company_id)
    if taken is None:
        session.execute(
            db.insert(_COUNTER)
            .values(company_id=company_id, seq=0, purged_through=0)
            .on_conflict_do_nothing(index_elements=["company_id"])
        )
        taken = _take(session, company_id)
    assert taken is not None
    first, webhooks_version = taken
    held = _Turn(db, company_id, first - 1, webhooks_version)
    session.info[_TURN] = held
    try:
        yield
    finally:
        del session.info[_TURN]
    if held.seq > first:
        session.execute(
            update(_COUNTER).where(_COUNTER.c.company_id == company_id).values(seq=held.seq)
        )


def record(
    session: Session, obj: Synced, wire: Mapping[str, Any] | None = None, *, whole: bool = False
) -> int:
    """Append the record's current state (or its tombstone) to the feed, replacing
    its previous change; ``wire`` is its wire form when the caller has it already.
    ``whole``: a deleted record goes out with its content (``isActive: false``), not
    as a bare tombstone, so that sites overwrite their copy (an erasure).
    Needs the company's :func:`turn`."""
    company_id: str = obj.company_id  # type: ignore[attr-defined]
    held: _Turn | None = session.info.get(_TURN)
    if held is None or held.company_id != company_id:
        raise RuntimeError(f"a change of company {company_id} written without its feed turn")
    held.seq += 1
    values = {
        "company_id": company_id,
        "seq": held.seq,
        "version": obj.server_version or 0,
        "deleted": obj.deleted and not whole,
        "record": dict(wire) if wire is not None else to_wire(obj),
        "at": utcnow(),
    }
    collection = collection_of(type(obj)).name
    # Webhook deliveries join this transaction (read before the change is replaced:
    # a leave decision is told from the status it had).
    webhooks.enqueue(
        session,
        held.db,
        company_id,
        collection,
        values["record"],
        values["version"],
        obj.deleted,
        subscriptions_version=held.webhooks_version,
    )
    session.execute(
        _change_upsert(held.db), {"collection": collection, "record_id": obj.id, **values}
    )
    return held.seq


def read(
    session: Session,
    company_id: str,
    cursor: int,
    limit: int,
    collections: Collection[str],
    hidden: Collection[str] = (),
) -> ChangePage:
    """Changes after ``cursor`` in commit order, at most ``limit``; cursor 0 starts over.
    Records come without the fields guarded by ``hidden`` (the caller may not read
    them): the feed stores them whole."""
    counter = session.get(FeedCounter, company_id)
    last, purged = (counter.seq, counter.purged_through) if counter else (0, 0)
    if cursor > last or 0 < cursor < purged:
        raise CursorGone
    rows = list(
        session.scalars(
            select(Change)
            .where(
                Change.company_id == company_id,
                Change.seq > cursor,
                Change.collection.in_(list(collections)),
            )
            .order_by(Change.seq)
            .limit(limit + 1)
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    # The counter was read before the rows, so everything up to it is in this page
    # unless the page is full.
    next_cursor = rows[-1].seq if has_more else max([last, *(r.seq for r in rows)])
    return ChangePage(
        tuple(
            WireChange(
                r.seq,
                r.collection,
                r.record_id,
                r.version,
                r.deleted,
                None if r.deleted else without(COLLECTIONS[r.collection], r.record, hidden),
            )
            for r in rows
        ),
        str(next_cursor),
        has_more,
    )


def purge_tombstones(session: Session, before: datetime) -> int:
    """Forget tombstones written before ``before``; cursors that predate them get 410."""
    gone = session.execute(
        select(Change.company_id, func.max(Change.seq))
        .where(Change.deleted.is_(True), Change.at < before)
        .group_by(Change.company_id)
    ).all()
    for company_id, max_seq in gone:
        session.execute(
            update(FeedCounter)
            .where(FeedCounter.company_id == company_id, FeedCounter.purged_through < max_seq)
            .values(purged_through=max_seq)
        )
    return session.execute(
        delete(Change).where(Change.deleted.is_(True), Change.at < before)
    ).rowcount
