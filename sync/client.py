"""The client side of the wire contract (docs: DESIGN.md, "Wire contract").

:class:`SyncClient` is a small class over one :class:`httpx.Client` that is given
its transport, so tests can put a fault-injecting one between it and a real server.
Its methods read as the replication protocol (create, update, delete, action, batch,
changes) and every HTTP outcome other than success becomes one exception of
:mod:`sync.errors`, here and nowhere else.

Retries, and why only these:

- 429 and 503 are answered *before* any work is kept (the rate limiter runs first;
  a busy database rolls the write back and releases its Idempotency-Key), so the
  request is resent after ``Retry-After`` (seconds or an HTTP date, capped at
  ``max_wait``) plus a little jitter, up to ``retries`` times; then
  :class:`RateLimited` / :class:`Unavailable` carry the wait the server asked for.
- Network errors, timeouts and other 5xx are *not* retried here: the write may or
  may not have happened, and the engine already keeps the entry in its outbox and
  resends it on the next run with the same Idempotency-Key, which the server
  answers from its record of the first attempt. Retrying inside the client would
  only hold a sync run open against a server that is away. They raise
  :class:`Offline`.

Credentials: by default every request carries the API key. With ``use_token`` the
client instead trades the key (as HTTP Basic, key id : key) for a bearer token at
``POST /v1/auth/token`` and sends that, getting a new one ``renew_before`` seconds
before the old one ends (and once more if the server refuses a token it issued,
after a restart with a new signing key, say); the key then crosses the wire only
to get tokens.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from core.wire import (
    COLLECTIONS,
    COMPANY,
    SITE,
    ChangePage,
    Envelope,
    ErrorEnvelope,
    RecordHeader,
    WireError,
    read_shape,
)
from sync.errors import (
    CursorExpired,
    Gone,
    Offline,
    PreconditionFailed,
    ProtocolError,
    RateLimited,
    Rejected,
    SyncError,
    Unauthorized,
    Unavailable,
)

#: Waits longer than this are not slept inside one call; the caller is told instead.
MAX_WAIT = 30.0
#: How many times a 429/503 is resent before giving up.
RETRIES = 3
#: A token is renewed this many seconds before it ends.
RENEW_BEFORE = 60.0

_SITE_SUMMARY = SITE.only("id", "name", "timezone")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date
    (RFC 9110 §10.2.3); None when absent or unreadable. A date in the past is 0."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def default_jitter(wait: float) -> float:
    """Up to a quarter of the wait (at least a tenth of a second) on top, so sites
    told the same ``Retry-After`` do not all come back at the same instant."""
    return random.uniform(0, max(0.1, wait / 4))


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Written:
    """A record as the server answered it: the wire record, its version and ETag."""

    record: Mapping[str, Any]
    version: int
    etag: str
    #: True when the server answered from its record of an earlier request with the
    #: same Idempotency-Key (``Idempotent-Replayed: true``).
    replayed: bool = False


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    timezone: str


@dataclass(frozen=True)
class CurrentUser:
    """Who the key is: its company (``core.wire.COMPANY`` values), sites and scopes."""

    key_id: str
    company_id: str
    company: Mapping[str, Any]
    sites: tuple[Site, ...]
    scopes: frozenset[str]


#: What a write of a batch may answer on its own; anything else (the network, 429
#: and 503 after the retries) is the whole batch's failure.
_ITEM_ERRORS = (PreconditionFailed, Rejected, Gone, Unauthorized, ProtocolError)


def _path(collection: str, record_id: str) -> str:
    if collection not in COLLECTIONS:
        raise ValueError(f"unknown collection {collection!r}")
    return f"/v1/{collection}/{record_id}"


def _conditional(base_version: int, key: str) -> dict[str, str]:
    return {"If-Match": f'"{base_version}"', "Idempotency-Key": key}


@dataclass(frozen=True)
class Call:
    """One write of the protocol, made once and sent alone (:meth:`SyncClient.send`)
    or with others (:meth:`SyncClient.batch`); both read its answer alike."""

    collection: str
    method: str
    path: str
    headers: Mapping[str, str]
    body: Mapping[str, Any] | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    #: What a 404 means: the record is gone, except for a create (refused).
    not_found: type[Exception] = Gone

    @classmethod
    def create(
        cls, collection: str, record_id: str, record: Mapping[str, Any], *, key: str
    ) -> Call:
        """``PUT /v1/<c>/<id>`` with ``If-None-Match: *``."""
        headers = {"If-None-Match": "*", "Idempotency-Key": key}
        path = _path(collection, record_id)
        return cls(collection, "PUT", path, headers, dict(record), not_found=Rejected)

    @classmethod
    def update(
        cls,
        collection: str,
        record_id: str,
        fields: Mapping[str, Any],
        *,
        base_version: int,
        key: str,
    ) -> Call:
        """``PATCH /v1/<c>/<id>`` with ``If-Match: "<base_version>"``."""
        path = _path(collection, record_id)
        return cls(collection, "PATCH", path, _conditional(base_version, key), dict(fields))

    @classmethod
    def delete(cls, collection: str, record_id: str, *, base_version: int, key: str) -> Call:
        """``DELETE /v1/<c>/<id>`` with ``If-Match``."""
        path = _path(collection, record_id)
        return cls(collection, "DELETE", path, _conditional(base_version, key))

    @classmethod
    def action(
        cls,
        collection: str,
        record_id: str,
        name: str,
        params: Mapping[str, str] | None = None,
        *,
        base_version: int,
        key: str,
    ) -> Call:
        """``POST /v1/<c>/<id>/<name>?<params>`` with ``If-Match``."""
        path = f"{_path(collection, record_id)}/{name}"
        headers = _conditional(base_version, key)
        return cls(collection, "POST", path, headers, params=dict(params or {}))

    def operation(self) -> dict[str, Any]:
        """The call as one operation of a ``/v1/batch`` document."""
        operation: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "headers": dict(self.headers),
        }
        if self.params:
            operation["query"] = dict(self.params)
        if self.body is not None:
            operation["body"] = dict(self.body)
        return operation


class SyncClient:
    """The wire contract over one :class:`httpx.Client`.

    ``transport`` is the seam for tests (a fault-injecting wrapper around the real
    :class:`httpx.HTTPTransport`); ``sleep``, ``clock`` and ``jitter`` make the
    backoff testable without waiting.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retries: int = RETRIES,
        max_wait: float = MAX_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utcnow,
        jitter: Callable[[float], float] = default_jitter,
        use_token: bool = False,
        key_id: str | None = None,
        renew_before: float = RENEW_BEFORE,
    ) -> None:
        self._api_key = api_key
        self.use_token = use_token
        self._key_id = key_id
        self.renew_before = renew_before
        #: The bearer token in use and when it ends (``use_token`` only).
        self._token: str | None = None
        self._token_ends: datetime | None = None
        self._granting = False
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            transport=transport,
            timeout=timeout,
        )
        self.retries = retries
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        #: False once the server showed it has no ``/v1/batch``.
        self._batches = True

    @property
    def base_url(self) -> str:
        """The server this client talks to (what a store's pull cursor is kept for)."""
        return str(self._http.base_url).rstrip("/")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the protocol ----------------------------------------------------------------

    def current_user(self) -> CurrentUser:
        """``GET /v1/currentuser``: the key's company, its sites and the key's scopes."""
        doc = self._data(self._send("GET", "/v1/currentuser"), "currentuser")
        try:
            company = read_shape(COMPANY, doc.get("company"))
            raw_sites = doc.get("sites")
            if not isinstance(raw_sites, list):
                raise ProtocolError(f"currentuser.sites is not a list: {raw_sites!r}")
            sites = tuple(Site(**read_shape(_SITE_SUMMARY, s)) for s in raw_sites)
            return CurrentUser(
                str(doc["keyId"]), str(doc["companyId"]), company, sites, frozenset(doc["scopes"])
            )
        except (WireError, KeyError, TypeError) as exc:
            raise ProtocolError(f"currentuser is not as documented: {exc}") from exc

    def get(
        self, collection: str, record_id: str, *, if_none_match: str | None = None
    ) -> Written | None:
        """``GET /v1/<c>/<id>``: the record, or None when ``if_none_match`` (an ETag)
        still matches (304). :class:`Gone` when there is no such live record."""
        headers = {"If-None-Match": if_none_match} if if_none_match else {}
        response = self._send("GET", _path(collection, record_id), headers=headers)
        if response.status_code == 304:
            return None
        return self._record(response, collection)

    def create(
        self, collection: str, record_id: str, record: Mapping[str, Any], *, key: str
    ) -> Written:
        """``PUT /v1/<c>/<id>`` with ``If-None-Match: *``: write a record made offline.
        :class:`PreconditionFailed` when the id exists (carrying that record)."""
        return self.send(Call.create(collection, record_id, record, key=key))

    def update(
        self,
        collection: str,
        record_id: str,
        fields: Mapping[str, Any],
        *,
        base_version: int,
        key: str,
    ) -> Written:
        """``PATCH /v1/<c>/<id>`` with ``If-Match: "<base_version>"``."""
        return self.send(
            Call.update(collection, record_id, fields, base_version=base_version, key=key)
        )

    def delete(self, collection: str, record_id: str, *, base_version: int, key: str) -> Written:
        """``DELETE /v1/<c>/<id>`` with ``If-Match``: the answer is the tombstone."""
        return self.send(Call.delete(collection, record_id, base_version=base_version, key=key))

    def action(
        self,
        collection: str,
        record_id: str,
        name: str,
        params: Mapping[str, str] | None = None,
        *,
        base_version: int,
        key: str,
    ) -> Written:
        """``POST /v1/<c>/<id>/<name>?<params>`` with ``If-Match``: a state-machine
        decision (``leaverequests``' approve / reject / cancel)."""
        return self.send(
            Call.action(collection, record_id, name, params, base_version=base_version, key=key)
        )

    def send(self, call: Call) -> Written:
        """One write on its own: the record as written, or its exception."""
        response = self._send(
            call.method,
            call.path,
            json=call.body,
            params=dict(call.params),
            headers=dict(call.headers),
            not_found=call.not_found,
        )
        return self._record(response, call.collection, write=True)

    def batch(self, calls: Sequence[Call]) -> list[Written | SyncError]:
        """``POST /v1/batch``: the writes in one request, run in order by the server
        in one transaction; one outcome per call, in order: the :class:`Written` that
        :meth:`send` would return, or the exception it would raise
        (:class:`PreconditionFailed` with the current record, :class:`Rejected`,
        :class:`Gone`, :class:`Unauthorized` for a scope the key lacks, ...).

        The batch as a whole raises what a lone request raises for the transport:
        :class:`Offline`, and :class:`RateLimited` / :class:`Unavailable` after the
        retries (a batch is charged as its operations). A server without the route
        (404/405) gets the calls one by one instead, outcomes alike.
        """
        if not calls:
            return []
        if not self._batches:
            return [self._alone(call) for call in calls]
        document = {"operations": [call.operation() for call in calls]}
        response = self._send("POST", "/v1/batch", json=document, unrouted=True)
        if response.status_code in (404, 405):
            self._batches = False  # an older server: ask it no more this session
            return [self._alone(call) for call in calls]
        document = self._json(response)
        results = document.get("results") if isinstance(document, dict) else None
        if not isinstance(results, list) or len(results) != len(calls):
            raise ProtocolError(
                f"the batch answered {response.text[:200]!r} for {len(calls)} writes"
            )
        return [self._outcome(call, result) for call, result in zip(calls, results, strict=True)]

    def _alone(self, call: Call) -> Written | SyncError:
        try:
            return self.send(call)
        except _ITEM_ERRORS as refused:
            return refused

    def _outcome(self, call: Call, result: Any) -> Written | SyncError:
        """One result of a batch read exactly as :meth:`send` reads a lone answer: the
        result becomes the response its route would have sent."""
        try:
            status, headers, body = result["status"], result["headers"], result["body"]
            answer = httpx.Response(
                status,
                headers=headers,
                json=body,
                request=self._http.build_request(call.method, call.path, params=call.params),
            )
        except (TypeError, KeyError, ValueError) as exc:
            raise ProtocolError(f"a batch result is not as documented: {result!r:.200}") from exc
        try:
            if status >= 300:
                self._raise(answer, call.method, call.path, call.not_found)
            return self._record(answer, call.collection, write=True)
        except _ITEM_ERRORS as refused:
            return refused

    def changes(self, cursor: str | int = 0, limit: int = 200) -> ChangePage:
        """``GET /v1/changes``: the page after ``cursor``. :class:`CursorExpired` (410)
        when the server no longer has the tombstones since it."""
        response = self._send("GET", "/v1/changes", params={"cursor": str(cursor), "limit": limit})
        try:
            return ChangePage.parse(self._json(response))
        except WireError as exc:
            raise ProtocolError(f"the change page is not as documented: {exc}") from exc

    # --- credentials -----------------------------------------------------------------

    @property
    def token_expires_at(self) -> datetime | None:
        """When the token in use ends (None before the first, or without tokens)."""
        return self._token_ends

    def grant_token(self) -> str:
        """``POST /v1/auth/token`` with the key as HTTP Basic: a new token, sent from now
        on. The key's id comes from ``/v1/currentuser`` when not given."""
        self._granting = True
        try:
            if self._key_id is None:
                self._http.headers["Authorization"] = f"Bearer {self._api_key}"
                self._key_id = self.current_user().key_id
            started = self._clock()
            response = self._send(
                "POST", "/v1/auth/token", auth=httpx.BasicAuth(self._key_id, self._api_key)
            )
        finally:
            self._granting = False
        doc = self._data(response, "token")
        try:
            token, lifetime = str(doc["accessToken"]), float(doc["expiresIn"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"the token grant is not as documented: {exc}") from exc
        self._token = token
        self._token_ends = started + timedelta(seconds=lifetime)
        self._http.headers["Authorization"] = f"Bearer {token}"
        return token

    def _fresh_token(self) -> None:
        """Get a token when there is none or it ends within ``renew_before`` seconds."""
        if self._token is not None and self._token_ends is not None:
            left = (self._token_ends - self._clock()).total_seconds()
            if left > self.renew_before:
                return
        self.grant_token()

    # --- the edge --------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        not_found: type[Exception] = Gone,
        unrouted: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send, resending after 429/503 as the server asks; map failure to errors
        (``unrouted``: a 404/405, the server lacking the route, is returned instead)."""
        if self.use_token and not self._granting:
            self._fresh_token()
        attempt = 0
        renewed = False
        while True:
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise Offline(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
            status = response.status_code
            if status == 401 and self.use_token and not self._granting and not renewed:
                renewed = True  # a token the server no longer takes: one new grant
                self.grant_token()
                continue
            if status not in (429, 503):
                break
            wait = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            if attempt >= self.retries:
                error = RateLimited if status == 429 else Unavailable
                raise error(self._message(response), wait)
            delay = min(wait if wait is not None else 2.0**attempt, self.max_wait)
            self._sleep(delay + self._jitter(delay))
            attempt += 1
        if status < 300 or status == 304 or (unrouted and status in (404, 405)):
            return response
        self._raise(response, method, path, not_found)
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise(
        self, response: httpx.Response, method: str, path: str, not_found: type[Exception]
    ) -> None:
        status = response.status_code
        if status >= 500:
            raise Offline(f"{method} {path}: the server failed ({status})", status)
        error = self._error(response)
        message = error.message if error else response.text[:200]
        if status in (401, 403):
            raise Unauthorized(status, message)
        if status == 404 and not_found is Gone:
            raise Gone(f"{method} {path}: {message}")
        if status == 410:
            raise CursorExpired(f"{method} {path}: {message}")
        if status == 412:
            if error is None or error.current is None:
                raise ProtocolError(f"412 without the current record: {response.text[:200]!r}")
            tag = response.headers.get("ETag") or str(error.detail.get("etag", ""))
            raise PreconditionFailed(message, error.current, tag)
        if status in (400, 404, 409, 422, 428):
            if error is None:
                raise ProtocolError(f"{status} without an error envelope: {response.text[:200]!r}")
            raise Rejected(status, message, error.err_code, error.problems, error.conflicts)
        raise ProtocolError(f"{method} {path}: unexpected status {status}")

    def _error(self, response: httpx.Response) -> ErrorEnvelope | None:
        try:
            return ErrorEnvelope.parse(response.json())
        except (ValueError, WireError):
            return None

    def _message(self, response: httpx.Response) -> str:
        error = self._error(response)
        return f"{response.status_code}: {error.message if error else response.reason_phrase}"

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ProtocolError(
                f"{response.status_code} body is not JSON: {response.text[:200]!r}"
            ) from exc

    def _data(self, response: httpx.Response, data_name: str) -> Mapping[str, Any]:
        try:
            return Envelope.parse(self._json(response), data_name).data
        except WireError as exc:
            raise ProtocolError(f"the {data_name} envelope is not as documented: {exc}") from exc

    def _record(self, response: httpx.Response, collection: str, *, write: bool = False) -> Written:
        record = self._data(response, COLLECTIONS[collection].item)
        try:
            version = RecordHeader.parse(record).version
        except WireError as exc:
            raise ProtocolError(f"the {collection} record is not as documented: {exc}") from exc
        sent = response.headers.get("ETag")
        expected = f'"{version}"'
        if sent != expected and (write or sent is not None):
            what = "no ETag" if sent is None else f"ETag {sent}"
            kind = "a weak" if sent is not None and sent.startswith("W/") else "a wrong"
            raise ProtocolError(
                f"the server answered a {response.request.method} with {what}"
                f"{'' if sent is None else f' ({kind} one)'}; expected the strong {expected}"
                " of recordVersion"
            )
        replayed = response.headers.get("Idempotent-Replayed") == "true"
        return Written(record, version, expected, replayed)
