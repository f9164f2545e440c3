"""What a learner does, as form posts: answer quizzes, complete lessons."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from lms.courses.models import Course, Lesson
from lms.db import db, utcnow
from lms.learning.rules import page_stamp
from tests.learning.content import TAY

CHAO_HOI_RIGHT = {"q:pay": "1", "q:noong": "true", "q:muoi": "SLIP-DAP-AN"}
SO_DEM_RIGHT = {
    "q:so": ["0", "2"],
    "q:noi:0": "ba",
    "q:noi:1": "mười",
    "q:noi:2": "ăn",
    "q:nghe": "1",
}
QUIZ_OF = {"chao-hoi": "on-tap-chao-hoi", "so-dem": "on-tap-so-dem"}
RIGHT_ANSWERS = {"chao-hoi": CHAO_HOI_RIGHT, "so-dem": SO_DEM_RIGHT}


def lesson_url(lesson: str, course: str = TAY) -> str:
    return f"/courses/{course}/{lesson}"


def stamp(lesson: str, seconds_ago: int = 3 * 3600, course: str = TAY) -> str:
    """Return the signed stamp of a page of the lesson served seconds_ago."""
    lesson_id = db.session.scalar(
        select(Lesson.id).join(Course).where(Course.slug == course, Lesson.slug == lesson)
    )
    return page_stamp(lesson_id, utcnow() - timedelta(seconds=seconds_ago))


def answer(
    client,
    lesson: str,
    answers: dict,
    *,
    event_id: str | None = None,
    quiz=None,
    course: str = TAY,
    **extra,
):
    """Submit the lesson's quiz; return the response (a redirect to the result)."""
    data = {
        "quiz": quiz or QUIZ_OF[lesson],
        "event_id": event_id or str(uuid.uuid4()),
        "seconds": "30",
        "opened_at": stamp(lesson, course=course),
        **answers,
        **extra,
    }
    return client.post(lesson_url(lesson, course) + "/quiz", data=data)


def complete(client, lesson: str, *, event_id: str | None = None, course: str = TAY, **extra):
    data = {
        "event_id": event_id or str(uuid.uuid4()),
        "seconds": "60",
        "opened_at": stamp(lesson, course=course),
        **extra,
    }
    return client.post(lesson_url(lesson, course) + "/complete", data=data)


def finish_lesson(client, lesson: str, course: str = TAY) -> None:
    """Pass the lesson's quiz (if it has one) and mark it complete."""
    if lesson in RIGHT_ANSWERS:
        assert answer(client, lesson, RIGHT_ANSWERS[lesson], course=course).status_code == 302
    assert complete(client, lesson, course=course).status_code == 302


def beacon(
    client,
    lesson: str,
    seconds,
    *,
    event_id: str | None = None,
    course: str = TAY,
    opened_at: str | None = None,
):
    data = {
        "event_id": event_id or str(uuid.uuid4()),
        "course": course,
        "lesson": lesson,
        "seconds": str(seconds),
        "opened_at": opened_at if opened_at is not None else stamp(lesson, course=course),
    }
    return client.post("/learning/events", data=data)
