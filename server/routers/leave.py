"""Leave requests: generic CRUD whose status changes follow the state machine, plus
the approve / reject / cancel actions a supervisor's tools call."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from core.models import LeaveRequest, LeaveStatus, Synced
from core.wire import COLLECTIONS, Collection, record_schema
from server import docs, records
from server.leave import change_status, check_shape
from server.routers.collections import Endpoint, Ops, written
from server.writes import Ctx, run_write

LEAVE = COLLECTIONS["leaverequests"]


class LeaveOps(Ops):
    """A new request starts pending; any other status given is reached by a transition,
    so an offline approval pushed later meets the same rules as one made here."""

    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        wanted = values.pop("status", LeaveStatus.PENDING)
        leave = super().create(
            session, spec, company_id, record_id, {**values, "status": LeaveStatus.PENDING}, actor
        )
        assert isinstance(leave, LeaveRequest)
        check_shape(leave)
        change_status(session, leave, wanted, values.get("decided_by") or actor)
        return leave

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        assert isinstance(record, LeaveRequest)
        wanted = values.pop("status", None)
        super().update(session, spec, record, values, actor)
        check_shape(record)
        if wanted is not None:
            change_status(session, record, wanted, values.get("decided_by") or actor)


ENDPOINT = Endpoint(LEAVE, "leave", LeaveOps())

actions = APIRouter(prefix="/leaverequests", tags=["leaverequests"])

_ACTIONS = {
    "approve": (LeaveStatus.APPROVED, "leave:approve"),
    "reject": (LeaveStatus.REJECTED, "leave:approve"),
    "cancel": (LeaveStatus.CANCELLED, "leave:write"),
}


def _act(ctx: Ctx, session: Session, record_id: str, to: str, if_match: str | None, keep: bool):
    leave = records.load(session, LEAVE, ctx.principal.company_id, record_id)
    assert isinstance(leave, LeaveRequest)
    records.require_match(if_match, LEAVE, leave)
    change_status(session, leave, to, ctx.principal.key_id, keep_shifts=keep)
    return written(session, LEAVE, leave)


def _action_route(action: str) -> None:
    to, scope = _ACTIONS[action]
    params = [docs.IF_MATCH, docs.IDEMPOTENCY_KEY]
    if action == "approve":
        params.append(
            docs.query(
                "keepShifts",
                "approve although assigned shifts clash (they stay assigned)",
                {"type": "string", "enum": ["true", "false"]},
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
        ctx = Ctx.of(request, scope)
        if_match = request.headers.get("if-match")
        keep = request.query_params.get("keepShifts") == "true"
        return await run_in_threadpool(
            run_write,
            ctx,
            request,
            None,
            lambda s: _act(ctx, s, record_id, to, if_match, keep),
            LEAVE,
        )


for _name in _ACTIONS:
    _action_route(_name)
