"""How long a site back from working offline takes to push its edits (fixed seed).

Run: ``python bench/sync_push.py [--edits N] [--people P] [--sample S]``. Starts the
reference server on 127.0.0.1 in its own process over a fresh SQLite file (as
``shiftdesk server`` runs it), a company with one site and a key, and a site's
store joined to it. The store makes P people and N/2 shifts and pushes them (the
state the site last synced), then, offline, N edits (default 5,000): N/2 new shifts
and an edit of each synced one (its end time and notes). Then it times:

- ``make the edits``: core making those N edits in the local store, each with its
  outbox entry. This is the floor: a push does that much work again on the
  server, plus the wire and the bookkeeping, so it can hardly cost less;
- ``push``: :func:`sync.push.push` sending them, :data:`sync.push.BATCH` to a
  request, to the server, until the outbox is empty;
- ``one request each``: S further edits pushed one to a request (batches of one:
  the request, key check, rate-limit count and commit of each, as a push paid
  before ``/v1/batch``), per edit, to show what the batches save.

Wall-clock and this process's CPU seconds (the client's share; the server runs
elsewhere) are printed, with the push's ratio to the floor: the ratio, not the
seconds, is what compares across machines.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.serving import server_process
from core.employees import EmployeeDraft, add_employee
from core.models import OutboxEntry, Shift
from core.organisation import Setup, setup_store
from core.scheduling import ShiftDraft, create_shift, edit_shift
from core.store import Store, open_store
from server import admin, auth
from sync import push as push_module
from sync.client import SyncClient
from sync.push import push

START = date(2027, 1, 4)  # a Monday
SLOTS = (("06:00", "14:00"), ("09:00", "17:00"), ("14:00", "22:00"))


@contextmanager
def serving(db_file: Path) -> Iterator[tuple[str, str, str, str]]:
    """The server in its own process; yields its URL, the company, site and key."""
    with admin.transaction(str(db_file)) as session:
        company = admin.create_company(session, "Bench", timezone="Europe/Berlin")
        # The administrator's own limit for this key: the bench measures the push,
        # not the default 600 requests a minute (a batch counts as its writes).
        _, key = auth.create_key(session, company.id, auth.SCOPES, rate_limit=10_000_000)
        company_id, site_id = company.id, company.sites[0].id
    with server_process(db_file) as url:
        yield url, company_id, site_id, key


def _chunks(items: list, size: int) -> Iterator[list]:
    for n in range(0, len(items), size):
        yield items[n : n + size]


def _outbox(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry)) or 0


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--sample", type=int, default=250)
    args = parser.parse_args()
    rng = random.Random(7)
    half = args.edits // 2
    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp) / "server.sqlite3") as served:
        url, company_id, site_id, key = served
        store = open_store(Path(tmp) / "site.shiftdesk")
        client = SyncClient(url, key)
        with store.session() as s:
            setup_store(
                s, Setup("Bench", "Main", "Europe/Berlin"), company_id=company_id, site_id=site_id
            )
            people = [
                add_employee(s, EmployeeDraft(first_name=f"P{n}", last_name="Bench")).ids[0]
                for n in range(args.people)
            ]

        def shifts(first_day: int, count: int) -> list[ShiftDraft]:
            return [
                ShiftDraft(
                    site_id,
                    START + timedelta(days=first_day + n // len(people)),
                    *rng.choice(SLOTS),
                    employee_ids=(people[n % len(people)],),
                )
                for n in range(count)
            ]

        def make(drafts: list[ShiftDraft]) -> list[str]:
            made: list[str] = []
            for chunk in _chunks(drafts, 100):
                with store.session() as s:
                    made += [create_shift(s, d).ids[0] for d in chunk]
            return made

        synced = make(shifts(0, half))
        push(store, client)  # what the site last synced
        days = -(-half // len(people))
        new = shifts(days + 1, args.edits - half)

        def edit_offline() -> None:
            make(new)
            for chunk in _chunks(synced, 100):
                with store.session() as s:
                    for sid in chunk:
                        shift = s.get(Shift, sid)
                        assert shift is not None
                        end = "13:30" if shift.start_time == "06:00" else shift.end_time
                        edit_shift(s, sid, end_time=end, notes=f"note {rng.randrange(1000)}")

        floor = _timed(edit_offline)
        waiting = _outbox(store)
        assert waiting == args.edits, f"{waiting} outbox entries for {args.edits} edits"
        result: list[push_module.PushResult] = []
        pushed = _timed(lambda: result.append(push(store, client)))
        assert (result[0].pushed, result[0].failed, result[0].pending) == (args.edits, 0, 0)

        sample = synced[: args.sample]
        with store.session() as s:
            for sid in sample:
                edit_shift(s, sid, notes="one request each")
        batch, push_module.BATCH = push_module.BATCH, 1
        try:
            alone = _timed(lambda: push(store, client))
        finally:
            push_module.BATCH = batch
        client.close()
        store.close()
    print(
        f"{args.edits} offline edits ({half} shift updates, {args.edits - half} new shifts),"
        f" {args.people} people, server on SQLite in its own process"
    )
    print("                           wall      cpu (client)")
    print(f"  make the edits (floor)  {floor[0]:6.2f} s  {floor[1]:6.2f} s")
    print(f"  push, {batch} a request   {pushed[0]:6.2f} s  {pushed[1]:6.2f} s")
    print(f"  push / floor            {pushed[0] / floor[0]:6.2f}x")
    each = alone[0] / len(sample)
    per = pushed[0] / args.edits
    print(
        f"  one request each        {each * 1000:6.2f} ms per edit ({len(sample)} sampled):"
        f" {each * args.edits:.1f} s for {args.edits}, {each / per:.1f}x the batched push"
    )


if __name__ == "__main__":
    main()
