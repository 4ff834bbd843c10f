"""Connecting a store to its company on a server: the three real cases.

- **A new store** (the file does not exist): made from the company, its sites and
  their zones, then filled by a first sync (a second laptop at a site, a manager's
  copy at head office).
- **A store with data that never synced, and an empty company**: the store takes the
  company's and sites' ids (:func:`core.joining.join_store`, after a backup) and its
  first sync uploads everything (the first site). A company whose pay policy is
  published (another site set it) counts as empty here, but the store takes that
  policy rather than sending its own.
- **A store with data, and a company with other data**: refused, nothing changed;
  two histories of one company cannot be married record by record.

A store with nothing but its setup joins and downloads like a new one; a store
already linked to this company is simply reconnected (a new key, say). The key is
the caller's to keep (:mod:`sync.credentials`), never the store's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ShiftDeskError
from core.joining import RemoteSite, join_store
from core.models import Site
from core.organisation import Setup, setup_store
from core.store import Store, open_store
from core.wire import COLLECTIONS
from sync.client import CurrentUser, SyncClient
from sync.engine import ProgressCallback, RunResult, run_sync
from sync.link import find_link, make_link, normalise_url


class ConnectRefused(ShiftDeskError):
    """The store and the company cannot be joined; nothing was changed."""


@dataclass(frozen=True)
class Connected:
    server_url: str
    company_id: str
    company_name: str
    #: "created" (a new store, downloaded), "joined" (took the company's ids) or
    #: "reconnected" (was linked to this company already).
    how: str
    #: The first sync, where connecting ran one (a download).
    run: RunResult | None = None
    notes: tuple[str, ...] = ()
    backup: Path | None = None

    @property
    def message(self) -> str:
        what = {
            "created": "a new store was filled from",
            "joined": "the store joined",
            "reconnected": "the store is connected again to",
        }[self.how]
        return f"{what} company {self.company_name!r} at {self.server_url}"


def _has_records(session: Session) -> bool:
    """Does the store hold any record a server would hold (any replicated row)? The
    pay policy, made with the company on every store, is no data of its own."""
    return any(
        session.scalar(select(spec.model.id).limit(1)) is not None
        for spec in COLLECTIONS.values()
        if not spec.model.__made_with_company__
    )


#: Collections whose records come with the company (its pay policy): no data of its own.
_WITH_COMPANY = {name for name, spec in COLLECTIONS.items() if spec.model.__made_with_company__}


#: Scopes without which a store holds less than the company has, and what it lacks.
_LIMITING = {
    "pay:read": (
        "this key may not read pay rates or the pay policy's pay rules: payroll from"
        " this store will lack the rates and keep this store's own rules"
    ),
    "personal:read": "this key may not read e-mail addresses: this store will lack them",
}


def _limits(me: CurrentUser) -> tuple[str, ...]:
    """Sentences for what the key cannot see (an administrator can widen it)."""
    return tuple(said for scope, said in _LIMITING.items() if scope not in me.scopes)


def _remote_sites(me: CurrentUser) -> list[RemoteSite]:
    return [RemoteSite(s.id, s.name, s.timezone) for s in me.sites]


def _create(path: Path, me: CurrentUser) -> Store:
    if not me.sites:
        raise ConnectRefused(
            f"company {me.company.get('name')!r} has no site on the server; an administrator"
            " adds one first"
        )
    first, *others = me.sites
    setup = Setup(
        str(me.company["name"]), first.name, first.timezone, str(me.company["currency"])
    ).checked()  # before the file exists, so a refusal leaves nothing behind
    store = open_store(path, create=True)
    with store.session() as session:
        setup_store(session, setup, company_id=me.company_id, site_id=first.id)
        session.add_all(
            Site(id=s.id, company_id=me.company_id, name=s.name, timezone=s.timezone)
            for s in others
        )
    return store


def connect(
    path: Path, client: SyncClient, *, progress: ProgressCallback | None = None
) -> Connected:
    """Connect the store at ``path`` (made when absent) to the key's company."""
    url = normalise_url(client.base_url)
    path = Path(path)
    if not path.exists():
        me = client.current_user()
        store = _create(path, me)
        try:
            with store.session() as session:
                make_link(session, url, me.company_id)
            run = run_sync(store, client, progress=progress)
        finally:
            store.close()
        name = str(me.company["name"])
        return Connected(url, me.company_id, name, "created", run, _limits(me))
    store = open_store(path, create=False)
    try:
        return _connect_existing(store, client, url, progress)
    finally:
        store.close()


def _remote_state(client: SyncClient) -> tuple[bool, bool]:
    """Whether the company holds records, and whether its pay policy is published.

    The policy is no record of the company's own (every company has one, as every
    store does, see ``_has_records``), so it alone lets a store with data join; but
    published, it is the company's, and a joining store takes it rather than
    sending its own. The feed holds a record once, so one change more than there
    are such records tells both."""
    changes = client.changes(0, limit=len(_WITH_COMPANY) + 1).changes
    published = any(c.collection in _WITH_COMPANY for c in changes)
    return any(c.collection not in _WITH_COMPANY for c in changes), published


def _connect_existing(
    store: Store, client: SyncClient, url: str, progress: ProgressCallback | None
) -> Connected:
    me = client.current_user()
    name = str(me.company["name"])
    with store.session() as session:
        link = find_link(session)
        has_local = _has_records(session)
    if link is not None:
        if (link.server_url, link.company_id) == (url, me.company_id):
            return Connected(url, me.company_id, name, "reconnected", notes=_limits(me))
        raise ConnectRefused(
            f"this store syncs with company {link.company_id} at {link.server_url}; it cannot"
            f" also join company {name!r} at {url}"
        )
    has_remote, published = _remote_state(client)
    if has_local and has_remote:
        raise ConnectRefused(
            f"this store holds its own records and company {name!r} at {url} holds others;"
            " they cannot be merged. Connect a new store file to work with the company's data"
        )
    joined = join_store(
        store,
        company_id=me.company_id,
        company_name=name,
        currency=str(me.company["currency"]),
        sites=_remote_sites(me),
        with_policy=not (has_remote or published),
    )
    with store.session() as session:
        make_link(session, url, me.company_id)
    run = run_sync(store, client, progress=progress) if has_remote or published else None
    notes = (*joined.notes, *_limits(me))
    return Connected(url, me.company_id, name, "joined", run, notes, joined.backup)
