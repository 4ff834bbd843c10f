"""Fixed-window request counting in the database, so every worker shares one count."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy import delete, select

from server.db import Database
from server.tables import RateWindow


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    #: Seconds until the window resets (what ``Retry-After`` says).
    reset_seconds: int
    #: When the window resets, as a Unix time (what ``X-RateLimit-Reset`` says, as
    #: in the seed APIs: ``1700308800``).
    reset_at: int = 0

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(self.reset_at),
        }


def hit(
    db: Database,
    bucket: str,
    limit: int,
    window: int,
    now: float | None = None,
    *,
    cost: int = 1,
) -> Quota:
    """Count ``cost`` requests of ``bucket`` (a batch counts as its operations); one
    upsert in its own short transaction."""
    now = time.time() if now is None else now
    start = int(now // window) * window
    stmt = db.insert(RateWindow).values(bucket=bucket, window_start=start, hits=cost)
    stmt = stmt.on_conflict_do_update(
        index_elements=["bucket", "window_start"], set_={"hits": RateWindow.hits + cost}
    ).returning(RateWindow.hits)
    with db.transaction() as session:
        hits = session.execute(stmt).scalar_one()
        if hits == cost:  # first request of a window: forget this bucket's old windows
            session.execute(
                delete(RateWindow).where(
                    RateWindow.bucket == bucket, RateWindow.window_start < start
                )
            )
    reset = max(1, math.ceil(start + window - now))
    return Quota(limit, limit - hits, reset, start + window)


def peek(db: Database, bucket: str, limit: int, window: int, now: float | None = None) -> Quota:
    """The quota of ``bucket`` in the current window, counting nothing (what the open
    paths report)."""
    now = time.time() if now is None else now
    start = int(now // window) * window
    with db.transaction() as session:
        hits = session.execute(
            select(RateWindow.hits).where(
                RateWindow.bucket == bucket, RateWindow.window_start == start
            )
        ).scalar_one_or_none()
    reset = max(1, math.ceil(start + window - now))
    return Quota(limit, limit - (hits or 0), reset, start + window)
