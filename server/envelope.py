"""The envelopes of DESIGN.md as HTTP responses, and the one exception that carries
an error response from anywhere in a request to its edge.

The documents themselves are core's (:mod:`core.wire`): the sync client parses
exactly what is rendered here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import Response

from core.wire import ChangePage, Envelope, ErrorEnvelope, ListEnvelope, Paging, Problem

JSON = "application/json"


def ok(
    data_name: str,
    record: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = Envelope(data_name, record, status).to_json()
    return Response(body, status, headers=dict(headers or {}), media_type=JSON)


def ok_list(data_name: str, records: Sequence[Mapping[str, Any]], paging: Paging) -> Response:
    body = ListEnvelope(data_name, tuple(records), paging).to_json()
    return Response(body, 200, media_type=JSON)


def ok_page(page: ChangePage) -> Response:
    """A page of the change feed."""
    return Response(page.to_json(), 200, media_type=JSON)


def ok_document(data_name: str, document: Mapping[str, Any]) -> Response:
    """A document that is no record (health, the current user)."""
    return ok(data_name, document)


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

    @classmethod
    def of(cls, envelope: ErrorEnvelope, headers: Mapping[str, str] | None = None) -> ApiError:
        return cls(envelope.status, envelope.err_code, envelope.message, envelope.detail, headers)

    def response(self) -> Response:
        return error_response(self.status, self.err_code, self.message, self.detail, self.headers)


def error_response(
    status: int,
    err_code: str,
    message: str,
    detail: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return envelope_response(ErrorEnvelope(status, err_code, message, detail), headers)


def envelope_response(
    envelope: ErrorEnvelope, headers: Mapping[str, str] | None = None
) -> Response:
    """The error envelope, dated now, with its status."""
    return Response(
        envelope.to_json(), envelope.status, headers=dict(headers or {}), media_type=JSON
    )


def field_errors(problems: Sequence[Problem]) -> ApiError:
    """400 naming every bad field with MISSING / UNDEFINED / INVALID."""
    return ApiError.of(ErrorEnvelope.invalid(problems))
