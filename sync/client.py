"""The client side of the wire contract (docs: DESIGN.md, "Wire contract").

:class:`SyncClient` is a small class over one :class:`httpx.Client` that is given
its transport, so tests can put a fault-injecting one between it and a real server.
Its methods read as the replication protocol (create, update, delete, action,
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
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
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
    Unauthorized,
    Unavailable,
)

#: Waits longer than this are not slept inside one call; the caller is told instead.
MAX_WAIT = 30.0
#: How many times a 429/503 is resent before giving up.
RETRIES = 3

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
    ) -> None:
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
        response = self._send("GET", self._path(collection, record_id), headers=headers)
        if response.status_code == 304:
            return None
        return self._record(response, collection)

    def create(
        self, collection: str, record_id: str, record: Mapping[str, Any], *, key: str
    ) -> Written:
        """``PUT /v1/<c>/<id>`` with ``If-None-Match: *``: write a record made offline.
        :class:`PreconditionFailed` when the id exists (carrying that record)."""
        response = self._send(
            "PUT",
            self._path(collection, record_id),
            json=dict(record),
            headers={"If-None-Match": "*", "Idempotency-Key": key},
            not_found=Rejected,
        )
        return self._record(response, collection, write=True)

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
        response = self._send(
            "PATCH",
            self._path(collection, record_id),
            json=dict(fields),
            headers=self._conditional(base_version, key),
        )
        return self._record(response, collection, write=True)

    def delete(self, collection: str, record_id: str, *, base_version: int, key: str) -> Written:
        """``DELETE /v1/<c>/<id>`` with ``If-Match``: the answer is the tombstone."""
        response = self._send(
            "DELETE",
            self._path(collection, record_id),
            headers=self._conditional(base_version, key),
        )
        return self._record(response, collection, write=True)

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
        response = self._send(
            "POST",
            f"{self._path(collection, record_id)}/{name}",
            params=dict(params or {}),
            headers=self._conditional(base_version, key),
        )
        return self._record(response, collection, write=True)

    def changes(self, cursor: str | int = 0, limit: int = 200) -> ChangePage:
        """``GET /v1/changes``: the page after ``cursor``. :class:`CursorExpired` (410)
        when the server no longer has the tombstones since it."""
        response = self._send("GET", "/v1/changes", params={"cursor": str(cursor), "limit": limit})
        try:
            return ChangePage.parse(self._json(response))
        except WireError as exc:
            raise ProtocolError(f"the change page is not as documented: {exc}") from exc

    # --- the edge --------------------------------------------------------------------

    @staticmethod
    def _path(collection: str, record_id: str) -> str:
        if collection not in COLLECTIONS:
            raise ValueError(f"unknown collection {collection!r}")
        return f"/v1/{collection}/{record_id}"

    @staticmethod
    def _conditional(base_version: int, key: str) -> dict[str, str]:
        return {"If-Match": f'"{base_version}"', "Idempotency-Key": key}

    def _send(
        self, method: str, path: str, *, not_found: type[Exception] = Gone, **kwargs: Any
    ) -> httpx.Response:
        """Send, resending after 429/503 as the server asks; map failure to errors."""
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise Offline(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
            status = response.status_code
            if status not in (429, 503):
                break
            wait = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            if attempt >= self.retries:
                error = RateLimited if status == 429 else Unavailable
                raise error(self._message(response), wait)
            delay = min(wait if wait is not None else 2.0**attempt, self.max_wait)
            self._sleep(delay + self._jitter(delay))
            attempt += 1
        if status < 300 or status == 304:
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
