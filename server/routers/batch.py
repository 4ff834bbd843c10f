"""``POST /v1/batch``: many writes in one request, each answered as its own route
would answer it.

Why it exists: a site back from days offline pushes thousands of edits, and one
request each pays the key lookup, a rate-limit upsert with its own commit, and a
commit of the write, every time. A batch pays them once:

- The key is looked up once and the batch is charged to the rate limit as its
  operations (a batch larger than the key's whole window is charged the window,
  so it can pass, alone, once a window is fresh, instead of never).
- One database transaction takes the company's feed turn once (:func:`server.feed.
  turn`) and runs each operation under a savepoint: a refused operation rolls back
  only itself, its Idempotency-Key claim included, and the next goes on. The batch
  commits as one, so the change feed stays sound: all its numbers commit together
  and after every number handed out before them. The price is that the company's
  other writers wait for the batch (hence the cap of :data:`server.docs.MAX_BATCH`).
- Each operation is planned and run by its route's own code (:class:`server.writes.
  Planned`): the same scope, validation, 412 with the current record, Idempotency-Key
  replay, append-only rules and core operations. A path or method that no route
  takes is a 404 or 405 for that operation alone.

The batch has no Idempotency-Key of its own: each operation carries one, so a batch
sent again after its answer was lost replays every stored answer and writes
nothing twice. A malformed batch document is refused whole (400, naming the field).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core.wire import INVALID, MISSING, UNDEFINED, ErrorEnvelope, Problem
from server import docs, feed
from server.envelope import JSON, ApiError
from server.middleware import count, rate_limited
from server.routers import leave
from server.routers.collections import Endpoint, Writes
from server.writes import Ctx, Planned, Planner, Target, WriteRequest, busy, read_body, run_in

METHODS = ("PUT", "PATCH", "DELETE", "POST")
_FIELDS = frozenset({"method", "path", "query", "headers", "body"})

#: Answer headers an operation's result repeats, by the name the route gives them.
_KEPT = {
    "etag": "ETag",
    "location": "Location",
    "idempotent-replayed": "Idempotent-Replayed",
    "retry-after": "Retry-After",
    "allow": "Allow",
}

#: A routed write: method, collection, whether the path names a record, action ("").
Route = tuple[str, str, bool, str]


def routes(endpoints: Sequence[Endpoint]) -> dict[Route, Planner]:
    """Every write the single routes take, by method and path shape."""
    table: dict[Route, Planner] = {}
    for ep in endpoints:
        for (method, with_id), planner in Writes(ep).planners().items():
            table[method, ep.spec.name, with_id, ""] = planner
    for action in leave.ACTIONS:
        table["POST", leave.LEAVE.name, True, action] = leave.action_planner(action)
    return table


@dataclass(frozen=True)
class Operation:
    """One operation of the batch document, as its route would have received it."""

    method: str
    path: str
    query: Mapping[str, str]
    #: By lower-case name, as the routes look them up.
    headers: Mapping[str, str]
    body: Any

    def write(self, takes_body: bool) -> WriteRequest:
        """As its route reads it: an action ignores a body, so its Idempotency-Key's
        fingerprint leaves the body out as the route's does."""
        body = self.body if takes_body else None
        return WriteRequest(self.method, self.path, urlencode(self.query), self.headers, body)


