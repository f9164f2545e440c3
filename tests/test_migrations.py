"""Migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import flask_migrate.cli
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from lms import MIGRATIONS_DIR, create_app
from lms.db import db


def postgres_url() -> str | None:
    """Return the PostgreSQL server to test on, if one was given."""
    for name in ("LMS_TEST_POSTGRES_URL", "LMS_TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgresql"):
            return url
    return None


def script_heads() -> tuple[str, ...]:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return tuple(ScriptDirectory.from_config(config).get_heads())


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """Create an empty schema with a random name, and drop it with all it holds afterwards."""
    name = f"migration_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield name
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        engine.dispose()


@contextmanager
def app_on(url: str, tmp_path, **overrides) -> Iterator[Flask]:
    """Yield a new app, inside its context, whose database is the empty one at url."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATA_DIR": str(tmp_path / "data"),
            **overrides,
        }
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_app(request, tmp_path) -> Iterator[Flask]:
    """An app whose database holds no tables yet."""
    if request.param == "sqlite":
        with app_on(f"sqlite:///{tmp_path / 'migrations.sqlite3'}", tmp_path) as app:
            yield app
        return
    url = postgres_url()
    if url is None:
        pytest.skip("set LMS_TEST_POSTGRES_URL to check the migrations on PostgreSQL")
    with fresh_schema(url) as schema:
        # Every connection of this app sees only the new schema, not the main test schema.
        engine_options = {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={schema}"},
        }
        with app_on(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=engine_options) as app:
            assert inspect(db.engine).get_table_names() == []
            yield app


def schema_differences() -> list:
    """Compare the current app's database with the models, as `flask db migrate` would."""
    options = current_app.extensions["migrate"].configure_args
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


def database_heads() -> tuple[str, ...]:
    with db.engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def test_there_is_exactly_one_head():
    heads = script_heads()
    assert len(heads) == 1, f"merge the Alembic heads {heads} with `flask db merge heads`"


def test_migrations_build_the_schema_the_models_describe(empty_app):
    upgrade()
    assert database_heads() == script_heads()
    assert schema_differences() == []


def test_downgrade_to_base_then_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    added = {diff[1].name for diff in schema_differences() if diff[0] == "add_table"}
    assert added == set(db.metadata.tables)

    upgrade()
    assert database_heads() == script_heads()
    assert schema_differences() == []


def test_english_titles_go_back_out_while_lessons_are_referred_to(empty_app):
    """Downgrading 3dab22d69af2 with courses in place: the title_en columns are dropped where
    they stand (a SQLite table rebuild of lesson would break the quizzes referring to it)."""
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO course (id, slug, title, title_en, category, language, level, hours,"
                " summary, authors, sources, version, audience, synthetic_audio, intro_html,"
                " is_retired, created_at, imported_at) VALUES (1, 'c', 'Khóa', 'Course',"
                " 'digital-skills', 'vi', 'basic', 1, '', '[]', '[]', '1', 'staff', false, '',"
                " false, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO lesson (id, course_id, slug, position, title, title_en, minutes,"
                " is_required, body_html, is_retired, created_at, updated_at) VALUES (1, 1, 'l',"
                " 1, 'Bài', 'Lesson', 5, true, '', false, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO quiz (id, lesson_id, slug, position, title, pass_mark, questions,"
                " is_retired, created_at, updated_at) VALUES (1, 1, 'q', 1, 'Kiểm tra', 80,"
                " '[]', false, '2026-01-01', '2026-01-01')"
            )
        )

    downgrade(revision="bc54e5282b90")

    inspector = inspect(db.engine)
    assert "title_en" not in {column["name"] for column in inspector.get_columns("lesson")}
    assert "title_en" not in {column["name"] for column in inspector.get_columns("course")}
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM lesson")).scalar_one() == "Bài"
        assert connection.execute(text("SELECT count(*) FROM quiz")).scalar_one() == 1
    upgrade()
    assert schema_differences() == []


def test_the_db_commands_upgrade_and_report_through_the_app(empty_app, tmp_path):
    """`flask db` is Flask-Migrate's group, set up only when called (lms.create_app): each call
    here is the first of a new app over the same database, as each command is a new process."""

    def first_call(*args: str):
        same = {key: value for key, value in empty_app.config.items() if key in _SETTINGS}
        app = create_app(same)
        assert app.cli.commands["db"] is not flask_migrate.cli.db  # not set up yet
        try:
            result = app.test_cli_runner().invoke(args=["db", *args])
        finally:
            with app.app_context():
                db.engine.dispose()
        assert app.cli.commands["db"] is flask_migrate.cli.db  # set up by the call
        return result

    shown = first_call("--help")
    assert shown.exit_code == 0, shown.output
    assert "--x-arg" in shown.output and "upgrade" in shown.output

    upgraded = first_call("upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert database_heads() == script_heads()

    # The group's own option reaches its commands: a folder without migrations is refused.
    current = first_call("--directory", MIGRATIONS_DIR, "current")
    assert current.exit_code == 0, current.output
    elsewhere = first_call("--directory", str(tmp_path / "none"), "current")
    assert elsewhere.exit_code == 1, elsewhere.output


# What a second app needs to reach the same database as the first.
_SETTINGS = (
    "TESTING",
    "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "DATA_DIR",
)
