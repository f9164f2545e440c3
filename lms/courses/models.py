"""Imported course content: courses, lessons, quizzes and media, keyed by stable slugs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, utcnow
from lms.reference import REFERENCE_DATA


class Course(Model):
    """A course as last imported; never deleted, retired when its folder disappears."""

    __tablename__ = "course"
    # Read once per process while unchanged (categories and assigned courses: lms.reference).
    __table_args__ = ({"info": REFERENCE_DATA},)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Learners' progress refers to the slug: it never changes once a course exists.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The title in English, if the course gives one (records sent elsewhere: lms.xapi).
    title_en: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30), index=True)
    language: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    summary: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON)
    sources: Mapped[list[str]] = mapped_column(JSON)
    version: Mapped[str] = mapped_column(String(40))
    # "staff" (signed-in staff only) or "public" (anyone, without signing in): format.AUDIENCES.
    audience: Mapped[str] = mapped_column(String(16), default="staff", server_default="staff")
    # Its recordings are synthetic (a speech synthesiser's): said wherever they play.
    synthetic_audio: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    intro_html: Mapped[str] = mapped_column(Text)
    is_retired: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last import that changed the course or anything in it.
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position"
    )
    media: Mapped[list[CourseMedia]] = relationship(back_populates="course")

    @property
    def is_public(self) -> bool:
        return self.audience == "public"

    def open_to(self, user: object) -> bool:
        """Whether user may read the course: a public one anyone, a staff one signed-in staff
        (not a visitor, not a citizen)."""
        if self.is_public:
            return True
        return bool(getattr(user, "is_authenticated", False)) and not getattr(
            user, "is_citizen", False
        )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Lesson(Model):
    """One lesson file of a course, its HTML rendered and sanitised once, at import.

    Reference data (lms.reference), as are quizzes: written by imports only, read on every
    lesson page."""

    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug"), {"info": REFERENCE_DATA})

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[int]
    is_required: Mapped[bool] = mapped_column(default=True)
    body_html: Mapped[str] = mapped_column(Text)
    is_retired: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")
    quizzes: Mapped[list[Quiz]] = relationship(back_populates="lesson", order_by="Quiz.position")

    def __repr__(self) -> str:
        return f"<Lesson {self.slug}>"


class Quiz(Model):
    """A quiz written in a lesson; its questions hold the answer keys and stay on the server."""

    __tablename__ = "quiz"
    __table_args__ = (UniqueConstraint("lesson_id", "slug"), {"info": REFERENCE_DATA})

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    pass_mark: Mapped[int]
    # How many attempts a learner has (None: no limit) and the wait after a failed one.
    max_attempts: Mapped[int | None]
    wait_minutes: Mapped[int | None]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    is_retired: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="quizzes")

    def public_questions(self) -> list[dict[str, Any]]:
        """Return the questions as a learner may see them: without answers or feedback."""
        from lms.courses.quiz import public_questions

        return public_questions(self.questions)

    def __repr__(self) -> str:
        return f"<Quiz {self.slug}>"


class CourseMedia(Model):
    """An image or recording of a course, stored by content so every app server can serve it.

    Rows are never changed or deleted: a changed file is a new row with a new hash, so the HTML
    of any lesson, current or retired, keeps pointing at the bytes it was rendered with.
    """

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("course_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="media")

    def __repr__(self) -> str:
        return f"<CourseMedia {self.path}>"


class CourseVersion(Model):
    """A course's files as they were after one save or import that changed them: its text
    files (course.md and the lessons, by name) and its media by path (the bytes are the
    course's stored media of that hash). Kept for good: compared, exported, reverted to."""

    __tablename__ = "course_version"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    number: Mapped[int]
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    media: Mapped[dict[str, str]] = mapped_column(JSON)  # path -> sha256
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
