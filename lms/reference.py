"""Reference data, read once per process for as long as the database says it is unchanged.

Rule versions, course assignments, courses (with their lessons and quizzes), units and the unit
tree change a few times a year, and every page with figures or a lesson reads them. A table
holding such data is marked `REFERENCE_DATA` in its `__table_args__`. A transaction that
INSERTs, UPDATEs or DELETEs on a marked table, through the ORM or Core, writes a new random
stamp (the one row of `reference_stamp`) as it commits. A read through `remembered` is kept
under the stamp its transaction read, so:

- another server's write changes the stamp every server reads next: nothing is served stale,
  and nothing here is state a second server would need;
- the rest of a transaction that wrote reads by a stamp no one has seen: fresh reads, which
  include its own writes and are never found by anyone else;
- a write rolled back writes no stamp; one rolled back to a savepoint leaves its transaction
  reading fresh. A stamp is random, never reused (a counter would be, after a rollback).

Whatever a load reads must be in marked tables, and be read while it runs (nothing left to
read lazily later, when the transaction may have written). A write that bypasses SQLAlchemy
(raw SQL typed by hand, a migration's `sa.table`) must set a new stamp itself; a restore sets
one. Without a stamp row (a database emptied by hand, or by the tests), nothing is kept.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, String, event, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import UpdateBase

from lms.db import Model, db

T = TypeVar("T")

# For a table's __table_args__: {"info": REFERENCE_DATA}.
REFERENCE_DATA = {"reference_data": True}
# Reads kept per database (engine) on the common shelf; older stamps' reads are dropped first.
KEPT = 32


class ReferenceStamp(Model):
    """The one row whose token changes with every write of reference data."""

    __tablename__ = "reference_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


_STAMP = select(ReferenceStamp.token).where(ReferenceStamp.id == 1)
# The same words on SQLite and PostgreSQL; it puts the row back if it was deleted.
_NEW_STAMP = text(
    "INSERT INTO reference_stamp (id, token) VALUES (1, :token) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)


# On a connection, for its transaction: the stamp its reads are kept under, and whether it
# wrote reference data (then a new stamp is written as it commits).
_SEEN = "lms.reference_stamp"
_WROTE = "lms.reference_wrote"


@event.listens_for(Engine, "after_execute")
def _fresh_stamp_after_a_write(
    connection: Connection,
    statement: object,
    _multiparams: object,
    _params: object,
    _options: object,
    _result: object,
) -> None:
    """A write to a reference table: the rest of its transaction reads by a stamp no one has
    seen (fresh reads, its own writes in them), and a new stamp is written as it commits.
    (A migration's tables, `sa.table(...)`, carry no info: servers start afresh after one.)"""
    if not isinstance(statement, UpdateBase):
        return
    info = getattr(getattr(statement, "table", None), "info", None)
    if info and info.get("reference_data"):
        connection.info[_SEEN] = secrets.token_hex(16)
        connection.info[_WROTE] = True


def write_new_stamp(connection: Connection) -> None:
    """Give the database a new stamp: what any server kept is not taken for its data."""
    connection.execute(_NEW_STAMP, {"token": secrets.token_hex(16)})


@event.listens_for(Engine, "commit")
def _new_stamp_as_a_writer_commits(connection: Connection) -> None:
    """The stamp row is written last, just before COMMIT, and with a token no reader has used:
    nothing kept before the commit is found under it. Locked so briefly, it makes no writer
    wait for another while holding their rows (it did, written at each write: deadlocks)."""
    if connection.info.pop(_WROTE, False):
        try:
            write_new_stamp(connection)
        except BaseException:
            # SQLAlchemy calls this outside its own error handling and then takes the
            # transaction for ended, sending no ROLLBACK: the connection goes, and with it the
            # uncommitted writes, rather than back to the pool still inside them.
            connection.invalidate()
            raise


@event.listens_for(Engine, "begin")
def _forget_the_stamp_seen(connection: Connection) -> None:
    connection.info.pop(_SEEN, None)
    connection.info.pop(_WROTE, None)


@event.listens_for(Engine, "rollback_savepoint")
def _forget_the_stamp_seen_in_a_savepoint(connection: Connection, *_args: object) -> None:
    """A savepoint rolled back: reads go on fresh if the transaction wrote reference data
    (before the savepoint or in it), else by the database's stamp again."""
    if connection.info.get(_WROTE):
        connection.info[_SEEN] = secrets.token_hex(16)
    else:
        connection.info.pop(_SEEN, None)


def current_stamp() -> str | None:
    """The stamp the request's transaction reads by, once its pending writes are flushed (a
    write of reference data gives it a fresh one); read once per transaction."""
    session = db.session()
    session._autoflush()  # as `lms.db.read` does: the request's own writes count
    connection = session.connection()
    if _SEEN not in connection.info:
        connection.info[_SEEN] = connection.execute(_STAMP).scalar()
    return connection.info[_SEEN]


# Per database (engine), per shelf: the reads kept, the newest last.
_kept: WeakKeyDictionary[Engine, dict[str, OrderedDict[tuple[Hashable, ...], Any]]] = (
    WeakKeyDictionary()
)
_lock = threading.Lock()
_MISSING = object()


def stamp_column() -> ColumnElement[str]:
    """SQL: the stamp, to read along with another statement (the sign-in's, on every request)."""
    return _STAMP.scalar_subquery()


def read_along(token: str | None) -> None:
    """Take token, read by a statement of the request's transaction (`stamp_column`), as the
    stamp that transaction reads by: a transaction that has one already (it wrote reference
    data) keeps it. Saves `current_stamp` a query of its own."""
    db.session().connection().info.setdefault(_SEEN, token)


def remembered(
    stamp: str | None,
    key: tuple[Hashable, ...],
    load: Callable[[], T],
    *,
    shelf: str = "",
    size: int = KEPT,
) -> T:
    """What load() returns, read once per stamp: load must read only reference tables (and
    what it returns is shared by later requests, so it is never changed, only memoised).

    Reads of many things alike (each lesson's content) go on a shelf of their own, kept to its
    own size: they do not push the few shared reads (rules, assignments, the tree) out."""
    if stamp is None:
        return load()
    engine = db.engine
    with _lock:
        shelves = _kept.get(engine)
        if shelves is None:
            shelves = _kept[engine] = {}
        kept = shelves.get(shelf)
        if kept is None:
            kept = shelves[shelf] = OrderedDict()
        found = kept.get((stamp, *key), _MISSING)
        if found is not _MISSING:
            kept.move_to_end((stamp, *key))  # least recently used first out
    if found is not _MISSING:
        return found
    value = load()
    with _lock:
        kept[(stamp, *key)] = value
        while len(kept) > size:
            kept.popitem(last=False)
    return value
