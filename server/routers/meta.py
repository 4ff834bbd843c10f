"""Health for load balancers, and who the caller is: the key, its company and sites."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import func, select, text

from core.models import Company, Site
from core.wire import COMPANY, SITE, shape_schema, show
from server import docs
from server.envelope import ApiError, ok_document

router = APIRouter()

_HEALTH = docs.envelope(
    "health",
    {
        "type": "object",
        "required": ["database"],
        "properties": {"database": {"type": "string", "enum": ["ok"]}},
    },
)


@router.get("/health", summary="Is the service up and its database reachable?", tags=["meta"])
@router.get(
    "/v1/health",
    summary="Is the service up and its database reachable?",
    tags=["meta"],
    responses=docs.responses({200: _HEALTH}),
)
async def health(request: Request) -> Response:
    def ping() -> None:
        with request.app.state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    await run_in_threadpool(ping)
    return ok_document("health", {"database": "ok"})


#: The key's company and its sites: what a store needs to join the company.
_SITE_SUMMARY = SITE.only("id", "name", "timezone")

_CURRENT = docs.envelope(
    "currentuser",
    {
        "type": "object",
        "required": ["keyId", "companyId", "companyName", "scopes", "company", "sites"],
        "properties": {
            "keyId": {"type": "string"},
            "companyId": {"type": "string"},
            "companyName": {"type": "string"},
            "scopes": {"type": "array", "items": {"type": "string"}},
            "company": shape_schema(COMPANY),
            "sites": {"type": "array", "items": shape_schema(_SITE_SUMMARY)},
        },
    },
)


@router.get(
    "/v1/currentuser",
    summary="The API key in use, its company, the company's sites and the key's scopes",
    tags=["meta"],
    responses=docs.responses({200: _CURRENT}),
)
async def current_user(request: Request) -> Response:
    principal = request.state.principal

    def company_and_sites() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        with request.app.state.db.transaction() as session:
            company = session.get(Company, principal.company_id)
            if company is None:
                raise ApiError(404, "NOT_FOUND", "the key's company no longer exists")
            sites = session.scalars(
                select(Site)
                .where(Site.company_id == company.id)
                .order_by(func.lower(Site.name), Site.id)
            )
            return show(COMPANY, company), [show(_SITE_SUMMARY, site) for site in sites]

    company, sites = await run_in_threadpool(company_and_sites)
    return ok_document(
        "currentuser",
        {
            "keyId": principal.key_id,
            "companyId": principal.company_id,
            "companyName": company["name"],
            "scopes": sorted(principal.scopes),
            "company": company,
            "sites": sites,
        },
    )
