"""What an administrator can set: where the data lives and the service's limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from server.db import Limits

ENV_DB = "SHIFTDESK_SERVER_DB"
#: Database connections per worker process (``shiftdesk server --pool-size``).
ENV_POOL_SIZE = "SHIFTDESK_SERVER_POOL_SIZE"
#: The key bearer tokens are signed with; unset, the server makes one and keeps it
#: in its database (every worker of that database then agrees on it).
ENV_TOKEN_SECRET = "SHIFTDESK_TOKEN_SECRET"
#: Comma-separated addresses of the reverse proxies whose ``X-Forwarded-For`` names
#: the client (default: none; every caller is the address it connects from).
ENV_TRUSTED_PROXIES = "SHIFTDESK_TRUSTED_PROXIES"
#: ``1``: webhooks may be sent to loopback, private and link-local addresses (the
#: receivers sit on the server's own network). Default: refused.
ENV_WEBHOOK_ALLOW_PRIVATE = "SHIFTDESK_WEBHOOK_ALLOW_PRIVATE"


def webhook_private_allowed() -> bool:
    """Whether the environment allows webhooks to private addresses."""
    return os.environ.get(ENV_WEBHOOK_ALLOW_PRIVATE, "").strip().lower() in ("1", "true", "yes")


def default_db() -> str:
    """``$SHIFTDESK_SERVER_DB``, else ``server.sqlite3`` in the user data directory."""
    if os.environ.get(ENV_DB):
        return os.environ[ENV_DB]
    return str(Path(platformdirs.user_data_dir("ShiftDesk", appauthor=False)) / "server.sqlite3")


def database_url(value: str | None) -> str:
    """A database URL as given, or an SQLite URL for a plain file path."""
    value = value or default_db()
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    db_url: str
    #: Requests each API key may make per window unless the key sets its own limit
    #: (:mod:`server.ratelimit`: a sliding limit that lets this many through at
    #: once). A sync of a day's work fits: its push counts one per write (batches
    #: of 200), its pull one per page.
    rate_limit: int = 1200
    rate_window_seconds: int = 60
    #: Tombstones older than this may be purged; older cursors then get 410.
    tombstone_days: int = 90
    #: A claimed Idempotency-Key whose request died is free again after this long.
    #: It must outlast the longest request (see :meth:`request_bound`).
    idempotency_lease_seconds: int = 60
    max_page_rows: int = 500
    #: Database connections per worker process (workers x this stay under the
    #: database's limit), how long a request waits for one, and how long a statement
    #: may wait for a lock and run; beyond either the answer is 503 with Retry-After.
    db_pool_size: int = 10
    db_pool_timeout: float = 5.0
    db_lock_timeout: float = 5.0
    db_statement_timeout: float = 15.0

    def __post_init__(self) -> None:
        if self.idempotency_lease_seconds <= self.request_bound():
            raise ValueError(
                f"the idempotency lease ({self.idempotency_lease_seconds} s) must outlast"
                f" the longest request ({self.request_bound():g} s)"
            )

    def request_bound(self) -> float:
        """What one write holding an Idempotency-Key may take when the database is
        slow: a connection from the pool, a lock waited for and a statement's run,
        for the claim and again for the work. Not a hard limit (a transaction runs
        several statements): the fence in :func:`server.idempotency.complete` keeps a
        request that still outlives its lease from committing beside a retry."""
        return 2 * (self.db_pool_timeout + self.db_lock_timeout + self.db_statement_timeout)

    @classmethod
    def from_env(cls, db_url: str) -> Settings:
        """Settings for ``db_url`` with what the environment sets (the pool size, the
        trusted proxies, private webhook targets)."""
        options: dict[str, Any] = {}
        size = os.environ.get(ENV_POOL_SIZE)
        if size:
            options["db_pool_size"] = int(size)
        proxies = os.environ.get(ENV_TRUSTED_PROXIES, "")
        options["trusted_proxies"] = tuple(p.strip() for p in proxies.split(",") if p.strip())
        options["webhook_allow_private"] = webhook_private_allowed()
        return cls(db_url, **options)

    @property
    def db_limits(self) -> Limits:
        return Limits(
            self.db_pool_size, self.db_pool_timeout, self.db_lock_timeout, self.db_statement_timeout
        )

    #: Signs the bearer tokens of ``POST /v1/auth/token`` (HS256); None: taken from
    #: ``$SHIFTDESK_TOKEN_SECRET``, else made once and stored in the database.
    token_secret: str | None = None
    #: How long a granted token is good for.
    token_ttl_seconds: int = 3600
    #: Webhooks: the delivery worker runs in every server process (False: none here).
    webhook_worker: bool = True
    #: How often a worker looks for due deliveries (a write in this process also
    #: wakes it at once after its commit).
    webhook_poll_seconds: float = 1.0
    #: Tries before a delivery goes to the dead-letter list.
    webhook_max_attempts: int = 8
    #: The wait after the first failed try, doubled after each further one, capped.
    webhook_retry_base_seconds: float = 10.0
    webhook_retry_max_seconds: float = 3600.0
    #: How long a receiver has to answer one try.
    webhook_timeout_seconds: float = 10.0
    #: Whether webhooks may target loopback, private and link-local addresses
    #: (:mod:`server.webhook_targets`; ``$SHIFTDESK_WEBHOOK_ALLOW_PRIVATE``).
    webhook_allow_private: bool = False
    #: The reverse proxies (addresses or networks such as ``10.0.0.0/8``) whose
    #: ``X-Forwarded-For`` names the client, for the per-address rate limit and the
    #: log; from anyone else, local clients included, the header is ignored.
    trusted_proxies: tuple[str, ...] = ()
