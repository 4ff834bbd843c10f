"""Serving the API: the schema made once, then uvicorn with one or several workers."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import sys
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from server.app import create_app
from server.db import Database
from server.settings import ENV_DB, ENV_POOL_SIZE, Settings, database_url


def is_local(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (loopback)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may resolve to any address
        return False


def plain_http_warning(host: str, tls: bool) -> str | None:
    """The warning for serving plain HTTP beyond this machine, or None."""
    if tls or is_local(host):
        return None
    return (
        f"warning: serving plain HTTP on {host}: API keys, tokens and personal data"
        " cross the network unencrypted; pass --ssl-certfile and --ssl-keyfile, or"
        " put a TLS-terminating proxy in front and bind 127.0.0.1"
    )


#: How long a connection may take to send a request's line and headers, counted from
#: when it opens or from the first byte of a further request on it.
HEADER_TIMEOUT_SECONDS = 10.0
#: How long an idle keep-alive connection stays open after an answer.
KEEP_ALIVE_SECONDS = 5
#: Connections and requests in progress at once; beyond it uvicorn answers 503.
MAX_CONCURRENCY = 1000
#: The largest request line plus headers read (h11's limit); beyond it, 400.
MAX_HEADER_BYTES = 16 * 1024


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection that opens and sends nothing, or
    sends part of a request's line and headers and stalls (a slow-headers attack
    would otherwise hold its connections for ever: uvicorn's keep-alive timer runs
    only after an answer and stops at the first byte of the next request)."""

    header_timeout: float = HEADER_TIMEOUT_SECONDS
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()  # part of a request line or headers: the clock runs on
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        self._disarm()  # uvicorn's keep-alive timer takes over
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(
    *, header_timeout: float = HEADER_TIMEOUT_SECONDS, keep_alive: int = KEEP_ALIVE_SECONDS
) -> dict[str, Any]:
    """What every uvicorn serving this app is given (:func:`serve`, and the tests'
    server).

    - ``access_log`` off: uvicorn's would record every query string (filters, names)
      beside the JSON request log (:mod:`server.middleware`), which records the path.
    - ``proxy_headers`` off: uvicorn would otherwise believe ``X-Forwarded-For`` from
      any local client (its default trusts 127.0.0.1), so a process on the machine
      could pick the address its requests count against. The app believes it only
      from the proxies in :attr:`Settings.trusted_proxies`
      (``$SHIFTDESK_TRUSTED_PROXIES``).
    - Connections that hold a worker without using it are closed: one that sends no
      complete request line and headers within ``header_timeout`` seconds
      (:class:`HeaderTimeoutProtocol`), one idle ``keep_alive`` seconds after an
      answer (``timeout_keep_alive``); at most :data:`MAX_CONCURRENCY` connections
      and requests at once (``limit_concurrency``, 503 beyond), and a request line
      plus headers of at most :data:`MAX_HEADER_BYTES` (``h11_max_incomplete_event_size``,
      400 beyond). A body sent slowly is not timed here: the database and request
      limits bound what it holds."""
    protocol: type[HeaderTimeoutProtocol] = HeaderTimeoutProtocol  # several workers pickle it
    if header_timeout != HeaderTimeoutProtocol.header_timeout:
        protocol = type(
            "HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": header_timeout}
        )
    return {
        "access_log": False,
        "proxy_headers": False,
        "http": protocol,
        "timeout_keep_alive": keep_alive,
        "limit_concurrency": MAX_CONCURRENCY,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }


def serve(
    db: str | None,
    *,
    host: str,
    port: int,
    workers: int = 1,
    pool_size: int | None = None,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
) -> None:
    """Serve the database ``db`` names (a path or URL; None: the default) until stopped,
    each worker holding at most ``pool_size`` database connections; HTTPS when given a
    certificate and its key (PEM files), else a warning on stderr if ``host`` is not
    a loopback address. uvicorn runs with :func:`uvicorn_options`."""
    warning = plain_http_warning(host, ssl_certfile is not None)
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    url = database_url(db)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        **uvicorn_options(),
        "ssl_certfile": ssl_certfile,
        "ssl_keyfile": ssl_keyfile,
    }
    if pool_size is not None:
        os.environ[ENV_POOL_SIZE] = str(pool_size)
    schema = Database(url)
    schema.ensure_schema()  # once here, not racing in every worker
    schema.close()
    if workers > 1:
        os.environ[ENV_DB] = url
        uvicorn.run("server.asgi:app", workers=workers, **options)
    else:
        app = create_app(Settings.from_env(url), create_schema=False)
        uvicorn.run(app, **options)
