"""``server.asgi:app`` for several uvicorn workers (or any ASGI server): the database
comes from ``$SHIFTDESK_SERVER_DB``, each worker's pool size from
``$SHIFTDESK_SERVER_POOL_SIZE``."""

from __future__ import annotations

from server.app import create_app
from server.settings import Settings, database_url

app = create_app(Settings.from_env(database_url(None)))
