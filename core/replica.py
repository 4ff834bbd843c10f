"""Applying what the server sends to the local store: upserts, tombstones, whole pages.

A pull is no edit: it runs with ``session.info[outbox.APPLYING_REMOTE]`` set, so
it writes no outbox entry, and it records no undo. Each row it writes becomes the
server's copy: ``server_version`` is the ``recordVersion``, ``etag`` its quoted
form, ``base`` the record exactly as received (the common ancestor of the next
three-way merge), ``dirty`` False, ``deleted`` for a tombstone or ``isActive:
false``, the stamps the record's own. Content goes through :func:`core.wire.from_wire`,
the parser the server uses, so a bad record is refused naming its field and no
row of its page is written. A shift gets the absolute instants of its date and
times in its site's zone, as :mod:`core.scheduling` writes them, so the conflict
rules see a pulled shift like any other.

What is not overwritten, and why:

* A row with unsent local edits (``dirty``, or an outbox entry) keeps its content
  *and* its sync columns. It comes back in :attr:`Applied.held` with base, mine and
  theirs, for the engine to merge (:func:`sync.merge.merge`); writing ``base`` or
  ``server_version`` here would make the merge lose the local edit, or let the next
  push overwrite the server's without a 412.
* A row at the incoming version or a later one (the echo of our own push, or a page
  read before a push that has since been acknowledged) is left as it is.
* A field the server left out of a record it knows (a rate or an e-mail its key
  may not read: ``core.wire.Field.guard``) keeps this store's value, in the row and
  in its base (:func:`with_omitted`): a server that says nothing about a field
  never clears it here, and the next merge sees it unchanged.

References: the feed holds each record once, at its *latest* change, so a record
can come before what it names (an employee created in a department that was renamed
later), in the same page or a later one, or name a record deleted before this store
ever saw it. Within a page the collections are written parents first; a department,
employee or template that is still missing gets a hidden stand-in row (deleted,
never sent, no version) that keeps the foreign key valid and is overwritten when the
real record arrives. The referencing row keeps exactly the id the server sent.
A site must already be in the store (a store learns its company's sites when it
joins the company), and every record must be of the store's company.

Writes are bulk statements, a few per collection and page, not a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import outbox
from core.bulk import insert_columns
from core.changes import Changes, of_model
from core.errors import ValidationError
from core.models import (
    Company,
    Department,
    Employee,
    OutboxEntry,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    ShiftTemplate,
    Site,
    Synced,
)
from core.results import OpResult
from core.timeutil import shift_instants, utcnow
from core.wire import (
    COLLECTIONS,
    INVALID,
    MISSING,
    RECORD_FIELDS,
    ChangePage,
    Collection,
    Problem,
    RecordHeader,
    WireError,
    etag,
    from_wire,
    parse_id,
    to_wire,
)

_CHUNK = 5000

#: A shift's assignments: wire fields kept as rows of their own tables.
_LINKS: Mapping[str, tuple[Table, str]] = {
    "employee_ids": (ShiftEmployee.__table__, "employee_id"),  # type: ignore[dict-item]
    "department_ids": (ShiftDepartment.__table__, "department_id"),  # type: ignore[dict-item]
}

#: What a stand-in row holds beyond its id, company and site.
_STAND_IN: Mapping[type[Synced], Mapping[str, Any]] = {
    Department: {"name": ""},
    Employee: {"first_name": "", "last_name": ""},
    ShiftTemplate: {
        "name": "",
        "start_time": "00:00",
        "end_time": "00:00",
        "rrule": "FREQ=DAILY;COUNT=1",
        "dtstart": date(2000, 1, 1),
    },
}


@dataclass(frozen=True)
class Held:
    """A record with unsent local edits that the pull left alone, to be merged.

    ``merge(held.base, held.mine, held.theirs)`` is the three-way merge the engine
    does; ``version`` is the server's version now, the ``If-Match`` of the push that
    carries the merged record. ``theirs`` is None for a tombstone.
    """

    collection: str
    id: str
    version: int
    #: The row's ``base``: the last copy the server acknowledged (None: none yet).
    base: Mapping[str, Any] | None
    #: The local row as the wire shows it (``isActive: false`` when deleted here).
    mine: Mapping[str, Any]
    theirs: Mapping[str, Any] | None


@dataclass(frozen=True)
class Applied(OpResult):
    """What a pull wrote: ``changed`` and ``ids`` as after an edit, no undo (a pull
    is not undone), and the records it held back for a merge."""

    held: tuple[Held, ...] = ()

    @property
    def applied(self) -> bool:
        return not self.conflicts


class RecordRefused(WireError):
    """A record from the server that cannot be stored; nothing of its page was written."""

    def __init__(self, spec: Collection, record_id: str, problems: Iterable[Problem]) -> None:
        super().__init__(problems)
        self.collection = spec.name
        self.record_id = record_id
        self.args = (f"{spec.item} {record_id} from the server: {self.problem}",)


@dataclass
class _Incoming:
    spec: Collection
    id: str
    version: int
    #: The record as received; None for a tombstone.
    record: Mapping[str, Any] | None = None
    header: RecordHeader | None = None
    #: Parsed content, every field of the collection, keyed by ``Field.target_key``.
    values: dict[str, Any] = field(default_factory=dict)


# --- the three entry points ------------------------------------------------------------


def apply_upsert(session: Session, collection: str, record: Mapping[str, Any]) -> Applied:
    """Store one record as the server sent it (created, changed or deactivated)."""
    spec = _spec(collection)
    return _apply(session, [_upsert(spec, record)])


def apply_tombstone(session: Session, collection: str, record_id: str, version: int) -> Applied:
    """Soft-delete a record the server deleted at ``version``."""
    spec = _spec(collection)
    try:
        rid = parse_id(record_id)
    except ValueError as exc:
        raise RecordRefused(spec, str(record_id), [Problem("id", INVALID, str(exc))]) from exc
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise RecordRefused(spec, rid, [Problem("recordVersion", INVALID, "must be a version")])
    return _apply(session, [_Incoming(spec, rid, version)])


def apply_page(session: Session, page: ChangePage) -> Applied:
    """Apply a whole page of the change feed (:meth:`ChangePage.parse` checked it).

    The caller stores ``page.cursor`` in the same transaction.
    """
    incoming = [
        _Incoming(COLLECTIONS[c.collection], c.id, c.record_version)
        if c.deleted
        else _upsert(COLLECTIONS[c.collection], c.record or {})
        for c in page.changes
    ]
    return _apply(session, incoming)


# --- parsing ---------------------------------------------------------------------------


def _spec(collection: str) -> Collection:
    if collection not in COLLECTIONS:
        choices = ", ".join(COLLECTIONS)
        raise ValidationError("collection", f"{collection!r} is not one of {choices}")
    return COLLECTIONS[collection]


def _column_default(table: Table, name: str) -> tuple[bool, Any]:
    """(has one, value) for a column left out of a record."""
    column = table.c[name]
    if column.default is not None and column.default.is_scalar:
        return True, column.default.arg
    return column.nullable, None


def _upsert(spec: Collection, record: Mapping[str, Any]) -> _Incoming:
    """Parse a record the server sent: its record fields, then every field of its
    collection (one left out takes the column's default)."""
    rid = str(record.get("id")) if isinstance(record, Mapping) else "?"
    problems: list[Problem] = []
    try:
        header = RecordHeader.parse(record)
    except WireError as exc:
        problems += exc.problems
    try:
        values = from_wire(spec, record, partial=False)
    except WireError as exc:
        problems += exc.problems
    if problems:
        raise RecordRefused(spec, rid, problems)
    table: Table = spec.model.__table__  # type: ignore[attr-defined]
    for f in spec.fields:
        key = f.target_key
        if key in values:
            continue
        if key in _LINKS:
            values[key] = ()
            continue
        known, default = _column_default(table, f.attr)
        if known:
            values[key] = default
        else:
            problems.append(Problem(f.name, MISSING, "is required"))
    if problems:
        raise RecordRefused(spec, header.id, problems)
    return _Incoming(spec, header.id, header.version, dict(record), header, values)


# --- applying --------------------------------------------------------------------------


@contextmanager
def _remote(session: Session) -> Iterator[None]:
    """The caller's own pending edits are flushed (and tracked) first; then the
    session applies the server's changes untracked, and its flag is put back."""
    session.flush()
    missing = object()
    before = session.info.get(outbox.APPLYING_REMOTE, missing)
    session.info[outbox.APPLYING_REMOTE] = True
    try:
        yield
        session.flush()
    finally:
        if before is missing:
            session.info.pop(outbox.APPLYING_REMOTE, None)
        else:
            session.info[outbox.APPLYING_REMOTE] = before


def _dependency_order() -> list[str]:
    """Collections with the ones they name first (departments before employees…)."""
    by_model = {c.model: name for name, c in COLLECTIONS.items()}
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for f in COLLECTIONS[name].fields:
            target = by_model.get(f.kind.target)  # type: ignore[arg-type]
            if target is not None and target != name:
                visit(target)
        order.append(name)

    for name in COLLECTIONS:
        visit(name)
    return order


_ORDER = _dependency_order()


@dataclass
class _Plan:
    """What one page does to one collection."""

    inserts: list[_Incoming]
    updates: list[_Incoming]
    tombstones: list[_Incoming]
    held: list[_Incoming]


def with_omitted(
    session: Session, spec: Collection, record_id: str, record: Mapping[str, Any]
) -> dict[str, Any]:
    """``record`` as the server sent it, with each field it left out (one the key may
    not read) taken from this store's copy: its base where the base has the field,
    else the row's value. Without a row here, as sent."""
    missing = [f.name for f in spec.fields if f.name not in record]
    row = session.get(spec.model, record_id) if missing else None
    if row is None:
        return dict(record)
    base = row.base or {}
    current = to_wire(row)
    return {**record, **{name: base.get(name, current[name]) for name in missing}}


def _known(session: Session, item: _Incoming) -> _Incoming:
    """The item with the fields its record left out filled in from this store."""
    if item.record is None or all(f.name in item.record for f in item.spec.fields):
        return item
    return _upsert(item.spec, with_omitted(session, item.spec, item.id, item.record))


def _apply(session: Session, incoming: Sequence[_Incoming]) -> Applied:
    latest = {(i.spec.name, i.id): i for i in incoming}  # a record named twice: the later
    if not latest:
        return Applied()
    with _remote(session):
        latest = {key: _known(session, item) for key, item in latest.items()}
        sites = _check_owner(session, list(latest.values()))
        waiting = _waiting(session, [rid for _, rid in latest])
        by_collection: dict[str, list[_Incoming]] = defaultdict(list)
        for item in latest.values():
            by_collection[item.spec.name].append(item)
        written: dict[str, list[str]] = {}
        held: list[Held] = []
        for name in _ORDER:
            items = by_collection.get(name)
            if not items:
                continue
            plan = _plan(session, COLLECTIONS[name], items, waiting)
            _write(session, COLLECTIONS[name], plan, sites)
            done = {i.id for i in (*plan.inserts, *plan.updates, *plan.tombstones)}
            written[name] = [i.id for i in items if i.id in done]
            held += [_held(session, i) for i in plan.held]
    changed = Changes.NONE
    for name, ids in written.items():
        if ids:
            changed |= of_model(COLLECTIONS[name].model)
    order = {key: n for n, key in enumerate(latest)}
    ids = sorted(
        ((name, rid) for name, rids in written.items() for rid in rids), key=order.__getitem__
    )
    return Applied(changed, ids=tuple(rid for _, rid in ids), held=tuple(held))


def _check_owner(session: Session, items: Sequence[_Incoming]) -> dict[str, str]:
    """Every record is of the store's company and names a site the store knows.
    Returns the time zone of each site named."""
    companies = set(session.scalars(select(Company.id)))
    for item in items:
        if item.header is None:
            continue
        if item.header.company_id not in companies:
            mine = ", ".join(sorted(companies)) or "none: it has joined no company yet"
            raise ValidationError(
                "companyId",
                f"{item.spec.item} {item.id} is of company {item.header.company_id};"
                f" this store's company is {mine}",
            )
    named = {i.values["site_id"] for i in items if i.values.get("site_id")}
    rows = session.execute(
        select(Site.id, Site.company_id, Site.timezone).where(Site.id.in_(named))
    ).all()
    known = {r.id: (r.company_id, r.timezone) for r in rows}
    for item in items:
        site_id = item.values.get("site_id")
        if site_id and known.get(site_id, ("",))[0] != _company(item):
            raise ValidationError(
                "siteId",
                f"{item.spec.item} {item.id} is at site {site_id}, which this store does"
                " not know; the store must learn its company's sites first",
            )
    return {site_id: tz for site_id, (_, tz) in known.items()}


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for at in range(0, len(ids), _CHUNK):
        yield ids[at : at + _CHUNK]


def _waiting(session: Session, ids: Sequence[str]) -> set[str]:
    """Ids with an outbox entry: unsent local edits."""
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(
            session.scalars(select(OutboxEntry.record_id).where(OutboxEntry.record_id.in_(chunk)))
        )
    return found


def _plan(session: Session, spec: Collection, items: list[_Incoming], waiting: set[str]) -> _Plan:
    model = spec.model
    existing: dict[str, tuple[int | None, bool]] = {}
    for chunk in _chunks([i.id for i in items]):
        rows = session.execute(
            select(model.id, model.server_version, model.dirty).where(model.id.in_(chunk))
        )
        existing.update((r.id, (r.server_version, r.dirty)) for r in rows)
    plan = _Plan([], [], [], [])
    for item in items:
        if item.id not in existing:
            if item.record is not None:  # a tombstone of a record never seen: nothing to do
                plan.inserts.append(item)
            continue
        version, dirty = existing[item.id]
        if version is not None and version > item.version:
            continue  # this store has a later version
        if version == item.version and (dirty or item.id in waiting or _same(session, item)):
            continue  # the version this store has: the echo of its own push, say
        if dirty or item.id in waiting:
            plan.held.append(item)
        elif item.record is None:
            plan.tombstones.append(item)
        else:
            plan.updates.append(item)
    return plan


def _content(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if record is None else {k: v for k, v in record.items() if k not in RECORD_FIELDS}


def _same(session: Session, item: _Incoming) -> bool:
    """Whether the row holds what the server has at the version both stand on. The
    server may write more than a site sent (who decided, and when, for a decision
    sent as its action): the answer to a push is acknowledged without its content,
    so its echo in the feed is what brings that content here."""
    row = session.get(item.spec.model, item.id)
    if row is None:
        return False
    mine = None if row.deleted else _content(to_wire(row))
    return mine == _content(item.record)


def _held(session: Session, item: _Incoming) -> Held:
    row = session.get(item.spec.model, item.id)
    assert row is not None
    return Held(item.spec.name, item.id, item.version, row.base, to_wire(row), item.record)


def _row(spec: Collection, item: _Incoming, zones: Mapping[str, str], cache: dict) -> dict:
    """The columns of one record: its content, its instants, the sync columns."""
    assert item.header is not None
    row = {key: value for key, value in item.values.items() if key not in _LINKS}
    if spec.model is Shift:
        when = (row["shift_date"], row["start_time"], row["end_time"], zones[row["site_id"]])
        if when not in cache:
            cache[when] = shift_instants(*when)
        row["start_utc"], row["end_utc"] = cache[when]
    row.update(
        id=item.id,
        company_id=item.header.company_id,
        server_version=item.version,
        etag=etag(item.version),
        base=item.record,
        dirty=False,
        deleted=not item.header.active,
        created_at=item.header.created_at,
        updated_at=item.header.updated_at,
    )
    return row


def _write(session: Session, spec: Collection, plan: _Plan, zones: Mapping[str, str]) -> None:
    table: Table = spec.model.__table__  # type: ignore[attr-defined]
    cache: dict[tuple, tuple[datetime, datetime]] = {}
    try:
        _stand_ins(session, spec, [*plan.inserts, *plan.updates])
        inserts = [_row(spec, i, zones, cache) for i in plan.inserts]
        if inserts:
            columns = {name: [r[name] for r in inserts] for name in inserts[0]}
            insert_columns(session, table, len(inserts), columns, {})
        updates = [_row(spec, i, zones, cache) for i in plan.updates]
        if updates:
            for r in updates:
                r["_id"] = r.pop("id")
            session.execute(update(table).where(table.c.id == bindparam("_id")), updates)
        if plan.tombstones:
            session.execute(
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(deleted=True, dirty=False, base=None, updated_at=utcnow()),
                [
                    {"_id": i.id, "server_version": i.version, "etag": etag(i.version)}
                    for i in plan.tombstones
                ],
            )
        if spec.model is Shift:
            _write_links(session, plan)
    except IntegrityError as exc:
        raise ValidationError(
            spec.name,
            f"{spec.name} from the server clash with this store's ({exc.orig}):"
            " a record made here duplicates one of them under another id",
        ) from exc
    _expire(session, spec.model, [i.id for i in (*plan.inserts, *plan.updates, *plan.tombstones)])


def _write_links(session: Session, plan: _Plan) -> None:
    """A shift's people and departments become exactly those of the record."""
    changed = [i.id for i in plan.updates]
    for key, (table, column) in _LINKS.items():
        for chunk in _chunks(changed):
            session.execute(delete(table).where(table.c.shift_id.in_(chunk)))
        pairs = [(i.id, ref) for i in (*plan.inserts, *plan.updates) for ref in i.values[key]]
        insert_columns(
            session,
            table,
            len(pairs),
            {"shift_id": [p[0] for p in pairs], column: [p[1] for p in pairs]},
            {},
        )


def _stand_ins(session: Session, spec: Collection, items: Sequence[_Incoming]) -> None:
    """Hidden rows for the departments, employees and templates these records name
    that the store does not have (yet): see the module's docstring."""
    wanted: dict[type[Synced], dict[str, _Incoming]] = defaultdict(dict)
    for f in spec.fields:
        target = f.kind.target
        if target not in _STAND_IN:
            continue
        for item in items:
            value = item.values.get(f.target_key)
            for ref in value if isinstance(value, tuple) else [value] if value else []:
                wanted[target].setdefault(ref, item)
    first_sites: dict[str, str] = {}
    for model, refs in wanted.items():
        ids = list(refs)
        have: set[str] = set()
        for chunk in _chunks(ids):
            have.update(session.scalars(select(model.id).where(model.id.in_(chunk))))
        missing = [rid for rid in ids if rid not in have]
        if not missing:
            continue
        named_by = [refs[rid] for rid in missing]
        now = utcnow()
        insert_columns(
            session,
            model.__table__,  # type: ignore[attr-defined]
            len(missing),
            {
                "id": missing,
                "company_id": [_company(i) for i in named_by],
                "site_id": [_site_of(session, i, first_sites) for i in named_by],
            },
            {**_STAND_IN[model], "deleted": True, "dirty": False, "created_at": now},
        )
        _expire(session, model, missing)


def _company(item: _Incoming) -> str:
    assert item.header is not None
    return item.header.company_id


def _site_of(session: Session, item: _Incoming, first_sites: dict[str, str]) -> str:
    """The record's site; for one that has none (leave, punches), its company's first."""
    if item.values.get("site_id"):
        return str(item.values["site_id"])
    company = _company(item)
    if company not in first_sites:
        site_id = session.scalar(
            select(Site.id).where(Site.company_id == company).order_by(Site.id).limit(1)
        )
        if site_id is None:
            raise ValidationError("siteId", f"this store has no site of company {company}")
        first_sites[company] = site_id
    return first_sites[company]


def _expire(session: Session, model: type, ids: Iterable[str]) -> None:
    """Objects the session holds for rows written behind its back read them again."""
    written = set(ids)
    for key in list(session.identity_map.keys()):
        if issubclass(key[0], model) and key[1][0] in written:
            obj = session.identity_map.get(key)
            if obj is not None:
                session.expire(obj)


# --- settling a held record after the merge -------------------------------------------


def apply_merged(session: Session, held: Held, merged: Mapping[str, Any] | None) -> Applied:
    """Write the outcome of merging a held record over its row.

    ``merged`` (the record :func:`sync.merge.merge` gave, carrying the server's
    version) becomes the row's content and ``held.theirs`` its base: the row stays
    dirty, so its outbox entries push what the merge kept of the local edits with
    the server's version as If-Match. ``merged`` None is a deletion both sides agree
    on: the row becomes the server's tombstone and its entries go.
    """
    spec = _spec(held.collection)
    table: Table = spec.model.__table__  # type: ignore[attr-defined]
    with _remote(session):
        if merged is None:
            tombstone = _Incoming(spec, held.id, held.version)
            _write(session, spec, _Plan([], [], [tombstone], []), {})
            session.execute(delete(OutboxEntry).where(OutboxEntry.record_id == held.id))
        else:
            item = _upsert(spec, merged)
            sites = _check_owner(session, [item])
            # A record kept under a new id (mine, over their deletion) has no row yet.
            new = session.scalar(select(table.c.id).where(table.c.id == held.id)) is None
            plan = _Plan([item], [], [], []) if new else _Plan([], [item], [], [])
            _write(session, spec, plan, sites)
            session.execute(
                update(table)
                .where(table.c.id == held.id)
                .values(base=dict(held.theirs) if held.theirs else None, dirty=True)
            )
        _expire(session, spec.model, [held.id])
    return Applied(of_model(spec.model), ids=(held.id,))
