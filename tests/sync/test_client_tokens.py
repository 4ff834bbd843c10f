"""The sync client on bearer tokens: it trades its key for a token, sends the token,
renews it before it ends, and takes a new one when the server refuses the old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server import auth
from sync.client import SyncClient
from sync.errors import Unauthorized
from tests.sync.conftest import FaultTransport, Tenant, new_id


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _authorizations(faults: FaultTransport) -> list[str]:
    return [r.headers.get("authorization", "") for r in faults.requests]


def test_the_key_stays_the_default(tenant: Tenant, faults: FaultTransport) -> None:
    with SyncClient(tenant.live.url, tenant.key, transport=faults) as client:
        client.current_user()
    assert _authorizations(faults) == [f"Bearer {tenant.key}"]


def test_a_token_is_granted_once_and_sent_instead_of_the_key(
    tenant: Tenant, faults: FaultTransport
) -> None:
    with SyncClient(tenant.live.url, tenant.key, transport=faults, use_token=True) as client:
        me = client.current_user()
        client.create("departments", new_id(), {"name": "Kitchen"}, key=new_id())
        client.changes()
    assert me.company_id == tenant.company_id
    paths = [r.url.path for r in faults.requests]
    # the key's id is learnt once with the key, then the key goes only as Basic
    assert paths[:2] == ["/v1/currentuser", "/v1/auth/token"]
    sent = _authorizations(faults)
    assert sent[1].startswith("Basic ")
    token = client._token
    assert token is not None
    assert sent[2:] == [f"Bearer {token}"] * 3


def test_the_token_is_renewed_before_it_ends(tenant: Tenant, faults: FaultTransport) -> None:
    clock = Clock()
    with tenant.live.db.transaction() as session:
        key_id = auth.authenticate(session, tenant.key).key_id
    with SyncClient(
        tenant.live.url,
        tenant.key,
        transport=faults,
        use_token=True,
        key_id=key_id,
        clock=clock,
        renew_before=60,
    ) as client:
        client.current_user()
        first, ends = client._token, client.token_expires_at
        assert ends is not None
        assert first is not None
        clock.now = ends - timedelta(seconds=120)
        client.current_user()
        assert client._token == first  # not yet
        clock.now = ends - timedelta(seconds=30)
        client.current_user()
        assert client._token != first
        assert client.token_expires_at is not None
        assert client.token_expires_at > ends
    grants = [r for r in faults.requests if r.url.path == "/v1/auth/token"]
    assert len(grants) == 2
    assert all(r.headers["authorization"].startswith("Basic ") for r in grants)


def test_a_token_the_server_refuses_is_replaced_once(
    tenant: Tenant, faults: FaultTransport
) -> None:
    with SyncClient(tenant.live.url, tenant.key, transport=faults, use_token=True) as client:
        client.current_user()
        client._token = "a.b.c"  # what the server no longer takes (a new signing key)
        client._http.headers["Authorization"] = "Bearer a.b.c"
        assert client.current_user().company_id == tenant.company_id
        assert client._token != "a.b.c"


def test_a_revoked_key_gets_no_new_token(tenant: Tenant, faults: FaultTransport) -> None:
    with tenant.live.db.transaction() as session:
        key, secret = auth.create_key(session, tenant.company_id, ["schedule:read"])
        key_id = key.id
    with SyncClient(tenant.live.url, secret, transport=faults, use_token=True) as client:
        client.current_user()
        with tenant.live.db.transaction() as session:
            auth.revoke_key(session, key_id)
        with pytest.raises(Unauthorized):
            client.current_user()
