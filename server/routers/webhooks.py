"""``/v1/webhooks`` (a company's subscriptions), ``/v1/webhookdeliveries`` (the
delivery log) and ``/v1/webhookdeadletters`` (see :mod:`server.webhooks`); every
route needs the ``webhooks:manage`` scope."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from core.wire import Paging
from server import docs, webhooks
from server.envelope import ok, ok_list
from server.routers import clockevents, employees, leave, shifts
from server.routers.collections import paging, param_names, refuse_unknown
from server.writes import Ctx, read_body

SCOPE = "webhooks:manage"

#: Subscriptions under /webhooks; the log and the dead letters beside them (not
#: under /webhooks/, where their names would read as a subscription's id).
router = APIRouter(tags=["webhooks"])

_EVENTS = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string"},
    "description": f"event names ({', '.join(webhooks.EVENTS)}), a family such as"
    " shift.*, or * for all; only of records the key may read (attendance.* needs"
    " attendance:read, leave.* leave:read). Payloads leave out the fields the key may"
    " not read (hourlyRate without pay:read, email without personal:read)",
}
_NEW: dict[str, Any] = {
    "type": "object",
    "required": ["url", "events"],
    "additionalProperties": False,
    "properties": {
        "url": {
            "type": "string",
            "format": "uri",
            "description": "http or https, without credentials; a host of a loopback,"
            " private or link-local address only where the server's operator allows it"
            " (SHIFTDESK_WEBHOOK_ALLOW_PRIVATE)",
        },
        "events": _EVENTS,
        "secret": {
            "type": "string",
            "minLength": 16,
            "maxLength": 200,
            "description": "signs each body (HMAC-SHA256); made for you when left out",
        },
        "description": {"type": "string", "maxLength": 200},
        "isActive": {"type": "boolean"},
    },
}
_CHANGE = {**_NEW, "required": []}
_SUBSCRIPTION: dict[str, Any] = {
    "type": "object",
    "required": ["id", "companyId", "url", "events", "isActive", "createdAt", "updatedAt"],
    "properties": {
        "id": {"type": "string"},
        "companyId": {"type": "string"},
        "url": {"type": "string"},
        "events": {"type": "array", "items": {"type": "string"}},
        "description": {"type": "string"},
        "isActive": {"type": "boolean"},
        "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"},
        "secret": {"type": "string", "description": "only in the answer that made it"},
    },
}
_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_DELIVERY: dict[str, Any] = {
    "type": "object",
    "required": ["id", "subscriptionId", "event", "status", "attempts", "payload"],
    "properties": {
        "id": {"type": "string", "description": "also sent as X-ShiftDesk-Delivery"},
        "companyId": {"type": "string"},
        "subscriptionId": {"type": "string"},
        "event": {"type": "string"},
        "status": {"type": "string", "enum": list(webhooks.STATUSES)},
        "attempts": {"type": "integer"},
        "nextAttemptAt": _NULLABLE_TEXT,
        "lastStatus": _NULLABLE_INT,
        "lastError": _NULLABLE_TEXT,
        "createdAt": {"type": "string", "format": "date-time"},
        "deliveredAt": _NULLABLE_TEXT,
        "payload": {
            "type": "object",
            "required": ["event", "timestamp", "data"],
            "properties": {
                "event": {"type": "string"},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": {
                    "type": "object",
                    "description": "the record as the API shows the subscribing key",
                },
            },
        },
        "attemptLog": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "number": {"type": "integer"},
                    "at": {"type": "string"},
                    "statusCode": _NULLABLE_INT,
                    "error": _NULLABLE_TEXT,
                    "durationMs": {"type": "integer"},
                },
            },
        },
    },
}
_ONE = docs.envelope("webhook", _SUBSCRIPTION)
_MANY = docs.list_envelope("webhooks", _SUBSCRIPTION)
_DELIVERY_ONE = docs.envelope("webhookdelivery", _DELIVERY)
_DELIVERIES = docs.list_envelope("webhookdeliveries", _DELIVERY)
_DELIVERY_FILTERS = [
    *docs.PAGE_PARAMS[:2],
    docs.query("status", "only deliveries in this state", {"enum": list(webhooks.STATUSES)}),
    docs.query("subscriptionId", "only one subscription's deliveries", {"type": "string"}),
]
_DEAD_FILTERS = _DELIVERY_FILTERS[:2]


#: The collections whose writes make events, by the scope area that reads them (as
#: their list and get routes do).
_AREAS = {
    ep.spec.name: ep.area
    for ep in (employees.ENDPOINT, shifts.ENDPOINT, leave.ENDPOINT, clockevents.ENDPOINT)
}


def _readable(ctx: Ctx) -> list[str]:
    """The event collections the caller's key may read: it subscribes to no other."""
    return [name for name, area in _AREAS.items() if f"{area}:read" in ctx.principal.scopes]


