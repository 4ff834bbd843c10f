"""``Idempotency-Key``: a retried write returns the first answer instead of acting twice.

A key is claimed in its own short transaction before the work starts; the
successful response is stored in the *same* transaction as the write, so either
both are there or neither. A refused or failed request releases its claim, so the
client may fix the request (e.g. after a three-way merge) and send it again under
the same key. A claim whose request died is free again after a lease.

Fencing: each claim carries a token of its own (``owner``). A request that outlived
its lease may find its key taken over by a retry; completing or releasing then
matches nothing, and the late request rolls back instead of committing beside the
retry (:class:`ClaimLost`). Requests are bounded well inside the lease
(:meth:`server.settings.Settings.request_bound`), so this is the rare case.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.responses import Response
from sqlalchemy import Insert, bindparam, delete, update
from sqlalchemy.orm import Session

from core.timeutil import utcnow
from server.db import Database
from server.envelope import ApiError
from server.tables import IdempotencyRecord

#: The table, not its mapped class, in the claim's statements: a statement over a
#: mapped class goes through the ORM's bulk machinery (an autoflush and its
#: bookkeeping), which a claim's row does not need.
_ROWS = IdempotencyRecord.__table__

#: Response headers worth replaying.
_KEPT_HEADERS = ("etag", "location", "content-type")
MAX_KEY_LENGTH = 200


def fingerprint(method: str, path: str, body: Any, preconditions: tuple[str, ...]) -> str:
    document = json.dumps([method, path, body, *preconditions], sort_keys=True, default=str)
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    company_id: str
    key: str
    fingerprint: str
    #: This claim's token: only its holder may complete or release the key.
    owner: str = ""


class ClaimLost(ApiError):
    """The request outlived its claim's lease and a retry took the key over: its
    work is rolled back, the retry's answer stands."""

    def __init__(self) -> None:
        super().__init__(
            409,
            "IDEMPOTENCY_IN_PROGRESS",
            "this request took longer than its Idempotency-Key's lease and a retry took"
            " the key over; retry to get that request's answer",
            headers={"Retry-After": "1"},
        )


def claim(
    db: Database, company_id: str, key: str, print_: str, lease_seconds: int
) -> Claim | Response:
    """Claim the key in its own short transaction, or return the stored response of
    an earlier success (see :func:`claim_in`)."""
    with db.transaction() as session:
        return claim_in(session, db, company_id, key, print_, lease_seconds)


def claim_in(
    session: Session, db: Database, company_id: str, key: str, print_: str, lease_seconds: int
) -> Claim | Response:
    """Claim the key inside ``session``, or return the stored response of an earlier
    success. ``/v1/batch`` claims inside each operation's savepoint, so a refused
    operation's claim rolls back with it, and a concurrent request with the same key
    waits for the batch's commit (PostgreSQL) instead of racing it.

    Raises 400 for a malformed key, 422 when the key was used for another request
    (the Idempotency-Key draft's answer) and 409 while a request with the key is
    still running.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            400,
            "VALIDATION",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
            {"fields": [{"field": "Idempotency-Key", "code": "INVALID", "message": "bad length"}]},
        )
    now = utcnow()
    owner = secrets.token_hex(16)
    inserted = session.execute(
        _claim(db),
        {
            "company_id": company_id,
            "key": key,
            "fingerprint": print_,
            "claimed_at": now,
            "owner": owner,
        },
    ).scalar()
    if inserted is not None:
        return Claim(company_id, key, print_, owner)
    found = session.get(IdempotencyRecord, (company_id, key))
    if found is None:  # released between our insert and read: try once more
        raise ApiError(409, "IDEMPOTENCY_IN_PROGRESS", "this Idempotency-Key is in use")
    if found.fingerprint != print_:
        raise ApiError(
            422,
            "IDEMPOTENCY_MISMATCH",
            "this Idempotency-Key was used for a different request",
        )
    if found.status_code is not None:
        headers = dict(found.headers or {})
        headers["Idempotent-Replayed"] = "true"
        return Response(found.body or "", found.status_code, headers=headers)
    if found.claimed_at > now - timedelta(seconds=lease_seconds):
        raise ApiError(
            409,
            "IDEMPOTENCY_IN_PROGRESS",
            "a request with this Idempotency-Key is still being processed; retry later",
            headers={"Retry-After": "1"},
        )
    # Still unanswered and still the claim read above: a request completing it
    # meanwhile (its row locked until it commits) makes this match nothing.
    taken = session.execute(
        update(_ROWS)
        .where(
            _ROWS.c.company_id == company_id,
            _ROWS.c.key == key,
            _ROWS.c.claimed_at == found.claimed_at,
            _ROWS.c.status_code.is_(None),
        )
        .values(claimed_at=now, owner=owner)
    ).rowcount
    if not taken:
        raise ApiError(409, "IDEMPOTENCY_IN_PROGRESS", "this Idempotency-Key is in use")
    return Claim(company_id, key, print_, owner)


def _held_by(held: Claim) -> tuple:
    return (
        _ROWS.c.company_id == held.company_id,
        _ROWS.c.key == held.key,
        _ROWS.c.owner == held.owner,
        _ROWS.c.status_code.is_(None),
    )


#: A claim's statements, built once (per dialect for the insert): every write
#: with a key, and each operation of a batch, runs them, and building and keying a
#: statement anew cost more than running it.
_CLAIMS: dict[str, Insert] = {}
_COMPLETE = (
    update(_ROWS)
    .where(
        _ROWS.c.company_id == bindparam("held_company"),
        _ROWS.c.key == bindparam("held_key"),
        _ROWS.c.owner == bindparam("held_owner"),
        _ROWS.c.status_code.is_(None),
    )
    .values(
        status_code=bindparam("done_status"),
        headers=bindparam("done_headers", type_=_ROWS.c.headers.type),
        body=bindparam("done_body"),
    )
)


def _claim(db: Database) -> Insert:
    stmt = _CLAIMS.get(db.engine.dialect.name)
    if stmt is None:
        stmt = _CLAIMS[db.engine.dialect.name] = (
            db.insert(_ROWS)
            .on_conflict_do_nothing(index_elements=["company_id", "key"])
            .returning(_ROWS.c.key)
        )
    return stmt


def complete(session: Session, held: Claim, response: Response) -> None:
    """Store a successful response, inside the transaction that made it; raises
    :class:`ClaimLost` (so that transaction rolls back) when the claim is no longer
    ``held``'s."""
    stored = session.execute(
        _COMPLETE,
        {
            "held_company": held.company_id,
            "held_key": held.key,
            "held_owner": held.owner,
            "done_status": response.status_code,
            "done_headers": {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS},
            "done_body": bytes(response.body).decode(),
        },
    ).rowcount
    if not stored:
        raise ClaimLost


def release(db: Database, held: Claim) -> None:
    """Free the key for a corrected request, unless another request holds it now."""
    with db.transaction() as session:
        session.execute(delete(_ROWS).where(*_held_by(held)))
