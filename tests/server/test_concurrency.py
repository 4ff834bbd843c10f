"""Many clients at once: one winner per version, and a feed reader that misses nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.server.conftest import Tenant, created, new_id, put_new

WRITERS = 12


def test_parallel_writers_with_if_match_one_wins_per_version(tenant: Tenant) -> None:
    dept = created(tenant.client, "departments", {"name": "Kitchen"})
    url = f"/v1/departments/{dept['id']}"
    barrier = threading.Barrier(WRITERS)

    def write(version: int, n: int) -> httpx.Response:
        with httpx.Client(base_url=tenant.live.url, headers={"X-API-Key": tenant.key}) as c:
            barrier.wait()
            return c.patch(
                url, json={"name": f"v{version}-{n}"}, headers={"If-Match": f'"{version}"'}
            )

    for version in (1, 2, 3):
        with ThreadPoolExecutor(WRITERS) as pool:
            responses = list(pool.map(lambda n, v=version: write(v, n), range(WRITERS)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [412] * (WRITERS - 1)
        [winner] = [r for r in responses if r.status_code == 200]
        current = tenant.client.get(url).json()["department"]
        assert current["recordVersion"] == version + 1
        assert current["name"] == winner.json()["department"]["name"]


def _batch_of_creates(c: httpx.Client, names: list[str]) -> list[str]:
    ids = [new_id() for _ in names]
    operations = [
        {
            "method": "PUT",
            "path": f"/v1/departments/{record_id}",
            "headers": {"If-None-Match": "*"},
            "body": {"name": name},
        }
        for record_id, name in zip(ids, names, strict=True)
    ]
    response = c.post("/v1/batch", json={"operations": operations})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [201] * len(names)
    return ids


@pytest.mark.parametrize("batched", [False, True], ids=["single", "batched"])
def test_a_reader_following_the_feed_during_parallel_creates_ends_with_every_row(
    tenant: Tenant, batched: bool
) -> None:
    """Batched: half the writers send batches of five, each one transaction whose
    changes must reach the reader whole and in commit order too."""
    per_writer, writers = 15, 4
    done = threading.Event()
    made: list[str] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        with httpx.Client(base_url=tenant.live.url, headers={"X-API-Key": tenant.key}) as c:
            if batched and n % 2:
                for i in range(0, per_writer, 5):
                    ids = _batch_of_creates(c, [f"W{n}-{j}" for j in range(i, i + 5)])
                    with lock:
                        made.extend(ids)
                return
            for i in range(per_writer):
                record_id = new_id()
                response = put_new(c, "departments", {"name": f"W{n}-{i}"}, record_id)
                assert response.status_code == 201, response.text
                with lock:
                    made.append(record_id)

    def follow() -> tuple[list[str], list[int]]:
        seen: list[str] = []
        seqs: list[int] = []
        cursor = "0"
        with httpx.Client(base_url=tenant.live.url, headers={"X-API-Key": tenant.key}) as c:
            while True:
                finished = done.is_set()
                page = c.get("/v1/changes", params={"cursor": cursor, "limit": 7}).json()
                seen += [ch["id"] for ch in page["changes"]]
                seqs += [ch["seq"] for ch in page["changes"]]
                cursor = page["cursor"]
                if finished and not page["hasMore"]:
                    return seen, seqs

    with ThreadPoolExecutor(writers + 1) as pool:
        reading = pool.submit(follow)
        writing = [pool.submit(writer, n) for n in range(writers)]
        for future in writing:
            future.result()
        done.set()
        seen, seqs = reading.result()
    assert sorted(seen) == sorted(made)
    assert len(made) == per_writer * writers
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
