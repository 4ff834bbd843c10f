"""Loading a tenant's records and the HTTP rules around them: ETags, preconditions,
references and the version stamp every accepted write gets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from core import wire
from core.models import Site, Synced
from core.timeutil import utcnow
from core.wire import (
    INVALID,
    MISSING,
    Collection,
    ErrorEnvelope,
    Problem,
    WireError,
    parse_id,
    to_wire,
    without,
)
from server.envelope import ApiError


def etag(record: Synced) -> str:
    """The strong ETag: the quoted ``recordVersion``."""
    return wire.etag(record.server_version)


def not_found(spec: Collection, record_id: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"no {spec.item} with id {record_id}")


def find(
    session: Session,
    spec: Collection,
    company_id: str,
    record_id: str,
    options: Sequence[ORMOption] = (),
) -> Synced | None:
    """The record if it exists in *this* company (tombstones included); others' are
    None. ``options``: how to load its related rows (a shift's people, joined)."""
    try:
        rid = parse_id(record_id)
    except ValueError:
        return None
    record = session.get(spec.model, rid, options=options)
    if record is None or record.company_id != company_id:  # type: ignore[attr-defined]
        return None
    return record


def load(
    session: Session,
    spec: Collection,
    company_id: str,
    record_id: str,
    options: Sequence[ORMOption] = (),
) -> Synced:
    """A live record of this company, else 404 (never 403: ids of others do not exist)."""
    record = find(session, spec, company_id, record_id, options)
    if record is None or record.deleted:
        raise not_found(spec, record_id)
    return record


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def none_match(header: str | None, record: Synced) -> bool:
    """``If-None-Match`` (weak comparison, RFC 9110): does it name this version?"""
    if not header:
        return False
    current = etag(record)
    return any(t == "*" or t.removeprefix("W/") == current for t in _tags(header))


def precondition_failed(spec: Collection, record: Synced, hidden: Iterable[str] = ()) -> ApiError:
    """412 with the record as it is now, without the fields guarded by ``hidden``."""
    stale = ErrorEnvelope.stale(spec.item, without(spec, to_wire(record), hidden))
    return ApiError.of(stale, headers={"ETag": etag(record)})


def require_match(
    header: str | None, spec: Collection, record: Synced, hidden: Iterable[str] = ()
) -> None:
    """``If-Match`` (strong comparison): 428 without it, 412 when it is stale (the
    record shown without the fields guarded by ``hidden``)."""
    if not header:
        raise ApiError(
            428,
            "PRECONDITION_REQUIRED",
            f'changing a {spec.item} needs If-Match: "<recordVersion>" of the copy you edited',
        )
    current = etag(record)
    if not any(t in ("*", current) for t in _tags(header)):
        raise precondition_failed(spec, record, hidden)


def stamp(record: Synced) -> None:
    """An accepted write: next version, its ETag, the time."""
    now = utcnow()
    record.server_version = (record.server_version or 0) + 1
    record.etag = etag(record)
    record.updated_at = now
    if record.server_version == 1:
        record.created_at = now
    record.dirty = False


#: ``session.info`` key of the records being written (:func:`stamping`): (model, id)
#: to whether the flush that first wrote the row stamped it.
_STAMPING = "stamping"


@contextmanager
def stamping(session: Session, model: type, record_id: str) -> Iterator[None]:
    """The record ``model`` ``record_id`` is being written in this block: the flush
    that first writes its row (core's INSERT or UPDATE) carries its stamp too
    (:func:`stamp_in_flush`), where a stamp after core's flush cost an UPDATE and
    a flush of its own. :func:`take_stamp` tells whether that happened."""
    marks: dict[tuple[type, str], bool] = session.info.setdefault(_STAMPING, {})
    marks[model, record_id] = False
    try:
        yield
    finally:
        marks.pop((model, record_id), None)


def take_stamp(session: Session, record: Synced) -> bool:
    """Whether a flush of this :func:`stamping` block stamped ``record`` already (it
    is not stamped again); False if no flush wrote it yet (a write that changed
    nothing), which the caller then stamps."""
    marks = session.info.get(_STAMPING, {})
    return bool(marks.pop((type(record), record.id), False))


def stamp_in_flush(session: Session, _context: Any, _instances: Any) -> None:
    """``before_flush``: stamp a record of a :func:`stamping` block in the flush that
    first writes its row, new or changed."""
    marks: dict[tuple[type, str], bool] | None = session.info.get(_STAMPING)
    if not marks:
        return
    for obj in (*session.new, *session.dirty):
        key = (type(obj), getattr(obj, "id", None))
        if marks.get(key) is False and (obj in session.new or session.is_modified(obj)):
            stamp(obj)
            marks[key] = True


#: ``session.info`` key of the records a write has looked up (see :func:`hold`).
_HELD = "held_records"


def hold(session: Session, rows: Iterable[object]) -> None:
    """Keep ``rows`` for the rest of the transaction. The session's identity map holds
    unchanged rows only weakly: a row checked here and dropped would be read again
    by core's ``session.get`` of the same id (a shift's site, read three times per
    POST otherwise); held, those gets find it in memory."""
    session.info.setdefault(_HELD, []).extend(rows)


def fill_site(session: Session, spec: Collection, company_id: str, values: dict[str, Any]) -> None:
    """A record of a one-site company may leave out ``siteId``."""
    if "site_id" not in {f.target_key for f in spec.fields} or values.get("site_id"):
        return
    sites = list(session.scalars(select(Site).where(Site.company_id == company_id).limit(2)))
    if len(sites) != 1:
        why = "the company has several sites" if sites else "the company has no site yet"
        raise WireError([Problem("siteId", MISSING, f"is required ({why})")])
    hold(session, sites)
    values["site_id"] = sites[0].id


def check_refs(
    session: Session, spec: Collection, company_id: str, values: Mapping[str, Any]
) -> None:
    """Every id a record names must be a live record of the same company."""
    problems = []
    found = []
    for f in spec.fields:
        target = f.kind.target
        if target is None or values.get(f.target_key) is None:
            continue
        value = values[f.target_key]
        for ref_id in value if isinstance(value, tuple) else (value,):
            row = session.get(target, ref_id)
            if row is None or row.company_id != company_id or getattr(row, "deleted", False):
                name = target.__tablename__.replace("_", " ")
                problems.append(Problem(f.name, INVALID, f"names no {name} with id {ref_id}"))
            else:
                found.append(row)
    hold(session, found)
    if problems:
        raise WireError(problems)
