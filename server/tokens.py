"""The token grant: an API key, shown as HTTP Basic (key id : secret), buys a signed
bearer token (a JWT, HS256) that the API accepts wherever it accepts the key.

A token names its key (``sub``), company (``cid``) and scopes (``scope``), and ends
at ``exp``. Every request with a token looks the key up again, so revoking the key
ends its tokens at once, and a token never holds a scope the key has lost since.

The signing secret comes from the settings or ``$SHIFTDESK_TOKEN_SECRET``; when
neither gives one, the first worker to need it makes one and stores it in the
database (an insert that loses to another worker's reads the winner's), so several
workers of one database always agree.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt
from sqlalchemy.orm import Session
from starlette.requests import Request

from server.auth import Principal, authenticate, principal_of_key, secret_from_headers
from server.db import Database
from server.settings import ENV_TOKEN_SECRET, Settings
from server.tables import ApiKey, ServerSecret

ALGORITHM = "HS256"
#: The ``server_secret`` row that holds the generated signing key.
SECRET_NAME = "token-signing-key"
#: Who issued the token (checked on the way back in).
ISSUER = "shiftdesk"
#: The grant's route: the one place HTTP Basic is taken.
TOKEN_PATH = "/v1/auth/token"


@dataclass(frozen=True)
class Grant:
    """A token just issued: what ``POST /v1/auth/token`` answers."""

    token: str
    expires_at: int
    expires_in: int
    scopes: tuple[str, ...]

    def render(self) -> dict[str, object]:
        return {
            "accessToken": self.token,
            "tokenType": "Bearer",
            "expiresIn": self.expires_in,
            "expiresAt": self.expires_at,
            "scopes": list(self.scopes),
        }


#: The stored signing key per database URL, once read (it never changes).
_STORED: dict[str, str] = {}


def signing_secret(db: Database, settings: Settings) -> str:
    """The key tokens (and list page tokens) are signed with (see the module's
    docstring)."""
    configured = settings.token_secret or os.environ.get(ENV_TOKEN_SECRET)
    if configured:
        return configured
    if db.url in _STORED:
        return _STORED[db.url]
    with db.transaction() as session:
        session.execute(
            db.insert(ServerSecret)
            .values(name=SECRET_NAME, value=secrets.token_urlsafe(48))
            .on_conflict_do_nothing(index_elements=["name"])
        )
    with db.transaction() as session:
        stored = session.get(ServerSecret, SECRET_NAME)
        assert stored is not None
        _STORED[db.url] = stored.value
        return stored.value


def looks_like_token(credential: str) -> bool:
    """A JWT (three dot-separated parts) rather than an API key (``sdk_…``)."""
    return credential.count(".") == 2 and not credential.startswith("sdk_")


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """``Authorization: Basic base64(key id:secret)``, or None when absent or unreadable."""
    if authorization is None or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    key_id, sep, secret = decoded.partition(":")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


def authenticate_basic(session: Session, key_id: str, secret: str) -> Principal | None:
    """The key whose id and secret these are, unless revoked."""
    principal = authenticate(session, secret)
    if principal is None or not secrets.compare_digest(principal.key_id, key_id):
        return None
    return principal


def issue(principal: Principal, signing_key: str, ttl_seconds: int) -> Grant:
    """A token for the key ``principal`` is, good for ``ttl_seconds``."""
    now = int(time.time())
    scopes = tuple(sorted(principal.scopes))
    claims = {
        "iss": ISSUER,
        "sub": principal.key_id,
        "cid": principal.company_id,
        "scope": " ".join(scopes),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, signing_key, algorithm=ALGORITHM)
    return Grant(token, now + ttl_seconds, ttl_seconds, scopes)


def authenticate_token(session: Session, token: str, signing_key: str) -> Principal | None:
    """The key a valid, unexpired token was granted to, with the scopes both the token
    and the key still hold; None for a bad, expired or revoked one."""
    try:
        claims = jwt.decode(
            token,
            signing_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "cid", "scope", "iss"]},
        )
    except jwt.PyJWTError:
        return None
    key = session.get(ApiKey, str(claims["sub"]))
    if key is None or key.revoked_at is not None or key.company_id != claims["cid"]:
        return None
    scopes = frozenset(str(claims["scope"]).split()) & frozenset(key.scopes.split(","))
    return principal_of_key(key, scopes)


def signing_key_of(request: Request) -> str:
    """The app's signing key (:func:`signing_secret`: a stored one is read once per
    process)."""
    return signing_secret(request.app.state.db, request.app.state.settings)


def api_key_secret(request: Request) -> str | None:
    """The API key a request outside the grant's route carries (not a token), if any."""
    if request.url.path == TOKEN_PATH:
        return None
    secret = secret_from_headers(
        request.headers.get("authorization"), request.headers.get("x-api-key")
    )
    return None if secret is None or looks_like_token(secret) else secret


def principal_in(session: Session, request: Request) -> Principal | None:
    """Who calls: on the grant's route the key in HTTP Basic; elsewhere an API key or
    a token granted for one (``Authorization: Bearer`` or ``X-API-Key``); looked up
    in ``session``. The key's row is read on every request, so a revoked key is
    refused at once."""
    if request.url.path == TOKEN_PATH:
        basic = basic_credentials(request.headers.get("authorization"))
        return None if basic is None else authenticate_basic(session, *basic)
    secret = secret_from_headers(
        request.headers.get("authorization"), request.headers.get("x-api-key")
    )
    if secret is None:
        return None
    if looks_like_token(secret):
        return authenticate_token(session, secret, signing_key_of(request))
    return authenticate(session, secret)
