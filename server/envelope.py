"""The success and error envelopes of DESIGN.md, and the one exception that carries
an error response from anywhere in a request to its edge."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import Response

from core.timeutil import utcnow

JSON = "application/json"


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def ok(
    data_name: str,
    record: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = {"status": "OK", "statusCode": status, "dataName": data_name, data_name: record}
    return Response(dumps(body), status, headers=dict(headers or {}), media_type=JSON)


def ok_list(
    data_name: str, records: Sequence[Mapping[str, Any]], paging: Mapping[str, int]
) -> Response:
    body = {
        "status": "OK",
        "statusCode": 200,
        "dataName": data_name,
        data_name: list(records),
        "paging": dict(paging),
    }
    return Response(dumps(body), 200, media_type=JSON)


def ok_document(data_name: str, document: Mapping[str, Any], **extra: Any) -> Response:
    body = {"status": "OK", "statusCode": 200, "dataName": data_name, data_name: document}
    body.update(extra)
    return Response(dumps(body), 200, media_type=JSON)


class ApiError(Exception):
    """An error response: status, a stable ``errCode``, a sentence, and detail."""

    def __init__(
        self,
        status: int,
        err_code: str,
        message: str,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.err_code = err_code
        self.message = message
        self.detail = detail
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return error_response(self.status, self.err_code, self.message, self.detail, self.headers)


def error_response(
    status: int,
    err_code: str,
    message: str,
    detail: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = {
        "result": "ERR",
        "status": status,
        "message": message,
        "errCode": err_code,
        "date": utcnow().isoformat().replace("+00:00", "Z"),
        "detail": detail,
    }
    return Response(dumps(body), status, headers=dict(headers or {}), media_type=JSON)


def field_errors(problems: Sequence[Any]) -> ApiError:
    """422 naming every bad field with MISSING / UNDEFINED / INVALID."""
    fields = [{"field": p.field, "code": p.code, "message": p.message} for p in problems]
    summary = "; ".join(f"{p.field} {p.message}" for p in problems)
    return ApiError(422, "VALIDATION", f"invalid request: {summary}", {"fields": fields})
