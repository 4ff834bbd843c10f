"""Pushing the outbox: entries sent a batch at a time (``/v1/batch``), each batch's
acknowledgements and bookkeeping in one local transaction.

Entries go in :func:`core.outbox.in_push_order` (group after group, a record after
the records it names), :data:`BATCH` to a request, in that order; the server runs a
batch's writes in that order too, so a record still comes after those it names. A
batch holds a record once: its next entry's If-Match is the version this one's
answer brings, so it goes in the next batch. The entries of a batch are marked sent
(``attempts``) and committed before the request leaves, so the outbox never folds a
later edit into a request that may already have reached the server; a resend
carries the same ``Idempotency-Key``, so a lost answer never doubles a record (the
server replays what it answered). The request carries the record as it is when it
first leaves (several edits before a push travel as one), and is kept on the entry:
a resend is the very same request, whatever was edited since.

What the server answers for each entry decides its fate:

- accepted: the record's version, ETag and base (the acknowledged copy, the ancestor
  of a later three-way merge) are stored and the entry goes;
- 412 (the server's copy moved): the three-way merge (:mod:`sync.settle`); merged,
  the entry is sent again, once, on the server's version; otherwise it waits as
  ``conflict`` with the server's current copy;
- refused (400/409/422) or gone (deleted there): ``failed`` with the server's
  reason; the queue goes on. (A 409 saying an earlier send of the same key is still
  running leaves the entry queued for the next run instead.)
- the key refused for an entry: the batch's other answers are booked, then the push
  stops and the entry waits;
- offline, rate limited, unavailable, the batch refused: the push stops and keeps
  every entry of the batch; the next run resends them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from core.models import OutboxEntry, OutboxOp, Synced
from core.models.outbox import OutboxState
from core.outbox import APPLYING_REMOTE, in_push_order
from core.replica import Held, with_omitted
from core.store import Store
from core.wire import COLLECTIONS, RECORD_FIELDS, Collection, etag, to_wire
from sync.client import Call, SyncClient, Written
from sync.errors import Gone, PreconditionFailed, Rejected, SyncError
from sync.settle import settle

#: Entries sent in one ``/v1/batch`` request: large enough that a site back from days
#: offline sends thousands in seconds, small enough that the server holds the
#: company's write turn only briefly (its cap is 500).
BATCH = 200

#: A 409 saying an earlier send with the same key is still being processed.
IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"


@dataclass(frozen=True)
class PushResult:
    pushed: int = 0
    conflicts: int = 0
    failed: int = 0
    #: Entries still waiting (the push stopped early, or they wait on a conflict).
    pending: int = 0


def _content(spec: Collection, row: Synced) -> dict[str, Any]:
    """The record's fields as a create or full update sends them. A field the server
    fills itself (``Field.filled``) is left out while it holds nothing: the server
    fills it then, and one that knows no such field refuses it by name."""
    unset = {f.name for f in spec.fields if f.filled}
    return {
        k: v
        for k, v in to_wire(row).items()
        if k not in RECORD_FIELDS and not (v is None and k in unset)
    }


def _patch(spec: Collection, row: Synced, changed: list[str]) -> dict[str, Any]:
    """The wire fields an update entry names, with the row's values now."""
    wire = to_wire(row)
    names = set(changed)
    return {f.name: wire[f.name] for f in spec.fields if f.attr in names or f.key in names}


def _order(session: Session) -> list[int]:
    """The pending entries, in push order, read once per push as plain rows: entries
    written while a push runs wait for the next one."""
    keys = select(
        OutboxEntry.seq, OutboxEntry.group_id, OutboxEntry.collection, OutboxEntry.op
    ).where(OutboxEntry.state == OutboxState.PENDING)
    return [e.seq for e in in_push_order(session.execute(keys).all())]  # type: ignore[arg-type]


def _call(entry: OutboxEntry, row: Synced) -> Call | None:
    """The request that carries ``entry``, with the record as it is now; None when
    there is nothing to say."""
    spec = COLLECTIONS[entry.collection]
    # The version this site's copy stands on: our own acknowledgements move it, a pull
    # never does while edits wait, so it is the If-Match of every entry in turn (an
    # approval then a cancellation made offline carry the approval's answer forward).
    base = row.server_version or entry.base_version or 0
    if entry.op == OutboxOp.CREATE:
        content = _content(spec, row)
        withheld = entry.fields.get("withheld") or {}
        for f in spec.fields:  # values a decision still to be sent stands for
            if f.attr in withheld:
                value = withheld[f.attr]
                content[f.name] = None if value is None else f.kind.dump(value)
        return Call.create(spec.name, row.id, content, key=entry.key)
    if entry.op == OutboxOp.DELETE:
        return Call.delete(spec.name, row.id, base_version=base, key=entry.key)
    if entry.op == OutboxOp.ACTION:
        params = {k: v for k, v in entry.fields.get("params", {}).items() if v is not None}
        action = entry.fields["action"]
        return Call.action(spec.name, row.id, action, params, base_version=base, key=entry.key)
    if row.server_version is None and not entry.base_version:
        # Never acknowledged (the pay policy a store had before it replicated): the
        # server takes the record over from its own defaults, so it hears every field,
        # not only those edited since, or the site's other rules would be lost.
        body = _content(spec, row)
    else:
        body = _patch(spec, row, entry.fields.get("changed", []))
    if not body:
        return None  # bookkeeping only (a revival of a record never sent): nothing to say
    return Call.update(spec.name, row.id, body, base_version=base, key=entry.key)


