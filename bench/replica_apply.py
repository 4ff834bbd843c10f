"""How long a pull takes to apply a full page of the change feed (fixed seed).

Run: ``python bench/replica_apply.py [--records N]``. Builds a store for one
company in a temporary directory and a page of N records as the server renders
it (departments, employees, a shift for most of them per day, punches), then
times, each in one transaction as the sync engine runs a page:

- ``parse``: ``ChangePage.parse`` of the decoded JSON (what the client receives);
- ``first download``: parse and ``apply_page`` into the empty store (every row
  inserted);
- ``all changed``: the same for the records at their next version (every row
  updated, every shift's assignments rewritten).

Wall time and this process's CPU time (steadier on a shared machine) are printed,
per 1000 records too, and the ratio of an update page to an insert page, so
machines and sizes can be compared.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from core.organisation import Setup, setup_store
from core.replica import apply_page
from core.store import open_store
from core.wire import Change, ChangePage

START = date(2026, 3, 2)


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_page(n: int, company: str, site: str, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    stamp = {
        "companyId": company,
        "recordVersion": 1,
        "isActive": True,
        "createdAt": "2026-03-01T08:00:00Z",
        "updatedAt": "2026-03-01T08:00:00Z",
    }
    records: list[tuple[str, dict[str, Any]]] = []
    departments = [
        {"id": _id(rng), **stamp, "siteId": site, "name": f"Dept {d}", "color": "#4f7cac"}
        for d in range(max(1, n // 500))
    ]
    records += [("departments", d) for d in departments]
    people = []
    for e in range(max(1, n // 10)):
        people.append(
            {
                "id": _id(rng),
                **stamp,
                "siteId": site,
                "departmentId": rng.choice(departments)["id"],
                "firstName": f"First{e}",
                "lastName": "Last",
                "email": None,
                "code": f"E{e:05d}",
                "hourlyRate": "18.50",
                "contractHours": "40",
                "employed": True,
            }
        )
    records += [("employees", p) for p in people]
    day = 0
    while len(records) < n:
        who = people[len(records) % len(people)]
        if rng.random() < 0.85:
            start = rng.choice(["06:00", "09:00", "14:00", "22:00"])
            end = {"06:00": "14:00", "09:00": "17:00", "14:00": "22:00", "22:00": "06:00"}[start]
            records.append(
                (
                    "shifts",
                    {
                        "id": _id(rng),
                        **stamp,
                        "siteId": site,
                        "shiftDate": (START + timedelta(days=day // len(people))).isoformat(),
                        "startTime": start,
                        "endTime": end,
                        "assignedUserIds": [who["id"]],
                        "assignedDepartmentIds": [],
                        "departmentId": who["departmentId"],
                        "location": "",
                        "status": "scheduled",
                        "published": True,
                        "templateId": None,
                        "notes": "",
                        "flag": "",
                    },
                )
            )
        else:
            records.append(
                (
                    "clockevents",
                    {
                        "id": _id(rng),
                        **stamp,
                        "employeeId": who["id"],
                        "kind": "in",
                        "at": f"{START + timedelta(days=day // len(people))}T05:5{day % 10}:00Z",
                        "source": "lock",
                        "deviceId": "L1",
                    },
                )
            )
        day += 1
    changes = [
        Change(seq, name, r["id"], r["recordVersion"], False, r)
        for seq, (name, r) in enumerate(records, start=1)
    ]
    return json.loads(ChangePage(tuple(changes), str(len(changes)), False).to_json())


def bumped(document: dict[str, Any]) -> dict[str, Any]:
    """The same page with every record at its next version."""
    for change in document["changes"]:
        change["recordVersion"] += 1
        change["record"]["recordVersion"] += 1
        change["record"]["updatedAt"] = "2026-03-02T08:00:00Z"
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.shiftdesk")
        with store.session() as s:
            company, site = setup_store(s, Setup("Bench", "Main", "Europe/Berlin")).ids
        document = build_page(args.records, company, site)
        changed = bumped(json.loads(json.dumps(document)))

        def timed(work: Callable[[], object]) -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            return time.perf_counter() - wall, time.process_time() - cpu

        def apply(page: ChangePage) -> None:
            with store.session() as s:
                result = apply_page(s, page)
            assert len(result.ids) == len(page.changes), "every record applied"

        parsed = timed(lambda: ChangePage.parse(document))
        inserted = timed(lambda: apply(ChangePage.parse(document)))
        updated = timed(lambda: apply(ChangePage.parse(changed)))
        store.close()
    per = 1_000_000 / args.records
    print(f"{args.records} records        wall      cpu    (cpu ms per 1000)")
    for label, (wall, cpu) in (
        ("parse", parsed),
        ("first download", inserted),
        ("all changed", updated),
    ):
        print(f"  {label:<15} {wall:5.2f} s  {cpu:5.2f} s   ({cpu * per:4.0f})")
    print(f"  update/insert   {updated[0] / inserted[0]:5.2f}x  {updated[1] / inserted[1]:5.2f}x")


if __name__ == "__main__":
    main()
