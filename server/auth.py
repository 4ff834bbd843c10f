"""API keys: made once and shown once, kept only as a hash, scoped to one company.

A key looks like ``sdk_<prefix>_<secret>``. Keys carry 256 random bits, so a plain
SHA-256 is a safe way to store them (a slow hash is for guessable passwords).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationError
from core.models import Company
from core.timeutil import utcnow
from core.wire import GUARDS
from server.tables import ApiKey, FeedCounter

#: Every scope a key can hold: read and write per area, deciding on leave, and
#: managing the company's webhooks (subscriptions, delivery log, dead letters).
SCOPES = (
    "schedule:read",
    "schedule:write",
    "leave:read",
    "leave:write",
    "leave:approve",
    "attendance:read",
    "attendance:write",
    # Guarded fields (core.wire.GUARDS): without these a record is served without
    # them and a write that would change them is refused.
    "pay:read",
    "pay:write",
    "personal:read",
    "personal:write",
    "webhooks:manage",
)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its company and what it may do."""

    key_id: str
    company_id: str
    scopes: frozenset[str]
    rate_limit: int | None
    #: Who acts, in words a person reads in a record (``decidedBy``): the key's name,
    #: else its prefix; never a bare id.
    name: str = ""

    @property
    def hidden(self) -> frozenset[str]:
        """The field guards this key may not read (see :func:`core.wire.without`)."""
        return hidden_guards(self.scopes)


def hidden_guards(scopes: Iterable[str]) -> frozenset[str]:
    """The field guards (pay, personal) a holder of ``scopes`` may not read: the one
    rule for what a GET, the change feed and a webhook payload leave out."""
    held = set(scopes)
    return frozenset(g for g in GUARDS if f"{g}:read" not in held)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str | Iterable[str]) -> list[str]:
    items = text.split(",") if isinstance(text, str) else list(text)
    scopes = [s.strip() for s in items if s.strip()]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValidationError(
            "scopes", f"{', '.join(unknown) or 'none given'}; choose from {', '.join(SCOPES)}"
        )
    return list(dict.fromkeys(scopes))


def create_key(
    session: Session,
    company_id: str,
    scopes: Iterable[str],
    *,
    name: str = "",
    rate_limit: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is never stored and cannot be shown again."""
    chosen = parse_scopes(scopes)
    if session.get(Company, company_id) is None:
        raise NotFound("company", company_id)
    if rate_limit is not None and rate_limit < 1:
        raise ValidationError("rate-limit", "must be at least 1 request per window")
    prefix = secrets.token_hex(4)
    secret = f"sdk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        company_id=company_id,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=",".join(chosen),
        name=name,
        rate_limit=rate_limit,
    )
    session.add(key)
    session.flush()
    return key, secret


class KnownKeys:
    """API keys this process has looked up, by the hash of their secret, so that a
    request with one reads no key row. Whether the key still stands (not revoked,
    not gone) is read in the statement that charges its rate limit anyway
    (:func:`standing`): a revoke takes effect on the key's very next request, in
    every worker. A key's company, scopes, limit and name never change."""

    #: Keys remembered at most; beyond it the memory starts over.
    SIZE = 1024

    def __init__(self) -> None:
        self._by_hash: dict[str, Principal] = {}

    def get(self, secret: str) -> Principal | None:
        return self._by_hash.get(_hash(secret))

    def remember(self, secret: str, principal: Principal) -> None:
        if len(self._by_hash) >= self.SIZE:
            self._by_hash.clear()
        self._by_hash[_hash(secret)] = principal

    def forget(self, secret: str) -> None:
        self._by_hash.pop(_hash(secret), None)


#: 1 while the key ``standing_key`` exists and is not revoked, else 0: a scalar
#: subquery to read beside another statement (built once).
STANDING: ColumnElement[int] = (
    select(func.count())
    .select_from(ApiKey.__table__)
    .where(
        ApiKey.__table__.c.id == bindparam("standing_key"),
        ApiKey.__table__.c.revoked_at.is_(None),
    )
    .scalar_subquery()
)


def authenticate(session: Session, secret: str) -> Principal | None:
    key = session.scalar(select(ApiKey).where(ApiKey.secret_hash == _hash(secret)))
    if key is None or key.revoked_at is not None:
        return None
    return principal_of_key(key, frozenset(key.scopes.split(",")))


def principal_of_key(key: ApiKey, scopes: frozenset[str]) -> Principal:
    """Who calls with this key (or a token it was granted), allowed ``scopes``."""
    return Principal(
        key.id, key.company_id, scopes, key.rate_limit, key.name.strip() or f"key {key.prefix}"
    )


def revoke_key(session: Session, key_id: str) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("API key", key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        # The key's subscriptions stop: workers must read the company's list again.
        FeedCounter.webhooks_changed(session, key.company_id)
    return key


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def secret_from_headers(authorization: str | None, api_key: str | None) -> str | None:
    """``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; both at once must agree,
    so a request never passes on one credential while carrying another, bad one."""
    bearer = None
    if authorization is not None:
        if authorization[:7].lower() != "bearer ":
            return None
        bearer = authorization[7:].strip() or None
    key = api_key.strip() if api_key is not None else None
    if bearer is not None and key is not None and bearer != key:
        return None
    return key or bearer
