"""Pushing the outbox: each entry as its request, each acknowledgement in one local
transaction.

Entries go in :func:`core.outbox.in_push_order` (group after group, a record after
the records it names). An entry is marked sent (``attempts``) and committed before
its request leaves, so the outbox never folds a later edit into a request that may
already have reached the server; a resend carries the same ``Idempotency-Key``, so
a lost answer never doubles a record. The request carries the record as it is *now*:
several edits before a push travel as one.

What the server answers decides the entry's fate:

- accepted: the record's version, ETag and base (the acknowledged copy, the ancestor
  of a later three-way merge) are stored and the entry goes, in one transaction;
- 412 (the server's copy moved): the entry waits as ``conflict`` with the server's
  current copy, for the merge;
- refused (400/409/422) or gone (deleted there): ``failed`` with the server's
  reason; the queue goes on;
- offline, rate limited, unavailable, key refused: the push stops and keeps
  everything; the next run resends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import OutboxEntry, OutboxOp, Synced
from core.models.outbox import OutboxState
from core.outbox import APPLYING_REMOTE, in_push_order
from core.replica import Held
from core.store import Store
from core.wire import COLLECTIONS, RECORD_FIELDS, Collection, etag, to_wire
from sync.client import SyncClient, Written
from sync.errors import Gone, PreconditionFailed, Rejected
from sync.settle import settle


@dataclass(frozen=True)
class PushResult:
    pushed: int = 0
    conflicts: int = 0
    failed: int = 0
    #: Entries still waiting (the push stopped early, or they wait on a conflict).
    pending: int = 0


def _content(spec: Collection, row: Synced) -> dict[str, Any]:
    return {k: v for k, v in to_wire(row).items() if k not in RECORD_FIELDS}


def _patch(spec: Collection, row: Synced, changed: list[str]) -> dict[str, Any]:
    """The wire fields an update entry names, with the row's values now."""
    wire = to_wire(row)
    names = set(changed)
    return {f.name: wire[f.name] for f in spec.fields if f.attr in names or f.key in names}


def _waiting(session: Session) -> list[OutboxEntry]:
    return in_push_order(
        session.scalars(select(OutboxEntry).where(OutboxEntry.state == OutboxState.PENDING))
    )


def _send(client: SyncClient, entry: Mapping[str, Any], row: Synced) -> Written | None:
    spec = COLLECTIONS[entry["collection"]]
    # The version this site's copy stands on: our own acknowledgements move it, a pull
    # never does while edits wait, so it is the If-Match of every entry in turn (an
    # approval then a cancellation made offline carry the approval's answer forward).
    base = row.server_version or entry["base_version"] or 0
    if entry["op"] == OutboxOp.CREATE:
        content = _content(spec, row)
        withheld = entry["fields"].get("withheld") or {}
        for f in spec.fields:  # values a decision still to be sent stands for
            if f.attr in withheld:
                value = withheld[f.attr]
                content[f.name] = None if value is None else f.kind.dump(value)
        return client.create(spec.name, row.id, content, key=entry["key"])
    if entry["op"] == OutboxOp.DELETE:
        return client.delete(spec.name, row.id, base_version=base, key=entry["key"])
    if entry["op"] == OutboxOp.ACTION:
        fields = entry["fields"]
        params = {k: v for k, v in fields.get("params", {}).items() if v is not None}
        return client.action(
            spec.name, row.id, fields["action"], params, base_version=base, key=entry["key"]
        )
    body = _patch(spec, row, entry["fields"].get("changed", []))
    if not body:
        return None  # bookkeeping only (a revival of a record never sent): nothing to say
    return client.update(spec.name, row.id, body, base_version=base, key=entry["key"])


def _acknowledge(session: Session, seq: int, written: Written | None) -> None:
    entry = session.get(OutboxEntry, seq)
    assert entry is not None
    model = COLLECTIONS[entry.collection].model
    row = session.get(model, entry.record_id)
    session.delete(entry)
    session.flush()
    if row is None or written is None:
        return
    row.server_version = written.version
    row.etag = etag(written.version)
    row.base = dict(written.record)
    row.dirty = bool(
        session.scalar(select(OutboxEntry.seq).where(OutboxEntry.record_id == row.id).limit(1))
    )


def _mark(session: Session, seq: int, state: str, error: str) -> None:
    entry = session.get(OutboxEntry, seq)
    assert entry is not None
    entry.state = state
    entry.last_error = error


def _merged(session: Session, sent: Mapping[str, Any], stale: PreconditionFailed) -> bool:
    """Merge the record the 412 carried with the local copy; True when it merged."""
    if sent["op"] != OutboxOp.UPDATE:
        return False  # a create over an existing id, a delete or a decision: a conflict
    model = COLLECTIONS[sent["collection"]].model
    row = session.get(model, sent["record_id"])
    if row is None:
        return False
    held = Held(sent["collection"], row.id, stale.version, row.base, to_wire(row), stale.current)
    return settle(session, held)


def push(store: Store, client: SyncClient) -> PushResult:
    """Push every pending entry, oldest group first; see the module's docstring."""
    pushed = conflicts = failed = 0
    done: set[int] = set()
    retried: set[int] = set()
    while True:
        with store.session() as session:
            waiting = [e for e in _waiting(session) if e.seq not in done]
            if not waiting:
                break
            entry = waiting[0]
            entry.attempts += 1
            entry.state = OutboxState.SENDING
            model = COLLECTIONS[entry.collection].model
            row = session.get(model, entry.record_id)
            sent = {
                "seq": entry.seq,
                "key": entry.key,
                "collection": entry.collection,
                "op": entry.op,
                "fields": dict(entry.fields),
                "base_version": entry.base_version,
                "record_id": entry.record_id,
            }
            if row is not None:
                session.expunge(row)
        done.add(sent["seq"])
        if row is None:
            with store.session() as session:
                _mark(session, sent["seq"], OutboxState.FAILED, "the record is gone locally")
            failed += 1
            continue
        try:
            written = _send(client, sent, row)
        except PreconditionFailed as stale:
            with store.session() as session:
                merged = _merged(session, sent, stale)
                if merged and session.get(OutboxEntry, sent["seq"]) is None:
                    continue  # the merge left nothing of this entry to send
                if merged and sent["seq"] not in retried:
                    retried.add(sent["seq"])  # merged: send again, once, on their version
                    done.discard(sent["seq"])
                    _mark(session, sent["seq"], OutboxState.PENDING, "merged")
                    continue
                _mark(session, sent["seq"], OutboxState.CONFLICT, str(stale))
            conflicts += 1
            continue
        except (Rejected, Gone) as refused:
            with store.session() as session:
                _mark(session, sent["seq"], OutboxState.FAILED, str(refused))
            failed += 1
            continue
        except BaseException:
            with store.session() as session:  # stopped: the entry waits, same key
                _mark(session, sent["seq"], OutboxState.PENDING, "not sent yet")
            raise
        with store.session() as session:
            session.info[APPLYING_REMOTE] = True
            _acknowledge(session, sent["seq"], written)
        pushed += 1
    with store.session() as session:
        pending = len(_waiting(session))
    return PushResult(pushed, conflicts, failed, pending)
