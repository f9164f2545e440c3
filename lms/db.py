"""The database handle and the declarative base every model inherits from."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import stat
import sys
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    Boolean,
    DateTime,
    Insert,
    MetaData,
    Select,
    String,
    and_,
    bindparam,
    event,
    or_,
    type_coerce,
)
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine, Result, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError, InvalidatePoolError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    QueryableAttribute,
    Session,
)
from sqlalchemy.pool import Pool
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import BindParameter, ColumnElement, ScalarSelect
from sqlalchemy.sql.visitors import InternalTraversal, iterate, replacement_traverse
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType
from werkzeug.routing import IntegerConverter, Map

from lms.config import BEGINS_WHEN_NEEDED, OWNER_ONLY, create_owner_only

# Named constraints let Alembic alter and drop them the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The base every model inherits from. db.Model is made at runtime, so a type checker cannot
# see it as a class; Base is what it is built on and what gives models their typed columns.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def rows_changed(
    statement: UpdateBase, *, execution_options: Mapping[str, Any] | None = None
) -> int:
    """Run an UPDATE or DELETE in the session and return how many rows it changed."""
    result = db.session.execute(statement, execution_options=execution_options or {})
    return cast(CursorResult[Any], result).rowcount  # what an UPDATE or DELETE returns


def read(
    statement: Executable, params: Mapping[str, Any] | None = None
) -> Result[*tuple[Any, ...]]:
    """Run a Core SELECT (columns, not mapped objects) on the session's connection.

    The session's own execute treats a select of mapped columns as an ORM statement, which
    costs as much again as a small query's SQL (about 40 µs): the pages' per-request reads (the
    unread count, the lesson states, the progress engine's) skip it here. Pending changes are
    flushed first, as the session would (unless inside `no_autoflush`), so the read sees the
    request's own writes: a credit the ledger added counts in the figures read after it.
    """
    session = db.session()
    # The session's own autoflush (SQLAlchemy's, not public): skipped inside no_autoflush and
    # while a flush runs; next to no cost when nothing is pending.
    session._autoflush()
    if params and not _ID_LIST_NAMES.isdisjoint(params):
        statement, params = _for_one(statement, params)
    return session.connection().execute(statement, params or {})


# A person's own figures are read through statements built for many (`among(column, :ids)`).
# PostgreSQL plans a prepared statement once for all values (a generic plan) unless a plan made
# for the values at hand looks cheaper; it costs `= ANY(:ids)` as if the list held ten ids, so
# for one it planned the statement again at every execution: the learner home's four reads of
# the engine took the server 0.45 ms a page more than with plans made once. `read` sends a list
# of one id as that id (`column = :ids`, the same rows: an id is among a list of one exactly
# when it equals it, and a NULL matches neither), through a copy of the statement made once.
#
# Only a statement read a second time is copied: one built for a single call (a dashboard's
# search) would cost more to copy (0.3-0.6 ms) than its plan. id(statement) -> (a weak
# reference to it, its copies by the names sent as one id: None where there is nothing to copy).
# A copy refers to its statement (SQLAlchemy's clone keeps its original): kept at most
# MAX_ONE_ID statements, so one built per request and read twice cannot make them grow.
_ONE_ID: dict[int, tuple[weakref.ref[Any], dict[frozenset[str], Executable | None]]] = {}
MAX_ONE_ID = 1024


def _for_one(
    statement: Executable, params: Mapping[str, Any]
) -> tuple[Executable, Mapping[str, Any]]:
    """statement and params with each list of one id (in range of an INTEGER: a larger one
    names nobody, as before) that `among` reads bound as that id alone."""
    names = frozenset(
        name
        for name, value in params.items()
        if name in _ID_LIST_NAMES
        and type(value) is list
        and len(value) == 1
        and type(value[0]) is int
        and -_INT4 <= value[0] < _INT4
    )
    if not names:
        return statement, params
    key = id(statement)
    found = _ONE_ID.get(key)
    if found is None or found[0]() is not statement:

        def forget(_gone: object, key: int = key) -> None:
            _ONE_ID.pop(key, None)

        try:  # forgotten with the statement
            seen = weakref.ref(statement, forget)
        except TypeError:
            return statement, params
        if len(_ONE_ID) >= MAX_ONE_ID:
            _ONE_ID.clear()
        _ONE_ID[key] = (seen, {})
        return statement, params
    copies = found[1]
    if names not in copies:
        copies[names] = _one_id_statement(statement, names)
    one = copies[names]
    if one is None:
        return statement, params
    return one, {name: value[0] if name in names else value for name, value in params.items()}


def _one_id_statement(statement: Executable, names: frozenset[str]) -> Executable | None:
    """statement with `among(column, :name)` as `column = :name` for each of names, or None
    if none is read that way, or one is also bound elsewhere (it must stay a list there)."""
    made: set[int] = set()

    def replace(element: Any, **_kw: Any) -> Any:
        if (
            isinstance(element, among)
            and isinstance(element.ids, BindParameter)
            and element.ids.key in names
        ):
            bound = bindparam(element.ids.key, type_=element.column.type)
            made.add(id(bound))
            return element.column == bound
        return None

    one = replacement_traverse(cast(Any, statement), {}, replace)
    if not made:
        return None
    for element in iterate(one):
        if isinstance(element, BindParameter) and element.key in names and id(element) not in made:
            return None
    return one


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def keep_sqlite_private(url: str) -> list[tuple[Path, int]]:
    """Make a SQLite database file owner-only: create it so if new, tighten it if not.

    The file holds password hashes, evidence and personal data, like instance/secret_key.
    SQLite gives its -wal and -shm files the database file's mode, so a new database's come
    out owner-only too; existing ones are tightened with it. Returns (path, old mode) of each
    file tightened, for a warning.
    """
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return []
    if database.startswith("file:"):
        return []  # a URI names its own options; nothing here creates such databases
    path = Path(database)
    if not path.parent.is_dir():
        return []  # SQLite refuses to open it with its own message
    with contextlib.suppress(FileExistsError):
        os.close(create_owner_only(path))
    tightened = []
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~OWNER_ONLY:
            file.chmod(mode & OWNER_ONLY)
            tightened.append((file, mode))
    return tightened


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    """Enforce foreign keys and let readers run beside a writer on SQLite."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(connection: Connection, _name: str) -> None:
    """Open the transaction before a savepoint on SQLite.

    The sqlite3 module sends no BEGIN before SAVEPOINT, and SQLite commits when an outermost
    savepoint is released: a savepoint taken as a request's first write would commit its rows
    at once, so a worker killed later in the request left half a change (a progress event
    logged without its lesson time). IMMEDIATE: a savepoint is always taken to write.
    """
    raw = connection.connection.dbapi_connection
    if raw is not None and type(raw).__module__.startswith("sqlite3") and not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


@event.listens_for(Session, "after_flush")
def _wrote(session: Session, _context: object) -> None:
    """Mark a session that flushed changes not yet committed: flushed rows are no longer in
    session.dirty, yet a commit would save them."""
    session.info["unsaved_writes"] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _saved_or_dropped(session: Session, *_args: object) -> None:
    session.info.pop("unsaved_writes", None)


def unsaved_work(*rows: object) -> bool:
    """Say whether the session holds changes not yet committed, other than rows (objects)."""
    session = db.session
    if session.info.get("unsaved_writes"):
        return True
    pending = [*session.new, *session.dirty, *session.deleted]
    return any(not any(row is mine for mine in rows) for row in pending)


# On PostgreSQL a request that only reads opens no transaction; its first statement that must run
# in one opens it (`lms.config.engine_options` puts psycopg's connections in autocommit).
#
# psycopg sends BEGIN as a round trip of its own before a transaction's first statement, and
# COMMIT or ROLLBACK as another after its last: with the pool's ping, three round trips a request
# paid around its queries (learner home: 9 statements; lesson: 3), and the server's work for
# each. A ROLLBACK also made psycopg forget the statements it had prepared, so every request that
# only read had to end with a COMMIT instead. Without a transaction, the driver sends neither:
# the session's commit or rollback finds the connection idle and sends nothing.
#
# Nothing a read sees changes: at READ COMMITTED (PostgreSQL's default, and ours) each statement
# reads what was committed when it began, inside a transaction or not. What needs one gets one:
# a write, and all that follows it until the commit (seen, saved or undone together); a lock
# (SELECT ... FOR UPDATE holds its rows until the COMMIT); a savepoint; a server-side cursor
# (DECLARE). A connection set to another isolation level (a backup's REPEATABLE READ) leaves
# autocommit, and psycopg begins its transactions as before.
_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_LOCKS = re.compile(r"\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b", re.IGNORECASE)


def _reads(statement: str) -> bool:
    """A SELECT, or a WITH whose parts are all SELECTs: a read, taking locks or not."""
    start = statement.lstrip("( \n\t")
    if start.startswith("WITH"):
        return not _WRITES.search(statement)
    return start.startswith("SELECT")


def _locks(statement: str) -> bool:
    """FOR UPDATE or FOR SHARE (in any of their forms and casings) in the statement."""
    if "FOR" not in statement.upper():  # the search costs ten times as much: most have no FOR
        return False
    return _LOCKS.search(statement) is not None


def plain_read(statement: str) -> bool:
    """Say whether statement only reads, taking no lock: a SELECT, or a WITH whose parts are
    all SELECTs, without FOR UPDATE or FOR SHARE. Anything else (a write, SET, LOCK, SAVEPOINT,
    RELEASE, a statement in lower case) is taken for more than a read.

    Told by its words alone: a SELECT whose function acts for the rest of a transaction
    (pg_advisory_xact_lock, set_config(..., true), pg_notify) would need a write or a lock
    before it. None is used."""
    return _reads(statement) and not _locks(statement)


@event.listens_for(Engine, "before_cursor_execute")
def _begin_before_more_than_a_read(
    connection: Connection,
    cursor: Any,
    statement: str,
    _parameters: object,
    context: Any,
    executemany: bool,
) -> None:
    if not _begins_when_needed(connection):
        return
    raw = cursor.connection
    if raw.pgconn.transaction_status != _IDLE:
        if connection.info.get(_ONLY_READ) and not _reads(statement):
            connection.info[_ONLY_READ] = False
        return
    # A server-side cursor's statement runs as DECLARE, which only a transaction may hold.
    if not hasattr(cursor, "name") and plain_read(statement):
        return
    # One INSERT that is the whole of its transaction (`insert_and_commit` with nothing else
    # written) commits on its own: BEGIN and COMMIT would add two round trips to it.
    if (
        not executemany
        and context is not None
        and context.isinsert
        and context.execution_options.get(_ALONE)
    ):
        return
    raw.execute("BEGIN")
    # Read by `_end_what_only_read_with_commit`; set at every BEGIN, so never left from another.
    connection.info[_ONLY_READ] = _reads(statement)


@event.listens_for(Engine, "rollback")
def _end_what_only_read_with_commit(connection: Connection) -> None:
    """A transaction opened to read (a server-side cursor, a lock) in which nothing else
    happened ends with COMMIT: the same end for the database, and psycopg forgets the
    statements it prepared at a ROLLBACK (reads prepared by one request serve the next)."""
    if connection.invalidated or not _begins_when_needed(connection):
        return
    if not connection.info.pop(_ONLY_READ, False):
        return
    raw = connection.connection.dbapi_connection
    if raw is None or raw.pgconn.transaction_status != _INTRANS:
        return
    try:
        raw.commit()
    except Exception as error:
        # The connection is gone (the server ended it): nothing left to roll back on it, and
        # SQLAlchemy, told, neither tries nor raises.
        connection.invalidate(error)


# A psycopg connection is tested before the pool lends it only when it may have died in the
# pool: it lay idle longer than this, or the server sent something while it lay idle (the pool's
# own pre_ping, off for psycopg in lms.config, tested every one with a round trip).
#
# An idle connection receives nothing unless the server ends it: a restart, a crash or
# pg_terminate_backend send their last message (or the kernel its end of the stream) and the
# socket turns readable. A check for that costs one poll of the socket, no round trip (the ping
# cost a lesson page on PostgreSQL 80-240 µs of the client's time, two on a streamed report:
# one as the request began, one when the stream read on after the access log's commit). What
# a poll cannot see, a peer gone without a word (a dropped network path), only comes with time:
# a connection idle longer than PING_AFTER_IDLE_SECONDS is still pinged as before.
#
# What this gives up: the server's last message is written by the ending backend a moment after
# it is told to stop (the signal of a shutdown or of pg_terminate_backend); a connection lent
# within that moment is lent dead, where the ping would have waited for the answer. The request
# that uses it fails, as one that was using it when the server went would have; the pool then
# drops the connections made before (SQLAlchemy's answer to a lost connection).
PING_AFTER_IDLE_SECONDS = 30.0
_CHECKED_IN_AT = "lms_checked_in_at"


@event.listens_for(Pool, "checkin")
def _note_when_checked_in(dbapi_connection: DBAPIConnection | None, record: Any) -> None:
    if dbapi_connection is not None and hasattr(dbapi_connection, "pgconn"):
        record.info[_CHECKED_IN_AT] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _alive_when_lent(dbapi_connection: DBAPIConnection, record: Any, _proxy: object) -> None:
    """Ping a psycopg connection that may have died in the pool (see PING_AFTER_IDLE_SECONDS).
    One that does not answer is replaced, and the others made before it with it, as the pool's
    pre_ping did (the server went away: InvalidatePoolError)."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    checked_in_at = record.info.pop(_CHECKED_IN_AT, None)
    if checked_in_at is None:  # new: connected just now
        return
    if pgconn.transaction_status != _IDLE:
        return  # left in a transaction: `_never_lent_inside_a_transaction` ends it (a round trip)
    idle = time.monotonic() - checked_in_at
    if idle < PING_AFTER_IDLE_SECONDS and not _has_input(dbapi_connection):
        return
    # SQLAlchemy's ping for psycopg: an empty query, in autocommit (no BEGIN sent before it).
    before = dbapi_connection.autocommit
    try:
        if not before:
            dbapi_connection.autocommit = True
        dbapi_connection.execute(";")
        if not before:
            dbapi_connection.autocommit = False
    except Exception as error:
        if dbapi_connection.closed or dbapi_connection.broken:
            raise InvalidatePoolError(f"a pooled connection was lost: {error}") from error
        raise DisconnectionError(f"a pooled connection did not answer: {error}") from error


def _has_input(dbapi_connection: Any) -> bool:
    """Whether the server sent something on the connection's socket, unread (or closed it)."""
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # closed on this side
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


@event.listens_for(Pool, "checkout")
def _never_lent_inside_a_transaction(
    dbapi_connection: DBAPIConnection, _record: object, _proxy: object
) -> None:
    """A psycopg connection in autocommit comes out of the pool idle. A transaction left open
    (the pool told not to roll back at check-in) would otherwise be joined by the next
    request's statements, its writes committed with theirs."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is not None and pgconn.transaction_status in (_INTRANS, _INERROR):
        try:
            dbapi_connection.rollback()
        except Exception as error:  # the pool takes a new connection instead
            raise DisconnectionError(
                f"a transaction left open did not roll back: {error}"
            ) from error


def _begins_when_needed(connection: Connection) -> bool:
    """Whether connection is the app's, in autocommit only until it needs a transaction: its
    engine was made so (BEGINS_WHEN_NEEDED), and the connection was not set to an isolation
    level of its own (AUTOCOMMIT meant as such, for DROP DATABASE; a backup's snapshot)."""
    options = connection.get_execution_options()
    return bool(options.get(BEGINS_WHEN_NEEDED)) and "isolation_level" not in options


_ALONE = "lms_the_whole_transaction"
_ONLY_READ = "lms_transaction_only_read"
# psycopg.pq.TransactionStatus, without importing psycopg on SQLite
_IDLE, _INTRANS, _INERROR = 0, 2, 3


def commit_only(*rows: object) -> bool:
    """Commit bookkeeping rows outside the request boundary, if nothing else is pending.

    For the few writes a request must save even when its view saves nothing (a session's
    last-seen stamp, an API token's last use). They commit on their own only when the session
    holds no change but these rows: a commit there must never save, by the way, work the view
    has not finished or chose not to keep. Returns whether it committed; if not, the rows stay
    pending with the rest, to be saved or dropped with the view's own work.
    """
    if unsaved_work(*rows):
        return False
    db.session.commit()
    return True


def insert_and_commit(statement: Insert, rows: list[dict[str, Any]]) -> bool:
    """Insert bookkeeping rows (the access log of a page that was only read) and commit them
    as the end of the request's transaction, if the session holds nothing else unsaved (see
    commit_only); return whether it did.

    One INSERT of plain rows (no objects for the unit of work to flush), and the objects the
    request read stay loaded: this commit changes none of them, so a response that streams
    after it reads nothing again.
    """
    if unsaved_work():
        return False
    session = db.session()
    # If nothing was written before it, the INSERT of one row into one table (a Core insert:
    # an entity's may write several) is all the transaction holds.
    alone = len(rows) == 1 and "entity" not in statement.entity_description
    session.execute(statement.execution_options(**{_ALONE: alone}), rows)
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep
    return True


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is expected")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def unparsed(column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[str]:
    """Read a date column as the driver gives it: ISO text on SQLite, a date on PostgreSQL.

    For bulk reads whose rows share few days: SQLAlchemy parses every SQLite date with a
    regular expression (most of the time of a roster's ledger read); `Days` parses each once.
    """
    return type_coerce(column, String())


class Days(dict):
    """Dates read by `unparsed`, each distinct value parsed once: days[value] is the date."""

    def __missing__(self, value: str | date) -> date:
        day = value if isinstance(value, date) else date.fromisoformat(value)
        self[value] = day
        return day


def sort_key_type() -> String:
    """A string column for collation keys, compared byte by byte on every backend."""
    return String().with_variant(String(collation="C"), "postgresql")


# Ids are 32-bit integers on every backend; a larger number in a URL or form names nothing.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """URL converter for record ids: a number outside 1..MAX_ID is a 404, not an overflow."""

    def __init__(self, url_map: Map, min: int = 1, max: int = MAX_ID, **kwargs: Any) -> None:
        super().__init__(url_map, min=min, max=max, **kwargs)


def valid_on(model: Any, day: date | ColumnElement[date]) -> ColumnElement[bool]:
    """SQL condition: a row with valid_from/valid_until (inclusive, open-ended) covers day (a
    date, or a bound parameter in a statement built once)."""
    return and_(model.valid_from <= day, or_(model.valid_until.is_(None), model.valid_until >= day))


def overlapping(
    model: Any, first: date | ColumnElement[date], last: date | ColumnElement[date]
) -> ColumnElement[bool]:
    """SQL condition: a row with valid_from/valid_until (inclusive, open-ended) covers some day
    of first..last (dates, or bound parameters in a statement built once)."""
    return and_(
        model.valid_from <= last,
        or_(model.valid_until.is_(None), model.valid_until >= first),
    )


def contains(column: InstrumentedAttribute[Any], term: str) -> ColumnElement[bool]:
    """SQL condition: column contains term, with LIKE's wildcards in term taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


class _IdText(str):
    """Ids as PostgreSQL's text of an integer array, '{1,2,3}', sent typed int4[]."""


class _BigIdText(_IdText):
    """The same, sent typed int8[]: a list with an id beyond 32 bits."""


_INT4 = 2**31
_ID_TYPES = {int, type(None)}


@cache
def _id_text_dumpers() -> tuple[type, type]:
    """psycopg's dumpers of an id list's text as it is, typed int4[] and int8[]. A Python list
    it dumps element by element, in Python: 0.2-0.4 ms a statement for 500 ids, ten such
    statements a roster's batch. The type is the protocol's, as the list's was (psycopg typed
    it by its largest id), and `among` casts it to bigint[] as before: the server plans the
    cast as it did (an int8[] compared without a cast made it walk small tables, probing every
    id for every row)."""
    import psycopg
    from psycopg.adapt import Dumper

    def dumper(type_name: str) -> type[Dumper]:
        array_oid = psycopg.postgres.types[type_name].array_oid

        class IdTextDumper(Dumper):
            # Set per instance, not on the class: a class oid would also register this dumper
            # for that type, in place of psycopg's own list dumper (COPY, set_types).
            def __init__(self, cls: type, context: Any = None) -> None:
                super().__init__(cls, context)
                self.oid = array_oid

            def dump(self, obj: str) -> bytes:
                return obj.encode()

        return IdTextDumper

    return dumper("int4"), dumper("int8")


@event.listens_for(Engine, "connect")
def _psycopg_id_arrays(dbapi_connection: DBAPIConnection, _record: object) -> None:
    """Teach each psycopg connection, as it opens, to send an id list's text as it is
    (`_id_text_dumpers`). Per connection rather than on psycopg's global adapters when this
    module is imported: an app on SQLite never imports psycopg (75 ms of every start)."""
    # Not imported here: a psycopg connection has imported it, and otherwise there is none.
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(dbapi_connection, psycopg.Connection):
        adapters = dbapi_connection.adapters
        narrow, wide = _id_text_dumpers()
        adapters.register_dumper(_IdText, narrow)
        adapters.register_dumper(_BigIdText, wide)


class _PgIdArray(UserDefinedType[Any]):
    """An id list on PostgreSQL: bound as given (the driver names its type), no cast added."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "BIGINT[]"

    def literal_processor(self, dialect: Dialect) -> Any:
        # A statement written out with its values (a log, an offline migration): the text,
        # quoted; `among` casts it.
        return lambda value: f"'{value}'"


class _IdList(TypeDecorator[Any]):
    """A list of ids bound as one value: a JSON array on SQLite, an integer array on
    PostgreSQL (as its text, `_IdText`)."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PgIdArray())
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Iterable[int] | None, dialect: Dialect) -> str:
        if dialect.name != "postgresql":
            return json.dumps(list(value or ()))
        if isinstance(value, str | bytes):
            raise TypeError("among: a list of ids, not a text")
        # Only ints (and None, a NULL as on SQLite), so the array's text is digits, commas,
        # minus signs and NULL.
        ids = list(value or ())
        if not set(map(type, ids)) <= _ID_TYPES:
            raise TypeError("among: ids must be int")
        if None in ids:
            numbers = [i for i in ids if i is not None]
            text = "{" + ",".join("NULL" if i is None else str(i) for i in ids) + "}"
        else:
            numbers, text = ids, "{" + ",".join(map(str, ids)) + "}"
        wide = numbers and not -_INT4 <= min(numbers) <= max(numbers) < _INT4
        return _BigIdText(text) if wide else _IdText(text)


# The names of id lists (`id_list`): a list of one under one of them may go as that id (`read`).
_ID_LIST_NAMES: set[str] = set()


def id_list(name: str | None, value: list[int] | None = None) -> BindParameter[Any]:
    """A parameter holding a list of ids (`among`): named, for a statement built once and
    executed with the ids as {name: ids}."""
    if name is not None:
        _ID_LIST_NAMES.add(name)
    return bindparam(name, value, type_=_IdList())


class among(ColumnElement[bool]):  # noqa: N801 - reads as an SQL operator: among(col, ids)
    """SQL condition: column is one of ids, sent as a single parameter; or one of the values
    a statement of one column selects.

    `column.in_(ids)` binds one parameter per id, and SQLAlchemy names and renders each of
    them on every execution: for thousands of ids, read batch after batch (the roster),
    that costs more than the query. Here the list is one value, unpacked by the database.

    Of a statement's values (a unit's members among all people): PostgreSQL reads
    `IN (SELECT ...)` as a join, and for a few hundred of ten thousand people, with its
    default costs, it hashes them and scans the whole table. Gathered into an array first
    (`= ANY(ARRAY(SELECT ...))`), the rows are looked up in the column's index: a unit's
    dashboard read its people and their plans in a fifth of the time. For thousands of values
    the scan is faster: callers use it for a few units' people (`Scope.few_units`). SQLite
    looks them up either way. The statement is never correlated with the enclosing one.
    """

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition already: no "= 1" appended on SQLite
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self,
        column: ColumnElement[Any] | QueryableAttribute[Any],
        ids: Iterable[int] | BindParameter[Any] | Select[Any],
    ) -> None:
        self.column: ColumnElement[Any] = column.expression
        self.ids: ColumnElement[Any]
        if isinstance(ids, Select):
            self.ids = ids.correlate(None).scalar_subquery()  # rendered "(SELECT ...)"
        elif isinstance(ids, BindParameter):
            self.ids = ids
        else:
            self.ids = id_list(None, list(ids))

    @property
    def _from_objects(self):
        return self.column._from_objects


@compiles(among)
def _among_sqlite(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    if isinstance(element.ids, ScalarSelect):
        return f"{column} IN {ids}"
    return f"{column} IN (SELECT value FROM json_each({ids}))"


@compiles(among, "postgresql")
def _among_postgresql(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    if isinstance(element.ids, ScalarSelect):
        return f"{column} = ANY(ARRAY{ids})"
    return f"{column} = ANY(CAST({ids} AS BIGINT[]))"


def batches(values: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """values in slices of size: an IN list of thousands of texts goes as a few short ones
    (ids go whole, with among)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def parse_id(text: object) -> int | None:
    """Return the record id written in text (ASCII digits, 1..MAX_ID), else None."""
    number = parse_count(text)
    return number if number is not None and 0 < number <= MAX_ID else None


def parse_count(text: object, *, limit: int = MAX_ID) -> int | None:
    """Return the whole number written in text with ASCII digits, capped at limit, else None.

    str.isdigit() alone accepts "²" and "٣", which int() then refuses.
    """
    text = str(text).strip()
    if not text or not text.isascii() or not text.isdigit():
        return None
    return min(int(text[:12]), limit)
