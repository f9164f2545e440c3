"""Importing checked courses: add, change or retire rows; never delete, never commit.

Learners' progress is keyed by course and lesson slugs, so rows are found by slug and updated
in place. Unchanged content writes nothing at all, so importing twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.audit import services as audit
from lms.courses.checker import CheckedCourse, CheckedLesson, CheckedQuiz, CheckReport
from lms.courses.models import Course, CourseMedia, CourseVersion, Lesson, Quiz
from lms.db import db, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _


class CourseImportError(UserError):
    """Content that cannot be imported; the problems of the check say why."""


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    retired: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    courses: Counts = field(default_factory=Counts)
    lessons: Counts = field(default_factory=Counts)
    media_added: int = 0

    @property
    def changed_anything(self) -> bool:
        return any(
            (counts.added, counts.changed, counts.retired)
            for counts in (self.courses, self.lessons)
        ) or bool(self.media_added)

    def __str__(self) -> str:
        return _(
            "Khóa học: thêm %(ca)d, thay đổi %(cc)d, ngừng dùng %(cr)d, không đổi %(cu)d. "
            "Bài học: thêm %(la)d, thay đổi %(lc)d, ngừng dùng %(lr)d, không đổi %(lu)d. "
            "Tệp media mới: %(media)d.",
            ca=self.courses.added,
            cc=self.courses.changed,
            cr=self.courses.retired,
            cu=self.courses.unchanged,
            la=self.lessons.added,
            lc=self.lessons.changed,
            lr=self.lessons.retired,
            lu=self.lessons.unchanged,
            media=self.media_added,
        )


Advance = Callable[[int], None]


def import_courses(
    report: CheckReport,
    *,
    retire_missing: bool = False,
    advance: Advance | None = None,
    note: str = "",
) -> ImportSummary:
    """Write the checked courses; with retire_missing, retire courses not among them. A
    course whose files differ from its last version gets a new version (note says how).

    advance(n) is called as lessons and media files are written, for a progress bar.
    """
    if report.errors:
        raise CourseImportError(_("Nội dung còn %(n)d lỗi; chưa nhập gì.", n=len(report.errors)))
    summary = ImportSummary()
    slugs = [course.slug for course in report.courses]
    existing = {
        course.slug: course
        for course in db.session.scalars(
            select(Course).options(selectinload(Course.lessons).selectinload(Lesson.quizzes))
        )
    }
    now = utcnow()
    for checked in report.courses:
        _import_course(checked, existing.get(checked.slug), summary, now, advance, note)
    if retire_missing:
        for slug, course in existing.items():
            if slug not in slugs and not course.is_retired:
                course.is_retired = True
                course.retired_at = now
                summary.courses.retired += 1
                audit.record("course.retire", course, _("Ngừng dùng khóa học %(slug)s", slug=slug))
    db.session.flush()
    return summary


def _record_version(course: Course, checked: CheckedCourse, now: datetime, note: str) -> None:
    """Keep the course's files as a new version, unless they are those of its last one."""
    media = {item.path: item.sha256 for item in checked.media}
    last = db.session.scalar(
        select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )
    if last is not None and last.files == checked.texts and last.media == media:
        return
    author = current_user.id if current_user and current_user.is_authenticated else None
    db.session.add(
        CourseVersion(
            course_id=course.id,
            number=(last.number if last else 0) + 1,
            files=checked.texts,
            media=media,
            author_id=author,
            note=note[:300],
            created_at=now,
        )
    )


def work_count(report: CheckReport) -> int:
    """Return how many steps an import of report takes, for a progress bar."""
    return sum(len(course.lessons) + len(course.media) for course in report.courses)


