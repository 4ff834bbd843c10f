"""One sync run: push the outbox, pull the feed, and again while either moved
something, recorded in the store as it goes.

The run is planned by the store's own state (what the outbox holds, where the
cursor stands) and executed by :mod:`sync.push` and :mod:`sync.pull`, which commit
each acknowledged step on its own: a run stopped anywhere (the network, the server,
a killed process) leaves a store the next run simply continues. The run's row is
written first, as ``running``, and finished last; one left ``running`` is a run
whose process ended before it could say.

Conflicts and refused records do not fail a run: they wait in the store for a
person (:mod:`sync.conflicts`, :mod:`sync.failed`) while everything else flows.
A run fails when it cannot go on at all: no server, a refused key, the server
failing or asking to wait longer than a run should.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.models import OutboxEntry, OutboxState
from core.models.sync import RunOutcome, SyncRun
from core.outbox import counts
from core.store import Store
from core.timeutil import utcnow
from sync.client import SyncClient
from sync.errors import (
    Offline,
    ProtocolError,
    RateLimited,
    SyncError,
    Unauthorized,
    Unavailable,
)
from sync.history import open_conflict_count
from sync.link import Link, require_link
from sync.pull import pull
from sync.push import push

#: Push-pull rounds in one run; a round that moves nothing ends it sooner.
MAX_ROUNDS = 4


@dataclass(frozen=True)
class Progress:
    """Where a running sync stands, for a progress bar: ``phase`` is ``"push"`` or
    ``"pull"``; ``total`` is None where the server does not say (the feed)."""

    phase: str
    done: int
    total: int | None = None


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class RunResult:
    run_id: str
    outcome: RunOutcome
    pushed: int = 0
    pulled: int = 0
    merged: int = 0
    #: Open conflicts after the run (new or older), each waiting for a choice.
    conflicts: int = 0
    #: Failed operations waiting after the run (replay or discard them).
    failed: int = 0
    #: Entries still to send.
    pending: int = 0
    #: One sentence when the run could not finish.
    message: str = ""
    errors: tuple[dict[str, Any], ...] = field(default=())

    @property
    def completed(self) -> bool:
        return self.outcome in (RunOutcome.OK, RunOutcome.PARTIAL)

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "outcome": str(self.outcome),
            "pushed": self.pushed,
            "pulled": self.pulled,
            "merged": self.merged,
            "conflicts": self.conflicts,
            "failed": self.failed,
            "pending": self.pending,
            "message": self.message,
        }

    def summary(self) -> str:
        parts = f"pushed {self.pushed}, pulled {self.pulled}, merged {self.merged}"
        waiting = f"{self.conflicts} conflict(s), {self.failed} failed, {self.pending} pending"
        return f"{parts}; {waiting}"


def explain(error: SyncError) -> str:
    """One sentence for a person about why a run stopped."""
    if isinstance(error, Unauthorized):
        return f"the server refused the API key ({error.status}: {error.message})"
    if isinstance(error, RateLimited | Unavailable):
        wait = f"; try again in {error.retry_after:.0f} s" if error.retry_after else ""
        return f"the server is busy ({error}){wait}"
    if isinstance(error, Offline):
        return f"the server could not be reached ({error}); nothing was lost"
    if isinstance(error, ProtocolError):
        return f"the server answered outside the protocol: {error}"
    return str(error)


class SyncBusy(SyncError):
    """Another process is syncing this store right now."""


def _lock(store: Store) -> FileLock:
    """The store's sync lock, held for a run. The OS drops it when its process ends,
    however it ends, so a killed run never blocks the next."""
    lock = FileLock(f"{store.path}.sync-lock")
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise SyncBusy("another sync of this store is running; try again when it ends") from exc
    return lock


def _start(store: Store) -> tuple[str, Link]:
    with store.session() as session:
        link = require_link(session)
        # Holding the lock, any run still "running" is one whose process died.
        session.execute(
            update(SyncRun)
            .where(SyncRun.outcome == RunOutcome.RUNNING)
            .values(
                outcome=RunOutcome.FAILED,
                message="the run stopped before it finished (its process ended)",
            )
        )
        # An entry still marked as being sent is one whose process ended mid-request
        # (killed, power lost): whether the server acted is unknown, so it goes again
        # under the same Idempotency-Key, which the server answers from its record.
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.state == OutboxState.SENDING)
            .values(state=OutboxState.PENDING, last_error="interrupted; sent again")
        )
        run = SyncRun()
        session.add(run)
        session.flush()
        return run.id, link


def _entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def _tally(store: Store) -> tuple[int, int, int, list[dict[str, Any]]]:
    """Open conflicts, failed entries, pending entries, and each failure's reason."""
    with store.session() as session:
        waiting = counts(session)
        errors = [
            {
                "collection": e.collection,
                "recordId": e.record_id,
                "op": str(e.op),
                "message": e.last_error or "",
            }
            for e in session.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.state == OutboxState.FAILED)
                .order_by(OutboxEntry.seq)
            )
        ]
        return open_conflict_count(session), waiting.failed, waiting.waiting, errors


def run_sync(
    store: Store, client: SyncClient, *, progress: ProgressCallback | None = None
) -> RunResult:
    """One run, push and pull until nothing moves; see the module's docstring.

    :class:`SyncBusy` when another run of this store is under way (nothing recorded).
    """
    lock = _lock(store)
    try:
        return _run(store, client, progress)
    finally:
        lock.release()


def _run(store: Store, client: SyncClient, progress: ProgressCallback | None) -> RunResult:
    run_id, link = _start(store)
    pushed = pulled = merged = failed_now = 0
    message = ""
    outcome = RunOutcome.OK
    try:
        for _ in range(MAX_ROUNDS):
            with store.session() as session:
                total = counts(session).waiting
                queued = _entries(session)
            if progress is not None:
                progress(Progress("push", 0, total))
            try:
                sent = push(store, client)
            except SyncError:
                # Stopped midway: what it had sent was acknowledged, entry by entry,
                # and those entries are gone; the run's record counts them.
                with store.session() as session:
                    pushed += queued - _entries(session)
                raise
            pushed += sent.pushed
            failed_now += sent.failed
            if progress is not None:
                progress(Progress("push", sent.pushed, total))
            got = pull(
                store,
                client,
                link.company_id,
                progress=None if progress is None else lambda n: progress(Progress("pull", n)),
            )
            pulled += got.pulled
            merged += got.merged
            # A merge puts the record's entries back in the queue: push them now.
            with store.session() as session:
                left = counts(session).waiting
            if not left or (sent.pushed == 0 and got.merged == 0):
                break
    except SyncError as error:
        outcome = RunOutcome.FAILED
        message = explain(error)
    conflicts, failed, pending, errors = _tally(store)
    # Partial when this run's refusals still wait; one settled later in the run (a
    # delete refused as gone, then the tombstone pulled) leaves nothing to decide.
    if outcome is RunOutcome.OK and failed_now and failed:
        outcome = RunOutcome.PARTIAL
    with store.session() as session:
        run = session.get(SyncRun, run_id)
        assert run is not None
        run.ended_at = utcnow()
        run.outcome = outcome
        run.pushed, run.pulled, run.merged = pushed, pulled, merged
        run.conflicted, run.failed = conflicts, failed
        run.errors = errors
        run.message = message
    return RunResult(
        run_id,
        outcome,
        pushed,
        pulled,
        merged,
        conflicts,
        failed,
        pending,
        message,
        tuple(errors),
    )
