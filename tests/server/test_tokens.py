"""The token grant: an API key as HTTP Basic buys a signed bearer JWT that the API
takes wherever it takes the key, until it expires or the key is revoked."""

from __future__ import annotations

import time

import httpx
import jwt

from server import auth, tokens
from server.db import Database
from server.settings import Settings
from tests.server.conftest import Tenant, new_id


def _key(tenant: Tenant, scopes: list[str]) -> tuple[str, str]:
    with tenant.live.db.transaction() as session:
        key, secret = auth.create_key(session, tenant.company_id, scopes)
        return key.id, secret


def _grant(tenant: Tenant, key_id: str, secret: str) -> httpx.Response:
    return httpx.post(f"{tenant.live.url}/v1/auth/token", auth=(key_id, secret), timeout=30)


def _with_token(tenant: Tenant, token: str) -> httpx.Client:
    client = httpx.Client(
        base_url=tenant.live.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    tenant.clients.append(client)
    return client


def test_a_key_as_basic_buys_a_jwt_with_its_scopes_and_an_exp(tenant: Tenant) -> None:
    key_id, secret = _key(tenant, ["schedule:read", "leave:read"])
    response = _grant(tenant, key_id, secret)
    assert response.status_code == 200, response.text
    grant = response.json()["token"]
    assert grant["tokenType"] == "Bearer"
    assert grant["scopes"] == ["leave:read", "schedule:read"]
    assert 0 < grant["expiresIn"] <= 3600
    claims = jwt.decode(grant["accessToken"], options={"verify_signature": False})
    assert jwt.get_unverified_header(grant["accessToken"])["alg"] == "HS256"
    assert claims["sub"] == key_id
    assert claims["exp"] == grant["expiresAt"]
    assert abs(claims["exp"] - (time.time() + grant["expiresIn"])) < 5
    assert set(claims["scope"].split()) == {"schedule:read", "leave:read"}
    assert "x-ratelimit-reset" in response.headers


def test_the_api_takes_the_token_wherever_it_takes_the_key(tenant: Tenant) -> None:
    key_id, secret = _key(tenant, ["schedule:read"])
    token = _grant(tenant, key_id, secret).json()["token"]["accessToken"]
    client = _with_token(tenant, token)
    me = client.get("/v1/currentuser")
    assert me.status_code == 200
    assert me.json()["currentuser"]["keyId"] == key_id
    assert client.get("/v1/departments").status_code == 200
    as_header = httpx.get(
        f"{tenant.live.url}/v1/departments", headers={"X-API-Key": token}, timeout=30
    )
    assert as_header.status_code == 200
    refused = client.put(
        f"/v1/departments/{new_id()}", json={"name": "A"}, headers={"If-None-Match": "*"}
    )
    assert refused.status_code == 403  # the key's scopes, no more


def test_a_bad_secret_or_no_basic_is_401(tenant: Tenant) -> None:
    key_id, secret = _key(tenant, ["schedule:read"])
    assert _grant(tenant, key_id, secret + "x").status_code == 401
    other_id, _ = _key(tenant, ["schedule:read"])
    assert _grant(tenant, other_id, secret).status_code == 401  # id and secret must agree
    plain = httpx.post(
        f"{tenant.live.url}/v1/auth/token",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert plain.status_code == 401
    assert plain.headers["www-authenticate"].startswith("Basic")
    garbled = httpx.post(
        f"{tenant.live.url}/v1/auth/token",
        headers={"Authorization": "Basic %%%not-base64"},
        timeout=30,
    )
    assert garbled.status_code == 401
    assert garbled.json()["errCode"] == "UNAUTHORIZED"


def test_revoking_the_key_ends_its_tokens(tenant: Tenant) -> None:
    key_id, secret = _key(tenant, ["schedule:read"])
    client = _with_token(tenant, _grant(tenant, key_id, secret).json()["token"]["accessToken"])
    assert client.get("/v1/departments").status_code == 200
    with tenant.live.db.transaction() as session:
        auth.revoke_key(session, key_id)
    assert client.get("/v1/departments").status_code == 401
    assert _grant(tenant, key_id, secret).status_code == 401


def test_a_revoked_key_is_refused_on_its_very_next_request(tenant: Tenant) -> None:
    """The key is looked up on every request (beside the rate limit's charge, on
    one connection), never remembered: revoking it, as ``shiftdesk server
    revoke-key`` does from another process, takes effect at once."""
    key_id, secret = _key(tenant, ["schedule:read", "schedule:write"])
    client = _with_token(tenant, secret)
    assert client.get("/v1/departments").status_code == 200
    assert client.post("/v1/departments", json={"name": "Kept"}).status_code == 201
    with tenant.live.db.transaction() as session:
        auth.revoke_key(session, key_id)
    refused = client.post("/v1/departments", json={"name": "Refused"})
    assert refused.status_code == 401
    assert refused.headers["x-ratelimit-limit"]  # the address was still charged
    assert client.get("/v1/departments").status_code == 401


def test_an_expired_forged_or_tampered_token_is_401(tenant: Tenant) -> None:
    _key_id, secret = _key(tenant, ["schedule:read"])
    live = tenant.live
    signing_key = tokens.signing_secret(live.db, live.app.state.settings)
    with live.db.transaction() as session:
        principal = auth.authenticate(session, secret)
    assert principal is not None
    expired = tokens.issue(principal, signing_key, -30).token
    assert _with_token(tenant, expired).get("/v1/departments").status_code == 401
    forged = tokens.issue(
        principal, "not the server's key, though long enough for HS256", 600
    ).token
    assert _with_token(tenant, forged).get("/v1/departments").status_code == 401
    good = tokens.issue(principal, signing_key, 600).token
    head, body, signature = good.split(".")
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"
    assert _with_token(tenant, tampered).get("/v1/departments").status_code == 401
    unsigned = jwt.encode(
        jwt.decode(good, options={"verify_signature": False}), key=None, algorithm="none"
    )
    assert _with_token(tenant, unsigned).get("/v1/departments").status_code == 401
    assert _with_token(tenant, good).get("/v1/departments").status_code == 200


def test_workers_of_one_database_agree_on_the_signing_key(tenant: Tenant) -> None:
    key_id, secret = _key(tenant, ["schedule:read"])
    token = _grant(tenant, key_id, secret).json()["token"]["accessToken"]
    other = Database(tenant.live.db.url)  # another worker's engine
    try:
        shared = tokens.signing_secret(other, Settings(other.url))
        with other.transaction() as session:
            principal = tokens.authenticate_token(session, token, shared)
        assert principal is not None
        assert principal.key_id == key_id
    finally:
        other.close()


def test_a_configured_secret_wins_over_the_stored_one(tenant: Tenant) -> None:
    live = tenant.live
    configured = Settings(live.db.url, token_secret="from-the-environment")
    assert tokens.signing_secret(live.db, configured) == "from-the-environment"


def test_a_token_acts_under_its_keys_name_as_the_key_does(tenant: Tenant) -> None:
    """``decidedBy`` and the other records of who acted read the same for a key and
    the tokens it was granted: its name (else ``key <prefix>``), never blank."""
    with tenant.live.db.transaction() as session:
        key, secret = auth.create_key(
            session, tenant.company_id, ["leave:read"], name="front office"
        )
        key_id = key.id
    token = _grant(tenant, key_id, secret).json()["token"]["accessToken"]
    signing_key = tokens.signing_secret(tenant.live.db, tenant.live.app.state.settings)
    with tenant.live.db.transaction() as session:
        by_key = auth.authenticate(session, secret)
        by_token = tokens.authenticate_token(session, token, signing_key)
    assert by_key is not None
    assert by_token is not None
    assert by_token.name == by_key.name == "front office"
