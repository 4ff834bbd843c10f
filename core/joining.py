"""A store made offline joins its company on the server.

``shiftdesk setup`` and File → New database mint the company's and the site's ids
locally; the server mints its own when the administrator creates the company, and
every record it accepts must name one of *its* sites. So before a store that has
never synced can push anything, it takes the server's ids: :func:`join_company`
rewrites every company and site reference in the store, in one transaction. Record
ids do not change, so the outbox stays valid.

Local sites map to the server's: a site already on a server id to that site, the
only local site to the only server site, otherwise by name in any letter case. The
server's other sites are not added (a store keeps its own sites). Shift times are
local to their site, so a site whose time zone differs from its match's is refused
(joining would move every shift). The company's name and currency, and a site's
name, are the server's afterwards; the result says so.

Joining also queues, as creates, the records that wait in no outbox entry (a store
made by ``shiftdesk demo`` holds nothing to send, nor do rows an import wrote
around the outbox): the company is empty on the server, so the first sync must
upload everything the store holds (:func:`queue_unsent`).

A store that already synced (a row carries a ``server_version``) belongs to the
company it synced with and is refused; one already on the server's ids keeps its
ids. No HTTP here: the sync client reads ``/v1/currentuser`` and calls
:func:`join_store`, which backs the file up beside itself first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, String, Table, cast, delete, func, insert, select, update
from sqlalchemy import or_ as any_of
from sqlalchemy.orm import Session

from core.changes import Changes
from core.errors import ValidationError
from core.join_decisions import queue_decisions
from core.models import (
    Base,
    Company,
    LeaveRequest,
    LeaveShiftLink,
    OutboxEntry,
    OutboxOp,
    PayPolicy,
    Site,
    Synced,
    new_id,
)
from core.organisation import Setup
from core.outbox import enqueue_many
from core.store import Store
from core.timeutil import utcnow
from core.wire import COLLECTIONS

_COMPANY = Company.__table__
#: Ids per statement when marking queued records.
_CHUNK = 5000
_SITE = Site.__table__
_POLICY = PayPolicy.__table__
_OUTBOX = OutboxEntry.__table__


@dataclass(frozen=True)
class RemoteSite:
    """One of the company's sites as the server has it."""

    id: str
    name: str
    timezone: str


@dataclass(frozen=True)
class JoinResult:
    company_id: str
    #: The store's company id before; the same as ``company_id`` when nothing changed.
    previous_company_id: str
    #: Each local site's id before -> its id now (the server's).
    sites: Mapping[str, str]
    #: False when the store was on the server's ids already and nothing was written.
    joined: bool
    #: What the server's copy changed besides ids (the company's name or currency, a
    #: site's name), and server sites the store does not hold; one sentence each.
    notes: tuple[str, ...] = ()
    #: The copy of the file taken before the rewrite (:func:`join_store` only).
    backup: Path | None = None
    #: Every row names the company, so every view refreshes after a join.
    changed: Changes = Changes.NONE

    @property
    def message(self) -> str:
        if not self.joined:
            unchanged = "its ids stay as they are" if self.notes else "nothing changed"
            return f"the store is on company {self.company_id} already; {unchanged}"
        return f"the store joined company {self.company_id} (it was {self.previous_company_id})"


@dataclass(frozen=True)
class _Plan:
    #: The store's company as it is.
    company: Company
    #: The server's name and currency for it.
    company_name: str
    currency: str
    #: Each local site's id -> its counterpart on the server.
    sites: dict[str, RemoteSite]
    notes: tuple[str, ...] = ()

    @property
    def site_ids(self) -> dict[str, str]:
        return {local: remote.id for local, remote in self.sites.items()}

    def moves(self, company_id: str) -> bool:
        return self.company.id != company_id or any(a != b for a, b in self.site_ids.items())


def _synced_models() -> list[type[Synced]]:
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)]


def _has_synced(session: Session) -> bool:
    """Has any row been acknowledged by a server (it carries a server version)?"""
    return any(
        session.scalar(select(model.id).where(model.server_version.is_not(None)).limit(1))
        for model in _synced_models()
    )


def _check_id(what: str, value: Any) -> None:
    if not isinstance(value, str) or not 0 < len(value) <= 36:
        raise ValidationError(what, f"the server's id {value!r} is not one the store can hold")


