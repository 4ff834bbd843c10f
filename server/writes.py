"""How every write runs: an optional idempotency claim, then one transaction that
takes the company's feed turn first, does the work and stores the response."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core.errors import Duplicate, InUse, ValidationError
from core.wire import INVALID, Collection, Problem, WireError
from server import feed, idempotency
from server.auth import Principal
from server.db import Database
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
        principal: Principal = request.state.principal
        if scope not in principal.scopes:
            raise ApiError(403, "FORBIDDEN", f"this API key lacks the scope {scope}")
        return cls(request.app.state.db, request.app.state.settings, principal)


async def read_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise field_errors([Problem("body", INVALID, f"is not valid JSON ({exc})")]) from exc


def wire_errors(spec: Collection | None, exc: ValidationError) -> ApiError:
    """Core's field errors in the wire's field names: a value another record holds
    (a duplicate) or a record still in use is a 409 clash, the rest 422."""
    if isinstance(exc, WireError):
        return field_errors(exc.problems)
    name = spec.wire_name(exc.field) if spec else exc.field
    refused = field_errors([Problem(name, INVALID, exc.problem)])
    if isinstance(exc, Duplicate | InUse):
        return ApiError(409, "CONFLICT", f"refused: {name} {exc.problem}", refused.detail)
    return refused


def run_write(
    ctx: Ctx,
    request: Request,
    body: Any,
    work: Callable[[Session], Response],
    spec: Collection | None = None,
) -> Response:
    """Run ``work`` as one write of the caller's company, honouring Idempotency-Key."""
    key = request.headers.get("idempotency-key")
    held = None
    if key is not None:
        print_ = idempotency.fingerprint(
            request.method,
            request.url.path + "?" + request.url.query,
            body,
            (request.headers.get("if-match", ""), request.headers.get("if-none-match", "")),
        )
        outcome = idempotency.claim(
            ctx.db, ctx.principal.company_id, key, print_, ctx.settings.idempotency_lease_seconds
        )
        if isinstance(outcome, Response):
            return outcome
        held = outcome
    done = False
    try:
        with ctx.db.transaction() as session:
            feed.lock(ctx.db, session, ctx.principal.company_id)
            response = work(session)
            if held is not None:
                idempotency.complete(session, held, response)
        done = True
        return response
    except ValidationError as exc:
        raise wire_errors(spec, exc) from exc
    except IntegrityError as exc:
        raise ApiError(
            409, "CONFLICT", "the change clashes with an existing record (a duplicate?)"
        ) from exc
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        raise ApiError(
            503, "BUSY", "the database is busy; retry shortly", headers={"Retry-After": "1"}
        ) from exc
    finally:
        if held is not None and not done:
            idempotency.release(ctx.db, held)
