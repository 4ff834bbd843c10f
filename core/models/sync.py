"""What the sync engine keeps beside the outbox: where each pull stopped, the
conflicts waiting for a supervisor, and a record of every run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, new_id
from core.timeutil import utcnow


class PullCursor(Base):
    """How far this store has read one server's change feed for one company."""

    __tablename__ = "sync_cursor"
    __table_args__ = (UniqueConstraint("server_url", "company_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    server_url: Mapped[str] = mapped_column(String(500))
    company_id: Mapped[str] = mapped_column(String(36))
    #: The feed's opaque cursor as the server gave it ("0": start over).
    cursor: Mapped[str] = mapped_column(String(64), default="0")
    last_pulled_at: Mapped[datetime | None] = mapped_column(default=None)


class ConflictStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class SyncConflict(Base):
    """A record whose local and remote edits overlap, shown field by field.

    ``base`` is the last copy both sides agreed on, ``mine`` the local record and
    ``theirs`` the server's, each as wire JSON; ``remote_etag`` is the ETag of
    ``theirs``, the ``If-Match`` of the push that settles it. ``resolution`` says,
    per field that differed, which side won: ``{"location": "mine", ...}``.
    """

    __tablename__ = "sync_conflict"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    collection: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    base: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    mine: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    theirs: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    remote_etag: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(16), default=ConflictStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class RunOutcome(StrEnum):
    #: Still going (or the process ended before it could say).
    RUNNING = "running"
    #: Everything pushed and pulled; conflicts may wait.
    OK = "ok"
    #: Finished, but some records failed.
    PARTIAL = "partial"
    #: Could not finish (no server, refused key, ...).
    FAILED = "failed"


class SyncRun(Base):
    """One sync run: when, how it ended, what it moved, and each record that failed.

    ``errors`` lists ``{"collection", "recordId", "status", "message"}`` per record.
    """

    __tablename__ = "sync_run"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(16), default=RunOutcome.RUNNING)
    pushed: Mapped[int] = mapped_column(default=0)
    pulled: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    conflicted: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: One sentence when the run could not finish.
    message: Mapped[str] = mapped_column(Text, default="")
