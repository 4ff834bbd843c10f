"""Writing many rows fast: one ``executemany`` per table, values as the ORM stores them.

Template application and undo write a year of shifts at once; going through the
ORM row by row costs several times SQLite's own work. Callers write the outbox
entries of what they insert with :func:`core.outbox.enqueue_many`.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from enum import Enum
from itertools import repeat
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic collector off while bulk work runs, back on after.

    A year of templates builds hundreds of thousands of objects (drafts, instants,
    checks) that all live until the work ends; each collection the allocations set
    off walks them all again and frees nothing (a third of the work's CPU). They hold
    no cycles, and reference counting frees them as usual; the collector runs when
    it is back on. Another thread's bulk work that ends first turns it back on early:
    that only costs the time saved.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


#: Byte maps setting a UUID's version (4) and variant (RFC 4122) bits.
_VERSION_4 = bytes.maketrans(bytes(range(256)), bytes((b & 0x0F) | 0x40 for b in range(256)))
_VARIANT = bytes.maketrans(bytes(range(256)), bytes((b & 0x3F) | 0x80 for b in range(256)))


def new_ids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs like :func:`core.models.new_id`, several times faster."""
    raw = bytearray(os.urandom(16 * n))
    raw[6::16] = raw[6::16].translate(_VERSION_4)
    raw[8::16] = raw[8::16].translate(_VARIANT)
    h = raw.hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-"
        f"{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    ]


def insert_columns(
    session: Session,
    table: Table,
    n: int,
    columns: Mapping[str, Sequence[Any]],
    same: Mapping[str, Any],
) -> None:
    """Insert ``n`` rows in one ``executemany``, stored exactly as the ORM stores them.

    ``columns`` gives a value per row, ``same`` one value for every row; columns
    named in neither get their default. Each distinct value goes through its
    column's bind processor once, so a year of shifts costs little beyond SQLite's
    own work (the ORM's per-row bookkeeping cost several times more).
    """
    if n == 0:
        return
    conn = session.connection()
    dialect = conn.dialect
    same = dict(same)
    per_row = dict(columns)
    for column in table.columns:
        default = column.default
        if column.name in same or column.name in per_row or default is None or column.primary_key:
            continue
        if default.is_scalar:
            same[column.name] = default.arg
        else:
            per_row[column.name] = [default.arg(None) for _ in range(n)]

    def processor(name: str) -> Any:
        return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    names: list[str] = []
    marks: list[str] = []  # per column: "?", or the one value every row holds, as SQL
    values: list[Any] = []
    for name, column_values in per_row.items():
        process = processor(name)
        if _one_value(column_values, n):
            same[name] = column_values[0]  # a template's site, times, place: one value
            continue
        names.append(name)
        marks.append("?")
        if process is None:
            values.append(column_values)
            continue
        try:
            done = {v: process(v) for v in dict.fromkeys(column_values)}
        except TypeError:  # unhashable values, such as JSON documents
            values.append([process(v) for v in column_values])
        else:
            values.append(list(map(done.__getitem__, column_values)))
    for name, value in same.items():
        process = processor(name)
        stored = process(value) if process else value
        names.append(name)
        literal = _sql_literal(stored)
        marks.append("?" if literal is None else literal)
        if literal is None:
            values.append(repeat(stored, n))
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(x) for x in names)})"
        f" VALUES ({', '.join(marks)})"
    )
    conn.exec_driver_sql(sql, list(zip(*values, strict=False)) if values else [()] * n)


#: Types whose values equal only values stored alike (text may also equal a text
#: enum member, stored as the same text): one of them may stand for all. Not
#: floats (0.0 and -0.0), decimals (1.0 and 1.00), datetimes (equal instants in
#: other zones), JSON documents (``{"a": 1}`` and ``{"a": True}``).
_ALONE = frozenset({type(None), str, date})
#: Types whose values also equal other types' (1, 1.0, True): one of them may stand
#: for all only if every value is of its type.
_OF_ITS_TYPE = frozenset({bool, int})


def _one_value(values: Sequence[Any], n: int) -> bool:
    """Whether all ``n`` values are one, stored alike: equal, and of a type whose
    equal values are (checking every value's type costs more, so only where needed)."""
    if not values:
        return False
    first = values[0]
    kind = type(first)
    if kind in _ALONE:
        return values.count(first) == n
    if kind in _OF_ITS_TYPE or issubclass(kind, Enum):
        return values.count(first) == n and set(map(type, values)) == {kind}
    return False


#: The ints SQLite stores as integers; a literal beyond them is read as a float.
_INT_RANGE = range(-(2**63), 2**63)


def _sql_literal(value: Any) -> str | None:
    """A value the same in every row, written into the statement instead of bound
    for each (binding a year of shifts' fifteen such columns cost a sixth of
    SQLite's inserting them); None where only binding keeps it exact. SQLite stores
    a literal as the bound value: the column's affinity applies to either."""
    if value is None:
        return "NULL"
    if type(value) is int and value in _INT_RANGE:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None
