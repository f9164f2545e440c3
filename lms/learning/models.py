"""Learners' progress: a summary row per person and lesson or course, and an append-only log.

Progress refers to courses, lessons and quizzes by id; their rows are never deleted and their
slugs never change, so progress survives any re-import of the content.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import Course, Lesson, Quiz
from lms.db import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import Person

# One browser span on a lesson counts for at most this long: a tab left open overnight is not
# study time.
MAX_SECONDS_PER_EVENT = 2 * 3600


class EventKind(StrEnum):
    VIEWED = "viewed"  # time spent on a lesson page (sent by the page, or with a form)
    COMPLETED = "completed"  # a lesson marked complete; with no lesson, the course completed
    ANSWERED = "answered"  # a quiz submitted; its outcome follows as passed or failed
    PASSED = "passed"
    FAILED = "failed"
    # Minutes of spaced review of the lesson's words: engaged time, never a completion.
    REVIEWED = "reviewed"


class LearningEvent(Model):
    """One thing a learner did, logged once: the client's event id makes replays harmless."""

    __tablename__ = "learning_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the browser (or put into the form by the server); a repeat is the same event.
    client_event_id: Mapped[str] = mapped_column(String(36), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(String(20))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id"))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempt.id"))
    seconds: Mapped[int] = mapped_column(default=0)
    # The page view the time was measured on (from the signed page stamp): the time of all the
    # events of one view never adds up to more than the view lasted.
    page_view: Mapped[str | None] = mapped_column(String(32), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[QuizAttempt | None] = relationship()


class LessonProgress(Model):
    """Where one learner stands with one lesson: time spent, and whether it is complete."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("person_id", "lesson_id"),
        Index("ix_lesson_progress_person_course", "person_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    seconds_spent: Mapped[int] = mapped_column(default=0)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lesson: Mapped[Lesson] = relationship()

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class QuizAttempt(Model):
    """One submission of a quiz, scored on the server, kept with what was answered."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (Index("ix_quiz_attempt_person_quiz", "person_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    # The answers as scored, by question id, and each question's result with the feedback
    # shown then: a later change to the quiz does not rewrite a past attempt.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    correct: Mapped[int]
    total: Mapped[int]
    percent: Mapped[int]
    pass_mark: Mapped[int]
    is_passed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz: Mapped[Quiz] = relationship()


class CourseProgress(Model):
    """One learner's course: started when they first study it, completed once, for good."""

    __tablename__ = "course_progress"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id"),
        # The manager's flags (completions far below their nominal time) are counted for a
        # roster's batches of people from the index alone.
        Index(
            "ix_course_progress_person_times",
            "person_id",
            "completed_at",
            "engaged_seconds",
            "nominal_minutes",
            "is_rule_applied",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The course's tiết when it was completed; a later change to the course does not alter it.
    hours_credited: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # Kept as they were at completion, to judge it later: the engaged time on the course's
    # lessons, the nominal time of its required lessons, and whether the credible-completion
    # rule was in force (a completion before it is never changed, only flagged).
    engaged_seconds: Mapped[int | None]
    nominal_minutes: Mapped[int | None]
    is_rule_applied: Mapped[bool | None]

    course: Mapped[Course] = relationship()
    certificate: Mapped[Certificate | None] = relationship(back_populates="course_progress")

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


REVOCATION_REASON_LENGTH = 300


class Certificate(Model):
    """The certificate of a completed course, with the facts printed on it kept as issued."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(14), unique=True)
    course_progress_id: Mapped[int] = mapped_column(ForeignKey("course_progress.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # The day of completion in the agency's time zone, as printed.
    completed_on: Mapped[date]
    # The agency's name on that day, if the organisation is set up.
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Revoked (by an administrator, with the reason the public checks show): the row stays.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(REVOCATION_REASON_LENGTH))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    course_progress: Mapped[CourseProgress] = relationship(back_populates="certificate")


class LearningRule(Model):
    """The credible-completion rule as an administrator set it; a change adds a row.

    The newest row is in force. A lesson without a quiz counts as studied only after engaged
    time of min_share_percent of its declared minutes, from starts_on (an agency-local day).
    Completions with engaged time below flag_share_percent of the nominal time are flagged.
    """

    __tablename__ = "learning_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    min_share_percent: Mapped[int]
    flag_share_percent: Mapped[int]
    starts_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[Person | None] = relationship()
