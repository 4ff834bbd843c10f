"""Request limits per bucket (an API key, or a client address), kept in the
database so every worker shares one count.

The limit is a sliding one (GCRA, the token bucket's single-number form): a bucket
of ``limit`` requests per ``window`` seconds refills at one request every
``window / limit`` seconds and holds at most ``limit``. A burst of up to ``limit``
passes at once (a sync's push and pull), and no ``window``-long span ever lets
more than ``limit`` plus what refilled during it through; a fixed window let
``2 x limit`` through across its boundary.

A bucket is one row holding its *theoretical arrival time* (``tat``): the moment
it would be full again. A request of ``cost`` advances it by ``cost * window /
limit`` from ``max(tat, now)`` and passes while that stays within ``window`` of
now. The whole decision is one upsert, run outside any transaction of its own
(autocommit): one statement and round trip per request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Float,
    Insert,
    String,
    bindparam,
    case,
    func,
    select,
)

from server.db import Database
from server.tables import RateBucket

#: Float slack in comparing times (well below a microsecond's worth of requests).
_EPSILON = 1e-6


@dataclass(frozen=True)
class Quota:
    limit: int
    #: Requests that may still be made at once (-1: this one was refused).
    remaining: int
    #: Seconds until a refused request would pass (what ``Retry-After`` says); for
    #: a passed one, until the bucket is full again.
    reset_seconds: int
    #: When the bucket is full again, as a Unix time (what ``X-RateLimit-Reset``
    #: says, as in the seed APIs: ``1700308800``).
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


def _quota(limit: int, window: int, tat: float, now: float, passed: bool, cost: int) -> Quota:
    interval = window / limit
    full_at = max(tat, now)
    if not passed:
        wait = tat + cost * interval - window - now
        return Quota(limit, -1, max(1, math.ceil(wait)), math.ceil(full_at))
    remaining = math.floor((window - (full_at - now)) / interval + _EPSILON)
    return Quota(
        limit, max(0, min(limit, remaining)), max(1, math.ceil(full_at - now)), math.ceil(full_at)
    )


def hit(
    db: Database,
    bucket: str,
    limit: int,
    window: int,
    now: float | None = None,
    *,
    cost: int = 1,
    conn: Connection | None = None,
) -> Quota:
    """Charge ``cost`` requests to ``bucket`` (a batch counts as its operations), or
    refuse them all, charging nothing; one upsert, on ``conn`` when given (an
    autocommit connection the request already holds), else on one of its own."""
    return hit_reading(db, bucket, limit, window, None, {}, now, cost=cost, conn=conn)[0]


#: The table, not its mapped class: the ORM's bulk path has nothing to add here.
_TABLE = RateBucket.__table__
#: The upsert, built once per dialect and per value read beside it: building and
#: keying a statement anew on every request cost more than running it.
_UPSERTS: dict[tuple[str, int], tuple[ColumnElement[Any] | None, Insert]] = {}


def _upsert(db: Database, also: ColumnElement[Any] | None) -> Insert:
    key = (db.engine.dialect.name, id(also))
    built = _UPSERTS.get(key)
    if built is None:
        now = bindparam("rl_now", type_=Float(53))
        start = func.max if db.is_sqlite else func.greatest
        advanced = start(_TABLE.c.tat, now) + bindparam("rl_step", type_=Float(53))
        fits = advanced - now <= bindparam("rl_room", type_=Float(53))
        read = [] if also is None else [also]
        stmt = (
            db.insert(_TABLE)
            .values(
                bucket=bindparam("rl_bucket", type_=String),
                tat=bindparam("rl_tat", type_=Float(53)),
                passed=bindparam("rl_passed", type_=Boolean),
            )
            .on_conflict_do_update(
                index_elements=["bucket"],
                set_={"tat": case((fits, advanced), else_=_TABLE.c.tat), "passed": fits},
            )
            .returning(_TABLE.c.tat, _TABLE.c.passed, *read)
        )
        built = _UPSERTS[key] = (also, stmt)
    return built[1]


def hit_reading(
    db: Database,
    bucket: str,
    limit: int,
    window: int,
    also: ColumnElement[Any] | None,
    params: Mapping[str, Any],
    now: float | None = None,
    *,
    cost: int = 1,
    conn: Connection | None = None,
) -> tuple[Quota, Any]:
    """:func:`hit`, reading ``also`` (a scalar subquery built once, its parameters
    in ``params``) in the same statement: what the request must know now, such as
    whether its key still stands, at no further round trip. None reads nothing."""
    now = time.time() if now is None else now
    step = cost * window / limit
    fresh_passes = step <= window + _EPSILON
    values = {
        **params,
        "rl_now": now,
        "rl_step": step,
        "rl_room": window + _EPSILON,
        "rl_bucket": bucket,
        "rl_tat": now + step if fresh_passes else now,
        "rl_passed": fresh_passes,
    }
    stmt = _upsert(db, also)
    if conn is not None:
        row = conn.execute(stmt, values).one()
    else:
        with db.autocommit() as own:
            row = own.execute(stmt, values).one()
    quota = _quota(limit, window, row[0], now, bool(row[1]), cost)
    return quota, (row[2] if also is not None else None)


def peek(
    db: Database,
    bucket: str,
    limit: int,
    window: int,
    now: float | None = None,
    *,
    conn: Connection | None = None,
) -> Quota:
    """The quota of ``bucket`` as it stands, charging nothing (what the open paths
    report); read on ``conn`` when given, else on a connection of its own."""
    now = time.time() if now is None else now
    query = select(RateBucket.tat).where(RateBucket.bucket == bucket)
    if conn is not None:
        tat = conn.execute(query).scalar()
    else:
        with db.autocommit() as own:
            tat = own.execute(query).scalar()
    return _quota(limit, window, now if tat is None else tat, now, True, 0)


def idle_before(now: float | None = None) -> ColumnElement[bool]:
    """The buckets full again by ``now``: forgetting them changes no decision."""
    return RateBucket.tat < (time.time() if now is None else now)
