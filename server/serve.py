"""Serving the API: the schema made once, then uvicorn with one or several workers."""

from __future__ import annotations

import os

import uvicorn

from server.app import create_app
from server.db import Database
from server.settings import ENV_DB, Settings, database_url


def serve(db: str | None, *, host: str, port: int, workers: int = 1) -> None:
    """Serve the database ``db`` names (a path or URL; None: the default) until stopped."""
    url = database_url(db)
    schema = Database(url)
    schema.ensure_schema()  # once here, not racing in every worker
    schema.close()
    if workers > 1:
        os.environ[ENV_DB] = url
        uvicorn.run("server.asgi:app", host=host, port=port, workers=workers)
    else:
        uvicorn.run(create_app(Settings(url), create_schema=False), host=host, port=port)
