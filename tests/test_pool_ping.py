"""On PostgreSQL the pool pings a connection only when it may have died while lent to no one
(lms.db.PING_AFTER_IDLE_SECONDS): one the server ended is still never lent."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

import lms.db
from lms.config import engine_options
from lms.db import db


@pytest.fixture
def sent(app):
    """The statements sent on psycopg connections outside SQLAlchemy (the ping), as sent."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL connection's ping")
    import psycopg  # a PostgreSQL test: not imported where the suite runs on SQLite

    seen: list[str] = []
    execute = psycopg.Connection.execute

    def recorded(connection, query, *args, **kwargs):
        seen.append(query if isinstance(query, str) else str(query))
        return execute(connection, query, *args, **kwargs)

    psycopg.Connection.execute = recorded  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        psycopg.Connection.execute = execute  # type: ignore[method-assign]


@pytest.fixture(params=["the app's", "without autocommit"])
def pool(sent, request):
    """A pool of one connection on the test database (made as the app makes them, or as a
    plain engine does: out of autocommit), and what `sent` records."""
    url = db.engine.url.render_as_string(hide_password=False)
    options = engine_options(url) if request.param == "the app's" else {}
    engine = create_engine(url, **{**options, "pool_size": 1, "max_overflow": 0})
    try:
        yield engine, sent
    finally:
        engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def test_a_connection_back_from_its_last_use_is_lent_without_a_ping(pool):
    engine, sent = pool
    first = _backend(engine)
    del sent[:]
    assert _backend(engine) == first  # the same connection, lent again
    assert ";" not in sent


def test_a_connection_idle_longer_than_the_limit_is_pinged(pool, monkeypatch):
    engine, sent = pool
    first = _backend(engine)
    monkeypatch.setattr(lms.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    del sent[:]
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        # The ping opened no transaction (in autocommit for it, as SQLAlchemy's ping).
        assert raw.info.transaction_status.name == "IDLE"
        assert connection.scalar(text("SELECT pg_backend_pid()")) == first  # it answered: kept
    assert sent == [";"]


def test_a_connection_left_inside_a_transaction_is_ended_not_pinged(sent, monkeypatch):
    """Its rollback (`_never_lent_inside_a_transaction`) is the round trip that tests it."""
    monkeypatch.setattr(lms.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    url = db.engine.url.render_as_string(hide_password=False)
    careless = create_engine(url, **engine_options(url), pool_size=1, pool_reset_on_return=None)
    try:
        _backend(careless)
        raw = careless.raw_connection()
        raw.driver_connection.execute("BEGIN")
        raw.close()  # back to the pool, still in its transaction
        del sent[:]
        with careless.connect() as connection:
            status = connection.connection.driver_connection.info.transaction_status
            assert status.name == "IDLE"
        assert ";" not in sent
    finally:
        careless.dispose()


def test_a_connection_the_server_ended_in_the_pool_is_replaced(app, pool):
    """A restart or pg_terminate_backend while the connection lay in the pool, just now: the
    server's last message makes its socket readable, the ping fails, and the pool lends a new
    connection; the one who asked never sees the dead one."""
    engine, sent = pool
    ended = _backend(engine)
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended})
        deadline = time.monotonic() + 10
        gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
        while other.scalar(text(gone), {"pid": ended}) and time.monotonic() < deadline:
            time.sleep(0.01)
    del sent[:]
    replaced = _backend(engine)
    assert replaced != ended
    assert sent == [";"]  # the dead one was tested (and failed), the new one was not
