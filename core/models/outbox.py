"""Local edits waiting to be pushed, written in the same transaction as the edit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, new_id
from core.timeutil import utcnow


class OutboxOp(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    #: A state-machine decision that travels as itself (``POST /v1/<collection>/<id>/
    #: <action>?<params>``), not as a field write; see :class:`OutboxEntry`.
    ACTION = "action"


class OutboxState(StrEnum):
    #: Waiting for the next push.
    PENDING = "pending"
    #: Handed to the server by a push that has not finished (after a crash: send again,
    #: with the same key).
    SENDING = "sending"
    #: Refused for a reason a retry will not cure (400, 409, 422); kept to be
    #: inspected, replayed or discarded, while the rest of the queue goes on.
    FAILED = "failed"
    #: The server's copy moved and the edits overlap: waits for a :class:`SyncConflict`
    #: to be resolved.
    CONFLICT = "conflict"


class OutboxEntry(Base):
    """One operation on one record to push; ``key`` is the request's ``Idempotency-Key``.

    The payload is not stored: the push sends the row as it is then, so several
    edits before a push travel as one request. ``fields`` holds
    ``{"changed": [attribute, ...]}`` for a create, update or delete; for an
    action it holds ``{"action": name, "params": {query parameter: value}}``
    (``{"action": "approve", "params": {"onClash": "keep"}}`` is
    ``POST /v1/leaverequests/<id>/approve?onClash=keep``; a parameter that is None
    is left out). A create of a record decided before it was sent may hold
    ``"withheld": {attribute: value}``: the values to send instead of the row's,
    as the record stood before the decision its later action entry carries. An
    action made on a record the server never saw has no ``base_version``: it is
    based on the version its create gets.

    The entries one operation wrote share a ``group_id`` and travel together; ``seq``
    orders them, a record after the records it names (a department before its
    employees, a shift's people before the shift). ``base_version`` is the record's
    ``server_version`` the edit was made on: its ``If-Match`` (None for a create).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_seq", "state", "seq"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    collection: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    op: Mapped[str] = mapped_column(String(8))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Times the sync engine sent it; a sent entry keeps its key and payload.
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING)
    #: Not to be sent before this instant (backoff after 429/503 or a network error).
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    base_version: Mapped[int | None] = mapped_column(default=None)
    #: Not indexed: nothing looks entries up by group (the push reads them all in
    #: order), and a year of template shifts queues 100,000 entries of one group.
    group_id: Mapped[str] = mapped_column(String(36), default=new_id)
