"""Webhooks: a company's subscriptions, the outbox their deliveries are written to,
and the worker that sends them.

- **Outbox.** Every write reaches :func:`server.feed.record`, which calls
  :func:`enqueue` in the same transaction: one ``webhook_delivery`` row per
  subscription that wants the event. A write that rolls back (or a refused
  operation of a batch, under its savepoint) leaves no delivery; a committed one
  always has its deliveries.
- **Payload.** ``{"event","timestamp","data"}`` (``data``: the record as the API
  shows it), fixed when the row is written: every try sends the same bytes, signed
  ``X-ShiftDesk-Signature: sha256=<hex HMAC-SHA256 of the body with the
  subscription's secret>``, with ``X-ShiftDesk-Delivery`` (the delivery id, the
  same on every try: receivers deduplicate by it) and ``X-ShiftDesk-Event``.
- **Worker.** A thread in each server process (:class:`Worker`) claims due rows by
  a lease (``lease_owner``, ``lease_until``; ``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL), so several workers of one database never send a row at the same
  time; the lease outlasts a try's timeout, and a worker records an outcome only
  while it still holds the lease. A 2xx answer delivers; anything else is retried
  after ``base * 2**(tries-1)`` seconds (capped, with jitter) until the last try,
  after which the row is *dead*: listed, replayed (a fresh series of tries) or
  discarded through the API and ``shiftdesk server``.

Events: ``employee.created/updated/deleted``, ``attendance.clock_in`` /
``clock_out`` (and ``attendance.break_start`` / ``break_end``), ``shift.created/
updated/deleted``, ``leave.created/updated/deleted`` and, when a request's status
changes, ``leave.approved/rejected/cancelled``. ShiftDesk has no penalties, so
``penalty.created`` is never sent (a subscription may name it; see README).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from core.errors import NotFound, ValidationError
from core.models import Company
from core.timeutil import utcnow
from core.wire import COLLECTIONS, INVALID, MISSING, UNDEFINED, Problem, WireError, without
from server import webhook_targets as targets
from server.auth import hidden_guards
from server.db import Database
from server.settings import Settings
from server.tables import (
    ApiKey,
    Change,
    FeedCounter,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

LOGGER = logging.getLogger("shiftdesk.server.webhooks")

#: Every event a subscription can name (``penalty.created`` is reserved: ShiftDesk
#: has no penalties to report).
EVENTS = (
    "employee.created",
    "employee.updated",
    "employee.deleted",
    "attendance.clock_in",
    "attendance.clock_out",
    "attendance.break_start",
    "attendance.break_end",
    "penalty.created",
    "shift.created",
    "shift.updated",
    "shift.deleted",
    "leave.created",
    "leave.updated",
    "leave.deleted",
    "leave.approved",
    "leave.rejected",
    "leave.cancelled",
)
SIGNATURE_HEADER = "X-ShiftDesk-Signature"
DELIVERY_HEADER = "X-ShiftDesk-Delivery"
EVENT_HEADER = "X-ShiftDesk-Event"

PENDING, DELIVERED, DEAD, DISCARDED = "pending", "delivered", "dead", "discarded"
STATUSES = (PENDING, DELIVERED, DEAD, DISCARDED)

#: Collections whose writes make events, and the event's first word.
_SUBJECTS = {"employees": "employee", "shifts": "shift", "leaverequests": "leave"}
#: The collection an event's record is of, by the event's first word.
_COLLECTION_OF = {subject: name for name, subject in _SUBJECTS.items()} | {
    "attendance": "clockevents"
}


# --- subscriptions ---------------------------------------------------------------------


def _patterns(events: Any) -> list[str]:
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise WireError([Problem("events", INVALID, "must be a non-empty list of event names")])
    wanted = list(dict.fromkeys(e.strip() for e in events))
    families = {e.split(".")[0] for e in EVENTS}
    bad = [
        e
        for e in wanted
        if e not in EVENTS and e != "*" and not (e.endswith(".*") and e[:-2] in families)
    ]
    if bad:
        raise WireError(
            [
                Problem(
                    "events",
                    INVALID,
                    f"unknown {', '.join(bad)}; choose from {', '.join(EVENTS)}, a family"
                    " such as shift.* or *",
                )
            ]
        )
    return wanted


def _secret(value: Any) -> str:
    if not isinstance(value, str) or not 16 <= len(value) <= 200:
        raise WireError([Problem("secret", INVALID, "must be 16 to 200 characters")])
    return value


_FIELDS = {"url", "events", "secret", "description", "isActive"}


def unreadable(patterns: Iterable[str], readable: Collection[str]) -> list[str]:
    """The event names or patterns that cover records of a collection not in
    ``readable`` (``*`` covers every collection)."""
    bad = []
    for pattern in patterns:
        families = _COLLECTION_OF if pattern == "*" else [pattern.split(".")[0]]
        collections = {_COLLECTION_OF[f] for f in families if f in _COLLECTION_OF}
        if collections - set(readable):
            bad.append(pattern)
    return bad


def _checked(
    body: Any,
    *,
    creating: bool,
    allow_private: bool,
    readable: Collection[str] | None = None,
) -> dict[str, Any]:
    """The subscription's fields from a request body, or a 400 naming each bad one
    (a URL of a private address only when ``allow_private``; events only of the
    ``readable`` collections, when given: a key subscribes to no record it may not
    read)."""
    if not isinstance(body, dict):
        raise WireError([Problem("body", INVALID, "must be a JSON object")])
    problems = [
        Problem(k, UNDEFINED, "is not a field of a webhook") for k in body if k not in _FIELDS
    ]
    if creating:
        problems += [Problem(k, MISSING, "is required") for k in ("url", "events") if k not in body]
    values: dict[str, Any] = {}
    checks: dict[str, Callable[[Any], Any]] = {
        "url": lambda url: targets.check_url(url, allow_private=allow_private),
        "events": _patterns,
        "secret": _secret,
    }
    for name, check in checks.items():
        if name in body:
            try:
                values[name] = check(body[name])
            except WireError as exc:
                problems += exc.problems
    if "description" in body:
        if isinstance(body["description"], str) and len(body["description"]) <= 200:
            values["description"] = body["description"]
        else:
            problems.append(
                Problem("description", INVALID, "must be text of 200 characters at most")
            )
    if "isActive" in body:
        if isinstance(body["isActive"], bool):
            values["is_active"] = body["isActive"]
        else:
            problems.append(Problem("isActive", INVALID, "must be true or false"))
    if readable is not None and "events" in values:
        bad = unreadable(values["events"], readable)
        if bad:
            problems.append(
                Problem(
                    "events",
                    INVALID,
                    f"{', '.join(bad)} would send records this API key may not read;"
                    " name only events of what it reads",
                )
            )
    if problems:
        raise WireError(problems)
    return values


def show_subscription(sub: WebhookSubscription, *, with_secret: bool = False) -> dict[str, Any]:
    shown = {
        "id": sub.id,
        "companyId": sub.company_id,
        "url": sub.url,
        "events": sub.events.split(","),
        "description": sub.description,
        "isActive": sub.is_active,
        "createdAt": _instant(sub.created_at),
        "updatedAt": _instant(sub.updated_at),
    }
    if with_secret:
        shown["secret"] = sub.secret
    return shown


def create_subscription(
    session: Session,
    company_id: str,
    body: Any,
    key_id: str | None = None,
    *,
    allow_private: bool = False,
    readable: Collection[str] | None = None,
) -> WebhookSubscription:
    """A new subscription; without a ``secret`` one is made (shown in the answer only).
    ``key_id``: the API key subscribing, whose view of records the payloads get
    (None: the operator's, everything). ``allow_private``: the operator's setting
    (:mod:`server.webhook_targets`); ``readable``: the collections the key may read
    (None: the operator, all)."""
    values = _checked(body, creating=True, allow_private=allow_private, readable=readable)
    if session.get(Company, company_id) is None:
        raise NotFound("company", company_id)
    sub = WebhookSubscription(
        company_id=company_id,
        url=values["url"],
        events=",".join(values["events"]),
        secret=values.get("secret") or secrets.token_urlsafe(32),
        description=values.get("description", ""),
        is_active=values.get("is_active", True),
        key_id=key_id,
    )
    session.add(sub)
    session.flush()
    subscriptions_changed(session, company_id)
    return sub


def get_subscription(session: Session, company_id: str | None, sub_id: str) -> WebhookSubscription:
    """The subscription, in ``company_id`` (None: any, for the administrator)."""
    sub = session.get(WebhookSubscription, sub_id)
    if sub is None or (company_id is not None and sub.company_id != company_id):
        raise NotFound("webhook", sub_id)
    return sub


def update_subscription(
    session: Session,
    company_id: str,
    sub_id: str,
    body: Any,
    *,
    allow_private: bool = False,
    readable: Collection[str] | None = None,
) -> WebhookSubscription:
    sub = get_subscription(session, company_id, sub_id)
    values = _checked(body, creating=False, allow_private=allow_private, readable=readable)
    if "events" in values:
        values["events"] = ",".join(values["events"])
    for name, value in values.items():
        setattr(sub, name, value)
    sub.updated_at = utcnow()
    session.flush()
    subscriptions_changed(session, sub.company_id)
    return sub


def delete_subscription(session: Session, company_id: str | None, sub_id: str) -> None:
    """Remove a subscription; its deliveries not yet sent are discarded, the log kept."""
    sub = get_subscription(session, company_id, sub_id)
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == sub.id, WebhookDelivery.status == PENDING)
        .values(status=DISCARDED, lease_owner=None, lease_until=None)
    )
    session.delete(sub)
    subscriptions_changed(session, sub.company_id)


def list_subscriptions(session: Session, company_id: str | None) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).order_by(
        WebhookSubscription.created_at, WebhookSubscription.id
    )
    if company_id is not None:
        query = query.where(WebhookSubscription.company_id == company_id)
    return list(session.scalars(query))


# --- the outbox --------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _wants(patterns: Iterable[str], event: str) -> bool:
    family = event.split(".")[0]
    return any(p in ("*", event, f"{family}.*") for p in patterns)


def events_of(
    session: Session, collection: str, record: Mapping[str, Any], version: int, deleted: bool
) -> list[str]:
    """The events a write of ``record`` makes (none for most collections)."""
    if collection == "clockevents":  # append-only: a punch is an event once
        if deleted or version != 1:
            return []
        kind = record.get("kind")
        return [f"attendance.clock_{kind}" if kind in ("in", "out") else f"attendance.{kind}"]
    subject = _SUBJECTS.get(collection)
    if subject is None:
        return []
    if deleted:
        return [f"{subject}.deleted"]
    if version == 1:
        return [f"{subject}.created"]
    found = [f"{subject}.updated"]
    if collection == "leaverequests":
        before = session.get(Change, (collection, record["id"]))
        status = record.get("status")
        was = before.record.get("status") if before is not None else None
        if status != was and status in ("approved", "rejected", "cancelled"):
            found.append(f"leave.{status}")
    return found


def wake_after_commit(session: Session, db: Database) -> None:
    """Wake this process's worker once ``session`` commits (others find the rows by
    polling)."""
    wake: threading.Event | None = getattr(db, "webhook_wake", None)
    if wake is None or session.info.get("webhook_wake_set"):
        return
    session.info["webhook_wake_set"] = True

    def woken(_session: Session) -> None:
        wake.set()
        _session.info.pop("webhook_wake_set", None)

    sa_event.listen(session, "after_commit", woken, once=True)


Subscribers = list[tuple[str, list[str], frozenset]]

#: Per database, each company's subscriptions as last read, with the
#: :attr:`FeedCounter.webhooks_version` they were read at.
_READ: weakref.WeakKeyDictionary[Database, dict[str, tuple[int, Subscribers]]] = (
    weakref.WeakKeyDictionary()
)


def subscriptions_changed(session: Session, company_id: str) -> None:
    """Move the company's subscriptions version, in the transaction that changes them:
    every worker then reads them again on its next write (:func:`_subscribers`)."""
    FeedCounter.webhooks_changed(session, company_id)


def _subscribers(
    session: Session, db: Database, company_id: str, version: int | None = None
) -> Subscribers:
    """The company's active subscriptions: (id, event patterns, the field guards its
    payloads leave out), looked up once per transaction. A subscription made by a
    key shows what that key may read now (:func:`server.auth.hidden_guards`, the
    rule of the GET routes); one whose key is revoked or gone gets nothing.

    ``version``: the company's subscriptions version, read by the write's turn
    under the counter row's lock. Whatever changes the subscriptions moves it in
    the same transaction (:func:`subscriptions_changed`), so the list read at the
    same version is still the company's, and is not read again."""
    cached = session.info.get(("webhooks", company_id))
    if cached is not None:
        return cached
    known = _READ.setdefault(db, {})
    if version is not None and company_id in known and known[company_id][0] == version:
        session.info[("webhooks", company_id)] = known[company_id][1]
        return known[company_id][1]
    rows = session.execute(
        select(WebhookSubscription.id, WebhookSubscription.events, ApiKey.scopes)
        .outerjoin(ApiKey, ApiKey.id == WebhookSubscription.key_id)
        .where(
            WebhookSubscription.company_id == company_id,
            WebhookSubscription.is_active.is_(True),
            or_(
                WebhookSubscription.key_id.is_(None),
                and_(ApiKey.id.is_not(None), ApiKey.revoked_at.is_(None)),
            ),
        )
    ).all()
    found = [
        (sub_id, events.split(","), hidden_guards(scopes.split(",")) if scopes else frozenset())
        for sub_id, events, scopes in rows
    ]
    session.info[("webhooks", company_id)] = found
    if version is not None:
        known[company_id] = (version, found)
    return found


