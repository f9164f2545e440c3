"""What a learner does, as form posts: answer quizzes, complete lessons."""

from __future__ import annotations

import uuid

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


def answer(client, lesson: str, answers: dict, *, event_id: str | None = None, quiz=None, **extra):
    """Submit the lesson's quiz; return the response (a redirect to the result)."""
    data = {
        "quiz": quiz or QUIZ_OF[lesson],
        "event_id": event_id or str(uuid.uuid4()),
        "seconds": "30",
        **answers,
        **extra,
    }
    return client.post(lesson_url(lesson) + "/quiz", data=data)


def complete(client, lesson: str, *, event_id: str | None = None, **extra):
    data = {"event_id": event_id or str(uuid.uuid4()), "seconds": "60", **extra}
    return client.post(lesson_url(lesson) + "/complete", data=data)


def finish_lesson(client, lesson: str) -> None:
    """Pass the lesson's quiz (if it has one) and mark it complete."""
    if lesson in RIGHT_ANSWERS:
        assert answer(client, lesson, RIGHT_ANSWERS[lesson]).status_code == 302
    assert complete(client, lesson).status_code == 302


def beacon(client, lesson: str, seconds, *, event_id: str | None = None, course: str = TAY):
    data = {
        "event_id": event_id or str(uuid.uuid4()),
        "course": course,
        "lesson": lesson,
        "seconds": str(seconds),
    }
    return client.post("/learning/events", data=data)
