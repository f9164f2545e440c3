"""Backup fixtures: a database with rows in every feature's tables, and a fresh one to restore."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Column, MetaData, String, Table, create_engine, inspect, select, text
from sqlalchemy.engine import Engine, make_url

from lms import create_app
from lms.db import db
from lms.demo import seed
from lms.i18n import local_today
from lms.org.services import unit_by_code
from lms.plans import assignments, evidence, workflow
from lms.plans.models import ActivityKind
from tests.factories import make_person
from tests.learning.content import make_tay_course
from tests.learning.steps import finish_lesson

REPO = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ALEMBIC = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))
# The tables of the features that existed when backups came; each must hold rows in the fill,
# so that a backup that lost one kind of row (a BLOB, a JSON, a timestamp) cannot pass.
FILLED_TABLES = {
    "unit", "unit_version", "person", "membership", "role_grant", "user_session",
    "login_failure", "audit_event", "course", "lesson", "quiz", "course_media",
    "lesson_progress", "course_progress", "quiz_attempt", "learning_event", "certificate",
    "plan_target_rule", "plan_assignment", "study_plan", "plan_version", "plan_item",
    "plan_event", "external_activity", "evidence_file", "notification",
}  # fmt: skip


def all_rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every model table and of alembic_version, ordered by primary key; but the
    reference stamp, which a restore sets anew (lms.reference), is only said to be there."""
    tables = [*db.metadata.sorted_tables, ALEMBIC]
    with engine.connect() as connection:
        rows = {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in tables
        }
    rows["reference_stamp"] = [(key, bool(token)) for key, token in rows["reference_stamp"]]
    return rows


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def source_rows() -> dict[str, list[tuple]]:
    """Every row of the test database, as committed."""
    db.session.commit()
    return all_rows(db.engine)


@pytest.fixture
def filled(app, runner, client, login, tmp_path) -> dict[str, list[tuple]]:
    """Fill the test database through the real commands and services; return its rows."""
    app.config["DEMO_MODE"] = True
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    app.config["DEMO_MODE"] = False
    result = runner.invoke(args=["courses", "import", str(REPO / "courses")])
    assert result.exit_code == 0, result.output
    tay = make_tay_course(tmp_path / "course")

    policy = unit_by_code(seed.POLICY)
    learner = make_person("mai.backup", "Lò Thị Mai", unit=policy)
    db.session.commit()
    assert login("mai.backup").status_code == 302
    # A failed sign-in from another browser: counted for the throttle.
    app.test_client().post("/login", data={"username": "khong-co-ai", "password": "sai"})
    finish_lesson(client, "chao-hoi")
    finish_lesson(client, "so-dem")

    year = local_today().year
    with app.test_request_context():
        assignments.assign_course(
            unit=policy,
            course_id=tay.id,
            year=year,
            kind="required",
            due_on=date(year, 12, 31),
            include_subunits=True,
            actor_id=None,
        )
        plan = workflow.plan_for(learner, year)
        workflow.add_course(plan, course_id=tay.id, planned="q4", expected_hours="2")
        workflow.add_external(
            plan,
            kind=next(iter(ActivityKind)).value,
            title="Bồi dưỡng kỹ năng số",
            organiser="Sở Nội vụ",
            starts_on=f"03/03/{year}",
            ends_on=f"04/03/{year}",
            hours="8",
            evidence=evidence.Upload("chung-nhan.png", PNG),
        )
        workflow.submit(plan, actor=learner)
    db.session.commit()

    rows = source_rows()
    empty = sorted(name for name in FILLED_TABLES if not rows[name])
    assert not empty, f"the fill left these tables empty: {empty}"
    return rows


@dataclass
class Fresh:
    """An empty database beside the test database, and an app on it."""

    url: str
    app: Flask

    def rows(self) -> dict[str, list[tuple]]:
        with self.app.app_context():
            return all_rows(db.engine)

    def tables(self) -> set[str]:
        with self.app.app_context():
            return table_names(db.engine)

    def invoke(self, *args: str):
        """Run a flask command on this app (its own context, not the test database's)."""
        with self.app.app_context():
            result = self.app.test_cli_runner().invoke(args=list(args))
            db.session.remove()
            return result


def _admin_engine(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture
def fresh(app, tmp_path) -> Iterator[Fresh]:
    """A new empty database: a new SQLite file, or a new PostgreSQL database (dropped after)."""
    source_url = db.engine.url
    settings = {
        key: app.config[key]
        for key in ("TESTING", "SECRET_KEY", "DATA_DIR", "PASSWORD_HASH_METHOD")
    }
    if source_url.get_backend_name() == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        dropper = None
    else:
        name = f"{source_url.database}_restore"
        url = source_url.set(database=name).render_as_string(hide_password=False)
        dropper = _admin_engine(source_url.render_as_string(hide_password=False))
        with dropper.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    restored = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url})
    try:
        yield Fresh(url, restored)
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
        if dropper is not None:
            with dropper.connect() as connection:
                database = make_url(url).database
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            dropper.dispose()