def _check_server(
    company_id: str, company_name: str, currency: str, sites: Sequence[RemoteSite]
) -> Setup:
    """The server's company and sites pass the checks a local setup passes; returns
    the company's name and currency as a store keeps them."""
    _check_id("company", company_id)
    if not sites:
        raise ValidationError(
            "site", "the company has no site on the server; the administrator adds one first"
        )
    for site in sites:
        _check_id("site", site.id)
        setup = Setup(
            company=company_name, site=site.name, timezone=site.timezone, currency=currency
        ).checked()
    if len({s.id for s in sites}) != len(sites):
        raise ValidationError("site", "the server named one site id twice")
    return setup


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _match_sites(local: Sequence[Site], remote: Sequence[RemoteSite]) -> dict[str, RemoteSite]:
    """Each local site's counterpart on the server; a site without one is refused."""
    by_id = {r.id: r for r in remote}
    matched: dict[str, RemoteSite] = {}
    for site in local:
        if site.id in by_id:
            matched[site.id] = by_id[site.id]
        elif len(local) == 1 and len(remote) == 1:
            matched[site.id] = remote[0]
        else:
            named = [r for r in remote if _same(r.name, site.name)]
            if not named:
                names = ", ".join(repr(r.name) for r in remote) or "none"
                raise ValidationError(
                    "site",
                    f"the store's site {site.name!r} has no site of that name on the server"
                    f" (it has {names}); the administrator can add it or rename one",
                )
            if len(named) > 1:
                raise ValidationError(
                    "site", f"the server has several sites named {site.name!r}; rename one"
                )
            matched[site.id] = named[0]
    taken: dict[str, str] = {}
    for site in local:
        remote_id = matched[site.id].id
        if remote_id in taken:
            raise ValidationError(
                "site",
                f"the store's sites {taken[remote_id]!r} and {site.name!r} both match the"
                f" server's site {matched[site.id].name!r}; a site can join only once",
            )
        taken[remote_id] = site.name
        if site.timezone != matched[site.id].timezone:
            raise ValidationError(
                "timezone",
                f"the store's site {site.name!r} is in {site.timezone}, the server's"
                f" {matched[site.id].name!r} in {matched[site.id].timezone}; shift times are"
                " local to their site, so joining would move every shift",
            )
    return matched


def _plan(
    session: Session,
    *,
    company_id: str,
    company_name: str,
    currency: str,
    sites: Sequence[RemoteSite],
) -> _Plan:
    """What joining would do, or the reason it is refused. Writes nothing."""
    checked = _check_server(company_id, company_name, currency, sites)
    company_name, currency = checked.company, checked.currency
    companies = session.scalars(select(Company).limit(2)).all()
    if not companies:
        raise ValidationError("company", "the store is not set up yet; there is nothing to join")
    if len(companies) > 1:
        raise ValidationError("company", "the store holds several companies; it cannot join one")
    [company] = companies
    local_sites = session.scalars(select(Site).order_by(func.lower(Site.name), Site.id)).all()
    by_id = {s.id: s for s in sites}
    if company.id == company_id and all(s.id in by_id for s in local_sites):
        return _Plan(company, company_name, currency, {s.id: by_id[s.id] for s in local_sites})
    synced = _has_synced(session)
    if synced and company.id == company_id:
        raise ValidationError(
            "site",
            "the store synced with this company already, but names sites the server does not"
            " have; make a new store for the company",
        )
    if synced:
        raise ValidationError(
            "company",
            f"the store holds data of company {company.name!r} ({company.id}) that a server"
            f" has acknowledged already, so it cannot join company {company_name!r}"
            f" ({company_id}); open or make a store for that company instead",
        )
    matched = _match_sites(local_sites, sites)
    notes = []
    if company.name != company_name:
        notes.append(
            f"the company is now named {company_name!r} as on the server (was {company.name!r})"
        )
    if company.currency != currency:
        notes.append(
            f"the currency is now {currency} as on the server (was {company.currency});"
            " amounts such as hourly rates are kept as they are"
        )
    notes += [
        f"the site {site.name!r} is now named {matched[site.id].name!r} as on the server"
        for site in local_sites
        if matched[site.id].name != site.name
    ]
    joined = {r.id for r in matched.values()}
    others = [repr(r.name) for r in sites if r.id not in joined]
    if others:
        notes.append(f"the server's other sites are not in this store: {', '.join(others)}")
    return _Plan(company, company_name, currency, matched, tuple(notes))


