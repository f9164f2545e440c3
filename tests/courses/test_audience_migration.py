"""The migration that lets a course say who it is for keeps every existing course, its
lessons and its learners' rows: existing courses stay for staff, their audio not synthetic."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lms.db import db
from tests.test_migrations import empty_app  # noqa: F401 - the fixture, on both databases

BEFORE = "b7d1e3f5a9c2"


@pytest.mark.usefixtures("empty_app")
def test_existing_courses_stay_for_staff_with_their_lessons():
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO course (id, slug, title, category, language, level, hours, summary, "
                "authors, sources, version, intro_html, is_retired, created_at, imported_at) "
                "VALUES (1, 'tieng-tay', 'Tiếng Tày', 'ethnic-language', 'tyz', 'beginner', 2, "
                "'Tóm tắt', '[]', '[]', '1.0', '', false, '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO lesson (id, course_id, slug, position, title, minutes, is_required, "
                "body_html, is_retired, created_at, updated_at) VALUES (1, 1, 'chao-hoi', 1, "
                "'Chào hỏi', 10, true, '<p>x</p>', false, '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"
            )
        )
    upgrade()
    with db.engine.connect() as connection:
        course = connection.execute(
            text("SELECT slug, audience, synthetic_audio FROM course")
        ).one()
        lessons = connection.execute(text("SELECT count(*) FROM lesson")).scalar()
    assert (course.slug, course.audience, bool(course.synthetic_audio)) == (
        "tieng-tay",
        "staff",
        False,
    )
    assert lessons == 1