def _course_fields(checked: CheckedCourse) -> dict[str, Any]:
    meta = checked.meta
    return {
        "title": meta.title,
        "title_en": meta.title_en,
        "category": meta.category,
        "language": meta.language,
        "level": meta.level,
        "hours": meta.hours,
        "summary": meta.summary,
        "authors": meta.authors,
        "sources": meta.sources,
        "version": meta.version,
        "audience": meta.audience,
        "synthetic_audio": meta.synthetic_audio,
        "intro_html": checked.intro_html,
        "is_retired": False,
    }


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; say whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _import_course(
    checked: CheckedCourse,
    course: Course | None,
    summary: ImportSummary,
    now: datetime,
    advance: Advance | None,
    note: str = "",
) -> None:
    is_new = course is None
    if course is None:
        course = Course(
            slug=checked.slug, created_at=now, imported_at=now, **_course_fields(checked)
        )
        db.session.add(course)
        db.session.flush()
        changed = True
    else:
        was_retired = course.is_retired
        changed = _apply(course, _course_fields(checked))
        if was_retired:
            course.retired_at = None

    stored = set(
        db.session.scalars(select(CourseMedia.sha256).where(CourseMedia.course_id == course.id))
    )
    for item in checked.media:
        if item.sha256 not in stored:
            db.session.add(
                CourseMedia(
                    course_id=course.id,
                    path=item.path,
                    content_type=item.media_type.content_type,
                    sha256=item.sha256,
                    size=item.size,
                    data=item.read(),
                    created_at=now,
                )
            )
            stored.add(item.sha256)
            summary.media_added += 1
            changed = True
        if advance:
            advance(1)

    lessons = {lesson.slug: lesson for lesson in ([] if is_new else course.lessons)}
    for checked_lesson in checked.lessons:
        if _import_lesson(course, checked_lesson, lessons.get(checked_lesson.slug), summary, now):
            changed = True
        if advance:
            advance(1)
    present = {lesson.slug for lesson in checked.lessons}
    for slug, lesson in lessons.items():
        if slug not in present and not lesson.is_retired:
            lesson.is_retired = True
            lesson.retired_at = now
            summary.lessons.retired += 1
            changed = True

    _record_version(course, checked, now, note)
    if is_new:
        summary.courses.added += 1
        audit.record("course.import", course, _("Thêm khóa học %(slug)s", slug=course.slug))
    elif changed:
        course.imported_at = now
        summary.courses.changed += 1
        audit.record("course.import", course, _("Cập nhật khóa học %(slug)s", slug=course.slug))
    else:
        summary.courses.unchanged += 1


def _lesson_fields(checked: CheckedLesson) -> dict[str, Any]:
    return {
        "position": checked.position,
        "title": checked.title,
        "title_en": checked.title_en,
        "minutes": checked.minutes,
        "is_required": checked.is_required,
        "body_html": checked.html,
        "is_retired": False,
    }


def _import_lesson(
    course: Course,
    checked: CheckedLesson,
    lesson: Lesson | None,
    summary: ImportSummary,
    now: datetime,
) -> bool:
    """Add or update one lesson and its quizzes; say whether anything changed."""
    if lesson is None:
        lesson = Lesson(
            course=course,
            slug=checked.slug,
            created_at=now,
            updated_at=now,
            **_lesson_fields(checked),
        )
        db.session.add(lesson)
        for checked_quiz in checked.quizzes:
            db.session.add(
                Quiz(
                    lesson=lesson,
                    slug=checked_quiz.slug,
                    created_at=now,
                    updated_at=now,
                    **_quiz_fields(checked_quiz),
                )
            )
        summary.lessons.added += 1
        return True
    was_retired = lesson.is_retired
    changed = _apply(lesson, _lesson_fields(checked))
    if was_retired:
        lesson.retired_at = None
    quizzes = {quiz.slug: quiz for quiz in lesson.quizzes}
    for checked_quiz in checked.quizzes:
        quiz = quizzes.get(checked_quiz.slug)
        if quiz is None:
            db.session.add(
                Quiz(
                    lesson=lesson,
                    slug=checked_quiz.slug,
                    created_at=now,
                    updated_at=now,
                    **_quiz_fields(checked_quiz),
                )
            )
            changed = True
        elif _apply(quiz, _quiz_fields(checked_quiz)):
            if quiz.retired_at is not None and not quiz.is_retired:
                quiz.retired_at = None
            quiz.updated_at = now
            changed = True
    present = {quiz.slug for quiz in checked.quizzes}
    for slug, quiz in quizzes.items():
        if slug not in present and not quiz.is_retired:
            quiz.is_retired = True
            quiz.retired_at = now
            changed = True
    if changed:
        lesson.updated_at = now
        summary.lessons.changed += 1
    else:
        summary.lessons.unchanged += 1
    return changed


def _quiz_fields(checked: CheckedQuiz) -> dict[str, Any]:
    return {
        "position": checked.position,
        "title": checked.title,
        "pass_mark": checked.pass_mark,
        "max_attempts": checked.max_attempts,
        "wait_minutes": checked.wait_minutes,
        "questions": checked.questions,
        "is_retired": False,
    }
