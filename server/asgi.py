"""``server.asgi:app`` for several uvicorn workers (or any ASGI server): the database
comes from ``$SHIFTDESK_SERVER_DB``."""

from __future__ import annotations

from server.app import create_app
from server.settings import Settings, database_url

app = create_app(Settings(database_url(None)))
