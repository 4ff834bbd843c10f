"""``GET /v1/changes``: upserts and tombstones in commit order, a page at a time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from core.wire import INVALID, ChangePage, Problem
from server import docs, feed
from server.envelope import ApiError, field_errors, ok_page
from server.routers.collections import Endpoint, param_names, refuse_unknown
from server.writes import Ctx

MAX_LIMIT = 1000
_PARAMS = [
    docs.query(
        "cursor",
        "the cursor of the last page applied; 0 or absent starts over",
        {"type": "string", "pattern": "^[0-9]{1,18}$"},
    ),
    docs.query(
        "limit", "changes per page", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
    ),
]
_KNOWN = param_names(_PARAMS)


def _number(raw: str | None, name: str, default: int, hi: int) -> int:
    if raw is None:
        return default
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), never so many
    # that int() refuses them.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19) or int(raw) > hi:
        raise field_errors([Problem(name, INVALID, f"must be a whole number from 0 to {hi}")])
    return int(raw)


def register(endpoints: list[Endpoint]) -> APIRouter:
    router = APIRouter(tags=["changes"])
    areas = {ep.spec.name: ep.area for ep in endpoints}

    def read(ctx: Ctx, cursor: int, limit: int) -> Response:
        readable = [name for name, area in areas.items() if f"{area}:read" in ctx.principal.scopes]
        if not readable:
            raise ApiError(403, "FORBIDDEN", "this API key may read no collection")
        with ctx.db.transaction() as session:
            try:
                page = feed.read(
                    session,
                    ctx.principal.company_id,
                    cursor,
                    limit,
                    readable,
                    ctx.principal.hidden,
                )
            except feed.CursorGone as exc:
                raise ApiError(
                    410,
                    "CURSOR_EXPIRED",
                    "the cursor is older than the kept tombstones; download everything again"
                    " (cursor 0) and keep your outbox",
                ) from exc
        return ok_page(page)

    @router.get(
        "/changes",
        summary="Changes after a cursor, in commit order",
        responses=docs.responses({200: ChangePage.schema(areas)}, (410,)),
        openapi_extra={"parameters": _PARAMS},
    )
    async def changes(request: Request) -> Response:
        ctx = Ctx(request.app.state.db, request.app.state.settings, request.state.principal)
        refuse_unknown(request.query_params, _KNOWN)
        cursor = _number(request.query_params.get("cursor"), "cursor", 0, 10**18)
        limit = _number(request.query_params.get("limit"), "limit", 200, MAX_LIMIT)
        if limit < 1:
            raise field_errors([Problem("limit", INVALID, "must be at least 1")])
        return await run_in_threadpool(read, ctx, cursor, limit)

    return router
