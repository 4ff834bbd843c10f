"""A new store's first download, and a sync with nothing to do (fixed seed).

Run: ``python bench/sync_download.py [--records N] [--repeat R]``. Seeds a real
server database (SQLite, in a temporary directory) with N records of one company
as sites would have written them (departments, people, shifts, punches; the rows
and their change feed), starts ``shiftdesk server`` on a free port on 127.0.0.1,
then times, each R times (min / median):

- ``feed read`` (the floor): every page of ``GET /v1/changes`` fetched and decoded,
  nothing stored;
- ``first download``: ``sync connect`` of a new file: the store made from the
  company, then every page applied and its cursor kept (targets: 50k < 15 s);
- ``no-op sync``: ``shiftdesk sync``'s run on the downloaded store when nothing
  changed anywhere, with the requests it made (target: <= 2 requests, < 100 ms);
  its floor is one ``GET /v1/changes`` at the end of the feed.

The ratio to the floor is what to compare across machines.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from bench.replica_apply import build_page
from bench.serving import server_process
from core.replica import apply_page
from core.store import open_store
from core.wire import ChangePage
from server import admin, auth
from server.tables import Change, FeedCounter
from sync.client import SyncClient
from sync.connect import connect
from sync.engine import run_sync


def seed_feed(session: Session, company_id: str, site_id: str, records: int, seed: int = 1) -> None:
    """Write ``records`` records of a company straight into a server database, rows
    and change feed, as sites would have written them (HTTP would take minutes)."""
    page = ChangePage.parse(build_page(records, company_id, site_id, seed=seed))
    apply_page(session, page)
    session.bulk_insert_mappings(  # type: ignore[arg-type]
        Change,
        [
            {
                "collection": c.collection,
                "record_id": c.id,
                "company_id": company_id,
                "seq": c.seq,
                "version": c.record_version,
                "deleted": False,
                "record": dict(c.record or {}),
            }
            for c in page.changes
        ],
    )
    session.add(FeedCounter(company_id=company_id, seq=len(page.changes)))


def seed(db: Path, records: int) -> tuple[str, str]:
    """A company with ``records`` records on the server database; (company id, key)."""
    with admin.transaction(str(db)) as session:
        company = admin.create_company(session, "Bench", timezone="Europe/Berlin")
        company_id, site_id = company.id, company.sites[0].id
        _, key = auth.create_key(session, company_id, auth.SCOPES, rate_limit=1_000_000)
    with admin.transaction(str(db)) as session:
        seed_feed(session, company_id, site_id, records)
    return company_id, key


class Counting(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return super().handle_request(request)


def _times(work: Callable[[int], Any], repeat: int) -> list[float]:
    spent = []
    for n in range(repeat):
        start = time.perf_counter()
        work(n)
        spent.append(time.perf_counter() - start)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _, key = seed(root / "server.sqlite3", args.records)
        with server_process(root / "server.sqlite3") as url:
            rows = _measure(root, url, key, args.repeat, args.records)
    print(f"{args.records} records on the server; min / median of {args.repeat}")
    print(f"  {'':<16} {'min':>8} {'median':>8} {'floor':>8} {'ratio':>6}")
    for label, spent, floor, note in rows:
        best, mid = min(spent), statistics.median(spent)
        print(f"  {label:<16} {best:8.3f} {mid:8.3f} {floor:8.3f} {best / floor:6.1f}x  {note}")


def _measure(root: Path, url: str, key: str, repeat: int, records: int) -> list[tuple]:
    headers = {"Authorization": f"Bearer {key}"}

    def read_feed(_: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            cursor, more, seen = "0", True, 0
            while more:
                page = http.get("/v1/changes", params={"cursor": cursor, "limit": 1000}).json()
                cursor, more = page["cursor"], page["hasMore"]
                seen += len(page["changes"])
        assert seen == records, f"read {seen} of {records}"

    def download(n: int) -> None:
        with SyncClient(url, key) as client:
            done = connect(root / f"site{n}.shiftdesk", client)
        assert done.run is not None, "a new store downloads"
        assert done.run.pulled == records, done.run

    feed = _times(read_feed, repeat)
    first = _times(download, repeat)
    store = open_store(root / "site0.shiftdesk")
    counting = Counting()
    try:
        with SyncClient(url, key, transport=counting) as client:
            run_sync(store, client)  # the first run after a download reads the feed's end
            counting.requests = 0
            idle = _times(lambda _: run_sync(store, client), repeat * 3)
            made = counting.requests / (repeat * 3)
    finally:
        store.close()
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        last = str(records)  # the feed's end: a page with nothing in it
        one = _times(lambda _: http.get("/v1/changes", params={"cursor": last}), repeat * 3)
    return [
        ("feed read", feed, min(feed), "floor: pages fetched and decoded"),
        ("first download", first, min(feed), "target < 15 s for 50k"),
        ("no-op sync", idle, min(one), f"{made:.0f} request(s) a run; target <= 2, < 100 ms"),
    ]


if __name__ == "__main__":
    main()
