"""A sync process that dies by SIGKILL right after its Nth response arrives: the
server has acted, this process never gets to commit what it heard.

    python -m tests.sync.killed_sync STORE URL KEY N run|pull [LIMIT]

``run`` is a whole :func:`sync.engine.run_sync`; ``pull`` reads the feed alone in
pages of LIMIT changes, so the kill can fall between two pages.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import httpx

from core.store import open_store
from sync.client import SyncClient
from sync.engine import run_sync
from sync.link import find_link
from sync.pull import pull


class KillAfter(httpx.BaseTransport):
    def __init__(self, n: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.n = n
        self.seen = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.seen += 1
        if self.seen == self.n:
            os.kill(os.getpid(), signal.SIGKILL)
        return response


def main(path: str, url: str, key: str, n: str, mode: str, limit: str = "1000") -> None:
    store = open_store(Path(path), create=False)
    client = SyncClient(url, key, transport=KillAfter(int(n)))
    if mode == "run":
        run_sync(store, client)
    else:
        with store.session() as session:
            link = find_link(session)
            assert link is not None
        pull(store, client, link.company_id, limit=int(limit))
    sys.exit("the process was to be killed, yet it finished")


if __name__ == "__main__":
    main(*sys.argv[1:])