def _strings(item: dict[str, Any], name: str, where: str, problems: list[Problem]) -> dict:
    """An optional object of strings (query parameters, headers) of one operation."""
    value = item.get(name, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(Problem(f"{where}.{name}", INVALID, "must be an object of strings"))
        return {}
    return value


def parse(document: Any, limit: int = docs.MAX_BATCH) -> list[Operation]:
    """The operations of a batch document; 400 naming every malformed field."""
    problems: list[Problem] = []
    if not isinstance(document, dict) or "operations" not in document:
        problems.append(Problem("operations", MISSING, "is required"))
    else:
        problems += [Problem(k, UNDEFINED, "is not a field") for k in document if k != "operations"]
    raw = document.get("operations") if isinstance(document, dict) else []
    if not isinstance(raw, list):
        problems.append(Problem("operations", INVALID, "must be a list"))
    elif len(raw) > limit:
        problems.append(Problem("operations", INVALID, f"holds {len(raw)}; at most {limit}"))
    operations = []
    for n, item in enumerate(raw if isinstance(raw, list) and not problems else []):
        where = f"operations[{n}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, INVALID, "must be an object"))
            continue
        problems += [
            Problem(f"{where}.{k}", UNDEFINED, "is not a field")
            for k in sorted(item.keys() - _FIELDS)
        ]
        method, path = item.get("method"), item.get("path")
        if method not in METHODS:
            problems.append(
                Problem(f"{where}.method", INVALID, f"must be one of {', '.join(METHODS)}")
            )
        if not isinstance(path, str):
            problems.append(
                Problem(f"{where}.path", INVALID, "must be a path such as /v1/shifts/<id>")
            )
            continue
        query = _strings(item, "query", where, problems)
        headers = _strings(item, "headers", where, problems)
        path, _, raw_query = path.partition("?")
        query = {**dict(parse_qsl(raw_query)), **query}
        headers = {k.lower(): v for k, v in headers.items()}
        operations.append(Operation(str(method), path, query, headers, item.get("body")))
    if problems:
        invalid = ErrorEnvelope.invalid(problems)
        raise ApiError(400, invalid.err_code, invalid.message, invalid.detail)
    return operations


def plan(table: Mapping[Route, Planner], op: Operation) -> Planned | ApiError:
    """The operation's plan, or the error its route answers before any work."""
    parts = op.path.removeprefix("/v1/").split("/") if op.path.startswith("/v1/") else []
    if not 1 <= len(parts) <= 3 or not all(parts):
        return ApiError(404, "NOT_FOUND", "Not Found")
    collection, record_id, action = parts[0], (parts[1:2] or [None])[0], "".join(parts[2:3])
    shape = (collection, record_id is not None, action)
    planner = table.get((op.method, *shape))
    if planner is None:
        allowed = sorted(m for (m, *rest) in table if tuple(rest) == shape)
        if not allowed:
            return ApiError(404, "NOT_FOUND", "Not Found")
        return ApiError(
            405, "METHOD_NOT_ALLOWED", "Method Not Allowed", headers={"Allow": ", ".join(allowed)}
        )
    try:
        planned = planner(Target(record_id, op.headers, op.query))
    except ApiError as exc:
        return exc
    return planned


def _result(response: Response) -> bytes:
    """One operation's answer: its status, ETag, kept headers and envelope."""
    headers = {_KEPT[k]: v for k, v in response.headers.items() if k in _KEPT}
    head = json.dumps(
        {"status": response.status_code, "etag": headers.get("ETag"), "headers": headers},
        separators=(",", ":"),
    ).encode()
    return head[:-1] + b',"body":' + (bytes(response.body) or b"null") + b"}"


def run(ctx: Ctx, steps: Sequence[tuple[Operation, Planned | ApiError]]) -> list[Response]:
    """Every operation in one transaction that holds the company's feed turn."""
    try:
        with (
            ctx.db.transaction() as session,
            feed.turn(ctx.db, session, ctx.principal.company_id),
        ):
            return [
                step.response()
                if isinstance(step, ApiError)
                else run_in(ctx, session, op.write(step.takes_body), step)
                for op, step in steps
            ]
    except (OperationalError, PoolTimeout) as exc:
        raise busy(exc) from exc


def register(endpoints: Sequence[Endpoint]) -> APIRouter:
    table = routes(endpoints)
    router = APIRouter(tags=["batch"])

    @router.post(
        "/batch",
        operation_id="batch",
        summary="Run many writes in one request and transaction; one result each, in order",
        responses=docs.responses({200: docs.BATCH_RESULTS}, (400,)),
        openapi_extra=docs.body(docs.BATCH_REQUEST),
    )
    async def batch_route(request: Request) -> Response:
        operations = parse(await read_body(request))
        extra = min(len(operations), request.state.quota.limit) - 1
        if extra > 0:
            quota = await run_in_threadpool(count, request, request.state.principal, extra)
            if quota.exceeded:
                return rate_limited(quota)
        ctx = Ctx(request.app.state.db, request.app.state.settings, request.state.principal)
        steps = [(op, plan(table, op)) for op in operations]
        answers = await run_in_threadpool(run, ctx, steps)
        body = b",".join(_result(a) for a in answers)
        return Response(
            b'{"status":"OK","statusCode":200,"dataName":"results","results":[' + body + b"]}",
            200,
            media_type=JSON,
        )

    return router
