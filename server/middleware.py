"""Around every request: a request id, the API key, the rate limit, the access log,
and the last line of defence that turns an unexpected error into a clean 500."""

from __future__ import annotations

import time
import uuid

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import auth, ratelimit, tokens
from server.auth import Principal
from server.db import overloaded
from server.envelope import ApiError, error_response
from server.logs import LOGGER
from server.writes import MAX_BODY_BYTES, busy, too_large

#: Paths anyone may read without a key and without counting against a limit: a load
#: balancer's health probe or a client fetching the API's description must never be
#: refused with 429. They still send the rate headers, showing the caller's current
#: quota (see :func:`peek`) without charging it.
OPEN_PATHS = frozenset({"/health", "/v1/health", "/v1/openapi.json", "/v1/docs"})

#: On every /v1 answer: records hold personal data (names, e-mails, rates), so no
#: cache (browser or proxy) keeps them, and no browser guesses another content type.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _bucket(request: Request, principal: Principal | None) -> tuple[str, int]:
    """The caller's rate bucket and its limit."""
    settings = request.app.state.settings
    if principal is not None:
        bucket = f"key:{principal.key_id}"
        limit = principal.rate_limit or settings.rate_limit
    else:  # unauthenticated callers share a limit per address: guessing keys is slow
        bucket = f"ip:{request.client.host if request.client else 'unknown'}"
        limit = settings.rate_limit
    return bucket, limit


def count(
    request: Request,
    principal: Principal | None,
    cost: int = 1,
    conn: Connection | None = None,
) -> ratelimit.Quota:
    """Charge ``cost`` requests to the caller's bucket (on ``conn`` if given); the
    answer's headers show the latest count (``/v1/batch`` charges its further
    operations through here too)."""
    bucket, limit = _bucket(request, principal)
    window = request.app.state.settings.rate_window_seconds
    quota = ratelimit.hit(request.app.state.db, bucket, limit, window, cost=cost, conn=conn)
    request.state.quota = quota
    return quota


def _count_known(request: Request, principal: Principal, conn: Connection) -> bool:
    """Charge a remembered key's bucket and tell whether the key still stands, in
    one statement."""
    bucket, limit = _bucket(request, principal)
    window = request.app.state.settings.rate_window_seconds
    quota, stands = ratelimit.hit_reading(
        request.app.state.db,
        bucket,
        limit,
        window,
        auth.STANDING,
        {"standing_key": principal.key_id},
        conn=conn,
    )
    request.state.quota = quota
    return bool(stands)


def identify_and_count(request: Request) -> Principal | None:
    """Who calls, and the request charged to their bucket: the key's lookup and the
    rate limit's upsert on one pooled connection in autocommit (a read, then one
    statement that commits by itself: neither needs a transaction around it), so a
    request pays one checkout and one trip to the thread pool for both. A key this
    process knows (:class:`server.auth.KnownKeys`) is not read again: the upsert
    reads whether it still stands; a revoked one is forgotten and the request
    identified and charged as if it had never been known."""
    known_keys: auth.KnownKeys = request.app.state.known_keys
    secret = tokens.api_key_secret(request)
    with request.app.state.db.autocommit() as conn:
        known = known_keys.get(secret) if secret is not None else None
        if known is not None:
            if _count_known(request, known, conn):
                return known
            known_keys.forget(str(secret))
        with Session(bind=conn) as session:
            principal = tokens.principal_in(session, request)
        if principal is not None and secret is not None:
            known_keys.remember(secret, principal)
        count(request, principal, conn=conn)
    return principal


def peek(request: Request) -> ratelimit.Quota:
    """The caller's quota as it stands, charging nothing: an open path's rate headers;
    the key's lookup and the count's read on one autocommit connection, as
    :func:`identify_and_count`."""
    with request.app.state.db.autocommit() as conn, Session(bind=conn) as session:
        principal = tokens.principal_in(session, request)
        bucket, limit = _bucket(request, principal)
        window = request.app.state.settings.rate_window_seconds
        return ratelimit.peek(request.app.state.db, bucket, limit, window, conn=conn)


