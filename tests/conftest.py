"""Fixtures shared by every test: one migrated database per run, emptied after each test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.db import db

PASSWORD = "Mat-khau-2024"
ON_CI = os.environ.get("CI") == "true"


def database_url(tmp_dir: Path) -> str:
    """A SQLite file in the run's (or xdist worker's) temporary folder, or the given server."""
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and is_postgres(url):
        return worker_database(url, worker)
    return url


def worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist (`-n 2`), each worker's own database beside the given one."""
    given = make_url(url)
    name = f"{given.database}_{worker}"
    admin = create_engine(given, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not found:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def reset_postgres_schema(url: str) -> None:
    """Start the run from an empty schema, whatever a previous run left behind."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory) -> dict:
    tmp_dir = tmp_path_factory.mktemp("lms")
    url = database_url(tmp_dir)
    if is_postgres(url):
        reset_postgres_schema(url)
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "DEMO_MODE": False,
        "DATA_DIR": str(tmp_dir / "data"),
        # Open Badges signing keys: the run's own folder, never the instance folder.
        "CREDENTIAL_KEYS_DIR": str(tmp_dir / "credential_keys"),
        # Real scrypt, at a cost that keeps hundreds of sign-ins in a test run quick.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        # Due dates exactly as fsrs computes them, so tests can check them against fsrs.
        "REVIEW_FUZZING": False,
    }
    app = create_app(settings)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return settings


def _fresh_g_per_request() -> None:
    """Give each test request an empty g, as production does.

    Tests keep one app context open around their requests, so Flask reuses it and its g for
    every request; without this, the user signed in by one request would leak into the next.
    """
    g.__dict__.clear()


@pytest.fixture(scope="session")
def shared_app(test_settings):
    """One app for the run: building one per test would recompile every template each time."""
    app = create_app(dict(test_settings))
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g_per_request)
    yield app
    # Close the pooled connections: psycopg warns (an error here) about any left open.
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(shared_app):
    """The app with an open context; settings a test changes are put back afterwards."""
    saved = dict(shared_app.config)
    with shared_app.app_context():
        yield shared_app
        db.session.remove()
        _empty_all_tables()
    shared_app.config.clear()
    shared_app.config.update(saved)


def _empty_all_tables() -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sql_statements(app):
    """Return a function that runs an action and returns the SQL statements it sent."""

    def run(action) -> list[str]:
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        # Requests share the test's session: start from an empty one, as a real request does.
        db.session.commit()
        db.session.close()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return statements

    return run


@pytest.fixture
def count_queries(sql_statements):
    """Return a function that runs an action and says how many SQL statements it sent."""
    return lambda action: len(sql_statements(action))


@pytest.fixture(params=[True, False], ids=["looked-up", "in-bulk"])
def few_units(request, monkeypatch):
    """A reach of a few units has its people looked up by id on PostgreSQL, a larger one read
    in bulk (lms.org.scope.FEW_UNITS): the tests using this run both ways."""
    monkeypatch.setattr("lms.org.scope.FEW_UNITS", 8 if request.param else 0)


@pytest.fixture
def login(client):
    """Sign in through the real form; return the response."""

    def sign_in(username: str, password: str = PASSWORD):
        return client.post("/login", data={"username": username, "password": password})

    return sign_in


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI a skipped PostgreSQL or browser test is a failure: it would hide a gap."""
    outcome = yield
    report = outcome.get_result()
    if ON_CI and report.skipped and call.when in ("setup", "call"):
        marks = {mark.name for mark in item.iter_markers()}
        if marks & {"postgres", "browser"}:
            report.outcome = "failed"
            report.longrepr = f"skipped on CI, which must run it: {report.longrepr}"


class FakeSMTP:
    """Stands in for smtplib.SMTP and keeps what would have been sent."""

    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        self.user = user

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch) -> type[FakeSMTP]:
    """An SMTP server set in the settings, whose letters are kept in FakeSMTP.sent."""
    FakeSMTP.sent = []
    monkeypatch.setattr("lms.mail.smtplib.SMTP", FakeSMTP)
    app.config.update(SMTP_HOST="smtp.example.vn", SMTP_PORT="587", SMTP_FROM="lms@example.vn")
    return FakeSMTP
