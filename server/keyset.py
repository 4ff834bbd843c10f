"""Keyset page tokens for lists (``nextPageToken`` beside page numbers).

A token holds the sort key of the last record its page showed, the number of the
page it leads to and a fingerprint of the list's filters. The next page is the
records after that key in the list's own order (its last column is always the
unique id), so records written or deleted while a client pages neither shift the
pages still to come (nothing skipped, nothing repeated) nor change what a token
means. A record whose sort fields are edited meanwhile (a shift moved to another
day) is shown where it now sorts; the change feed is the way to follow edits.

The token is opaque to clients: base64url of compact JSON and an HMAC of it with
the server's signing key, so a token the server did not make is refused (400)
before its values reach a query. It names no company; the query it continues is
always the caller's own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import Session

from core.wire import INVALID, Problem, WireError

#: Query parameters that choose a page rather than what is listed.
PAGE_PARAMS = frozenset({"pageNumber", "pageRowCount", "pageToken"})
TOKEN_PARAM = "pageToken"


@dataclass(frozen=True)
class Token:
    key: tuple[Any, ...]
    page_number: int
    filters: str


def filters_print(params: Mapping[str, str]) -> str:
    """What the list was filtered by: a token is good only for the same filters."""
    pairs = params.multi_items() if hasattr(params, "multi_items") else params.items()
    items = sorted((k, v) for k, v in pairs if k not in PAGE_PARAMS)
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


def _dump(value: Any) -> list[Any]:
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, time):
        return ["t", value.isoformat()]
    if isinstance(value, bool | int):
        return ["i", int(value)]
    return ["s", str(value)]


_LOADERS = {
    "dt": datetime.fromisoformat,
    "d": date.fromisoformat,
    "t": time.fromisoformat,
    "i": int,
    "s": str,
}


#: Longer values of pageToken are not tokens this server made.
MAX_TOKEN = 2000


def _mac(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def encode(key: Sequence[Any], page_number: int, filters: str, secret: str) -> str:
    doc = {"k": [_dump(v) for v in key], "p": page_number, "f": filters}
    raw = json.dumps(doc, separators=(",", ":")).encode()
    text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{text}.{_mac(secret, text)}"


def _bad(message: str) -> WireError:
    return WireError([Problem(TOKEN_PARAM, INVALID, message)])


def decode(token: str, width: int, filters: str, secret: str) -> Token:
    """The token a client sent back, or a 400 naming ``pageToken``."""
    text, _, mac = token.partition(".")
    if len(token) > MAX_TOKEN or not hmac.compare_digest(mac, _mac(secret, text)):
        raise _bad("is not a token this server handed out")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        doc = json.loads(raw)
        key = tuple(_LOADERS[kind](value) for kind, value in doc["k"])
        page = doc["p"]
        made_for = doc["f"]
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise _bad("is not a token this server handed out") from exc
    if len(key) != width or not isinstance(page, int) or page < 2:
        raise _bad("is not a token this server handed out")
    if made_for != filters:
        raise _bad("was made for a list with other filters; start again from the first page")
    return Token(key, page, filters)


def after(columns: Sequence[Any], key: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after ``key`` in ascending ``columns`` order (a row-value comparison spelt
    out, as every database understands it)."""
    terms = []
    for n, column in enumerate(columns):
        equal = [columns[i] == key[i] for i in range(n)]
        terms.append(and_(*equal, column > key[n]))
    return or_(*terms)


def fetch(
    session: Session,
    query: Select[Any],
    order: Sequence[Any],
    params: Mapping[str, str],
    page: int,
    rows: int,
    secret: str,
) -> tuple[list[Any], int, str | None]:
    """A page of ``query`` (a select of one entity, filtered) in ``order``: by
    ``pageToken`` when the client sent one, else page ``page``. Returns the records,
    the page's number and the token of the next page (None on the last)."""
    filters = filters_print(params)
    if TOKEN_PARAM in params:
        if "pageNumber" in params:
            raise WireError(
                [Problem("pageNumber", INVALID, "give pageNumber or pageToken, not both")]
            )
        token = decode(params[TOKEN_PARAM], len(order), filters, secret)
        page = token.page_number
        query = query.where(after(order, token.key))
    else:
        query = query.offset((page - 1) * rows)
    found = session.execute(query.add_columns(*order).order_by(*order).limit(rows + 1)).all()
    more, found = len(found) > rows, found[:rows]
    following = encode(tuple(found[-1][1:]), page + 1, filters, secret) if more else None
    return [row[0] for row in found], page, following