#: Where an entry keeps the request it went out as (:func:`_remembered`).
SENT = "sent"


def _remembered(entry: OutboxEntry, row: Synced) -> Call | None:
    """The request that carries ``entry``: the very one it went out as before, if it
    did (a resend must match what the server may already hold under its key, even
    if the record was edited since: that edit is an entry of its own), else a new
    one, kept on the entry for a resend."""
    kept = entry.fields.get(SENT)
    if kept is not None:
        return Call(
            entry.collection,
            kept["method"],
            kept["path"],
            kept["headers"],
            kept.get("body"),
            kept.get("params") or {},
            not_found=Rejected if entry.op == OutboxOp.CREATE else Gone,
        )
    call = _call(entry, row)
    if call is not None:
        entry.fields = {
            **entry.fields,
            SENT: {
                "method": call.method,
                "path": call.path,
                "headers": dict(call.headers),
                "body": None if call.body is None else dict(call.body),
                "params": dict(call.params),
            },
        }
    return call


def forget_sent(entry: OutboxEntry) -> None:
    """The entry goes out anew next time (after a merge, or replayed under a new key)."""
    if SENT in entry.fields:
        entry.fields = {k: v for k, v in entry.fields.items() if k != SENT}


def _chunk(session: Session, candidates: list[int]) -> tuple[list[OutboxEntry], set[int]]:
    """The next entries to send together, from ``candidates`` (seqs in push order):
    those still pending, and a record only once, since its next entry's If-Match is
    the version this one's answer brings. Also the candidates looked at (sent now,
    or no longer waiting)."""
    found = session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.seq.in_(candidates), OutboxEntry.state == OutboxState.PENDING
        )
    )
    entries = {e.seq: e for e in found}
    chunk: list[OutboxEntry] = []
    seen: set[int] = set()
    records: set[str] = set()
    for seq in candidates:
        entry = entries.get(seq)
        if entry is not None:
            if entry.record_id in records:
                break
            records.add(entry.record_id)
            chunk.append(entry)
        seen.add(seq)
    by_model: dict[type[Synced], list[str]] = defaultdict(list)
    for entry in chunk:
        by_model[COLLECTIONS[entry.collection].model].append(entry.record_id)
    for model, ids in by_model.items():  # one query each, not one per entry
        session.scalars(select(model).where(model.id.in_(ids))).all()
    return chunk, seen


def _acknowledge(session: Session, acked: list[tuple[_Sent, Written | None]]) -> None:
    """Store what the server answered for accepted entries (each record's version,
    ETag and base) and let the entries go: a statement per collection, not per entry.
    A record stays dirty while other entries of it wait."""
    seqs = [sent.seq for sent, _ in acked]
    session.execute(delete(OutboxEntry).where(OutboxEntry.seq.in_(seqs)))
    answered = [(sent, written) for sent, written in acked if written is not None]
    waiting = set(
        session.scalars(
            select(OutboxEntry.record_id).where(
                OutboxEntry.record_id.in_([sent.record_id for sent, _ in answered])
            )
        )
    )
    by_table: dict[Table, list[dict[str, Any]]] = defaultdict(list)
    for sent, written in answered:
        table: Table = COLLECTIONS[sent.collection].model.__table__  # type: ignore[attr-defined]
        by_table[table].append(
            {
                "row_id": sent.record_id,
                "version": written.version,
                "tag": etag(written.version),
                # The answer without the fields the key may not read: as here.
                "acked": with_omitted(
                    session, COLLECTIONS[sent.collection], sent.record_id, written.record
                ),
                "still": sent.record_id in waiting,
            }
        )
    for table, rows in by_table.items():
        session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                server_version=bindparam("version"),
                etag=bindparam("tag"),
                base=bindparam("acked"),
                dirty=bindparam("still"),
            ),
            rows,
        )


def _mark(session: Session, seq: int, state: str, error: str) -> None:
    entry = session.get(OutboxEntry, seq)
    assert entry is not None
    entry.state = state
    entry.last_error = error


