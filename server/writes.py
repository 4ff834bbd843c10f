"""How every write runs: an optional idempotency claim, then one transaction that
takes the company's feed turn first, does the work and stores the response.

A write is first *planned* (:class:`Planned`: its scope and its work, from its
method, path and headers), then run: alone by :func:`run_write`, or by
:func:`run_in` as one operation of ``/v1/batch`` inside the batch's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from core.errors import ConflictError, Duplicate, IllegalState, InUse, NotFound, ValidationError
from core.wire import INVALID, Collection, ErrorEnvelope, Problem, WireError
from server import feed, idempotency
from server.auth import Principal
from server.db import Database, overloaded
from server.envelope import ApiError, field_errors
from server.settings import Settings


@dataclass(frozen=True)
class Ctx:
    """What a request handler needs: the database, the settings, the caller."""

    db: Database
    settings: Settings
    principal: Principal

    @classmethod
    def of(cls, request: Request, scope: str) -> Ctx:
        ctx = cls(request.app.state.db, request.app.state.settings, request.state.principal)
        ctx.require(scope)
        return ctx

    def require(self, scope: str) -> None:
        """403 unless the caller's key holds ``scope``."""
        if scope not in self.principal.scopes:
            raise ApiError(403, "FORBIDDEN", f"this API key lacks the scope {scope}")


@dataclass(frozen=True)
class Target:
    """What a write is aimed at before its body is read: the record id in its path
    (None for a POST to the collection), its headers (looked up by lower-case name)
    and its query parameters."""

    record_id: str | None
    headers: Mapping[str, str]
    query: Mapping[str, str]

    @classmethod
    def of(cls, request: Request, record_id: str | None = None) -> Target:
        return cls(record_id, request.headers, request.query_params)


@dataclass(frozen=True)
class Planned:
    """A write decided from its method, path and headers: the scope it needs and the
    work that does it in a transaction. A single route and each operation of
    ``/v1/batch`` run the same plan, so they cannot disagree on what a write means."""

    scope: str
    spec: Collection | None
    work: Callable[[Ctx, Session, Any], Response]
    #: Whether the work reads a body (an action does not: its body is ignored, and so
    #: left out of the Idempotency-Key's fingerprint).
    takes_body: bool = True


#: Plans a write from its target, or raises the :class:`ApiError` its single route
#: answers before any work (400 on a bad id, 428 without a precondition, ...).
Planner = Callable[[Target], Planned]


