"""The generic collection: list, get, create (PUT with If-None-Match: * or POST),
update (PATCH/PUT with If-Match) and soft delete, for every replicated model.

How a record is written is never decided here: each collection names the core
operations that write it through its :class:`Ops`, so the server refuses exactly
what core refuses. Extra list filters come in through :class:`Endpoint`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.models import Synced, new_id
from core.results import OpResult
from core.undo import Step
from core.wire import (
    BOOLEAN,
    INVALID,
    UNDEFINED,
    Collection,
    Field,
    Paging,
    Problem,
    WireError,
    from_wire,
    input_schema,
    made_on_write,
    made_value,
    parse_id,
    record_schema,
    to_wire,
    without,
)
from server import docs, feed, keyset, records, tokens
from server.envelope import ApiError, field_errors, ok, ok_list
from server.writes import Ctx, Planned, Planner, Target, run_planned, wire_errors


class Ops(ABC):
    """How one collection's records are written: each method calls core's operation
    for it, so core's rules decide. There is no default write."""

    #: Records are never changed once written: PATCH is not routed (405), and a PUT
    #: over an existing record is refused (409 APPEND_ONLY).
    append_only: ClassVar[bool] = False
    #: Whether DELETE is routed: taking a record back (a withdrawn correction) is
    #: not changing it, so an append-only collection may still offer it.
    removable: ClassVar[bool] = True
    #: Loader options a write reads its record with: the related rows core's
    #: operation reads anyway, in the same statement.
    loaded: ClassVar[tuple[Any, ...]] = ()

    def scopes(self, record: Synced | None, values: Mapping[str, Any]) -> Iterable[str]:
        """Scopes a write needs beyond ``<area>:write`` by what it changes in
        ``record`` (None: a new record), such as deciding on leave."""
        return ()

    @abstractmethod
    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        """Write a new record with ``record_id`` (the id its site made) and return it."""

    @abstractmethod
    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        """Change the fields in ``values`` (all of them for a PUT, some for a PATCH)."""

    @abstractmethod
    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        """Remove the record (softly, so the delete reaches the feed as a tombstone)."""


def publish_side_effects(session: Session, result: OpResult, record: Synced) -> None:
    """Rows an operation changed besides ``record`` (the shifts a deactivation took
    someone off, say) get new versions and reach the change feed like any write;
    ``record`` itself is answered, and stamped, by the route."""
    step = result.undo
    if not isinstance(step, Step):
        return
    seen = {(type(record), record.id)}
    for change in step.changes:
        if not issubclass(change.model, Synced) or (change.model, change.row_id) in seen:
            continue
        seen.add((change.model, change.row_id))
        row = session.get(change.model, change.row_id)
        if row is not None:
            records.stamp(row)
            session.flush()
            feed.record(session, row)


#: What a write may answer besides success.
WRITE_ERRORS = (404, 409, 412, 428)

Filters = Callable[[Mapping[str, str]], list[ColumnElement[bool]]]


@dataclass(frozen=True)
class Endpoint:
    spec: Collection
    #: Scope area: ``<area>:read`` lists and gets, ``<area>:write`` changes.
    area: str
    #: The core operations that write this collection.
    ops: Ops
    extra_filters: Filters | None = None
    extra_params: Sequence[dict[str, Any]] = ()
    order: Callable[[type], Sequence[Any]] = lambda m: (m.created_at, m.id)


def _query_value(f: Field, raw: str) -> Any:
    if f.kind is BOOLEAN:
        if raw not in ("true", "false"):
            raise ValueError("must be true or false")
        return raw == "true"
    return f.kind.parse(raw)


def filter_clauses(ep: Endpoint, params: Mapping[str, str]) -> list[ColumnElement[bool]]:
    problems, clauses = [], []
    for f in ep.spec.fields:
        if not f.filter or f.name not in params:
            continue
        try:
            clauses.append(getattr(ep.spec.model, f.attr) == _query_value(f, params[f.name]))
        except ValueError as exc:
            problems.append(Problem(f.name, INVALID, str(exc)))
    if problems:
        raise WireError(problems)
    if ep.extra_filters is not None:
        clauses += ep.extra_filters(params)
    return clauses