def enqueue(
    session: Session,
    db: Database,
    company_id: str,
    collection: str,
    record: Mapping[str, Any],
    version: int,
    deleted: bool,
    *,
    subscriptions_version: int | None = None,
) -> int:
    """Write the deliveries of one record's write, in the write's transaction; called
    by :func:`server.feed.record` before it replaces the record's previous change.
    Each subscription's payload leaves out the fields its key may not read.
    ``subscriptions_version``: what the write's turn read (see :func:`_subscribers`).
    Returns how many were written."""
    subs = _subscribers(session, db, company_id, subscriptions_version)
    if not subs:
        return 0
    rows = []
    now = utcnow()
    spec = COLLECTIONS[collection]
    for name in events_of(session, collection, record, version, deleted):
        bodies: dict[frozenset, str] = {}
        for sub_id, patterns, hidden in subs:
            if not _wants(patterns, name):
                continue
            if hidden not in bodies:
                data = without(spec, record, hidden)
                bodies[hidden] = json.dumps(
                    {"event": name, "timestamp": _instant(now), "data": data},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "company_id": company_id,
                    "subscription_id": sub_id,
                    "event": name,
                    "body": bodies[hidden],
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    if rows:
        session.execute(WebhookDelivery.__table__.insert(), rows)
        wake_after_commit(session, db)
    return len(rows)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- the delivery log and the dead letters ------------------------------------------------


def _reader_view(event: str, payload: dict[str, Any], hidden: Iterable[str]) -> dict[str, Any]:
    """A stored payload as a reader of the log may see it: without the fields it may
    not read, whoever the delivery was for."""
    family = event.split(".")[0]
    collection = _COLLECTION_OF.get(family)
    if collection is not None and isinstance(payload.get("data"), dict):
        payload["data"] = without(COLLECTIONS[collection], payload["data"], hidden)
    return payload


def show_delivery(
    delivery: WebhookDelivery,
    attempts: Sequence[WebhookAttempt] | None = None,
    hidden: Iterable[str] = (),
) -> dict[str, Any]:
    """The log's entry; its payload without the fields guarded by ``hidden``."""
    shown: dict[str, Any] = {
        "id": delivery.id,
        "companyId": delivery.company_id,
        "subscriptionId": delivery.subscription_id,
        "event": delivery.event,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "nextAttemptAt": _instant(delivery.next_attempt_at) if delivery.status == PENDING else None,
        "lastStatus": delivery.last_status,
        "lastError": delivery.last_error,
        "createdAt": _instant(delivery.created_at),
        "deliveredAt": _instant(delivery.delivered_at),
        "payload": _reader_view(delivery.event, json.loads(delivery.body), hidden),
    }
    if attempts is not None:
        shown["attemptLog"] = [
            {
                "number": a.number,
                "at": _instant(a.at),
                "statusCode": a.status_code,
                "error": a.error,
                "durationMs": a.duration_ms,
            }
            for a in attempts
        ]
    return shown


def list_deliveries(
    session: Session,
    company_id: str | None,
    *,
    status: str | None = None,
    subscription_id: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[WebhookDelivery], int]:
    if status is not None and status not in STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(STATUSES)}")
    clauses = []
    if company_id is not None:
        clauses.append(WebhookDelivery.company_id == company_id)
    if status is not None:
        clauses.append(WebhookDelivery.status == status)
    if subscription_id is not None:
        clauses.append(WebhookDelivery.subscription_id == subscription_id)
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(*clauses))
    rows = session.scalars(
        select(WebhookDelivery)
        .where(*clauses)
        .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total or 0


def get_delivery(session: Session, company_id: str | None, delivery_id: str) -> WebhookDelivery:
    found = session.get(WebhookDelivery, delivery_id)
    if found is None or (company_id is not None and found.company_id != company_id):
        raise NotFound("webhook delivery", delivery_id)
    return found


def attempts_of(session: Session, delivery_id: str) -> list[WebhookAttempt]:
    return list(
        session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
    )


def _dead(session: Session, company_id: str | None, delivery_id: str) -> WebhookDelivery:
    found = get_delivery(session, company_id, delivery_id)
    if found.status != DEAD:
        raise NotFound("dead-letter delivery", delivery_id)
    return found


def replay(session: Session, company_id: str | None, delivery_id: str) -> WebhookDelivery:
    """A dead delivery gets a fresh series of tries, now, with the same id and body."""
    found = _dead(session, company_id, delivery_id)
    found.status, found.attempts, found.next_attempt_at = PENDING, 0, utcnow()
    found.lease_owner = found.lease_until = None
    session.flush()
    return found


def discard(session: Session, company_id: str | None, delivery_id: str) -> WebhookDelivery:
    """A dead delivery is given up; it stays in the log as discarded."""
    found = _dead(session, company_id, delivery_id)
    found.status = DISCARDED
    session.flush()
    return found


def purge_deliveries(session: Session, before: datetime) -> int:
    """Forget delivered and discarded deliveries finished before ``before``, with
    their tries; pending ones and dead letters stay (a dead letter waits to be
    replayed or discarded). Returns how many deliveries were forgotten."""
    finished = or_(
        and_(WebhookDelivery.status == DELIVERED, WebhookDelivery.delivered_at < before),
        and_(WebhookDelivery.status == DISCARDED, WebhookDelivery.created_at < before),
    )
    old = select(WebhookDelivery.id).where(finished)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(old)))
    return session.execute(delete(WebhookDelivery).where(finished)).rowcount


