"""Reads of imported courses, for the editor pages and the media route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, selectinload

from lms.courses.models import Course, CourseMedia, Lesson
from lms.courses.render import entry_keys, entry_rows_now
from lms.db import db
from lms.dictionary import queries as dictionary_queries
from lms.text import collation_key


@dataclass(frozen=True)
class CourseRow:
    slug: str
    title: str
    category: str
    language: str
    level: str
    hours: Decimal
    version: str
    lesson_count: int
    is_retired: bool
    imported_at: datetime


def course_rows() -> list[CourseRow]:
    """Return every course, active first, in Vietnamese title order, with its lesson count."""
    lesson_count = (
        select(Lesson.course_id, func.count(Lesson.id).label("n"))
        .where(Lesson.is_retired.is_(False))
        .group_by(Lesson.course_id)
        .subquery()
    )
    query = select(
        Course.slug,
        Course.title,
        Course.category,
        Course.language,
        Course.level,
        Course.hours,
        Course.version,
        func.coalesce(lesson_count.c.n, 0),
        Course.is_retired,
        Course.imported_at,
    ).outerjoin(lesson_count, lesson_count.c.course_id == Course.id)
    rows = [CourseRow(*row) for row in db.session.execute(query)]
    return sorted(rows, key=lambda row: (row.is_retired, collation_key(row.title)))


def course_with_lessons(slug: str) -> Course | None:
    """Return the course with all its lessons (retired too) and their quizzes."""
    return db.session.scalars(
        select(Course)
        .where(Course.slug == slug)
        .options(selectinload(Course.lessons).selectinload(Lesson.quizzes))
    ).one_or_none()


def lesson_with_quizzes(course_slug: str, lesson_slug: str) -> Lesson | None:
    return db.session.scalars(
        select(Lesson)
        .join(Course)
        .where(Course.slug == course_slug, Lesson.slug == lesson_slug)
        .options(selectinload(Lesson.quizzes))
    ).one_or_none()


def media_file(course_slug: str, sha256: str) -> CourseMedia | None:
    """Return a stored media file's row with its course; its bytes load only when read."""
    return db.session.scalars(
        select(CourseMedia)
        .join(Course)
        .where(and_(Course.slug == course_slug, CourseMedia.sha256 == sha256))
        .options(contains_eager(CourseMedia.course))
    ).one_or_none()


def course_by_slug(slug: str) -> Course | None:
    """The course with this slug, retired or not."""
    return db.session.scalar(select(Course).where(Course.slug == slug))


def lesson_html_now(lesson: Lesson) -> str:
    """The lesson's HTML as the learner reads it today: its vocabulary rows that name a
    dictionary entry show the entry as the dictionary has it now (one query; none for a lesson
    without such rows)."""
    body = lesson.body_html
    named = entry_keys(body)
    if not named:
        return body
    return entry_rows_now(body, dictionary_queries.entry_texts(lesson.course.language, named))