#: At most this many unknown parameters are named in one 400 (the body stays small).
MAX_NAMED_UNKNOWN = 20


def list_params(ep: Endpoint) -> list[dict[str, Any]]:
    """The query parameters a collection's list documents: paging, its fields'
    filters and the endpoint's own."""
    return [
        *docs.PAGE_PARAMS,
        *[docs.query(f.name, "equal to", dict(f.kind.schema)) for f in ep.spec.fields if f.filter],
        *ep.extra_params,
    ]


def param_names(parameters: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The names of the query parameters among documented ``parameters``: what a
    list route understands is what its OpenAPI operation documents."""
    return frozenset(p["name"] for p in parameters if p.get("in") == "query")


def refuse_unknown(params: Mapping[str, str], known: frozenset[str]) -> None:
    """400 naming each parameter the route does not know: a misspelt filter silently
    ignored would answer the whole list as if it had been applied."""
    unknown = sorted(name for name in params if name not in known)
    if unknown:
        raise WireError(
            [
                Problem(name[:100], UNDEFINED, "is not a filter or paging parameter of this list")
                for name in unknown[:MAX_NAMED_UNKNOWN]
            ]
        )


def _int_param(params: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), and few enough
    # for int() (a number of 5,000 digits is refused by it).
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18) or not lo <= int(raw) <= hi:
        raise WireError([Problem(name, INVALID, f"must be a whole number from {lo} to {hi}")])
    return int(raw)


def paging(params: Mapping[str, str], max_rows: int) -> tuple[int, int]:
    return (
        _int_param(params, "pageNumber", 1, 1, 1_000_000),
        _int_param(params, "pageRowCount", min(100, max_rows), 1, max_rows),
    )


def written(
    session: Session,
    spec: Collection,
    record: Synced,
    status: int = 200,
    *,
    hidden: Iterable[str] = (),
) -> Response:
    """Stamp an accepted write, append it to the feed and answer with it and its ETag,
    leaving out the fields guarded by ``hidden`` (the feed keeps them all). A record
    written inside :func:`server.records.stamping` was stamped by the flush that
    wrote it."""
    if not records.take_stamp(session, record):
        records.stamp(record)
    session.flush()
    wire = to_wire(record)
    feed.record(session, record, wire)
    headers = {"ETag": records.etag(record)}
    if status == 201:
        headers["Location"] = f"/v1/{spec.name}/{record.id}"
    return ok(spec.item, without(spec, wire, hidden), status=status, headers=headers)


def replacement(
    session: Session,
    spec: Collection,
    company_id: str,
    values: dict[str, Any],
    hidden: Iterable[str],
) -> dict[str, Any]:
    """A PUT over a record replaces it: every optional field the body leaves out gets
    what a new record would get (null, the default), where a PATCH keeps it. A
    field the key may not read (guarded by ``hidden``) is kept: the key never saw
    it, so leaving it out is no request to clear it; nor is it for a field the
    server fills itself (``Field.filled``: a closed period's pay rules), which a
    client that does not know it (an older one) never sends."""
    hidden = set(hidden)
    for f in spec.fields:
        if f.target_key in values or f.required or f.guard in hidden or f.name == "siteId":
            continue
        if f.filled:
            continue
        if made_on_write(spec, f):
            continue  # made by the server when the record was (approvedAt)
        values[f.target_key] = made_value(spec, f)
    records.fill_site(session, spec, company_id, values)
    return values


def guarded_scopes(
    spec: Collection, record: Synced | None, values: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(scope, field) for each guarded field (``hourlyRate``: ``pay:write``) that the
    write would change: a value unlike the record's, or unlike what a new record
    gets without it. Sending back a record as read is no change."""
    needed = []
    for f in spec.fields:
        if not f.guard or f.target_key not in values:
            continue
        before = getattr(record, f.attr) if record is not None else made_value(spec, f)
        if values[f.target_key] != before:
            needed.append((f"{f.guard}:write", f.name))
    return needed


def unfilled(spec: Collection, values: dict[str, Any], scopes: Iterable[str]) -> dict[str, Any]:
    """``values`` without the fields the server fills itself (``Field.filled``) that
    the key may not set: a site without ``pay:write`` closes a period all the same,
    and the period keeps the company's pay rules instead of the site's."""
    held = set(scopes)
    for f in spec.fields:
        if f.filled and f"{f.guard}:write" not in held:
            values.pop(f.target_key, None)
    return values


def require_scopes(
    ctx: Ctx, ops: Ops, spec: Collection, record: Synced | None, values: Mapping[str, Any]
) -> None:
    """403 unless the key may make this change: what the collection's rules ask for
    (deciding on leave) and the guarded fields it sets."""
    for scope in ops.scopes(record, values):
        ctx.require(scope)
    for scope, name in guarded_scopes(spec, record, values):
        if scope not in ctx.principal.scopes:
            raise ApiError(403, "FORBIDDEN", f"this API key lacks the scope {scope} to set {name}")


class Writes:
    """How each write of one collection is planned from its target: the single
    routes below and ``/v1/batch`` run these very plans (:class:`Planned`)."""

    def __init__(self, ep: Endpoint) -> None:
        self.ep = ep
        self.spec = ep.spec
        self.scope = f"{ep.area}:write"

    def planners(self) -> dict[tuple[str, bool], Planner]:
        """The routed writes by method and whether the path names a record."""
        routed: dict[tuple[str, bool], Planner] = {
            ("POST", False): self.post,
            ("PUT", True): self.put,
        }
        if not self.ep.ops.append_only:
            routed["PATCH", True] = self.patch
        if self.ep.ops.removable:
            routed["DELETE", True] = self.delete
        return routed

    def _plan(self, work: Callable[[Ctx, Session, Any], Response]) -> Planned:
        return Planned(self.scope, self.spec, work)

    def post(self, target: Target) -> Planned:
        return self._plan(lambda ctx, s, body: self._create(ctx, s, new_id(), body, fresh=True))

    def put(self, target: Target) -> Planned:
        record_id, spec = str(target.record_id), self.spec
        if_match = target.headers.get("if-match")
        if target.headers.get("if-none-match", "").strip() == "*":
            try:
                rid = parse_id(record_id)
            except ValueError as exc:
                raise field_errors([Problem("id", INVALID, str(exc))]) from exc
            return self._plan(lambda ctx, s, body: self._create(ctx, s, rid, body))
        if self.ep.ops.append_only and if_match:
            raise ApiError(
                409,
                "APPEND_ONLY",
                f"a {spec.item} is never changed once written; write a new one"
                " (PUT with If-None-Match: *)",
            )
        if not if_match:
            raise ApiError(
                428,
                "PRECONDITION_REQUIRED",
                'PUT needs If-None-Match: * to create, or If-Match: "<recordVersion>" to replace',
            )
        return self._plan(
            lambda ctx, s, body: self._update(ctx, s, record_id, body, if_match, False)
        )

    def patch(self, target: Target) -> Planned:
        record_id, if_match = str(target.record_id), target.headers.get("if-match")
        return self._plan(
            lambda ctx, s, body: self._update(ctx, s, record_id, body, if_match, True)
        )

    def delete(self, target: Target) -> Planned:
        record_id, if_match = str(target.record_id), target.headers.get("if-match")
        return self._plan(lambda ctx, s, _body: self._delete(ctx, s, record_id, if_match))

    def _create(
        self, ctx: Ctx, session: Session, record_id: str, body: Any, *, fresh: bool = False
    ) -> Response:
        """A new record with ``record_id``: a site's own id (PUT), looked up first, or
        one just made here (``fresh``, a POST), which nothing can hold yet. A record
        the server made itself and never published (a company's pay policy, made
        with the company) is the collection's ``Ops.create`` to take over."""
        spec, company = self.spec, ctx.principal.company_id
        existing = None if fresh else session.get(spec.model, record_id)
        if existing is not None:
            if existing.company_id != company:  # type: ignore[attr-defined]
                raise records.not_found(spec, record_id)
            if existing.server_version is not None:
                raise records.precondition_failed(spec, existing, ctx.principal.hidden)
        values = unfilled(spec, from_wire(spec, body, partial=False), ctx.principal.scopes)
        records.fill_site(session, spec, company, values)
        records.check_refs(session, spec, company, values)
        require_scopes(ctx, self.ep.ops, spec, existing, values)
        with records.stamping(session, spec.model, record_id):
            made = self.ep.ops.create(session, spec, company, record_id, values, ctx.principal.name)
            return written(session, spec, made, 201, hidden=ctx.principal.hidden)

    def _update(
        self,
        ctx: Ctx,
        session: Session,
        record_id: str,
        body: Any,
        if_match: str | None,
        partial: bool,
    ) -> Response:
        spec, company = self.spec, ctx.principal.company_id
        record = records.load(session, spec, company, record_id, self.ep.ops.loaded)
        records.require_match(if_match, spec, record, ctx.principal.hidden)
        values = from_wire(spec, body, partial=partial)
        if not partial:
            values = replacement(session, spec, company, values, ctx.principal.hidden)
        values = unfilled(spec, values, ctx.principal.scopes)
        records.check_refs(session, spec, company, values)
        require_scopes(ctx, self.ep.ops, spec, record, values)
        with records.stamping(session, spec.model, record.id):
            self.ep.ops.update(session, spec, record, values, ctx.principal.name)
            return written(session, spec, record, hidden=ctx.principal.hidden)

    def _delete(self, ctx: Ctx, session: Session, record_id: str, if_match: str | None) -> Response:
        record = records.load(
            session, self.spec, ctx.principal.company_id, record_id, self.ep.ops.loaded
        )
        records.require_match(if_match, self.spec, record, ctx.principal.hidden)
        with records.stamping(session, self.spec.model, record.id):
            self.ep.ops.delete(session, self.spec, record, ctx.principal.name)
            return written(session, self.spec, record, hidden=ctx.principal.hidden)


def build_router(ep: Endpoint) -> APIRouter:
    spec = ep.spec
    router = APIRouter(prefix=f"/{spec.name}", tags=[spec.name])
    item = record_schema(spec)
    one = docs.envelope(spec.item, item)
    append_only = ep.ops.append_only
    links = docs.record_links(spec.item, changeable=not append_only, removable=ep.ops.removable)
    read_scope = f"{ep.area}:read"
    parameters = list_params(ep)
    known = param_names(parameters)

    def list_records(ctx: Ctx, params: Mapping[str, str]) -> Response:
        refuse_unknown(params, known)
        page, rows = paging(params, ctx.settings.max_page_rows)
        clauses = [
            spec.model.company_id == ctx.principal.company_id,  # type: ignore[attr-defined]
            spec.model.deleted.is_(False),
            *filter_clauses(ep, params),
        ]
        query = select(spec.model).where(*clauses)
        secret = tokens.signing_secret(ctx.db, ctx.settings)
        with ctx.db.transaction() as session:
            total = session.scalar(select(func.count()).select_from(spec.model).where(*clauses))
            found, page, following = keyset.fetch(
                session, query, ep.order(spec.model), params, page, rows, secret
            )
            wire = [without(spec, to_wire(r), ctx.principal.hidden) for r in found]
        return ok_list(spec.name, wire, Paging.of(page, rows, total or 0, following))

    @router.get(
        "",
        operation_id=f"list_{spec.name}",
        summary=f"List {spec.name}",
        responses=docs.responses({200: docs.list_envelope(spec.name, item)}),
        openapi_extra={"parameters": parameters},
    )
    async def list_route(request: Request) -> Response:
        ctx = Ctx.of(request, read_scope)
        try:
            return await run_in_threadpool(list_records, ctx, request.query_params)
        except ValidationError as exc:
            raise wire_errors(spec, exc) from exc

    def get_record(ctx: Ctx, record_id: str, if_none_match: str | None) -> Response:
        with ctx.db.transaction() as session:
            record = records.load(session, spec, ctx.principal.company_id, record_id)
            tag = records.etag(record)
            if records.none_match(if_none_match, record):
                return Response(status_code=304, headers={"ETag": tag})
            shown = without(spec, to_wire(record), ctx.principal.hidden)
            return ok(spec.item, shown, headers={"ETag": tag})

    @router.get(
        "/{record_id}",
        operation_id=f"get_{spec.item}",
        summary=f"Get one {spec.item}",
        responses=docs.responses({200: one}, (304, 404)),
        openapi_extra={"parameters": [docs.IF_NONE_MATCH]},
    )
    async def get_route(request: Request, record_id: str) -> Response:
        ctx = Ctx.of(request, read_scope)
        return await run_in_threadpool(
            get_record, ctx, record_id, request.headers.get("if-none-match")
        )

    writes = Writes(ep)

    @router.post(
        "",
        status_code=201,
        operation_id=f"create_{spec.item}",
        summary=f"Create a {spec.item} with an id made by the server",
        responses=docs.responses({201: one}, (409,), links),
        openapi_extra={
            "parameters": [docs.IDEMPOTENCY_KEY],
            **docs.body(input_schema(spec, partial=False)),
        },
    )
    async def post_route(request: Request) -> Response:
        return await run_planned(request, writes.post(Target.of(request)))

    @router.put(
        "/{record_id}",
        operation_id=f"put_{spec.item}",
        summary=(
            f"Create a {spec.item} (If-None-Match: *); once written it never changes"
            if append_only
            else f"Create (If-None-Match: *) or replace (If-Match) a {spec.item}"
        ),
        description=None
        if append_only
        else "A replace is the whole record: every optional field the body leaves out"
        " is cleared to what a new record gets (null or the default) and a required one"
        " missing is a 400 naming it; fields the key may not read (pay, personal) are"
        " kept. PATCH changes only the fields it names.",
        responses=docs.responses({200: one, 201: one}, WRITE_ERRORS, links),
        openapi_extra={
            "parameters": [docs.IF_NONE_MATCH, docs.IF_MATCH, docs.IDEMPOTENCY_KEY],
            **docs.body(input_schema(spec, partial=False)),
        },
    )
    async def put_route(request: Request, record_id: str) -> Response:
        return await run_planned(request, writes.put(Target.of(request, record_id)))

    if not append_only:
        _patch_route(router, spec, one, links, writes)
    if ep.ops.removable:
        _delete_route(router, spec, one, writes)
    return router


def _patch_route(
    router: APIRouter, spec: Collection, one: dict, links: dict, writes: Writes
) -> None:
    @router.patch(
        "/{record_id}",
        operation_id=f"patch_{spec.item}",
        summary=f"Change some fields of a {spec.item} (If-Match required)",
        description="Merges: the fields the body names are changed, the rest kept (PUT"
        " replaces the whole record).",
        responses=docs.responses({200: one}, WRITE_ERRORS, links),
        openapi_extra={
            "parameters": [docs.IF_MATCH, docs.IDEMPOTENCY_KEY],
            **docs.body(input_schema(spec, partial=True)),
        },
    )
    async def patch_route(request: Request, record_id: str) -> Response:
        return await run_planned(request, writes.patch(Target.of(request, record_id)))


def _delete_route(router: APIRouter, spec: Collection, one: dict, writes: Writes) -> None:
    @router.delete(
        "/{record_id}",
        operation_id=f"delete_{spec.item}",
        summary=f"Delete a {spec.item} (a tombstone in the change feed; If-Match required)",
        responses=docs.responses({200: one}, WRITE_ERRORS),
        openapi_extra={"parameters": [docs.IF_MATCH, docs.IDEMPOTENCY_KEY]},
    )
    async def delete_route(request: Request, record_id: str) -> Response:
        return await run_planned(request, writes.delete(Target.of(request, record_id)))