# --- the worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    id: str
    url: str
    secret: str
    event: str
    body: str
    attempts: int


def backoff(settings: Settings, tries: int) -> float:
    """Seconds before the next try after ``tries`` failed ones, with ±10% jitter."""
    wait = min(
        settings.webhook_retry_base_seconds * 2 ** (tries - 1), settings.webhook_retry_max_seconds
    )
    return wait * random.uniform(0.9, 1.1)


class Worker:
    """Sends due deliveries from a thread of this server process (see the module)."""

    def __init__(self, db: Database, settings: Settings, batch: int = 20) -> None:
        self.db = db
        self.settings = settings
        self.batch = batch
        self.owner = f"{uuid.uuid4().hex[:12]}"
        self.lease = timedelta(seconds=settings.webhook_timeout_seconds * 2 + 30)
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http: httpx.Client | None = None

    def start(self) -> None:
        self.db.webhook_wake = self.wake  # type: ignore[attr-defined]
        self._http = httpx.Client(timeout=self.settings.webhook_timeout_seconds)
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.webhook_timeout_seconds + 5)
        if self._http is not None:
            self._http.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.run_once()
            except Exception:  # a database hiccup: logged, tried again next round
                LOGGER.exception("webhook worker round failed")
                sent = 0
            if sent == 0:
                self.wake.wait(self.settings.webhook_poll_seconds)
                self.wake.clear()

    def claim(self) -> list[_Claimed]:
        """Take up to ``batch`` due rows under this worker's lease."""
        now = utcnow()
        due = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)
            .limit(self.batch)
        )
        if not self.db.is_sqlite:
            due = due.with_for_update(skip_locked=True)
        with self.db.transaction() as session:
            ids = list(session.scalars(due))
            if not ids:
                return []
            session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id.in_(ids),
                    WebhookDelivery.status == PENDING,
                    or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
                )
                .values(lease_owner=self.owner, lease_until=now + self.lease)
            )
            rows = session.execute(
                select(WebhookDelivery, WebhookSubscription)
                .join(
                    WebhookSubscription,
                    WebhookSubscription.id == WebhookDelivery.subscription_id,
                )
                .where(WebhookDelivery.id.in_(ids), WebhookDelivery.lease_owner == self.owner)
            ).all()
            return [_Claimed(d.id, s.url, s.secret, d.event, d.body, d.attempts) for d, s in rows]

    def run_once(self) -> int:
        """One round: claim due rows and try each; returns how many were tried."""
        claimed = self.claim()
        for row in claimed:
            if self._stop.is_set():
                break
            self._try(row)
        return len(claimed)

    def _try(self, row: _Claimed) -> None:
        """One try: the URL checked again and pinned to the address checked (a name
        that now resolves to a private address is a failed try, not a request)."""
        assert self._http is not None
        body = row.body.encode()
        started = time.perf_counter()
        try:
            target = targets.pin(row.url, allow_private=self.settings.webhook_allow_private)
        except targets.Refused as exc:
            self._record(row, None, f"not sent: the URL {exc}"[:500], 0)
            return
        headers = {
            **target.headers,
            "Content-Type": "application/json",
            "User-Agent": "ShiftDesk-Webhooks/1",
            SIGNATURE_HEADER: sign(row.secret, body),
            DELIVERY_HEADER: row.id,
            EVENT_HEADER: row.event,
        }
        status: int | None = None
        error: str | None = None
        try:
            status = self._http.post(
                target.url, content=body, headers=headers, extensions=target.extensions
            ).status_code
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        elapsed = int((time.perf_counter() - started) * 1000)
        self._record(row, status, error, elapsed)

    def _record(self, row: _Claimed, status: int | None, error: str | None, ms: int) -> None:
        """The try's outcome, kept only while this worker still holds the lease."""
        tries = row.attempts + 1
        now = utcnow()
        values: dict[str, Any] = {
            "attempts": tries,
            "last_status": status,
            "last_error": error,
            "lease_owner": None,
            "lease_until": None,
        }
        if error is None:
            values |= {"status": DELIVERED, "delivered_at": now}
        elif tries >= self.settings.webhook_max_attempts:
            values["status"] = DEAD
        else:
            values["next_attempt_at"] = now + timedelta(seconds=backoff(self.settings, tries))
        with self.db.transaction() as session:
            kept = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == row.id, WebhookDelivery.lease_owner == self.owner)
                .values(**values)
            ).rowcount
            if kept:
                session.add(
                    WebhookAttempt(
                        delivery_id=row.id,
                        number=tries,
                        at=now,
                        status_code=status,
                        error=error,
                        duration_ms=ms,
                    )
                )
