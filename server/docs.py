"""Pieces of the published OpenAPI document, built from the same specs that are
enforced (core.wire), so the contract and the behaviour cannot drift apart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.wire import Envelope, ErrorEnvelope, ListEnvelope

ERROR_SCHEMA: dict[str, Any] = ErrorEnvelope.schema()

_REASONS = {
    304: "Not modified: your copy (If-None-Match) is current",
    400: "Invalid request: each bad field is named MISSING / UNDEFINED / INVALID",
    401: "No valid API key",
    403: "The API key lacks the scope",
    404: "No such record in your company",
    409: "Refused: it clashes with the schedule or another record (a duplicate, a record"
    " still in use), or the Idempotency-Key is in use",
    410: "The cursor is too old: download everything again",
    412: "Stale If-Match or record exists: the body carries the current record and ETag",
    422: "Refused by a business rule: the record's state forbids the change (a decided"
    " leave request), or the Idempotency-Key was used for another request",
    428: "If-Match (or If-None-Match: *) is required",
    429: "Too many requests: wait Retry-After seconds",
    503: "Busy: retry after Retry-After seconds",
}

#: Errors any authenticated route can answer.
COMMON_ERRORS = (400, 401, 403, 422, 429, 503)

_INT = {"schema": {"type": "integer"}}
RATE_HEADERS = {
    "X-RateLimit-Limit": {
        "description": "requests allowed per window (a sliding limit: this many at once,"
        " refilled evenly over the window)",
        **_INT,
    },
    "X-RateLimit-Remaining": {"description": "requests that may be made at once now", **_INT},
    "X-RateLimit-Reset": {
        "description": "when the full limit is available again, as a Unix time (seconds"
        " since 1970, UTC)",
        **_INT,
    },
}


envelope = Envelope.schema
list_envelope = ListEnvelope.schema


def _json(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": dict(schema)}}


def responses(
    success: Mapping[int, Mapping[str, Any]],
    errors: Iterable[int] = (),
    links: Mapping[str, Any] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """Documented answers: success bodies (with ``links`` to follow-up operations),
    then our error envelope for each code."""
    out: dict[int | str, dict[str, Any]] = {}
    for code, schema in success.items():
        out[code] = {"description": "OK", "content": _json(schema), "headers": RATE_HEADERS}
        if links:
            out[code]["links"] = dict(links)
    for code in sorted({*errors, *COMMON_ERRORS}):
        if code == 304:
            out[code] = {"description": _REASONS[code]}
            continue
        out[code] = {"description": _REASONS[code], "content": _json(ERROR_SCHEMA)}
    return out


def header(name: str, description: str, schema: Mapping[str, Any] | None = None) -> dict:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": dict(schema or {"type": "string"}),
    }


def query(name: str, description: str, schema: Mapping[str, Any]) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": dict(schema),
    }


#: The paging of every list: ``pageNumber`` and ``pageRowCount``, or ``pageToken``.
PAGE_PARAMS = (
    query("pageNumber", "1-based page", {"type": "integer", "minimum": 1}),
    query("pageRowCount", "rows per page", {"type": "integer", "minimum": 1, "maximum": 500}),
    query(
        "pageToken",
        "the nextPageToken of the page before (instead of pageNumber, with the same"
        " filters): keyset paging that skips and repeats nothing while the list changes",
        {"type": "string"},
    ),
)

IDEMPOTENCY_KEY = header(
    "Idempotency-Key",
    "repeat a write safely: a replay returns the stored answer",
    {"type": "string", "minLength": 1, "maxLength": 200},
)
IF_MATCH = header("If-Match", 'the quoted recordVersion you edited, e.g. "3"')
IF_NONE_MATCH = header("If-None-Match", 'GET: the ETag you hold; PUT: "*" to create')


def body(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": _json(schema)}}


def record_links(item: str, *, changeable: bool = True, removable: bool = True) -> dict[str, Any]:
    """From an answer carrying a record to reading, changing and deleting that record
    (only what the collection allows: a punch is only read, a correction is read or
    taken back)."""
    where = {"record_id": f"$response.body#/{item}/id"}
    guarded = {**where, "header.If-Match": "$response.header.ETag"}
    links = {"read": {"operationId": f"get_{item}", "parameters": where}}
    if changeable:
        links["change"] = {"operationId": f"patch_{item}", "parameters": guarded}
    if removable:
        links["remove"] = {"operationId": f"delete_{item}", "parameters": guarded}
    return links


#: Operations one ``/v1/batch`` request may carry.
MAX_BATCH = 500

_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}

BATCH_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["operations"],
    "additionalProperties": False,
    "properties": {
        "operations": {
            "type": "array",
            "maxItems": MAX_BATCH,
            "description": "writes run in this order, each as its own route would run it",
            "items": {
                "type": "object",
                "required": ["method", "path"],
                "additionalProperties": False,
                "properties": {
                    "method": {"type": "string", "enum": ["PUT", "PATCH", "DELETE", "POST"]},
                    "path": {
                        "type": "string",
                        "description": "a write route: /v1/<collection>[/<id>[/<action>]]",
                    },
                    "query": {**_STRINGS, "description": "query parameters, e.g. onClash"},
                    "headers": {
                        **_STRINGS,
                        "description": "If-Match, If-None-Match, Idempotency-Key",
                    },
                    "body": {"description": "the route's JSON body (none for DELETE)"},
                },
            },
        }
    },
}

BATCH_RESULTS: dict[str, Any] = {
    "type": "object",
    "required": ["status", "statusCode", "dataName", "results"],
    "properties": {
        "status": {"type": "string", "enum": ["OK"]},
        "statusCode": {"type": "integer"},
        "dataName": {"type": "string", "enum": ["results"]},
        "results": {
            "type": "array",
            "description": "one per operation, in order",
            "items": {
                "type": "object",
                "required": ["status", "etag", "headers", "body"],
                "properties": {
                    "status": {"type": "integer", "description": "the route's HTTP status"},
                    "etag": {"type": ["string", "null"], "description": "the route's ETag"},
                    "headers": {
                        **_STRINGS,
                        "description": "ETag, Location, Idempotent-Replayed, Retry-After, Allow",
                    },
                    "body": {
                        "type": "object",
                        "description": "the envelope the route answers: the record, or the error",
                    },
                },
            },
        },
    },
}