@dataclass(frozen=True)
class WriteRequest:
    """The parts of a write that its Idempotency-Key's fingerprint covers."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: Any

    @classmethod
    def of(cls, request: Request, body: Any) -> WriteRequest:
        return cls(request.method, request.url.path, request.url.query, request.headers, body)

    @property
    def key(self) -> str | None:
        return self.headers.get("idempotency-key")

    def fingerprint(self) -> str:
        return idempotency.fingerprint(
            self.method,
            self.path + "?" + self.query,
            self.body,
            (self.headers.get("if-match", ""), self.headers.get("if-none-match", "")),
        )


#: A request body larger than this is refused (413) before it is parsed.
MAX_BODY_BYTES = 1_000_000
#: JSON nested deeper than this is refused: no record or batch comes near it, and
#: deeper documents only exhaust the parser's and the encoder's recursion.
MAX_DEPTH = 32


def too_large() -> ApiError:
    return ApiError(413, "PAYLOAD_TOO_LARGE", f"the request body exceeds {MAX_BODY_BYTES} bytes")


def malformed(problem: Problem) -> ApiError:
    """400: the body is no JSON document this server can read, naming where."""
    invalid = ErrorEnvelope.invalid([problem])
    return ApiError(400, invalid.err_code, invalid.message, invalid.detail)


def _printable(name: str) -> str:
    return name.encode("utf-8", "backslashreplace").decode()


def _unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate such as \ud800
        return False
    return True


def check_document(document: Any) -> None:
    """Refuse (400, naming the field) a document nested deeper than :data:`MAX_DEPTH`
    or holding text that is not Unicode (an unpaired surrogate, in a value or a
    field name), which the database and the answer could not encode."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        where = path or "body"
        if depth > MAX_DEPTH:
            raise malformed(Problem(where, INVALID, f"nests deeper than {MAX_DEPTH} levels"))
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else key
                if not _unicode(key):
                    message = "is a field name that is not valid Unicode (an unpaired surrogate)"
                    raise malformed(Problem(_printable(name), INVALID, message))
                stack.append((item, name, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{n}]", depth + 1) for n, item in enumerate(value))
        elif isinstance(value, str) and not _unicode(value):
            message = "is not valid Unicode (an unpaired surrogate)"
            raise malformed(Problem(_printable(where), INVALID, message))


async def read_body(request: Request) -> Any:
    """The JSON body, at most :data:`MAX_BODY_BYTES` (413 beyond), checked by
    :func:`check_document`; a body that is no JSON (a number of 5,000 digits
    included) is a 400."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large()
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return None
    try:
        document = json.loads(raw)
    except RecursionError as exc:
        raise malformed(Problem("body", INVALID, f"nests deeper than {MAX_DEPTH} levels")) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        reason = str(exc)[:200]
        raise malformed(Problem("body", INVALID, f"is not valid JSON ({reason})")) from exc
    check_document(document)
    return document


def wire_errors(spec: Collection | None, exc: ValidationError) -> ApiError:
    """Core's field errors in the wire's field names: a value another record holds
    (a duplicate) or a record still in use is a 409 clash, a change the record's
    state forbids 422, the rest (malformed or invalid input) 400."""
    if isinstance(exc, WireError):
        return field_errors(exc.problems)
    name = spec.wire_name(exc.field) if spec else exc.field
    refused = field_errors([Problem(name, INVALID, exc.problem)])
    if isinstance(exc, Duplicate | InUse):
        return ApiError(409, "CONFLICT", f"refused: {name} {exc.problem}", refused.detail)
    if isinstance(exc, IllegalState):
        return ApiError(422, "ILLEGAL_TRANSITION", exc.problem, refused.detail)
    return refused


#: What a write may raise to refuse itself; anything else is a failure (500).
REFUSALS = (ApiError, ValidationError, ConflictError, NotFound, IntegrityError)


def refusal(exc: Exception, spec: Collection | None = None) -> ApiError:
    """The error answer for one of :data:`REFUSALS`, in the words of ``spec``."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationError):
        return wire_errors(spec, exc)
    if isinstance(exc, ConflictError):
        return ApiError.of(ErrorEnvelope.refused(str(exc), exc.conflicts))
    if isinstance(exc, NotFound):
        return ApiError(404, "NOT_FOUND", str(exc))
    assert isinstance(exc, IntegrityError), exc
    return ApiError(409, "CONFLICT", "the change clashes with an existing record (a duplicate?)")


def busy(exc: Exception) -> ApiError:
    """A database too busy to answer now (:func:`server.db.overloaded`: no pooled
    connection in time, a lock or statement timeout, SQLite's "database is locked")
    as 503 with Retry-After: nothing was kept, the same request may be sent again.
    Re-raises any other failure."""
    if not overloaded(exc):
        raise exc
    return ApiError(
        503, "BUSY", "the database is busy; retry shortly", headers={"Retry-After": "2"}
    )


async def run_planned(request: Request, planned: Planned) -> Response:
    """A single route's write: the scope, the body, then :func:`run_write`."""
    ctx = Ctx.of(request, planned.scope)
    body = await read_body(request) if planned.takes_body else None
    return await run_in_threadpool(run_write, ctx, WriteRequest.of(request, body), planned)


def run_write(ctx: Ctx, write: WriteRequest, planned: Planned) -> Response:
    """Run one write of the caller's company, honouring Idempotency-Key."""
    key = write.key
    held = None
    if key is not None:
        outcome = idempotency.claim(
            ctx.db,
            ctx.principal.company_id,
            key,
            write.fingerprint(),
            ctx.settings.idempotency_lease_seconds,
        )
        if isinstance(outcome, Response):
            return outcome
        held = outcome
    done = False
    try:
        with (
            ctx.db.transaction() as session,
            feed.turn(ctx.db, session, ctx.principal.company_id),
        ):
            response = planned.work(ctx, session, write.body)
            if held is not None:
                idempotency.complete(session, held, response)
        done = True
        return response
    except (ValidationError, IntegrityError) as exc:
        raise refusal(exc, planned.spec) from exc
    except (OperationalError, PoolTimeout) as exc:
        raise busy(exc) from exc
    finally:
        if held is not None and not done:
            idempotency.release(ctx.db, held)


def run_in(ctx: Ctx, session: Session, write: WriteRequest, planned: Planned) -> Response:
    """Run one write inside ``session``, a transaction that holds the company's feed
    turn already (:func:`server.feed.turn`), under a savepoint: a refused write rolls
    back only itself (its Idempotency-Key claim included) and answers as its single
    route would."""
    savepoint = session.begin_nested()
    try:
        ctx.require(planned.scope)
        held = None
        if write.key is not None:
            outcome = idempotency.claim_in(
                session,
                ctx.db,
                ctx.principal.company_id,
                write.key,
                write.fingerprint(),
                ctx.settings.idempotency_lease_seconds,
            )
            if isinstance(outcome, Response):
                savepoint.commit()
                return outcome
            held = outcome
        response = planned.work(ctx, session, write.body)
        if held is not None:
            idempotency.complete(session, held, response)
        savepoint.commit()
        return response
    except REFUSALS as exc:
        savepoint.rollback()
        return refusal(exc, planned.spec).response()