# --- the rewrite ------------------------------------------------------------------------


def _references() -> list[tuple[Column[Any], Table]]:
    """Every column that names a company or a site, with the table it names: found
    from the metadata (foreign keys, and columns called ``company_id``/``site_id``),
    so a table added later is rewritten too. The two tables' own ids are not here."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.primary_key and table in (_COMPANY, _SITE):
                continue
            targets = {fk.column.table for fk in column.foreign_keys} & {_COMPANY, _SITE}
            if column.name == "company_id":
                targets.add(_COMPANY)
            elif column.name == "site_id":
                targets.add(_SITE)
            if len(targets) == 1:
                found.append((column, targets.pop()))
    return found


def _copy_row(session: Session, table: Table, old_id: str, **values: Any) -> None:
    """Insert a copy of a row under a new id (and other ``values``)."""
    row = session.execute(select(table).where(table.c.id == old_id)).mappings().one()
    session.execute(insert(table).values({**row, **values}))


def _replaced(value: Any, ids: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_replaced(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _replaced(v, ids) for k, v in value.items()}
    return value


def _rewrite_documents(session: Session, ids: Mapping[str, str]) -> None:
    """Ids held inside JSON columns (the outbox's payloads, base copies) follow too."""
    if not ids:
        return
    for table in Base.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            if not isinstance(column.type, JSON):
                continue
            text = cast(column, String)
            rows = session.execute(
                select(*key, column).where(any_of(*(text.contains(old) for old in ids)))
            ).all()
            for row in rows:
                new = _replaced(row[-1], ids)
                if new != row[-1]:
                    where = [k == row[i] for i, k in enumerate(key)]
                    session.execute(update(table).where(*where).values({column.name: new}))


def _rewrite(session: Session, plan: _Plan, company_id: str) -> None:
    """New company and site rows first, then every reference, then the old rows go:
    foreign keys hold after every statement, so SQLite's checks stay on throughout."""
    old_company = plan.company.id
    site_ids = {old: new for old, new in plan.site_ids.items() if old != new}
    if old_company != company_id:
        _copy_row(session, _COMPANY, old_company, id=company_id)
    session.execute(
        update(_COMPANY)
        .where(_COMPANY.c.id == company_id)
        .values(name=plan.company_name, currency=plan.currency)
    )
    for old, new in site_ids.items():
        _copy_row(session, _SITE, old, id=new, company_id=company_id)
    for remote in plan.sites.values():
        session.execute(update(_SITE).where(_SITE.c.id == remote.id).values(name=remote.name))
    moves = {_COMPANY: {old_company: company_id} if old_company != company_id else {}}
    moves[_SITE] = site_ids
    for column, target in _references():
        for old, new in moves[target].items():
            session.execute(update(column.table).where(column == old).values({column.name: new}))
    if old_company != company_id:  # the pay policy's id is its company's, queued edits too
        session.execute(update(_POLICY).where(_POLICY.c.id == old_company).values(id=company_id))
        session.execute(
            update(_OUTBOX).where(_OUTBOX.c.record_id == old_company).values(record_id=company_id)
        )
    if site_ids:
        session.execute(delete(_SITE).where(_SITE.c.id.in_(site_ids)))
    if old_company != company_id:
        session.execute(delete(_COMPANY).where(_COMPANY.c.id == old_company))
    _rewrite_documents(session, {**moves[_COMPANY], **site_ids})


# --- what the first sync uploads -----------------------------------------------------------


def _never_queued(session: Session, model: type[Synced]) -> list[str]:
    """Live records of ``model`` the server never saw and whose create no outbox entry
    holds (an edit's update may wait: it follows the create), oldest first."""
    created = select(OutboxEntry.record_id).where(OutboxEntry.op == OutboxOp.CREATE)
    return list(
        session.scalars(
            select(model.id)
            .where(
                model.server_version.is_(None),
                model.deleted.is_(False),
                model.id.not_in(created),
            )
            .order_by(model.created_at, model.id)
        )
    )


def queue_unsent(session: Session, *, with_policy: bool = True) -> int:
    """Queue a create for every record the server never saw that has none queued, so
    the first sync uploads the whole store; returns how many.

    Collections go in the order the wire declares them, each as a group of its own: a
    record after the records it names, and decisions (a day's approval, a closed pay
    period) after what they decide on, which the server would refuse to change
    afterwards. Leave decided here travels as asked, then decided
    (:mod:`core.join_decisions`), and the links of its approvals are the server's to
    write. The entries already waiting are renumbered after the creates, so an
    edit made since (a shift for a person of the demo) finds what it names uploaded.

    The company's pay policy, made by setup and never queued there (a store made by a
    download takes the server's), is queued here when the server never saw it, so the
    site's rules reach the company; it is not counted, as every store has one.
    ``with_policy`` False leaves it out: the company's policy is published already
    (the company has data), so the store takes that one with its first pull instead
    of pitting its defaults against it.
    """
    session.flush()
    waiting = session.execute(select(func.min(OutboxEntry.seq), func.max(OutboxEntry.seq))).one()
    queued = made = 0
    for spec in COLLECTIONS.values():
        if (spec.model is PayPolicy and not with_policy) or spec.model is LeaveShiftLink:
            continue  # links: the server writes them as it applies the decisions
        ids = _never_queued(session, spec.model)
        if not ids:
            continue
        enqueue_many(session, spec.model, ids, group_id=new_id())
        for at in range(0, len(ids), _CHUNK):
            session.execute(
                update(spec.model)
                .where(spec.model.id.in_(ids[at : at + _CHUNK]))
                .values(dirty=True)
                .execution_options(synchronize_session=False)
            )
        if spec.model is LeaveRequest:
            queue_decisions(session, ids)
        made += len(ids)
        if spec.model is not PayPolicy:
            queued += len(ids)
    first, last = waiting
    if made and last is not None:  # what waited moves after the new entries
        newest = session.scalar(select(func.max(OutboxEntry.seq)))
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.seq <= last)
            .values(seq=OutboxEntry.seq + (newest - first + 1))
            .execution_options(synchronize_session=False)
        )
    return queued


