"""Where a store stands with its server, read in one place for every front end: the
link, what waits, and the runs so far, as plain values (no ORM rows leave the session).

``shiftdesk sync status`` and ``sync log`` print these; the desktop's status bar and
Sync view show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models.sync import ConflictStatus, RunOutcome, SyncConflict, SyncRun
from core.outbox import counts
from sync.link import find_link, last_run


@dataclass(frozen=True)
class RunRow:
    id: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    pushed: int
    pulled: int
    merged: int
    conflicts: int
    failed: int
    message: str
    errors: tuple[dict[str, Any], ...] = ()

    @property
    def completed(self) -> bool:
        return self.outcome in (RunOutcome.OK, RunOutcome.PARTIAL)


@dataclass(frozen=True)
class SyncStatus:
    connected: bool
    server_url: str
    company_id: str
    #: Changes not yet sent (pending, or in a push that has not finished).
    waiting: int
    #: Changes the server refused, waiting for a replay or a discard.
    failed: int
    #: Open conflicts, each waiting for a choice.
    conflicts: int
    #: The newest run, finished or not (None: never synced).
    last: RunRow | None
    #: When the newest completed run ended (None: none completed).
    last_success: datetime | None


def _row(run: SyncRun) -> RunRow:
    return RunRow(
        run.id,
        run.started_at,
        run.ended_at,
        str(run.outcome),
        run.pushed,
        run.pulled,
        run.merged,
        run.conflicted,
        run.failed,
        run.message or "",
        tuple(run.errors or ()),
    )


def recent_runs(session: Session, limit: int = 50) -> list[RunRow]:
    """The newest runs first."""
    runs = session.scalars(
        select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    )
    return [_row(r) for r in runs]


def open_conflict_count(session: Session) -> int:
    return int(
        session.scalar(select(func.count()).where(SyncConflict.status == ConflictStatus.OPEN)) or 0
    )


def sync_status(session: Session) -> SyncStatus:
    link = find_link(session)
    waiting = counts(session)
    last = last_run(session)
    good = last_run(session, succeeded=True)
    return SyncStatus(
        connected=link is not None,
        server_url=link.server_url if link else "",
        company_id=link.company_id if link else "",
        waiting=waiting.waiting,
        failed=waiting.failed,
        conflicts=open_conflict_count(session),
        last=_row(last) if last else None,
        last_success=good.ended_at if good else None,
    )
