"""Serving the API: the schema made once, then uvicorn with one or several workers."""

from __future__ import annotations

import os

import uvicorn

from server.app import create_app
from server.db import Database
from server.settings import ENV_DB, ENV_POOL_SIZE, Settings, database_url


def serve(
    db: str | None, *, host: str, port: int, workers: int = 1, pool_size: int | None = None
) -> None:
    """Serve the database ``db`` names (a path or URL; None: the default) until stopped,
    each worker holding at most ``pool_size`` database connections.

    uvicorn's access log is off: it would record every query string (filters, names)
    beside the JSON request log (:mod:`server.middleware`), which records the path."""
    url = database_url(db)
    if pool_size is not None:
        os.environ[ENV_POOL_SIZE] = str(pool_size)
    schema = Database(url)
    schema.ensure_schema()  # once here, not racing in every worker
    schema.close()
    if workers > 1:
        os.environ[ENV_DB] = url
        uvicorn.run("server.asgi:app", host=host, port=port, workers=workers, access_log=False)
    else:
        app = create_app(Settings.from_env(url), create_schema=False)
        uvicorn.run(app, host=host, port=port, access_log=False)
