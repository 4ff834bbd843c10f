"""The server's rows: the change feed, a first download, a no-op sync, and writes.

One ``shiftdesk server`` process on 127.0.0.1 over a SQLite database seeded with
the records of one company (``bench/sync_download.py``'s seed and measures: the
feed read, ``sync connect`` of a new file, a sync with nothing to do). Then
writes over HTTP as a client makes them, one to a request: a POST of a new shift
and a PATCH of it with ``If-Match``, per write; their floor is ``GET /health``
on the same server, per request.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench.runner import Row, Sizes
from bench.serving import server_process
from bench.sync_download import _measure, seed

DAY0 = date(2027, 1, 4)


def server_rows(sizes: Sizes) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = root / "server.sqlite3"
        _, key = seed(db, sizes.feed_records)
        with server_process(db) as url:
            measured = _measure(root, url, key, sizes.repeat, sizes.feed_records)
            writes = _writes(url, key, sizes)
    by_label = {label: (spent, floor) for label, spent, floor, _ in measured}
    feed, _ = by_label["feed read"]
    first, feed_floor = by_label["first download"]
    idle, idle_floor = by_label["no-op sync"]
    n = sizes.feed_records
    return [
        Row(f"change feed, {n} changes: every page read", feed, None, "< 15 s", 15.0, note="—"),
        Row(
            f"first download of {n} records (`sync connect`)",
            first,
            feed_floor,
            "< 15 s",
            15.0,
            note="floor: the feed read",
        ),
        Row(
            "no-op sync",
            idle,
            idle_floor,
            "< 100 ms",
            0.100,
            unit="ms",
            note="floor: one GET /v1/changes at the end",
        ),
        writes,
    ]


def _writes(url: str, key: str, sizes: Sizes) -> Row:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        people = []
        for n in range(20):
            made = http.post("/v1/employees", json={"firstName": f"W{n}", "lastName": "Bench"})
            assert made.status_code == 201, made.text
            people.append(made.json()["employee"]["id"])
        per_write: list[float] = []
        day = 0
        for _ in range(sizes.repeat):
            began = time.perf_counter()
            for n in range(sizes.writes):
                body = {
                    "shiftDate": (DAY0 + timedelta(days=day + n // len(people))).isoformat(),
                    "startTime": "09:00",
                    "endTime": "17:00",
                    "assignedUserIds": [people[n % len(people)]],
                }
                made = http.post("/v1/shifts", json=body)
                assert made.status_code == 201, made.text
                shift = made.json()["shift"]
                patched = http.patch(
                    f"/v1/shifts/{shift['id']}",
                    json={"notes": "moved the break"},
                    headers={"If-Match": f'"{shift["recordVersion"]}"'},
                )
                assert patched.status_code == 200, patched.text
            per_write.append((time.perf_counter() - began) / (2 * sizes.writes))
            day += sizes.writes // len(people) + 1
        health: list[float] = []
        for _ in range(sizes.repeat):
            began = time.perf_counter()
            for _ in range(2 * sizes.writes):
                http.get("/health")
            health.append((time.perf_counter() - began) / (2 * sizes.writes))
    rate = 1 / min(per_write)
    return Row(
        "server writes: POST + PATCH with If-Match, per write",
        per_write,
        min(health),
        "≥ 500 / s (≤ 2 ms)",
        0.002,
        unit="ms",
        note=f"{rate:.0f} writes/s; floor: GET /health, per request ({1 / min(health):.0f}/s)",
    )