def _queued_note(count: int) -> tuple[str, ...]:
    if not count:
        return ()
    return (f"{count} record(s) that waited for no sync are queued: the first sync uploads them",)


def join_company(
    session: Session,
    *,
    company_id: str,
    company_name: str,
    currency: str,
    sites: Sequence[RemoteSite],
    with_policy: bool = True,
) -> JoinResult:
    """Give the store the server's company and site ids (see the module's text).

    Refused with a :class:`ValidationError`, writing nothing, when the store synced
    with another company before, or a site has no counterpart or another time zone.
    Joined or not, records that wait for no sync are queued (:func:`queue_unsent`, which
    takes ``with_policy``). Run it in a session of its own: rows it loaded before are
    stale afterwards.
    """
    session.flush()
    plan = _plan(
        session, company_id=company_id, company_name=company_name, currency=currency, sites=sites
    )
    previous = plan.company.id
    if not plan.moves(company_id):
        queued = queue_unsent(session, with_policy=with_policy)
        session.expire_all()
        return JoinResult(
            company_id,
            previous,
            plan.site_ids,
            joined=False,
            notes=_queued_note(queued),
            changed=reduce(or_, Changes) if queued else Changes.NONE,
        )
    _rewrite(session, plan, company_id)
    queued = queue_unsent(session, with_policy=with_policy)
    session.expire_all()
    return JoinResult(
        company_id,
        previous,
        plan.site_ids,
        joined=True,
        notes=(*plan.notes, *_queued_note(queued)),
        changed=reduce(or_, Changes),  # every kind of row names the company
    )


def backup_name(path: Path, at: datetime) -> Path:
    """Where the copy before a join goes: beside the store, named for the moment."""
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.before-join-{stamp}.bak")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.before-join-{stamp}-{n}.bak")
    return candidate


def join_store(
    store: Store,
    *,
    company_id: str,
    company_name: str,
    currency: str,
    sites: Sequence[RemoteSite],
    with_policy: bool = True,
) -> JoinResult:
    """:func:`join_company` on an open store, after an online backup of its file
    beside it (the result names it). A refusal writes nothing; a store on the
    server's ids already gets no backup (only records to upload may be queued)."""
    server = {
        "company_id": company_id,
        "company_name": company_name,
        "currency": currency,
        "sites": sites,
    }
    with store.session() as session:
        if not _plan(session, **server).moves(company_id):
            return join_company(session, **server, with_policy=with_policy)
    backup = backup_name(store.path, utcnow())
    store.backup(backup)
    with store.session() as session:
        result = join_company(session, **server, with_policy=with_policy)
    return replace(result, backup=backup)
