"""Three sites of one company edit offline and sync through the real server, while
answers get lost, connections are refused, the server asks them to wait and restarts
between their runs: no local edit is ever lost, no record is ever doubled, and once
every conflict is resolved and every failed operation replayed or discarded, the
three sites and the server hold the same records.

The machine runs against an in-process server on SQLite and, where PostgreSQL
answers, against ``shiftdesk server --workers 2`` as a real process (a restart there
kills it and starts it again on the same port).
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
import pytest
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.employees import EmployeeDraft, add_employee, edit_employee
from core.errors import ShiftDeskError
from core.models import Employee, OutboxEntry, OutboxState, Shift
from core.models.sync import ConflictStatus, SyncConflict
from core.organisation import Setup, add_department, setup_store
from core.results import OpResult
from core.scheduling import ShiftDraft, create_shift, delete_shifts, edit_shift, move_shift
from core.store import Store, open_store
from core.wire import COLLECTIONS, RECORD_FIELDS, ChangePage, as_made, to_wire
from server import admin, auth
from server.app import create_app
from server.db import Database
from server.settings import Settings
from sync.client import SyncClient
from sync.conflicts import MINE, THEIRS, open_conflicts, resolve_conflict
from sync.engine import RunResult, run_sync
from sync.failed import discard, failed_ops, replay
from sync.link import make_link
from sync.merge import SET_FIELDS
from tests.server.conftest import LiveServer, drop_pg_schema, fresh_pg_schema
from tests.sync.conftest import FaultTransport

ROOT = Path(__file__).resolve().parents[2]
MONDAY = date(2026, 6, 1)
SLOTS = {"06:00": "14:00", "14:00": "22:00", "22:00": "06:00"}
LOCATIONS = ("", "Bar", "Terrace")
RATES = ("15.50", "20.00", "22.75")
SITES = st.integers(0, 2)
#: The client's clock: a Retry-After given as an HTTP date is read against it.
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
#: Each example's ids live in their own range, so examples sharing a server never
#: meet; within an example they count up, so a replayed example makes the same ids.
EXAMPLES = itertools.count(1)

Key = tuple[str, str]  # (collection, id)


# --- the servers ---------------------------------------------------------------------


class Server(Protocol):
    url: str

    def new_company(self) -> tuple[str, str, list[str]]: ...

    def restart(self) -> None: ...


def _company(db: Database, keys: int) -> tuple[str, str, list[str]]:
    """A company with its site and ``keys`` all-scopes keys that no limit slows."""
    with db.transaction() as session:
        company = admin.create_company(session, "Testco", timezone="Europe/Berlin")
        secrets = [
            auth.create_key(session, company.id, auth.SCOPES, rate_limit=1_000_000)[1]
            for _ in range(keys)
        ]
        return company.id, company.sites[0].id, secrets


class ThreadServer:
    """The app in a thread over one SQLite file; a restart stops it and serves the
    same file on the same port with a new app."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.live = LiveServer(create_app(Settings(db_url, rate_limit=1_000_000)))
        self.url = self.live.url
        self.restarts = 0

    def new_company(self) -> tuple[str, str, list[str]]:
        return _company(self.live.db, 4)

    def restart(self) -> None:
        port = self.live.port
        self.live.stop()
        app = create_app(Settings(self.db_url, rate_limit=1_000_000), create_schema=False)
        self.live = LiveServer(app, port=port)
        self.restarts += 1

    def stop(self) -> None:
        self.live.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ProcessServer:
    """``shiftdesk server --workers 2`` as a process group of its own; a restart kills
    the group (no goodbye to anyone) and starts it again on the same port."""

    def __init__(self, db_url: str, log: Path) -> None:
        self.db_url = db_url
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.admin = Database(db_url)
        self.restarts = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._start()

    def new_company(self) -> tuple[str, str, list[str]]:
        return _company(self.admin, 4)

    def _start(self) -> None:
        command = [sys.executable, "-m", "cli", "server", "--db", self.db_url]
        command += ["--workers", "2", "--port", str(self.port)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer: {self.log.read_text()[-2000:]}")

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self._kill()
        self._start()
        self.restarts += 1

    def stop(self) -> None:
        self._kill()
        self.admin.close()


# --- what a site and the server hold -------------------------------------------------


def _content(record: Any) -> dict[str, Any] | None:
    """A wire record's content (bookkeeping fields left out, id sets sorted); None for
    no record or a deleted one."""
    if not record or record.get("isActive") is False:
        return None
    return {
        k: sorted(v) if k in SET_FIELDS and isinstance(v, list) else v
        for k, v in record.items()
        if k not in RECORD_FIELDS
    }


def server_state(client: SyncClient) -> dict[Key, dict[str, Any]]:
    """The company's live records from a full read of the change feed, checking on
    the way that no record appears twice."""
    seen: set[Key] = set()
    live: dict[Key, dict[str, Any]] = {}
    cursor: str | int = 0
    while True:
        page: ChangePage = client.changes(cursor, limit=500)
        for change in page.changes:
            at = (change.collection, change.id)
            assert at not in seen, f"the feed lists {at} twice"
            seen.add(at)
            content = None if change.deleted else _content(change.record)
            if content is not None:
                live[at] = content
        cursor = page.cursor
        if not page.has_more:
            return live


def _shared_default(name: str, row: Any, content: dict[str, Any] | None) -> bool:
    """A record made with the company (its pay policy) that neither side ever sent
    and the site holds as made: the same as the server's unpublished one, which the
    server's feed does not hold."""
    return (
        COLLECTIONS[name].model.__made_with_company__
        and row.server_version is None
        and content == as_made(COLLECTIONS[name])
    )


def local_state(session: Session) -> dict[Key, dict[str, Any]]:
    """The site's live replicated records, as the wire shows them."""
    found: dict[Key, dict[str, Any]] = {}
    for spec in COLLECTIONS.values():
        for row in session.scalars(select(spec.model).where(spec.model.deleted.is_(False))):
            content = _content(to_wire(row))
            assert content is not None
            if not _shared_default(spec.name, row, content):
                found[(spec.name, row.id)] = content
    return found


@dataclass
class Site:
    name: str
    store: Store
    faults: FaultTransport
    client: SyncClient
    waits: list[float] = field(default_factory=list)
    #: Applied operations, newest last: what "undo" takes back.
    done: list[OpResult] = field(default_factory=list)
    #: The last run here; None before any.
    last: RunResult | None = None
    conflicts_seen: set[str] = field(default_factory=set)
    conflicts_resolved: set[str] = field(default_factory=set)
    #: Whether a step acted here since the invariants last read this store: one no
    #: step touched holds what it held then, so reading it again cannot fail anew.
    changed: bool = True


#: A fault put on a site's transport before a run: what it does, and the sleeps the
#: client must record for it (the first request of the run meets it).
FAULTS: dict[str, tuple[Callable[[FaultTransport], None], list[float]]] = {
    "none": (lambda f: None, []),
    "lost answer": (lambda f: f.drop_responses(1), []),
    "lost third answer": (lambda f: f.drop_responses(1, after=2), []),
    "every second call refused": (lambda f: f.fail_every(2), []),
    "fourth call refused": (lambda f: f.fail_every(4), []),
    "busy twice": (lambda f: f.answer(429, times=2, retry_after="3"), [3.0, 3.0]),
    "busy until a date": (
        lambda f: f.answer(429, retry_after=format_datetime(NOW + timedelta(seconds=5), True)),
        [5.0],
    ),
    "unavailable": (lambda f: f.answer(503, retry_after="2"), [2.0]),
    "too busy": (lambda f: f.answer(429, times=4, retry_after="1"), [1.0, 1.0, 1.0]),
}


class ThreeSites(RuleBasedStateMachine):
    server: ClassVar[Server]
    template: ClassVar[Path]
    workdir: ClassVar[Path]

    def __init__(self) -> None:
        super().__init__()
        # Ids from a counter, not at random, so the same steps make the same ids (and
        # the same order wherever rows are listed by id).
        example = next(EXAMPLES)
        made = itertools.count(1)
        self._uuid4 = uuid.uuid4
        uuid.uuid4 = lambda: uuid.UUID(int=(example << 80) | next(made), version=4)  # type: ignore[assignment]
        self.names = itertools.count(1)
        self.sites: list[Site] = []
        self.opened = False
        #: Server restarts in this example: two show what one shows, at twice the cost.
        self.restarts = 0
        #: Ids made at any site, in the order they were made: rules pick among them.
        self.shifts: list[str] = []
        self.people: list[str] = []
        #: Whether a sync or a restart came since the invariants last read the server:
        #: only those change what it holds.
        self.server_changed = True

    # --- set-up and tear-down --------------------------------------------------------

    @initialize()
    def open_three_sites(self) -> None:
        self.company_id, self.site_id, keys = self.server.new_company()
        self.observer_key = keys[3]
        #: Reads the server for the checks, never faulty.
        self.observer = SyncClient(self.server.url, self.observer_key)
        for n in range(3):
            path = self.workdir / f"{uuid.uuid4()}.shiftdesk"
            shutil.copyfile(self.template, path)
            store = open_store(path)
            with store.session() as s:
                setup_store(
                    s,
                    Setup("Testco", "Main", "Europe/Berlin"),
                    company_id=self.company_id,
                    site_id=self.site_id,
                )
                make_link(s, self.server.url, self.company_id)
            faults = FaultTransport()
            waits: list[float] = []
            client = SyncClient(
                self.server.url,
                keys[n],
                transport=faults,
                sleep=waits.append,
                clock=lambda: NOW,
                jitter=lambda wait: 0.0,
            )
            self.sites.append(Site(f"site {n}", store, faults, client, waits))
        first = self.sites[0]
        self._op(first, "add a department", lambda s: add_department(s, "Kitchen"))
        for _ in range(2):
            self._add_person(first)
        for day, start, who in ((0, "06:00", 0), (1, "14:00", 1), (2, "14:00", 0)):
            self._add_shift(first, day, start, self.people[who])
        first.done.clear()
        for site in self.sites:
            assert run_sync(site.store, site.client).completed
        self.opened = True

    def teardown(self) -> None:
        try:
            if self.opened:
                self._settle()
        finally:
            for site in self.sites:
                site.client.close()
                site.store.close()
            if self.opened:
                self.observer.close()
            uuid.uuid4 = self._uuid4  # type: ignore[assignment]

    # --- helpers ---------------------------------------------------------------------

    def _at(self, n: int) -> Site:
        """Site ``n``, for a step that acts there (its store is read again after it)."""
        site = self.sites[n]
        site.changed = True
        return site

    def _op(self, site: Site, what: str, op: Callable[[Session], OpResult]) -> OpResult | None:
        try:
            with site.store.session() as s:
                result = op(s)
        except ShiftDeskError as refused:
            note(f"{site.name}: {what}: refused: {refused}")
            return None  # refused by core's rules: nothing written, nothing queued
        if not result.applied:
            note(f"{site.name}: {what}: not applied: {result.conflicts}")
            return None
        note(f"{site.name}: {what}: {result.ids}")
        site.done.append(result)
        return result

    def _add_person(self, site: Site) -> None:
        name = f"P{next(self.names)}"  # unique: two live records of it are a double
        draft = EmployeeDraft(first_name=name, last_name="Test", hourly_rate=Decimal("20"))
        result = self._op(site, f"add {name}", lambda s: add_employee(s, draft))
        if result is not None:
            self.people.append(result.ids[0])

    def _add_shift(self, site: Site, day: int, start: str, person: str) -> None:
        draft = ShiftDraft(
            self.site_id,
            MONDAY + timedelta(days=day),
            start,
            SLOTS[start],
            employee_ids=(person,),
            notes=f"s{next(self.names)}",  # unique, never edited: a double would show
        )
        result = self._op(site, f"add shift {draft}", lambda s: create_shift(s, draft))
        if result is not None:
            self.shifts.append(result.ids[0])

    def _live(self, site: Site, model: type, ids: list[str]) -> list[str]:
        with site.store.session() as s:
            here = set(s.scalars(select(model.id).where(model.deleted.is_(False))))
        return [i for i in ids if i in here]

    def _pick(self, site: Site, model: type, ids: list[str], data: st.DataObject) -> str | None:
        choices = self._live(site, model, ids)
        return data.draw(st.sampled_from(choices)) if choices else None

    def _resolve(self, site: Site, choose: Callable[[], str]) -> None:
        with site.store.session() as s:
            waiting = open_conflicts(s)
        for view in waiting:
            choice = choose()
            with site.store.session() as s:
                done = resolve_conflict(s, view.id, choice)
            note(f"{site.name}: {view.collection} {view.record_id} resolved {choice}: {done}")
            site.conflicts_resolved.add(view.id)
            if done.kept_id != done.record_id:  # mine again under a new id
                (self.shifts if view.collection == "shifts" else self.people).append(done.kept_id)

    # --- edits -----------------------------------------------------------------------

    @rule(n=SITES, day=st.integers(0, 3), start=st.sampled_from(sorted(SLOTS)), data=st.data())
    def add_shift(self, n: int, day: int, start: str, data: st.DataObject) -> None:
        site = self._at(n)
        person = self._pick(site, Employee, self.people, data)
        if person is not None:
            self._add_shift(site, day, start, person)

    @rule(n=SITES, location=st.sampled_from(LOCATIONS), data=st.data())
    def edit_a_shift(self, n: int, location: str, data: st.DataObject) -> None:
        site = self._at(n)
        sid = self._pick(site, Shift, self.shifts, data)
        if sid is not None:
            self._op(
                site, f"{sid} at {location!r}", lambda s: edit_shift(s, sid, location=location)
            )

    @rule(n=SITES, start=st.sampled_from(sorted(SLOTS)), data=st.data())
    def retime_a_shift(self, n: int, start: str, data: st.DataObject) -> None:
        site = self._at(n)
        sid = self._pick(site, Shift, self.shifts, data)
        if sid is not None:
            self._op(
                site,
                f"{sid} from {start}",
                lambda s: edit_shift(s, sid, start_time=start, end_time=SLOTS[start]),
            )

    @rule(n=SITES, day=st.integers(0, 3), data=st.data())
    def move_a_shift(self, n: int, day: int, data: st.DataObject) -> None:
        site = self._at(n)
        sid = self._pick(site, Shift, self.shifts, data)
        person = self._pick(site, Employee, self.people, data)
        if sid is not None and person is not None:
            self._op(
                site,
                f"move {sid} to day {day}, {person}",
                lambda s: move_shift(s, sid, day=MONDAY + timedelta(days=day), employee_id=person),
            )

    @rule(n=SITES, data=st.data())
    def delete_a_shift(self, n: int, data: st.DataObject) -> None:
        site = self._at(n)
        sid = self._pick(site, Shift, self.shifts, data)
        if sid is not None:
            self._op(site, f"delete {sid}", lambda s: delete_shifts(s, [sid]))

    @rule(n=SITES)
    def add_a_person(self, n: int) -> None:
        self._add_person(self._at(n))

    @rule(n=SITES, rate=st.sampled_from(RATES), data=st.data())
    def pay_someone(self, n: int, rate: str, data: st.DataObject) -> None:
        site = self._at(n)
        person = self._pick(site, Employee, self.people, data)
        if person is not None:
            self._op(
                site,
                f"pay {person} {rate}",
                lambda s: edit_employee(s, person, hourly_rate=Decimal(rate)),
            )

    @rule(n=SITES)
    def undo_the_last_step(self, n: int) -> None:
        site = self._at(n)
        if not site.done:
            return
        last = site.done.pop()
        try:
            with site.store.session() as s:
                last.undo(s)
            note(f"{site.name}: undid {last.ids}")
        except ShiftDeskError as refused:
            note(f"{site.name}: undo refused: {refused}")  # something changed since

    # --- sync, faults, the server ----------------------------------------------------

    @rule(n=SITES, fault=st.sampled_from(sorted(FAULTS)))
    def sync(self, n: int, fault: str) -> None:
        site = self._at(n)
        inject, sleeps = FAULTS[fault]
        self.server_changed = True
        site.waits.clear()
        inject(site.faults)
        try:
            result = run_sync(site.store, site.client)
        finally:
            site.faults.calm()
        site.last = result
        note(f"{site.name}, {fault}: {result.outcome} {result.summary()} {result.message}")
        assert site.waits == sleeps  # recorded, never slept
        if fault in ("none", "busy twice", "busy until a date", "unavailable"):
            assert result.completed, result.message
        if fault == "too busy":
            assert not result.completed

    @rule(n=SITES)
    def sync_cleanly(self, n: int) -> None:
        """A run with nothing in the way, as most are: edits then meet pulled ones."""
        self.sync(n, "none")

    @precondition(lambda self: self.restarts < 2)
    @rule()
    def restart_the_server(self) -> None:
        note("server restarted")
        self.restarts += 1
        self.server_changed = True
        self.server.restart()
        self.observer.close()  # its connection went with the server
        self.observer = SyncClient(self.server.url, self.observer_key)

    @rule(n=SITES, data=st.data())
    def resolve_conflicts(self, n: int, data: st.DataObject) -> None:
        self._resolve(self._at(n), lambda: data.draw(st.sampled_from([MINE, THEIRS])))

    @rule(n=SITES, data=st.data())
    def decide_failed_operations(self, n: int, data: st.DataObject) -> None:
        site = self._at(n)
        with site.store.session() as s:
            for failed in failed_ops(s):
                again = data.draw(st.booleans(), label=f"replay {failed.id}")
                decided = "replay" if again else "discard"
                note(f"{site.name}: {decided} {failed.label}: {failed.reason}")
                (replay if again else discard)(s, failed.id)

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def every_local_edit_is_acknowledged_pending_failed_or_in_conflict(self) -> None:
        for site in self.sites:
            if not site.changed:
                continue
            site.changed = False
            with site.store.session() as s:
                entries = list(s.scalars(select(OutboxEntry)))
                queued = {e.record_id for e in entries}
                conflicts = list(s.scalars(select(SyncConflict)))
                waiting = {c.record_id for c in conflicts if c.status == ConflictStatus.OPEN}
                site.conflicts_seen.update(c.id for c in conflicts)
                for spec in COLLECTIONS.values():
                    for row in s.scalars(select(spec.model)):
                        if row.server_version is None and row.deleted:
                            continue  # made and taken back here before any push
                        mine = None if row.deleted else _content(to_wire(row))
                        if _shared_default(spec.name, row, mine):
                            continue
                        acknowledged = _content(row.base) if row.server_version else None
                        if mine != acknowledged:
                            assert row.id in queued or row.id in waiting, (
                                f"{site.name}: the edit of {spec.name} {row.id} is neither"
                                f" acknowledged nor queued nor in conflict: {mine} vs"
                                f" {acknowledged}"
                            )
                if site.last is not None and site.last.completed:
                    # After a whole run, an entry held for a conflict has that conflict
                    # open, for a person to settle (a run stopped early may not yet have
                    # read the record it met).
                    held = {e.record_id for e in entries if e.state == OutboxState.CONFLICT}
                    assert held <= waiting, (
                        f"{site.name}: entries wait on conflicts nobody can resolve:"
                        f" {held - waiting}"
                    )

    @invariant()
    def no_record_is_doubled_on_the_server(self) -> None:
        if not self.sites or not self.server_changed:
            return
        self.server_changed = False
        live = server_state(self.observer)
        for collection, key in (("employees", "firstName"), ("shifts", "notes")):
            tags = [v[key] for (c, _), v in live.items() if c == collection]
            doubled = {t for t in tags if tags.count(t) > 1}
            assert not doubled, f"{collection} doubled on the server: {doubled}"

    # --- the end ---------------------------------------------------------------------

    def _settle(self) -> None:
        """Resolve everything, replay (then discard) what failed, and sync round-robin
        until a whole round moves nothing; then everyone holds the same records."""
        choices = itertools.cycle([MINE, THEIRS])
        replayed: set[int] = set()
        for site in self.sites:
            site.faults.calm()
        for _ in range(10):
            moved = False
            for site in self.sites:
                self._resolve(site, lambda: next(choices))
                with site.store.session() as s:
                    for failed in failed_ops(s):
                        note(f"settle {site.name}: {failed.label}: {failed.reason}")
                        if failed.id in replayed:
                            discard(s, failed.id)
                        else:
                            replayed.add(failed.id)
                            replay(s, failed.id)
                        moved = True
                result = run_sync(site.store, site.client)
                note(f"settle {site.name}: {result.outcome} {result.summary()} {result.message}")
                assert result.completed, result.message
                moved |= any(
                    (result.pushed, result.pulled, result.merged, result.conflicts, result.failed)
                )
                moved |= bool(result.pending)
            if not moved:
                break
        else:
            raise AssertionError("the sites did not settle in ten rounds")
        server = server_state(self.observer)
        for site in self.sites:
            with site.store.session() as s:
                here = local_state(s)
                differ = {
                    k: (here.get(k), server.get(k))
                    for k in here.keys() | server.keys()
                    if here.get(k) != server.get(k)
                }
                assert not differ, f"{site.name} (here, server) where they differ: {differ}"
                assert not list(s.scalars(select(OutboxEntry)))
                conflicts = {c.id: c for c in s.scalars(select(SyncConflict))}
                site.conflicts_seen.update(conflicts)
                assert set(conflicts) == site.conflicts_seen  # no conflict row vanished
                for cid, c in conflicts.items():
                    # Each resolved: by a choice made here, or closed by the sync when
                    # a later merge of the record settled it.
                    assert c.status == ConflictStatus.RESOLVED
                    by_sync = bool(c.resolution and c.resolution.get("settled"))
                    assert (cid in site.conflicts_resolved) != by_sync, c.resolution


def _run(server: Server, template: Path, workdir: Path, examples: int, steps: int) -> None:
    ThreeSites.server = server
    ThreeSites.template = template
    ThreeSites.workdir = workdir
    ThreeSites.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=steps,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    ThreeSites.TestCase().runTest()


@pytest.mark.slow
def test_three_sites_converge_through_faults_and_restarts(
    migrated_file: Path, tmp_path: Path
) -> None:
    server = ThreadServer(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        _run(server, migrated_file, tmp_path, examples=20, steps=25)
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.postgres
def test_three_sites_converge_on_postgres_with_two_workers(
    pg_base: str, migrated_file: Path, tmp_path: Path
) -> None:
    url, admin_db = fresh_pg_schema(pg_base)
    try:
        server = ProcessServer(url, tmp_path / "server.log")
        try:
            _run(server, migrated_file, tmp_path, examples=4, steps=25)
        finally:
            server.stop()
    finally:
        drop_pg_schema(url, admin_db)