def _run(
    request: Request,
    work: Callable[[Ctx, Session], Response],
    parameters: Iterable[Mapping[str, Any]] | None = None,
) -> Any:
    """``work`` in a transaction for a key with the scope; a list route names its
    documented ``parameters`` and is refused (400) any other."""
    ctx = Ctx.of(request, SCOPE)
    if parameters is not None:
        refuse_unknown(request.query_params, param_names(parameters))

    def inside() -> Response:
        with ctx.db.transaction() as session:
            return work(ctx, session)

    return run_in_threadpool(inside)


@router.get(
    "/webhooks",
    operation_id="list_webhooks",
    summary="The company's webhook subscriptions",
    responses=docs.responses({200: _MANY}),
)
async def list_webhooks(request: Request) -> Response:
    def work(ctx: Ctx, session: Session) -> Response:
        subs = webhooks.list_subscriptions(session, ctx.principal.company_id)
        shown = [webhooks.show_subscription(s) for s in subs]
        return ok_list("webhooks", shown, Paging.of(1, max(len(shown), 1), len(shown)))

    return await _run(request, work, ())


@router.post(
    "/webhooks",
    operation_id="create_webhook",
    summary="Subscribe a URL to events (the answer shows the signing secret, once)",
    responses=docs.responses({201: _ONE}, (400,)),
    openapi_extra=docs.body(_NEW),
)
async def create_webhook(request: Request) -> Response:
    body = await read_body(request)

    def work(ctx: Ctx, session: Session) -> Response:
        sub = webhooks.create_subscription(
            session,
            ctx.principal.company_id,
            body,
            ctx.principal.key_id,
            allow_private=ctx.settings.webhook_allow_private,
            readable=_readable(ctx),
        )
        shown = webhooks.show_subscription(sub, with_secret=True)
        return ok("webhook", shown, status=201, headers={"Location": f"/v1/webhooks/{sub.id}"})

    return await _run(request, work)


def _deliveries(
    request: Request, status: str | None, parameters: Iterable[Mapping[str, Any]]
) -> Any:
    params = request.query_params

    def work(ctx: Ctx, session: Session) -> Response:
        page, rows = paging(params, ctx.settings.max_page_rows)
        found, total = webhooks.list_deliveries(
            session,
            ctx.principal.company_id,
            status=status if status is not None else params.get("status"),
            subscription_id=params.get("subscriptionId"),
            offset=(page - 1) * rows,
            limit=rows,
        )
        shown = [webhooks.show_delivery(d, hidden=ctx.principal.hidden) for d in found]
        return ok_list("webhookdeliveries", shown, Paging.of(page, rows, total))

    return _run(request, work, parameters)


@router.get(
    "/webhookdeliveries",
    operation_id="list_webhook_deliveries",
    summary="The delivery log: every event sent or to be sent, with its state",
    responses=docs.responses({200: _DELIVERIES}, (400,)),
    openapi_extra={"parameters": _DELIVERY_FILTERS},
)
async def list_deliveries(request: Request) -> Response:
    return await _deliveries(request, None, _DELIVERY_FILTERS)


