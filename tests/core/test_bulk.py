"""core.bulk.insert_columns stores each row as the ORM would: a value shared by every
row may be written into the statement once, but never merges values that only
compare equal (1, 1.0, True; two JSON documents) and never loses a digit."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from core.bulk import insert_columns

_META = MetaData()
_TABLE = Table(
    "t",
    _META,
    Column("id", Integer, primary_key=True),
    Column("doc", JSON),
    Column("n", BigInteger),
    Column("x", Float),
    Column("s", String),
)


@pytest.fixture
def session() -> Session:
    engine = create_engine("sqlite://")
    _META.create_all(engine)
    with Session(engine) as s:
        yield s


def _stored(session: Session, column: str) -> list[tuple[object, str]]:
    """Each row's value of ``column`` with SQLite's own type of it, by id."""
    c = _TABLE.c[column]
    rows = session.execute(select(c, func.typeof(c)).order_by(_TABLE.c.id)).all()
    return [tuple(r) for r in rows]


def test_json_documents_equal_but_not_the_same_keep_their_own(session: Session) -> None:
    insert_columns(session, _TABLE, 2, {"id": [1, 2], "doc": [{"a": 1}, {"a": True}]}, {})
    docs = session.execute(select(_TABLE.c.doc).order_by(_TABLE.c.id)).scalars().all()
    assert docs == [{"a": 1}, {"a": True}]
    assert [type(d["a"]) for d in docs] == [int, bool]


def test_numbers_equal_but_of_other_types_keep_their_own(session: Session) -> None:
    insert_columns(session, _TABLE, 3, {"id": [1, 2, 3], "s": [1, 1.0, True]}, {})
    assert _stored(session, "s") == [("1", "text"), ("1.0", "text"), ("1", "text")]
    session.rollback()
    insert_columns(session, _TABLE, 2, {"id": [1, 2], "x": [1.0, 1]}, {})
    assert _stored(session, "x") == [(1.0, "real"), (1.0, "real")]


def test_one_value_in_every_row_is_stored_as_bound(session: Session) -> None:
    """The shared-value shortcut stores what binding each row stores, type and all."""
    columns = {"id": [1, 2], "n": [7, 7], "s": ["a'b", "a'b"], "doc": [{"a": 1}, {"a": 1}]}
    insert_columns(session, _TABLE, 2, columns, {"x": None})
    got = {c: _stored(session, c) for c in ("n", "s", "doc", "x")}
    session.rollback()
    rows = [{k: v[i] for k, v in columns.items()} | {"x": None} for i in range(2)]
    session.execute(insert(_TABLE), rows)
    assert got == {c: _stored(session, c) for c in ("n", "s", "doc", "x")}


@pytest.mark.parametrize("big", [2**63, 2**63 + 1, -(2**63) - 1, 10**30])
def test_an_int_sqlite_cannot_hold_is_refused_as_binding_refuses_it(
    session: Session, big: int
) -> None:
    """Written into the statement, it would become a float that lost digits."""
    with pytest.raises(OverflowError):
        session.execute(insert(_TABLE), [{"id": 1, "n": big}])
    session.rollback()
    with pytest.raises(OverflowError):
        insert_columns(session, _TABLE, 2, {"id": [1, 2]}, {"n": big})
    session.rollback()
    with pytest.raises(OverflowError):
        insert_columns(session, _TABLE, 2, {"id": [1, 2], "n": [big, big]}, {})


@pytest.mark.parametrize("edge", [2**63 - 1, -(2**63)])
def test_the_largest_ints_sqlite_holds_are_stored_exactly(session: Session, edge: int) -> None:
    insert_columns(session, _TABLE, 2, {"id": [1, 2]}, {"n": edge})
    assert _stored(session, "n") == [(edge, "integer"), (edge, "integer")]


def test_quotes_and_question_marks_in_shared_text_are_stored_as_they_are(
    session: Session,
) -> None:
    text = "O'Brien ?; DROP TABLE t; -- :x $1 '' \\"
    insert_columns(session, _TABLE, 2, {"id": [1, 2]}, {"s": text})
    assert session.execute(select(_TABLE.c.s)).scalars().all() == [text, text]
