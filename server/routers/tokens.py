"""``POST /v1/auth/token``: the token grant (see :mod:`server.tokens`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from server import docs, tokens
from server.envelope import ok_document

router = APIRouter()

_GRANT = docs.envelope(
    "token",
    {
        "type": "object",
        "required": ["accessToken", "tokenType", "expiresIn", "expiresAt", "scopes"],
        "properties": {
            "accessToken": {
                "type": "string",
                "description": "a JWT (HS256) to send as Authorization: Bearer <token>",
            },
            "tokenType": {"type": "string", "enum": ["Bearer"]},
            "expiresIn": {"type": "integer", "description": "seconds the token is good for"},
            "expiresAt": {"type": "integer", "description": "its exp, a Unix time"},
            "scopes": {"type": "array", "items": {"type": "string"}},
        },
    },
)


@router.post(
    tokens.TOKEN_PATH,
    summary="A bearer token (JWT) for an API key given as HTTP Basic (key id : secret)",
    description="The token carries the key's scopes and an exp; the API accepts it"
    " wherever it accepts the key, until it expires or the key is revoked.",
    tags=["auth"],
    operation_id="grant_token",
    responses=docs.responses({200: _GRANT}),
)
async def grant_token(request: Request) -> Response:
    principal = request.state.principal
    settings = request.app.state.settings
    signing_key = await run_in_threadpool(tokens.signing_key_of, request)
    grant = tokens.issue(principal, signing_key, settings.token_ttl_seconds)
    return ok_document("token", grant.render())