@router.get(
    "/webhookdeliveries/{delivery_id}",
    operation_id="get_webhook_delivery",
    summary="One delivery with each try and the receiver's answer",
    responses=docs.responses({200: _DELIVERY_ONE}, (404,)),
)
async def get_delivery(request: Request, delivery_id: str) -> Response:
    def work(ctx: Ctx, session: Session) -> Response:
        found = webhooks.get_delivery(session, ctx.principal.company_id, delivery_id)
        shown = webhooks.show_delivery(
            found, webhooks.attempts_of(session, found.id), ctx.principal.hidden
        )
        return ok("webhookdelivery", shown)

    return await _run(request, work)


@router.get(
    "/webhookdeadletters",
    operation_id="list_webhook_dead_letters",
    summary="Deliveries that failed every try: replay or discard them",
    responses=docs.responses({200: _DELIVERIES}, (400,)),
    openapi_extra={"parameters": _DEAD_FILTERS},
)
async def list_dead_letters(request: Request) -> Response:
    return await _deliveries(request, webhooks.DEAD, _DEAD_FILTERS)


@router.post(
    "/webhookdeadletters/{delivery_id}/replay",
    operation_id="replay_webhook_dead_letter",
    summary="Send a dead delivery again: a fresh series of tries, same id and body",
    responses=docs.responses({200: _DELIVERY_ONE}, (404,)),
)
async def replay_dead_letter(request: Request, delivery_id: str) -> Response:
    def work(ctx: Ctx, session: Session) -> Response:
        found = webhooks.replay(session, ctx.principal.company_id, delivery_id)
        webhooks.wake_after_commit(session, ctx.db)
        return ok("webhookdelivery", webhooks.show_delivery(found, hidden=ctx.principal.hidden))

    return await _run(request, work)


@router.delete(
    "/webhookdeadletters/{delivery_id}",
    operation_id="discard_webhook_dead_letter",
    summary="Give a dead delivery up (it stays in the log as discarded)",
    responses=docs.responses({200: _DELIVERY_ONE}, (404,)),
)
async def discard_dead_letter(request: Request, delivery_id: str) -> Response:
    def work(ctx: Ctx, session: Session) -> Response:
        found = webhooks.discard(session, ctx.principal.company_id, delivery_id)
        return ok("webhookdelivery", webhooks.show_delivery(found, hidden=ctx.principal.hidden))

    return await _run(request, work)


@router.get(
    "/webhooks/{webhook_id}",
    operation_id="get_webhook",
    summary="One subscription",
    responses=docs.responses({200: _ONE}, (404,)),
)
async def get_webhook(request: Request, webhook_id: str) -> Response:
    def work(ctx: Ctx, session: Session) -> Response:
        sub = webhooks.get_subscription(session, ctx.principal.company_id, webhook_id)
        return ok("webhook", webhooks.show_subscription(sub))

    return await _run(request, work)


@router.patch(
    "/webhooks/{webhook_id}",
    operation_id="patch_webhook",
    summary="Change a subscription's URL, events, secret or whether it is active",
    responses=docs.responses({200: _ONE}, (400, 404)),
    openapi_extra=docs.body(_CHANGE),
)
async def patch_webhook(request: Request, webhook_id: str) -> Response:
    body = await read_body(request)

    def work(ctx: Ctx, session: Session) -> Response:
        sub = webhooks.update_subscription(
            session,
            ctx.principal.company_id,
            webhook_id,
            body,
            allow_private=ctx.settings.webhook_allow_private,
            readable=_readable(ctx),
        )
        return ok("webhook", webhooks.show_subscription(sub))

    return await _run(request, work)


@router.delete(
    "/webhooks/{webhook_id}",
    operation_id="delete_webhook",
    summary="Remove a subscription (its unsent deliveries are discarded; the log stays)",
    responses=docs.responses({200: _ONE}, (404,)),
)
async def delete_webhook(request: Request, webhook_id: str) -> Response:
    def work(ctx: Ctx, session: Session) -> Response:
        sub = webhooks.get_subscription(session, ctx.principal.company_id, webhook_id)
        shown = webhooks.show_subscription(sub)
        webhooks.delete_subscription(session, ctx.principal.company_id, webhook_id)
        return ok("webhook", shown)

    return await _run(request, work)
