"""``/v1/sites``: the company's sites, read-only (the administrator makes them).

Any key of the company may read them, whatever its scopes: a department, an
employee, a template and a shift each name a ``siteId``, and a client must know
its company's sites (and their time zones) before it can write any of them;
``/v1/currentuser`` lists them to every key as well.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import func, select

from core.errors import ValidationError
from core.models import Site
from core.wire import SITE, Paging, parse_id, shape_schema, show
from server import docs, keyset, tokens
from server.envelope import ApiError, ok, ok_list
from server.routers.collections import paging, param_names, refuse_unknown
from server.writes import Ctx, wire_errors

router = APIRouter(prefix="/sites", tags=["sites"])

_ITEM = shape_schema(SITE)
_KNOWN = param_names(docs.PAGE_PARAMS)


def _ctx(request: Request) -> Ctx:
    return Ctx(request.app.state.db, request.app.state.settings, request.state.principal)


def _list(ctx: Ctx, params: Mapping[str, str]) -> Response:
    refuse_unknown(params, _KNOWN)
    page, rows = paging(params, ctx.settings.max_page_rows)
    mine = Site.company_id == ctx.principal.company_id
    secret = tokens.signing_secret(ctx.db, ctx.settings)
    with ctx.db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(Site).where(mine)) or 0
        order = (func.lower(Site.name), Site.id)
        found, page, following = keyset.fetch(
            session, select(Site).where(mine), order, params, page, rows, secret
        )
        shown = [show(SITE, s) for s in found]
        return ok_list(SITE.name, shown, Paging.of(page, rows, total, following))


@router.get(
    "",
    operation_id="list_sites",
    summary="List the company's sites, by name",
    responses=docs.responses({200: docs.list_envelope(SITE.name, _ITEM)}),
    openapi_extra={"parameters": list(docs.PAGE_PARAMS)},
)
async def list_sites(request: Request) -> Response:
    try:
        return await run_in_threadpool(_list, _ctx(request), request.query_params)
    except ValidationError as exc:
        raise wire_errors(None, exc) from exc


def _get(ctx: Ctx, site_id: str) -> Response:
    missing = ApiError(404, "NOT_FOUND", f"no site with id {site_id}")
    try:
        rid = parse_id(site_id)
    except ValueError:
        raise missing from None
    with ctx.db.transaction() as session:
        site = session.get(Site, rid)
        if site is None or site.company_id != ctx.principal.company_id:
            raise missing  # another company's site does not exist for this key
        return ok(SITE.item, show(SITE, site))


@router.get(
    "/{site_id}",
    operation_id="get_site",
    summary="Get one of the company's sites",
    responses=docs.responses({200: docs.envelope(SITE.item, _ITEM)}, (404,)),
)
async def get_site(request: Request, site_id: str) -> Response:
    return await run_in_threadpool(_get, _ctx(request), site_id)