def _merged(session: Session, sent: _Sent, stale: PreconditionFailed) -> bool:
    """Merge the record the 412 carried with the local copy; True when it merged."""
    model = COLLECTIONS[sent.collection].model
    # A create over an existing id, a delete or a decision is a conflict; but a record
    # made with its company on both sides (its pay policy) merges like an update.
    if sent.op != OutboxOp.UPDATE and not (
        sent.op == OutboxOp.CREATE and model.__made_with_company__
    ):
        return False
    row = session.get(model, sent.record_id)
    if row is None:
        return False
    theirs = stale.current
    if theirs is not None:  # what the server left out (a rate it hides) is as here
        theirs = with_omitted(session, COLLECTIONS[sent.collection], row.id, theirs)
    held = Held(sent.collection, row.id, stale.version, row.base, to_wire(row), theirs)
    return settle(session, held)


@dataclass(frozen=True)
class _Sent:
    """An entry as it left: what its answer is settled against."""

    seq: int
    collection: str
    op: str
    record_id: str
    #: None: nothing to say, the entry only goes.
    call: Call | None


@dataclass
class _Run:
    """One push: the entries in push order, those it is done with (sent, or failed
    before), and its tally."""

    order: list[int]
    pushed: int = 0
    conflicts: int = 0
    failed: int = 0
    done: set[int] = field(default_factory=set)
    retried: set[int] = field(default_factory=set)

    def take(self, store: Store) -> list[_Sent] | None:
        """Mark the next chunk sent (``attempts`` + 1) and commit that before any of it
        leaves; None when nothing waits. An entry whose record is gone locally fails
        here, unsent."""
        with store.session() as session:
            while True:
                candidates = [seq for seq in self.order if seq not in self.done][:BATCH]
                if not candidates:
                    return None
                chunk, seen = _chunk(session, candidates)
                self.done |= seen
                if chunk:
                    break
            taken = []
            for entry in chunk:
                entry.attempts += 1
                row = session.get(COLLECTIONS[entry.collection].model, entry.record_id)
                if row is None:
                    _mark(session, entry.seq, OutboxState.FAILED, "the record is gone locally")
                    self.failed += 1
                    continue
                entry.state = OutboxState.SENDING
                call = _remembered(entry, row)
                taken.append(_Sent(entry.seq, entry.collection, entry.op, row.id, call))
            return taken

    def settle(self, session: Session, sent: _Sent, outcome: Written | SyncError | None) -> bool:
        """Book one answer other than an acceptance (those are booked together, by
        :func:`_acknowledge`); False when it stops the push, as it would stop a lone
        request (the key refused, an answer outside the contract)."""
        if isinstance(outcome, PreconditionFailed):
            merged = _merged(session, sent, outcome)
            if merged and session.get(OutboxEntry, sent.seq) is None:
                return True  # the merge left nothing of this entry to send
            if merged and sent.seq not in self.retried:
                self.retried.add(sent.seq)  # merged: send again, once, on their version
                self.done.discard(sent.seq)
                _mark(session, sent.seq, OutboxState.PENDING, "merged")
                entry = session.get(OutboxEntry, sent.seq)
                assert entry is not None
                forget_sent(entry)  # the merged record goes, on their version
            else:
                _mark(session, sent.seq, OutboxState.CONFLICT, str(outcome))
                self.conflicts += 1
        elif isinstance(outcome, Rejected) and outcome.err_code == IN_PROGRESS:
            _mark(session, sent.seq, OutboxState.PENDING, str(outcome))  # the next run asks
        elif isinstance(outcome, Rejected | Gone):
            _mark(session, sent.seq, OutboxState.FAILED, str(outcome))
            self.failed += 1
        else:
            _mark(session, sent.seq, OutboxState.PENDING, "not sent yet")
            return False
        return True


def push(store: Store, client: SyncClient) -> PushResult:
    """Push every pending entry, oldest group first, a batch at a time; see the
    module's docstring."""
    with store.session() as session:
        run = _Run(_order(session))
    while (taken := run.take(store)) is not None:
        try:
            outcomes = iter(client.batch([s.call for s in taken if s.call is not None]))
        except BaseException:
            with store.session() as session:  # stopped: the entries wait, same keys
                for sent in taken:
                    _mark(session, sent.seq, OutboxState.PENDING, "not sent yet")
            raise
        stop: SyncError | None = None
        acked: list[tuple[_Sent, Written | None]] = []
        with store.session() as session:
            # Every change here is the server's answer being booked, none a local edit.
            session.info[APPLYING_REMOTE] = True
            for sent in taken:
                outcome = None if sent.call is None else next(outcomes)
                if outcome is None or isinstance(outcome, Written):
                    acked.append((sent, outcome))
                elif not run.settle(session, sent, outcome) and stop is None:
                    stop = outcome
            _acknowledge(session, acked)
            run.pushed += len(acked)
        if stop is not None:
            raise stop
    with store.session() as session:
        pending = session.scalar(
            select(func.count()).where(OutboxEntry.state == OutboxState.PENDING)
        )
    return PushResult(run.pushed, run.conflicts, run.failed, pending or 0)
