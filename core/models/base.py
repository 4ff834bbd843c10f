"""Declarative base, column types and the sync metadata every replicated row carries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.timeutil import as_utc, utcnow


def new_id() -> str:
    """Client-generated UUIDs let an offline site create rows with no server."""
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC: SQLite keeps no zone, rules need one."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        datetime: UTCDateTime(),
        Decimal: Numeric(12, 4, asdecimal=True),
        dict[str, Any]: JSON(),
        str: String(),
    }


class Synced:
    """Columns for replication: ids made here, the server's version, the base copy.

    ``base`` is the last copy the server acknowledged, the common ancestor for a
    three-way merge. ``dirty`` marks local edits not yet pushed; ``deleted`` keeps a
    tombstone until the server has it. Rows are soft-deleted so a delete can sync.
    """

    #: Name of the collection on the wire (``/v1/<collection>``). Every replicated
    #: model names one, or says it stays here with ``__local_only__``.
    __collection__: str = ""
    #: Rows that carry sync metadata but never leave this store: no outbox entries.
    __local_only__: bool = False
    #: One record per company, made with the company on every store and on the server
    #: (the pay policy): its creation is not queued, only its changes are.
    __made_with_company__: bool = False

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    server_version: Mapped[int | None] = mapped_column(default=None)
    etag: Mapped[str | None] = mapped_column(String(64), default=None)
    base: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    dirty: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
