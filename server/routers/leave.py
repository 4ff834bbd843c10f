"""Leave requests: generic CRUD whose status changes follow the state machine, plus
the approve / reject / cancel actions a supervisor's tools call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from core.leave import ClashChoice, delete_leave
from core.models import LeaveRequest, LeaveStatus, Synced
from core.wire import COLLECTIONS, Collection, record_schema
from server import docs, leave, records
from server.envelope import ApiError
from server.routers.collections import Endpoint, Ops, written
from server.writes import Ctx, Planned, Planner, Target, run_planned

LEAVE = COLLECTIONS["leaverequests"]


class LeaveOps(Ops):
    """Requests, edits and decisions go through core.leave (see :mod:`server.leave`)."""

    def scopes(self, record: Synced | None, values: Mapping[str, Any]) -> Iterable[str]:
        wanted = values.get("status")
        current = record.status if isinstance(record, LeaveRequest) else None
        scope = None if wanted is None else leave.decision_scope(current, wanted)
        return () if scope is None else (scope,)

    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        return leave.create(session, record_id, values, actor)

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        assert isinstance(record, LeaveRequest)
        leave.update(session, record, values, actor)

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        delete_leave(session, record.id)


ENDPOINT = Endpoint(LEAVE, "leave", LeaveOps())


class LinkOps(Ops):
    """A kept-on-shift link is written by the leave decision that keeps the person on
    (``approve?onClash=keep``) and ended by its cancellation; it is read here, never
    written directly, so a site cannot flag a shift without a decision behind it."""

    append_only = True
    removable = False

    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        raise _decided_only(spec)

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        raise _decided_only(spec)

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        raise _decided_only(spec)


def _decided_only(spec: Collection) -> ApiError:
    return ApiError(
        409,
        "WRITTEN_BY_DECISION",
        f"a {spec.item} is written by approving leave with onClash=keep, not directly",
    )


LINKS_ENDPOINT = Endpoint(COLLECTIONS["leaveshiftlinks"], "leave", LinkOps())

actions = APIRouter(prefix="/leaverequests", tags=["leaverequests"])

ACTIONS = {
    "approve": (LeaveStatus.APPROVED, "leave:approve"),
    "reject": (LeaveStatus.REJECTED, "leave:approve"),
    # Withdrawing a pending request; cancelling an approved one needs leave:approve
    # too (server.leave.decision_scope), checked once the request is read.
    "cancel": (LeaveStatus.CANCELLED, "leave:write"),
}


def _act(
    ctx: Ctx, session: Session, record_id: str, to: str, if_match: str | None, on_clash: str | None
) -> Response:
    request = records.load(session, LEAVE, ctx.principal.company_id, record_id)
    assert isinstance(request, LeaveRequest)
    records.require_match(if_match, LEAVE, request, ctx.principal.hidden)
    scope = leave.decision_scope(request.status, to)
    if scope is not None:
        ctx.require(scope)
    leave.decide(session, request, to, ctx.principal.name, on_clash)
    return written(session, LEAVE, request, hidden=ctx.principal.hidden)


def action_planner(action: str) -> Planner:
    """Plans ``POST /v1/leaverequests/{id}/<action>``; its body is ignored."""
    to, scope = ACTIONS[action]

    def plan(target: Target) -> Planned:
        record_id, if_match = str(target.record_id), target.headers.get("if-match")
        on_clash = target.query.get("onClash")
        return Planned(
            scope,
            LEAVE,
            lambda ctx, s, _body: _act(ctx, s, record_id, to, if_match, on_clash),
            takes_body=False,
        )

    return plan


def _action_route(action: str) -> None:
    plan = action_planner(action)
    params = [docs.IF_MATCH, docs.IDEMPOTENCY_KEY]
    if action == "approve":
        params.append(
            docs.query(
                "onClash",
                "shifts the leave covers: unassign the person, or keep them (flagged);"
                " without it such an approval is refused with 409",
                {"type": "string", "enum": [c.value for c in ClashChoice]},
            )
        )

    @actions.post(
        f"/{{record_id}}/{action}",
        summary=f"{action.capitalize()} a leave request (If-Match required)",
        responses=docs.responses(
            {200: docs.envelope(LEAVE.item, record_schema(LEAVE))}, (404, 409, 412, 428)
        ),
        openapi_extra={"parameters": params},
    )
    async def route(request: Request, record_id: str) -> Response:
        return await run_planned(request, plan(Target.of(request, record_id)))


for _name in ACTIONS:
    _action_route(_name)
