"""Where a learner stands in a course (`course_states`): lessons and quizzes read in one statement,
a lesson's rows coming once per quiz of it."""

from __future__ import annotations

from datetime import UTC, datetime

from lms.courses.models import Lesson, Quiz
from lms.db import db
from lms.learning.models import LessonProgress, QuizAttempt
from lms.learning.queries import QuizStats, course_states
from tests.factories import make_course, make_person

MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
EVENING = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def _lesson(course, position, slug, *, required=True, retired=False) -> Lesson:
    lesson = Lesson(
        course_id=course.id,
        slug=slug,
        position=position,
        title=slug.title(),
        minutes=5,
        is_required=required,
        body_html="<p></p>",
        is_retired=retired,
    )
    db.session.add(lesson)
    db.session.flush()
    return lesson


def _quiz(lesson, position, *, retired=False) -> Quiz:
    quiz = Quiz(
        lesson_id=lesson.id,
        slug=f"{lesson.slug}-q{position}",
        position=position,
        title="Kiểm tra",
        pass_mark=80,
        max_attempts=None,
        wait_minutes=None,
        questions=[],
        is_retired=retired,
    )
    db.session.add(quiz)
    db.session.flush()
    return quiz


def _attempt(person, quiz, percent, at) -> None:
    db.session.add(
        QuizAttempt(
            person_id=person.id,
            course_id=quiz.lesson.course_id,
            lesson_id=quiz.lesson_id,
            quiz_id=quiz.id,
            answers={},
            results=[],
            correct=percent // 10,
            total=10,
            percent=percent,
            pass_mark=80,
            is_passed=percent >= 80,
            submitted_at=at,
        )
    )


def _progress(person, lesson, seconds, completed_at=None) -> None:
    db.session.add(
        LessonProgress(
            person_id=person.id,
            course_id=lesson.course_id,
            lesson_id=lesson.id,
            seconds_spent=seconds,
            completed_at=completed_at,
        )
    )


def test_each_lesson_once_with_all_its_quizzes_and_only_my_attempts(app):
    me, other = make_person("toi"), make_person("nguoikhac")
    course, second = make_course(), make_course()
    reading = _lesson(course, 1, "doc")  # no quiz: one row of its own
    both = _lesson(course, 2, "hai-bai")  # two quizzes: two rows, one lesson
    first_quiz, second_quiz = _quiz(both, 1), _quiz(both, 2)
    _quiz(both, 3, retired=True)  # a retired quiz counts for nobody
    done = _lesson(course, 3, "xong", required=False)
    done_quiz = _quiz(done, 1)
    _lesson(course, 4, "bo-di", retired=True)
    elsewhere = _lesson(second, 1, "khoa-khac")
    _progress(me, reading, 300, completed_at=MORNING)
    _progress(me, done, 120, completed_at=EVENING)
    _attempt(me, first_quiz, 50, MORNING)
    _attempt(me, first_quiz, 90, EVENING)
    _attempt(me, second_quiz, 40, MORNING)
    _attempt(me, done_quiz, 100, MORNING)
    _attempt(other, second_quiz, 100, EVENING)  # another learner's pass is not mine
    _progress(other, both, 60, completed_at=EVENING)  # nor their progress
    db.session.flush()

    states = course_states(me.id, [second.id, course.id, course.id])

    assert list(states) == [min(course.id, second.id), max(course.id, second.id)]
    lessons = states[course.id].lessons
    assert [lesson.slug for lesson in lessons] == ["doc", "hai-bai", "xong"]
    doc, two, finished = lessons
    assert (doc.quiz_count, doc.is_started, doc.is_done, doc.seconds_spent) == (0, True, True, 300)
    assert (two.quiz_count, two.is_started, two.quizzes_passed, two.is_done) == (
        2,
        False,
        False,
        False,
    )
    assert (finished.quiz_count, finished.quizzes_passed, finished.is_done) == (1, True, True)
    assert states[course.id].quizzes == {
        first_quiz.id: QuizStats(2, 90, True, EVENING),
        second_quiz.id: QuizStats(1, 40, False, MORNING),
        done_quiz.id: QuizStats(1, 100, True, MORNING),
    }
    assert states[course.id].required_done == 1  # "doc"; "hai-bai" waits for its second quiz
    assert states[course.id].next_lesson.slug == "hai-bai"
    assert [lesson.id for lesson in states[second.id].lessons] == [elsewhere.id]
    assert states[second.id].quizzes == {}


def test_a_visitor_sees_the_lessons_with_nothing_started(app):
    course = make_course()
    lesson = _lesson(course, 1, "mot")
    quiz = _quiz(lesson, 1)
    _attempt(make_person("ai-do"), quiz, 100, MORNING)
    db.session.flush()

    state = course_states(None, [course.id])[course.id]

    assert [(item.slug, item.quiz_count, item.is_started) for item in state.lessons] == [
        ("mot", 1, False)
    ]
    assert state.quizzes == {quiz.id: QuizStats(0, None, False, None)}
    assert course_states(None, []) == {}
