"""Serving the API: the schema made once, then uvicorn with one or several workers."""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Any

import uvicorn

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


def uvicorn_options() -> dict[str, Any]:
    """What every uvicorn serving this app is given (:func:`serve`, and the tests'
    server).

    - ``access_log`` off: uvicorn's would record every query string (filters, names)
      beside the JSON request log (:mod:`server.middleware`), which records the path.
    - ``proxy_headers`` off: uvicorn would otherwise believe ``X-Forwarded-For`` from
      any local client (its default trusts 127.0.0.1), so a process on the machine
      could pick the address its requests count against. The app believes it only
      from the proxies in :attr:`Settings.trusted_proxies`
      (``$SHIFTDESK_TRUSTED_PROXIES``)."""
    return {"access_log": False, "proxy_headers": False}


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
