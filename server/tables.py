"""Tables only the server has: API keys, the change feed, idempotency, rate windows.

They live in their own metadata beside core's domain tables, so core's schema and
migrations never see them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Index, MetaData, String, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core.models.base import NAMING, UTCDateTime, new_id
from core.timeutil import utcnow


class ServerBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), str: String()}  # noqa: RUF012


class ApiKey(ServerBase):
    """A tenant's key: only its SHA-256 is kept; ``prefix`` lets people tell keys apart."""

    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    company_id: Mapped[str] = mapped_column(String(36), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Requests per window; None uses the server's default.
    rate_limit: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class FeedCounter(ServerBase):
    """Per company: the last change number handed out, and the oldest safe cursor.

    Every writing transaction updates this row first, so writers of one company
    commit in the order of their numbers: a reader never sees number n+1 before n.
    """

    __tablename__ = "feed_counter"

    company_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Cursors below this missed a purged tombstone and must start again (410).
    purged_through: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Moves whenever the company's webhook subscriptions (or a key one was made by)
    #: change, in the same transaction: a write reads it with its turn and knows
    #: whether the subscriptions it remembers are still the company's.
    webhooks_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    @classmethod
    def webhooks_changed(cls, session: Session, company_id: str) -> None:
        """Move the company's :attr:`webhooks_version`, making its row if it has none
        yet (an upsert: it waits for a first write making the row at the same time,
        so that write's list of subscriptions cannot outlive this change)."""
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        table = cls.__table__
        session.execute(
            dialect.insert(table)
            .values(company_id=company_id, seq=0, purged_through=0, webhooks_version=1)
            .on_conflict_do_update(
                index_elements=["company_id"],
                set_={"webhooks_version": table.c.webhooks_version + 1},
            )
        )


class Change(ServerBase):
    """The latest change of one record: an upsert with its wire copy, or a tombstone."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_company_seq", "company_id", "seq", unique=True),)

    collection: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    company_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int]
    deleted: Mapped[bool] = mapped_column(default=False)
    record: Mapped[dict[str, Any]]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(ServerBase):
    """A claimed ``Idempotency-Key`` and, once the request succeeded, its response."""

    __tablename__ = "idempotency"

    company_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The token of the request that holds the claim (fencing a late request out).
    owner: Mapped[str | None] = mapped_column(String(32), default=None)
    status_code: Mapped[int | None] = mapped_column(default=None)
    headers: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    body: Mapped[str | None] = mapped_column(Text, default=None)


class RateBucket(ServerBase):
    """A rate bucket (an API key or a client address): when it is full again, and
    whether its last request passed (see :mod:`server.ratelimit`)."""

    __tablename__ = "rate_bucket"

    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: The theoretical arrival time, in Unix seconds.
    tat: Mapped[float] = mapped_column(Float(53))
    passed: Mapped[bool] = mapped_column(default=True)


class ServerSecret(ServerBase):
    """A secret the server made for itself (the token signing key), stored so every
    worker of one database uses the same one."""

    __tablename__ = "server_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookSubscription(ServerBase):
    """Where a company wants its events sent: a URL, the events, the signing secret
    (kept as given: the server must sign with it)."""

    __tablename__ = "webhook_subscription"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    company_id: Mapped[str] = mapped_column(String(36), index=True)
    url: Mapped[str] = mapped_column(Text)
    #: Comma-separated event names or patterns (``shift.*``, ``*``).
    events: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The API key that subscribed: its payloads show only what that key may read,
    #: and end with it (revoked). None: made by the operator (``shiftdesk server``),
    #: who sees everything.
    key_id: Mapped[str | None] = mapped_column(String(36), default=None)


class WebhookDelivery(ServerBase):
    """One event for one subscription: the outbox row written in the transaction of
    the write, then the delivery's log (status, attempts, the last answer).

    ``status``: ``pending`` (due at ``next_attempt_at``), ``delivered``, ``dead``
    (gave up after the last attempt: the dead-letter list) or ``discarded``. A worker
    holds a row it is sending by ``lease_owner`` until ``lease_until``."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    company_id: Mapped[str] = mapped_column(String(36), index=True)
    subscription_id: Mapped[str] = mapped_column(String(36), index=True)
    event: Mapped[str] = mapped_column(String(64))
    #: The exact body sent (and signed) on every attempt.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookAttempt(ServerBase):
    """One try at a delivery: when, and what the receiver answered (or the error)."""

    __tablename__ = "webhook_attempt"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    delivery_id: Mapped[str] = mapped_column(String(36), index=True)
    number: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    duration_ms: Mapped[int] = mapped_column(default=0)
