"""Health for load balancers, and who the caller is."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import text

from core.models import Company
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


_CURRENT = docs.envelope(
    "currentuser",
    {
        "type": "object",
        "required": ["keyId", "companyId", "companyName", "scopes"],
        "properties": {
            "keyId": {"type": "string"},
            "companyId": {"type": "string"},
            "companyName": {"type": "string"},
            "scopes": {"type": "array", "items": {"type": "string"}},
        },
    },
)


@router.get(
    "/v1/currentuser",
    summary="The API key in use, its company and scopes",
    tags=["meta"],
    responses=docs.responses({200: _CURRENT}),
)
async def current_user(request: Request) -> Response:
    principal = request.state.principal

    def company_name() -> str:
        with request.app.state.db.transaction() as session:
            company = session.get(Company, principal.company_id)
            if company is None:
                raise ApiError(404, "NOT_FOUND", "the key's company no longer exists")
            return company.name

    name = await run_in_threadpool(company_name)
    return ok_document(
        "currentuser",
        {
            "keyId": principal.key_id,
            "companyId": principal.company_id,
            "companyName": name,
            "scopes": sorted(principal.scopes),
        },
    )