def rate_limited(quota: ratelimit.Quota) -> Response:
    """429: the bucket is spent; come back when it has room for the request."""
    return error_response(
        429,
        "RATE_LIMITED",
        f"the rate limit of {quota.limit} requests is spent; retry in {quota.reset_seconds} s",
        headers={"Retry-After": str(quota.reset_seconds)},
    )


def _declared_too_large(request: Request) -> bool:
    """A body announced larger than the server reads (the stream is capped too)."""
    length = request.headers.get("content-length", "")
    return length.isascii() and length.isdigit() and int(length[:12]) > MAX_BODY_BYTES


def _refusal(request: Request, principal: Principal | None) -> Response | None:
    """The answer a request gets before it reaches a route, if any: 429 when its
    bucket is spent, 401 without a valid credential."""
    quota: ratelimit.Quota = request.state.quota
    if quota.exceeded:
        return rate_limited(quota)
    if principal is None and request.url.path == tokens.TOKEN_PATH:
        return error_response(
            401,
            "UNAUTHORIZED",
            "HTTP Basic with an API key's id and secret is required",
            headers={"WWW-Authenticate": 'Basic realm="shiftdesk"'},
        )
    if principal is None:
        return error_response(
            401,
            "UNAUTHORIZED",
            "a valid API key or token is required (Authorization: Bearer <key or token>"
            " or X-API-Key)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return None


async def _admit(request: Request) -> Response | None:
    """Decide whether the request reaches a route: None if it does (its principal and
    charged quota in ``request.state``), else the answer it gets instead. An open
    path is charged nothing but still shows the caller's quota."""
    if request.url.path in OPEN_PATHS:
        try:
            request.state.quota = await run_in_threadpool(peek, request)
        except Exception:  # a health probe answers even when the count cannot be read
            LOGGER.warning("rate quota unreadable on an open path", exc_info=True)
        return None
    if _declared_too_large(request):
        return too_large().response()
    principal = await run_in_threadpool(identify_and_count, request)
    request.state.principal = principal
    return _refusal(request, principal)


def _internal_error(request: Request) -> Response:
    """Log the error in full with the request id; tell the client only the id."""
    request_id = request.state.request_id
    LOGGER.exception("unhandled error", extra={"request_id": request_id, "path": request.url.path})
    return error_response(
        500,
        "INTERNAL",
        f"internal error; quote request id {request_id} to the administrator",
        {"requestId": request_id},
    )


def _failed(request: Request, exc: Exception) -> Response:
    """A database too busy now (the pool, a lock, SQLite's file) is a 503 the client
    retries after Retry-After; anything else a logged 500."""
    if overloaded(exc):
        return busy(exc).response()
    return _internal_error(request)


def _log(request: Request, status: int, started: float) -> None:
    """The access log line of one request."""
    principal = getattr(request.state, "principal", None)
    LOGGER.info(
        "request",
        extra={
            "request_id": request.state.request_id,
            "method": request.method,
            "path": request.url.path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "key_id": principal.key_id if principal else None,
            "company_id": principal.company_id if principal else None,
        },
    )


class AroundRequest:
    """Pure ASGI middleware (no ``BaseHTTPMiddleware``: that runs the route in a task
    of its own and copies every response through a stream, on every request): the
    request id, the key and the rate limit before the route, the id, privacy and
    rate headers added to whatever answers, the access log line written before the
    answer's last part goes out (so it is in the log by the time the client has
    the answer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        status = 500
        answered = logged = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, answered, logged
            if message["type"] == "http.response.start":
                answered = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                quota = getattr(request.state, "quota", None)
                if quota is not None:  # the latest count: a batch charges more on the way
                    headers.update(quota.headers())
                headers["X-Request-Id"] = request_id
                if request.url.path.startswith("/v1"):
                    headers.update(PRIVATE_HEADERS)
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                logged = True
                _log(request, status, started)
            await send(message)

        try:
            refused = await _admit(request)
            if refused is None:
                await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # a clean 503 or 500, unless the answer is under way
            if answered:
                raise
            refused = exc.response() if isinstance(exc, ApiError) else _failed(request, exc)
        if refused is not None:
            await refused(scope, receive, send_with_headers)
        if not logged:  # the answer never finished (the client went away)
            _log(request, status, started)
