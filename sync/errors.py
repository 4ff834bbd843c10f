"""What can go wrong talking to the server, as the sync engine reads it.

:class:`sync.client.SyncClient` maps every HTTP outcome that is not success to one
of these, once, at its edge; nothing above it looks at a status code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.results import Conflict
from core.wire import Problem


class SyncError(Exception):
    """Base of every failure the sync client reports."""


class PreconditionFailed(SyncError):
    """412: the record moved on the server since the version the write was based on
    (or, for a create, a record with that id exists). ``current`` is the record as
    the server has it now, ``etag`` its strong ETag: the *theirs* of a three-way
    merge."""

    def __init__(self, message: str, current: Mapping[str, Any], etag: str) -> None:
        super().__init__(message)
        self.current = current
        self.etag = etag

    @property
    def version(self) -> int:
        return int(self.current["recordVersion"])


class Gone(SyncError):
    """The thing asked about is no longer there: a record that was deleted remotely
    (404 on a read, update, delete or action)."""


class CursorExpired(Gone):
    """410 on the change feed: the cursor is older than the tombstones the server
    keeps; download everything again from cursor 0 and keep the outbox."""


class Rejected(SyncError):
    """The server understood the request and refused it for what it says: 400 (invalid
    input: ``problems``, field by field), 422 (a state machine's refusal, also naming
    the field), 409 (a clash: ``conflicts``; or a duplicate).
    Sending it again unchanged gets the same answer, with one exception to check by
    ``err_code``: ``IDEMPOTENCY_IN_PROGRESS`` (409) means an earlier send of the same
    Idempotency-Key is still being processed; leave the entry queued for later."""

    def __init__(
        self,
        status: int,
        message: str,
        err_code: str = "",
        problems: tuple[Problem, ...] = (),
        conflicts: tuple[Conflict, ...] = (),
    ) -> None:
        super().__init__(f"{status} {err_code}: {message}" if err_code else f"{status}: {message}")
        self.status = status
        self.message = message
        self.err_code = err_code
        self.problems = problems
        self.conflicts = conflicts


class Unauthorized(SyncError):
    """401/403: the key was refused, or lacks the scope; no retry will help until
    the key is changed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class RateLimited(SyncError):
    """429 still, after the client's own retries: wait ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(SyncError):
    """503 still, after the client's own retries: wait ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Offline(SyncError):
    """No answer worth reading: the network failed, timed out, or the server broke
    (5xx other than 503). Whether a write took effect is unknown; keep the outbox
    and resend with the same Idempotency-Key later."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ProtocolError(SyncError):
    """The server answered outside the wire contract (a body that is not the
    documented envelope, a write without a strong ETag); a bug to report, not a
    condition to handle."""
