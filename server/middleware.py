"""Around every request: a request id, the API key, the rate limit, the access log,
and the last line of defence that turns an unexpected error into a clean 500."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server import ratelimit, tokens
from server.auth import Principal
from server.db import overloaded
from server.envelope import ApiError, error_response
from server.logs import LOGGER
from server.writes import MAX_BODY_BYTES, too_large

#: Paths anyone may read without a key and without counting against a limit: a load
#: balancer's health probe or a client fetching the API's description must never be
#: refused with 429. They still send the rate headers, showing the caller's current
#: quota (see :func:`peek`) without charging it.
OPEN_PATHS = frozenset({"/health", "/v1/health", "/v1/openapi.json", "/v1/docs"})

#: On every /v1 answer: records hold personal data (names, e-mails, rates), so no
#: cache (browser or proxy) keeps them, and no browser guesses another content type.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

Next = Callable[[Request], Awaitable[Response]]


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


def count(request: Request, principal: Principal | None, cost: int = 1) -> ratelimit.Quota:
    """Charge ``cost`` requests to the caller's bucket; the answer's headers show the
    latest count (``/v1/batch`` charges its further operations through here too)."""
    bucket, limit = _bucket(request, principal)
    window = request.app.state.settings.rate_window_seconds
    quota = ratelimit.hit(request.app.state.db, bucket, limit, window, cost=cost)
    request.state.quota = quota
    return quota


def peek(request: Request) -> ratelimit.Quota:
    """The caller's quota as it stands, charging nothing: an open path's rate headers."""
    principal = tokens.principal_of(request)
    bucket, limit = _bucket(request, principal)
    window = request.app.state.settings.rate_window_seconds
    return ratelimit.peek(request.app.state.db, bucket, limit, window)


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


async def _guarded(request: Request, call_next: Next) -> Response:
    if request.url.path in OPEN_PATHS:
        response = await _answer(request, call_next)
        try:
            quota = await run_in_threadpool(peek, request)
        except Exception:  # a health probe answers even when the count cannot be read
            LOGGER.warning("rate quota unreadable on an open path", exc_info=True)
        else:
            response.headers.update(quota.headers())
        return response
    if _declared_too_large(request):
        return too_large().response()
    principal = await run_in_threadpool(tokens.principal_of, request)
    quota = await run_in_threadpool(count, request, principal)
    request.state.principal = principal
    if quota.exceeded:
        response = rate_limited(quota)
    elif principal is None and request.url.path == tokens.TOKEN_PATH:
        response = error_response(
            401,
            "UNAUTHORIZED",
            "HTTP Basic with an API key's id and secret is required",
            headers={"WWW-Authenticate": 'Basic realm="shiftdesk"'},
        )
    elif principal is None:
        response = error_response(
            401,
            "UNAUTHORIZED",
            "a valid API key or token is required (Authorization: Bearer <key or token>"
            " or X-API-Key)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    else:
        response = await _answer(request, call_next)
    response.headers.update(request.state.quota.headers())
    return response


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
    if isinstance(exc, DBAPIError | PoolTimeout) and overloaded(exc):
        return error_response(
            503, "BUSY", "the database is busy; retry shortly", headers={"Retry-After": "2"}
        )
    return _internal_error(request)


async def _answer(request: Request, call_next: Next) -> Response:
    try:
        return await call_next(request)
    except ApiError as exc:
        return exc.response()
    except Exception as exc:  # rendered as a clean 500 and logged in full, never hidden
        return _failed(request, exc)


async def around_request(request: Request, call_next: Next) -> Response:
    request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
    request.state.request_id = request_id
    started = time.perf_counter()
    try:
        response = await _guarded(request, call_next)
    except ApiError as exc:
        response = exc.response()
    except Exception as exc:  # the key or rate-limit lookup failed: 503 or a clean 500
        response = _failed(request, exc)
    response.headers["X-Request-Id"] = request_id
    if request.url.path.startswith("/v1"):
        response.headers.update(PRIVATE_HEADERS)
    principal = getattr(request.state, "principal", None)
    LOGGER.info(
        "request",
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": request.url.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "key_id": principal.key_id if principal else None,
            "company_id": principal.company_id if principal else None,
        },
    )
    return response
