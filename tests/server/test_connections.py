"""Connections that hold the server without using it are closed."""

from __future__ import annotations

import pickle
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.app import create_app
from server.serve import uvicorn_options
from server.settings import Settings
from tests.server.conftest import LiveServer


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[LiveServer]:
    """The served options with short timeouts: 0.5 s for headers, 1 s idle."""
    app = create_app(Settings(f"sqlite:///{tmp_path / 'conn.sqlite3'}"))
    server = LiveServer(app, options=uvicorn_options(header_timeout=0.5, keep_alive=1))
    yield server
    server.stop()


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Read until the server closes the connection; how long that took."""
    start = time.monotonic()
    sock.settimeout(seconds)
    while sock.recv(65536):
        pass
    return time.monotonic() - start


def _connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def test_a_connection_that_sends_nothing_is_closed(quick: LiveServer) -> None:
    with _connect(quick) as sock:
        assert _closed_within(sock, 5) < 3


def test_half_sent_headers_are_cut_off(quick: LiveServer) -> None:
    with _connect(quick) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.3)
        sock.sendall(b"X-Slow: 1\r\n")  # a trickle does not restart the clock
        assert _closed_within(sock, 5) < 3


def test_an_idle_keep_alive_connection_is_closed(quick: LiveServer) -> None:
    with _connect(quick) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert _closed_within(sock, 5) < 3


def test_a_half_sent_second_request_is_cut_off(quick: LiveServer) -> None:
    with _connect(quick) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        assert _closed_within(sock, 5) < 3


def test_oversized_headers_are_refused(quick: LiveServer) -> None:
    with _connect(quick) as sock:
        # headers still growing past the limit: refused before they end
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000)
        assert sock.recv(65536).startswith(b"HTTP/1.1 400")


def test_the_served_options_set_the_limits() -> None:
    options = uvicorn_options()
    assert options["timeout_keep_alive"] == 5
    assert options["limit_concurrency"] == 1000
    assert options["h11_max_incomplete_event_size"] == 16 * 1024
    assert options["http"].header_timeout == 10.0
    pickle.dumps(options["http"])  # several workers get the config pickled
