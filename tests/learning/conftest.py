"""Fixtures for the learner's pages: a signed-in learner, imported courses, table snapshots."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from lms.db import db
from tests.factories import make_person
from tests.learning.content import make_other_courses, make_tay_course

LEARNING_TABLES = (
    "learning_event",
    "lesson_progress",
    "quiz_attempt",
    "course_progress",
    "certificate",
)


def learning_rows() -> dict[str, list[tuple]]:
    """Return every row of the progress tables, read afresh from the database."""
    with db.engine.connect() as connection:
        return {
            table: sorted(tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
            for table in LEARNING_TABLES
        }


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def learner(app, login):
    """A signed-in learner, Lò Thị Mai."""
    person = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    assert login("mai").status_code == 302
    return person


@pytest.fixture
def tay(app, tmp_path):
    """The Tày course: two required lessons with quizzes and an optional one."""
    return make_tay_course(tmp_path / "courses")


@pytest.fixture
def catalogue_courses(app, tmp_path, tay):
    """The Tày course and one course in each other category."""
    make_other_courses(tmp_path / "courses")
    return tay
