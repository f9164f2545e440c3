"""Reference data, read once per process for as long as the database says it is unchanged.

Rule versions, course assignments, courses and the unit tree change a few times a year, and
every page with figures reads them. A table holding such data is marked `REFERENCE_DATA` in its
`__table_args__`. Every INSERT, UPDATE or DELETE on a marked table, through the ORM or Core,
gives the database a new random stamp in the same transaction (the one row of
`reference_stamp`). A read through `remembered` is kept under the stamp the request found, so:

- another server's write changes the stamp every server reads next: nothing is served stale,
  and nothing here is state a second server would need;
- a request that wrote sees its own new stamp, so its reads are fresh, not remembered ones;
- a write rolled back leaves a stamp that no one will find again (a counter would be reused).

A write that bypasses SQLAlchemy (raw SQL typed by hand) must set a new stamp itself. Without
a stamp row (a database emptied by hand, or by the tests), nothing is remembered.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import String, event, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.dml import UpdateBase

from lms.db import Model, db

T = TypeVar("T")

# For a table's __table_args__: {"info": REFERENCE_DATA}.
REFERENCE_DATA = {"reference_data": True}
# Reads kept per database (engine), the newest last; older stamps' reads are dropped first.
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


# The stamp a transaction has seen, kept on its connection until the transaction (or a
# savepoint rolled back) ends: a page asks for it once per read of reference data.
_SEEN = "lms.reference_stamp"


@event.listens_for(Engine, "after_execute")
def _new_stamp_after_a_write(
    connection: Connection,
    statement: object,
    _multiparams: object,
    _params: object,
    _options: object,
    _result: object,
) -> None:
    """A write to a reference table sets a new stamp in its transaction. (A migration's
    tables, `sa.table(...)`, carry no info: they were written before this stamp existed, and
    servers start afresh after a migration.)"""
    if not isinstance(statement, UpdateBase):
        return
    info = getattr(getattr(statement, "table", None), "info", None)
    if info and info.get("reference_data"):
        token = secrets.token_hex(16)
        connection.execute(_NEW_STAMP, {"token": token})
        connection.info[_SEEN] = token


@event.listens_for(Engine, "begin")
def _forget_the_stamp_seen(connection: Connection) -> None:
    connection.info.pop(_SEEN, None)


@event.listens_for(Engine, "rollback_savepoint")
def _forget_the_stamp_seen_in_a_savepoint(connection: Connection, *_args: object) -> None:
    connection.info.pop(_SEEN, None)  # a write rolled back there took its stamp with it


def current_stamp() -> str | None:
    """The stamp the request's transaction sees, once its pending writes are flushed (a write
    of reference data sets a new one); read once per transaction."""
    session = db.session()
    session._autoflush()  # as `lms.db.read` does: the request's own writes count
    connection = session.connection()
    if _SEEN not in connection.info:
        connection.info[_SEEN] = connection.execute(_STAMP).scalar()
    return connection.info[_SEEN]


_kept: WeakKeyDictionary[Engine, OrderedDict[tuple[Hashable, ...], Any]] = WeakKeyDictionary()
_lock = threading.Lock()
_MISSING = object()


def remembered(stamp: str | None, key: tuple[Hashable, ...], load: Callable[[], T]) -> T:
    """What load() returns, read once per stamp: load must read only reference tables (and
    what it returns is shared by later requests, so it is never changed, only memoised)."""
    if stamp is None:
        return load()
    engine = db.engine
    with _lock:
        kept = _kept.get(engine)
        if kept is None:
            kept = _kept[engine] = OrderedDict()
        found = kept.get((stamp, *key), _MISSING)
    if found is not _MISSING:
        return found
    value = load()
    with _lock:
        kept[(stamp, *key)] = value
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return value
