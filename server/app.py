"""The ASGI application: routers under ``/v1``, one error envelope for every failure.

Nothing correctness depends on lives in the process: keys, limits, the feed and
idempotency are all in the database, so several workers can serve one database.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from sqlalchemy import event as sa_event
from starlette.exceptions import HTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core.errors import ConflictError, NotFound, ValidationError
from core.wire import INVALID, Problem
from server import auth, logs, records, webhooks
from server.db import Database
from server.envelope import ApiError, error_response, field_errors
from server.middleware import AroundRequest
from server.routers import (
    attendance,
    batch,
    changes,
    clockevents,
    collections,
    departments,
    employees,
    leave,
    meta,
    pay_periods,
    pay_policies,
    shifts,
    sites,
    templates,
    tokens,
)
from server.routers import webhooks as webhook_routes
from server.settings import Settings
from server.writes import refusal

#: Every collection, each written by the core operations its ``Ops`` names.
ENDPOINTS = [
    departments.ENDPOINT,
    employees.ENDPOINT,
    templates.ENDPOINT,
    shifts.ENDPOINT,
    leave.ENDPOINT,
    clockevents.ENDPOINT,
    attendance.CORRECTIONS_ENDPOINT,
    attendance.APPROVALS_ENDPOINT,
    leave.LINKS_ENDPOINT,
    pay_periods.ENDPOINT,
    pay_policies.ENDPOINT,
]


def _allowed_methods(request: Request) -> list[str]:
    """The methods the published document lists for this path (Starlette names only
    the route it tried first)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


def _handlers() -> dict[Any, Any]:
    def refused(_request: Request, exc: Exception) -> Response:
        return refusal(exc).response()

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return error_response(exc.status_code, code, str(exc.detail), headers=headers)

    def request_invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            Problem(str(e["loc"][-1]) if e["loc"] else "request", INVALID, e["msg"])
            for e in exc.errors()
        ]
        return field_errors(problems or [Problem("request", INVALID, "is invalid")]).response()

    return {
        ApiError: refused,
        ConflictError: refused,
        ValidationError: refused,
        NotFound: refused,
        HTTPException: http_error,
        RequestValidationError: request_invalid,
    }


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title="ShiftDesk central API",
            version="1",
            description="Replication and schedule API of ShiftDesk (see DESIGN.md, Wire contract).",
            routes=app.routes,
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "an API key, or a token from POST /v1/auth/token (a JWT)",
            },
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "basic": {
                "type": "http",
                "scheme": "basic",
                "description": "the token grant only: an API key's id and its secret",
            },
        }
        for path, operations in schema["paths"].items():
            if path in ("/health", "/v1/health"):
                continue
            for operation in operations.values():
                operation["security"] = [{"bearer": []}, {"apiKey": []}]
                if path == "/v1/auth/token":
                    operation["security"] = [{"basic": []}]
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(settings: Settings, *, create_schema: bool = True) -> FastAPI:
    """The application over ``settings.db_url``; creates missing tables unless told not to."""
    logs.configure()
    db = Database(settings.db_url, settings.db_limits)
    if create_schema:
        db.ensure_schema()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """The webhook worker runs while the app serves."""
        worker = webhooks.Worker(db, settings) if settings.webhook_worker else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="ShiftDesk central API",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        exception_handlers=_handlers(),
    )
    app.state.db = db
    app.state.settings = settings
    app.state.known_keys = auth.KnownKeys()
    sa_event.listen(db.sessions, "before_flush", records.stamp_in_flush)
    app.add_middleware(AroundRequest)
    app.include_router(meta.router)
    app.include_router(tokens.router)
    app.include_router(webhook_routes.router, prefix="/v1")
    app.include_router(sites.router, prefix="/v1")
    for endpoint in ENDPOINTS:
        app.include_router(collections.build_router(endpoint), prefix="/v1")
    app.include_router(leave.actions, prefix="/v1")
    app.include_router(changes.register(ENDPOINTS), prefix="/v1")
    app.include_router(batch.register(ENDPOINTS), prefix="/v1")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    if settings.trusted_proxies:  # outermost: the rate limit sees the client it names
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app
