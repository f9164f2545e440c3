"""lms.pg.Cursor: on PostgreSQL, a statement's description is made only when it is read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from lms.accounts.models import Person
from lms.config import engine_options
from lms.db import db
from tests.factories import make_person

PG = "postgresql+psycopg://user:secret@localhost/lms"


def test_a_psycopg_engine_gets_the_cursor_and_keeps_its_other_settings():
    from lms.pg import Cursor

    assert engine_options(PG)["connect_args"] == {"cursor_factory": Cursor}
    assert engine_options(PG, prepared=False)["connect_args"] == {
        "cursor_factory": Cursor,
        "prepare_threshold": None,
    }
    # lms.db pings a pooled connection only when it may have died in the pool.
    assert engine_options(PG)["pool_pre_ping"] is False
    # Not another driver's, nor psycopg's asynchronous connections (they take their own kind).
    assert "connect_args" not in engine_options("postgresql+pg8000://u@h/lms")
    assert "connect_args" not in engine_options("postgresql+psycopg_async://u@h/lms")


@pytest.fixture
def raw_cursor(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a psycopg cursor")
    from lms.pg import Cursor

    cursor = db.session.connection().connection.dbapi_connection.cursor()
    assert isinstance(cursor, Cursor)  # the engine's connections make ours
    yield cursor
    cursor.close()


def test_rows_and_names_read_as_before_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the cursor is psycopg's")
    people = sorted(make_person(password=None).id for _ in range(3))
    db.session.commit()
    # A statement's first run builds SQLAlchemy's result columns from the description; later
    # runs take them from the compiled statement: both read the same rows and names.
    for _ in range(3):
        found = db.session.execute(
            select(Person.id, Person.username.label("name")).where(Person.id.in_(people))
        )
        assert list(found.keys()) == ["id", "name"]
        assert [row.id for row in found] == people
    typed = db.session.execute(text("SELECT 1 AS one, 'a' AS letter")).mappings().one()
    assert typed == {"one": 1, "letter": "a"}
    assert db.session.scalar(select(func.count()).select_from(Person)) >= 3
    # A write returns no rows, and reads as one that returns none.
    assert db.session.execute(text("UPDATE person SET id = id WHERE id = -1")).rowcount == 0


def test_the_columns_are_made_when_read_and_match_psycopgs(raw_cursor, monkeypatch):
    import psycopg

    import lms.pg

    made = []

    class Counted(psycopg.Column):
        def __init__(self, *args):
            made.append(args[1])
            super().__init__(*args)

    monkeypatch.setattr(lms.pg, "Column", Counted)
    raw_cursor.execute("SELECT 1 AS one, 'a'::text AS letter")
    lazy = raw_cursor.description
    assert len(lazy) == 2 and lazy  # counted and true without making a column
    assert made == []
    theirs = psycopg.Cursor.description.fget(raw_cursor)
    assert [column.name for column in lazy] == ["one", "letter"]
    assert [tuple(column) for column in lazy] == [tuple(column) for column in theirs]
    assert lazy[1].name == "letter" and [c.name for c in lazy[:1]] == ["one"]
    assert made == [0, 1]  # made once, then kept
    assert "letter" in repr(lazy)
    # No rows (a write): None, as psycopg says; a result of no columns: an empty list.
    raw_cursor.execute("UPDATE person SET id = id WHERE id = -1")
    assert raw_cursor.description is None
    raw_cursor.execute("SELECT ;")
    assert raw_cursor.description == []


def test_a_description_read_after_its_cursor_moved_on_still_describes_its_result(raw_cursor):
    """As psycopg's own list would: made late, it still names its statement's columns."""
    raw_cursor.execute("SELECT 1 AS one, 'a'::text AS letter")
    kept = raw_cursor.description
    raw_cursor.execute("SELECT 2 AS two")
    assert [column.name for column in kept] == ["one", "letter"]
    assert [column.name for column in raw_cursor.description] == ["two"]
    raw_cursor.execute("SELECT 3 AS three")
    later = raw_cursor.description
    raw_cursor.close()
    assert [column.name for column in later] == ["three"]
