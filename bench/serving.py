"""The reference server in a process of its own, as ``shiftdesk server`` runs it, for
benchmarks that measure a client against it over loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(db_file: Path) -> Iterator[str]:
    """``shiftdesk server`` over ``db_file`` on a free port; yields its URL once it
    answers ``/health``, and stops it after."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "server", "--db", str(db_file), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")
