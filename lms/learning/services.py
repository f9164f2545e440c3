"""Recording learning: time on lessons, lesson completion, quiz attempts, course completion.

Every change arrives with an event id made by the client. The event log's UNIQUE constraint on
it decides what counts: a repeated or replayed submission finds its event already logged and
gets back the original outcome, without counting anything twice.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Person
from lms.audit import services as audit
from lms.courses.models import Course, Lesson, Quiz
from lms.courses.quiz import score_quiz
from lms.db import Model, db, rows_changed, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import local_day, local_today, parse_day, vn_date, vn_moment
from lms.learning.models import (
    MAX_SECONDS_PER_EVENT,
    Certificate,
    CourseProgress,
    EventKind,
    LearningEvent,
    LearningRule,
    LessonProgress,
    QuizAttempt,
)
from lms.learning.rules import credible_rule, read_stamp
from lms.org.queries import agency_unit_name_on
from lms.progress import ledger

# Verification codes avoid letters and digits that are easy to confuse: 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4
MAX_ANSWER_LENGTH = 1000
T = TypeVar("T")
M = TypeVar("M", bound=Model)
_QUESTION_FIELD_RE = re.compile(r"^(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)(?::(?P<index>\d{1,2}))?$")


class LearningError(UserError):
    """A learning action that cannot be recorded; the message is shown to the learner."""


# Inputs ---------------------------------------------------------------------------------------


def parse_event_id(text: str | None) -> str:
    """Return the client's event id in canonical form, or refuse it."""
    try:
        return str(uuid.UUID((text or "").strip()))
    except ValueError:
        raise LearningError(
            _("Biểu mẫu thiếu mã sự kiện hoặc mã không hợp lệ. Hãy tải lại trang rồi thử lại.")
        ) from None


def capped_seconds(seconds: int) -> int:
    """Return seconds of study within 0 and the cap for one event."""
    return max(0, min(int(seconds), MAX_SECONDS_PER_EVENT))


@dataclass(frozen=True)
class EngagedTime:
    seconds: int
    page_view: str | None  # the page view it was measured on, from its stamp


def engaged_time(lesson: Lesson, claimed: int | None, stamp: str | None) -> EngagedTime:
    """Return the time to count for an event sent from a lesson page, and its page view.

    claimed is what the page measured while visible (None without JavaScript: then the time
    since the page was served). Either way it is capped per event and by the time the page
    has been open, less what earlier events of the same page view already counted.
    """
    now = utcnow()
    view = read_stamp(stamp, lesson.id, now)
    if view is None:
        return EngagedTime(0, None)
    used = db.session.scalar(
        select(func.coalesce(func.sum(LearningEvent.seconds), 0)).where(
            LearningEvent.page_view == view.id
        )
    )
    left = max(0, view.seconds_open - (used or 0))
    wanted = view.seconds_open if claimed is None else claimed
    return EngagedTime(min(capped_seconds(wanted), left), view.id)


def _derived_event_id(event_id: str, what: str) -> str:
    """Return the id of an event that follows from the client's one (the same on a replay)."""
    return str(uuid.uuid5(uuid.UUID(event_id), what))


# Outcomes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewOutcome:
    is_replay: bool


@dataclass(frozen=True)
class CompletionOutcome:
    is_replay: bool
    was_complete: bool
    certificate: Certificate | None  # issued by this action, when it completed the course
    # Engaged seconds still needed: the lesson was not completed, only the time was counted.
    missing_seconds: int = 0
    needed_seconds: int = 0


@dataclass(frozen=True)
class QuizOutcome:
    attempt: QuizAttempt
    is_replay: bool
    certificate: Certificate | None


# The event log --------------------------------------------------------------------------------


def _logged(event_id: str) -> LearningEvent | None:
    return db.session.scalar(select(LearningEvent).where(LearningEvent.client_event_id == event_id))


def _same_action(
    event: LearningEvent,
    person: Person,
    kinds: Iterable[EventKind],
    lesson: Lesson,
    quiz: Quiz | None = None,
) -> LearningEvent:
    """Return event if it is this action sent again; refuse an id used for something else."""
    if (
        event.person_id != person.id
        or event.kind not in set(kinds)
        or event.lesson_id != lesson.id
        or (quiz is not None and event.quiz_id != quiz.id)
    ):
        raise LearningError(
            _("Mã sự kiện này đã được dùng cho một việc khác. Hãy tải lại trang rồi thử lại.")
        )
    return event


def _log(
    person: Person, kind: EventKind, event_id: str, course_id: int, **fields: object
) -> LearningEvent:
    event = LearningEvent(
        client_event_id=event_id, person_id=person.id, kind=kind, course_id=course_id, **fields
    )
    db.session.add(event)
    return event


def _claim(event_id: str, add: Callable[[], T]) -> T | None:
    """Return add()'s result, run in a savepoint; None if the event id was logged meanwhile.

    add() logs the event: a request racing with the same id fails the UNIQUE constraint there.
    """
    try:
        with db.session.begin_nested():
            return add()
    except IntegrityError:
        if _logged(event_id) is None:
            raise
        return None


# Progress rows --------------------------------------------------------------------------------


def _get_or_add(model: type[M], key: dict[str, int], **fields: object) -> M:
    """Return the row with key, adding it if missing; two requests racing get the same row."""
    query = select(model).filter_by(**key)
    row = db.session.scalar(query)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = model(**key, **fields)
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(query)
        if row is None:
            raise
    return row


def _touch(
    person: Person, lesson: Lesson, seconds: int, now: datetime
) -> tuple[LessonProgress, CourseProgress]:
    """Make sure the learner's lesson and course rows exist; add the time spent."""
    progress = _get_or_add(
        LessonProgress,
        {"person_id": person.id, "lesson_id": lesson.id},
        course_id=lesson.course_id,
        first_seen_at=now,
        last_seen_at=now,
    )
    course_progress = _get_or_add(
        CourseProgress,
        {"person_id": person.id, "course_id": lesson.course_id},
        started_at=now,
        last_activity_at=now,
    )
    # Added in SQL, not in Python, so that two requests at once both count.
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.id == progress.id)
        .values(seconds_spent=LessonProgress.seconds_spent + seconds, last_seen_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(progress)
    course_progress.last_activity_at = now
    course_progress.last_lesson_id = lesson.id
    db.session.flush()
    return progress, course_progress


def _check_open(lesson: Lesson) -> None:
    if lesson.is_retired or lesson.course.is_retired:
        raise LearningError(
            _(
                "Bài học “%(title)s” đã ngừng sử dụng nên không ghi nhận thêm việc học hay bài "
                "kiểm tra nào.",
                title=lesson.title,
            )
        )


def passed_quiz_ids(person_id: int, quiz_ids: Iterable[int]) -> set[int]:
    """Return which of quiz_ids the person has passed at least once."""
    quiz_ids = list(quiz_ids)
    if not quiz_ids:
        return set()
    return set(
        db.session.scalars(
            select(QuizAttempt.quiz_id)
            .where(
                QuizAttempt.person_id == person_id,
                QuizAttempt.quiz_id.in_(quiz_ids),
                QuizAttempt.is_passed.is_(True),
            )
            .distinct()
        )
    )


# Time on a lesson -----------------------------------------------------------------------------


def record_review_time(person: Person, lesson: Lesson, *, event_id: str, seconds: int) -> bool:
    """Count seconds of spaced review of the lesson's words as engaged time of the lesson's
    course (the lesson's time, as a page view's is), once per event id: it never completes a
    lesson nor earns credit. Nothing is counted for a retired lesson. Says whether it counted."""
    seconds = capped_seconds(seconds)
    if seconds <= 0 or lesson.is_retired or lesson.course.is_retired:
        return False
    if _logged(event_id) is not None:
        return False

    def add() -> LearningEvent:
        event = _log(
            person,
            EventKind.REVIEWED,
            event_id,
            lesson.course_id,
            lesson_id=lesson.id,
            seconds=seconds,
        )
        db.session.flush()
        return event

    if _claim(event_id, add) is None:
        return False
    _touch(person, lesson, seconds, utcnow())
    return True


def record_view(
    person: Person,
    lesson: Lesson,
    *,
    event_id: str | None,
    seconds: int,
    page_view: str | None = None,
) -> ViewOutcome:
    """Log that the learner had the lesson open for seconds (a beacon from the page)."""
    event_id = parse_event_id(event_id)
    seconds = capped_seconds(seconds)
    if (found := _logged(event_id)) is not None:
        _same_action(found, person, {EventKind.VIEWED}, lesson)
        return ViewOutcome(is_replay=True)
    _check_open(lesson)

    def add():
        event = _log(
            person,
            EventKind.VIEWED,
            event_id,
            lesson.course_id,
            lesson_id=lesson.id,
            seconds=seconds,
            page_view=page_view,
        )
        db.session.flush()
        return event

    if _claim(event_id, add) is None:
        return ViewOutcome(is_replay=True)
    _touch(person, lesson, seconds, utcnow())
    return ViewOutcome(is_replay=False)


# Completing a lesson --------------------------------------------------------------------------


def _lesson_standing(person: Person, lesson: Lesson) -> tuple[datetime | None, int]:
    """Return when the person completed the lesson (if so) and their engaged seconds on it."""
    row = db.session.execute(
        select(LessonProgress.completed_at, LessonProgress.seconds_spent).where(
            LessonProgress.person_id == person.id, LessonProgress.lesson_id == lesson.id
        )
    ).first()
    return (row.completed_at, row.seconds_spent) if row else (None, 0)


def needed_seconds(lesson: Lesson, day: date, *, has_quiz: bool) -> int:
    """Return the engaged seconds the lesson needs before it may be completed on day.

    Only under the credible-completion rule, from its start day, and only for a lesson
    without a current quiz: passing the quiz is what shows a lesson with one was studied.
    """
    if has_quiz:
        return 0
    rule = credible_rule()
    return rule.required_seconds(lesson.minutes) if rule.is_in_force(day) else 0


def complete_lesson(
    person: Person,
    lesson: Lesson,
    *,
    event_id: str | None,
    seconds: int,
    page_view: str | None = None,
) -> CompletionOutcome:
    """Mark the lesson complete (its quizzes passed, or enough time engaged with it).

    Complete the course if all of it is. Too little engaged time completes nothing but counts
    the time sent with the form, and says how much is missing.
    """
    event_id = parse_event_id(event_id)
    seconds = capped_seconds(seconds)
    quizzes = [quiz for quiz in lesson.quizzes if not quiz.is_retired]
    if (found := _logged(event_id)) is not None:
        _same_action(found, person, {EventKind.COMPLETED, EventKind.VIEWED}, lesson)
        completed_at, spent = _lesson_standing(person, lesson)
        needed = needed_seconds(lesson, local_today(), has_quiz=bool(quizzes))
        if completed_at is None and spent < needed:
            return CompletionOutcome(
                is_replay=True,
                was_complete=False,
                certificate=None,
                missing_seconds=needed - spent,
                needed_seconds=needed,
            )
        return CompletionOutcome(is_replay=True, was_complete=True, certificate=None)
    _check_open(lesson)
    passed = passed_quiz_ids(person.id, (quiz.id for quiz in quizzes))
    unpassed = [quiz for quiz in quizzes if quiz.id not in passed]
    if unpassed:
        raise LearningError(
            _(
                "Hãy làm đạt bài kiểm tra “%(quiz)s” trước khi đánh dấu hoàn thành bài học.",
                quiz=unpassed[0].title,
            )
        )
    now = utcnow()
    already, spent = _lesson_standing(person, lesson)
    needed = 0
    if already is None:
        needed = needed_seconds(lesson, local_day(now), has_quiz=bool(quizzes))
    missing = max(0, needed - spent - seconds)
    # A lesson completed before (in another tab, say) is not completed again, and one without
    # enough engaged time is not completed yet: either way the time counts.
    kind = EventKind.COMPLETED if already is None and not missing else EventKind.VIEWED

    def add():
        event = _log(
            person,
            kind,
            event_id,
            lesson.course_id,
            lesson_id=lesson.id,
            seconds=seconds,
            page_view=page_view,
        )
        db.session.flush()
        return event

    event = _claim(event_id, add)
    if event is None:
        return CompletionOutcome(is_replay=True, was_complete=True, certificate=None)
    progress, course_progress = _touch(person, lesson, seconds, now)
    if missing:
        return CompletionOutcome(
            is_replay=False,
            was_complete=False,
            certificate=None,
            missing_seconds=missing,
            needed_seconds=needed,
        )
    if kind == EventKind.VIEWED:
        return CompletionOutcome(is_replay=False, was_complete=True, certificate=None)
    completed = rows_changed(
        update(LessonProgress)
        .where(LessonProgress.id == progress.id, LessonProgress.completed_at.is_(None))
        .values(completed_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(progress)
    if completed != 1:
        # Another request completed it a moment ago: this one only adds its time.
        event.kind = EventKind.VIEWED
        return CompletionOutcome(is_replay=False, was_complete=True, certificate=None)
    certificate = _complete_course_if_done(person, lesson.course, course_progress, event_id, now)
    return CompletionOutcome(is_replay=False, was_complete=False, certificate=certificate)


# Quizzes --------------------------------------------------------------------------------------


def read_answers(quiz: Quiz, fields: Mapping[str, list[str]]) -> dict:
    """Turn the quiz form's fields (question id, or id:n for matching) into scorable answers."""
    answers, problems = _read_fields(quiz, fields)
    if problems:
        raise problems[0]
    return answers


def typed_answers(quiz: Quiz, fields: Mapping[str, list[str]]) -> tuple[dict, dict[str, str]]:
    """What was typed in a refused quiz form, to fill it in again: the answers of the fields that
    could be read (a too long one as typed), and each refusal naming a question, by its id."""
    answers, problems = _read_fields(quiz, fields)
    by_question = {
        problem.field.removeprefix("q:"): problem.message for problem in problems if problem.field
    }
    return answers, by_question


def _read_fields(quiz: Quiz, fields: Mapping[str, list[str]]) -> tuple[dict, list[LearningError]]:
    """The answers of the quiz form's fields, and why each field that cannot be read is refused
    (field "q:<question id>" when the refusal is about a question of the quiz)."""
    questions = {question["id"]: question for question in quiz.questions}
    answers: dict = {}
    problems: list[LearningError] = []
    for name, values in fields.items():
        match = _QUESTION_FIELD_RE.match(name)
        question = questions.get(match["id"]) if match else None
        if match is None or question is None:
            problems.append(
                LearningError(
                    _(
                        "Câu hỏi “%(id)s” không có trong bài kiểm tra “%(quiz)s”. Hãy tải lại "
                        "trang để có bản mới nhất rồi làm lại.",
                        id=name[:40],
                        quiz=quiz.title,
                    )
                )
            )
            continue
        if any(len(value) > MAX_ANSWER_LENGTH for value in values):
            problems.append(
                LearningError(
                    _("Câu trả lời dài quá %(n)d ký tự.", n=MAX_ANSWER_LENGTH),
                    field=f"q:{match['id']}",
                )
            )
        kind, index = question["type"], match["index"]
        if kind == "matching":
            words = len(question["pairs"])
            if index is None or int(index) >= words:
                problems.append(
                    LearningError(
                        _("Câu hỏi “%(id)s” không có từ số %(n)s.", id=match["id"], n=index or "?")
                    )
                )
                continue
            chosen = answers.setdefault(match["id"], [None] * words)
            chosen[int(index)] = values[-1] if values else None
        elif index is not None:
            problems.append(
                LearningError(
                    _(
                        "Câu hỏi “%(id)s” không có trong bài kiểm tra “%(quiz)s”.",
                        id=name,
                        quiz=quiz.title,
                    )
                )
            )
        elif kind == "multiple":
            answers[match["id"]] = list(values)
        elif values:
            answers[match["id"]] = values[-1]
    # A matching question left wholly blank was not answered.
    answers = {
        key: value
        for key, value in answers.items()
        if not (isinstance(value, list) and not any(value))
    }
    return answers, problems


def _replayed_quiz(event: LearningEvent) -> QuizOutcome:
    """The first result of a quiz answered again with the same event id."""
    assert event.attempt is not None  # an ANSWERED event is logged with its attempt
    return QuizOutcome(attempt=event.attempt, is_replay=True, certificate=None)


def submit_quiz(
    person: Person,
    lesson: Lesson,
    quiz_slug: str,
    fields: Mapping[str, list[str]],
    *,
    event_id: str | None,
    seconds: int,
    page_view: str | None = None,
) -> QuizOutcome:
    """Score a quiz on the server and record the attempt; a replay returns the first result."""
    event_id = parse_event_id(event_id)
    seconds = capped_seconds(seconds)
    quiz = next((quiz for quiz in lesson.quizzes if quiz.slug == quiz_slug), None)
    if quiz is None:
        raise LearningError(
            _("Bài học này không có bài kiểm tra “%(quiz)s”.", quiz=(quiz_slug or "")[:80])
        )
    if (found := _logged(event_id)) is not None:
        _same_action(found, person, {EventKind.ANSWERED}, lesson, quiz)
        return _replayed_quiz(found)
    _check_open(lesson)
    if quiz.is_retired:
        raise LearningError(
            _("Bài kiểm tra “%(quiz)s” đã ngừng sử dụng; hãy tải lại trang.", quiz=quiz.title)
        )
    now = utcnow()
    _check_may_attempt(person, quiz, now)
    answers = read_answers(quiz, fields)
    result = score_quiz(quiz.questions, answers, quiz.pass_mark)

    def add():
        attempt = QuizAttempt(
            person_id=person.id,
            course_id=lesson.course_id,
            lesson_id=lesson.id,
            quiz_id=quiz.id,
            answers=answers,
            results=[
                {
                    "id": item.id,
                    "is_answered": item.is_answered,
                    "is_correct": item.is_correct,
                    "feedback": item.feedback,
                }
                for item in result.questions
            ],
            correct=result.correct,
            total=result.total,
            percent=result.percent,
            pass_mark=quiz.pass_mark,
            is_passed=bool(result.passed),
            submitted_at=now,
        )
        db.session.add(attempt)
        db.session.flush()
        where = {"lesson_id": lesson.id, "quiz_id": quiz.id, "attempt_id": attempt.id}
        _log(
            person,
            EventKind.ANSWERED,
            event_id,
            lesson.course_id,
            seconds=seconds,
            page_view=page_view,
            **where,
        )
        outcome = EventKind.PASSED if attempt.is_passed else EventKind.FAILED
        _log(person, outcome, _derived_event_id(event_id, "outcome"), lesson.course_id, **where)
        db.session.flush()
        return attempt

    attempt = _claim(event_id, add)
    if attempt is None:
        found = _logged(event_id)
        assert found is not None  # _claim returns None only when the event id was logged
        return _replayed_quiz(found)
    course_progress = _touch(person, lesson, seconds, now)[1]
    certificate = None
    if attempt.is_passed:
        certificate = _complete_course_if_done(
            person, lesson.course, course_progress, event_id, now
        )
    return QuizOutcome(attempt=attempt, is_replay=False, certificate=certificate)


@dataclass(frozen=True)
class AttemptStanding:
    """Where a learner stands with a quiz's attempts: what the next attempt may do."""

    attempts: int
    is_passed: bool
    last_submitted_at: datetime | None
    max_attempts: int | None
    wait_minutes: int | None

    @property
    def is_exhausted(self) -> bool:
        return self.max_attempts is not None and self.attempts >= self.max_attempts

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts is None else max(0, self.max_attempts - self.attempts)

    @property
    def answers_shown(self) -> bool:
        """Answers are shown after a pass or after the last allowed attempt, never before."""
        return self.is_passed or self.is_exhausted

    def next_attempt_at(self) -> datetime | None:
        """Return when the wait after the last (failed) attempt ends, if there is a wait."""
        if not self.wait_minutes or self.last_submitted_at is None or self.is_passed:
            return None
        return self.last_submitted_at + timedelta(minutes=self.wait_minutes)

    def may_attempt(self, now: datetime) -> bool:
        waits_until = self.next_attempt_at()
        return (
            not self.is_passed
            and not self.is_exhausted
            and (waits_until is None or now >= waits_until)
        )


def attempt_standing(person_id: int, quiz: Quiz) -> AttemptStanding:
    """Return the person's attempts at the quiz, whether one passed, and the last one's time."""
    row = db.session.execute(
        select(
            func.count(QuizAttempt.id),
            func.max(case((QuizAttempt.is_passed, 1), else_=0)),
            func.max(QuizAttempt.submitted_at),
        ).where(QuizAttempt.person_id == person_id, QuizAttempt.quiz_id == quiz.id)
    ).one()
    return AttemptStanding(
        attempts=row[0],
        is_passed=bool(row[1]),
        last_submitted_at=row[2],
        max_attempts=quiz.max_attempts,
        wait_minutes=quiz.wait_minutes,
    )


def _check_may_attempt(person: Person, quiz: Quiz, now: datetime) -> None:
    standing = attempt_standing(person.id, quiz)
    if standing.is_passed:
        raise LearningError(
            _("Bạn đã đạt bài kiểm tra “%(quiz)s”; không cần làm lại.", quiz=quiz.title)
        )
    if standing.is_exhausted:
        raise LearningError(
            _(
                "Bạn đã làm hết %(n)d lần được phép của bài kiểm tra “%(quiz)s”.",
                n=quiz.max_attempts,
                quiz=quiz.title,
            )
        )
    waits_until = standing.next_attempt_at()
    if waits_until is not None and now < waits_until:
        raise LearningError(
            _(
                "Bài kiểm tra “%(quiz)s” cho làm lại sau %(n)d phút: hãy quay lại từ %(time)s.",
                quiz=quiz.title,
                n=quiz.wait_minutes,
                time=vn_moment(waits_until),
            )
        )


# Completing a course --------------------------------------------------------------------------


def required_lesson_ids(lessons: Iterable[tuple[int, bool]]) -> list[int]:
    """Return the lessons a course needs, from its current (id, is_required) pairs.

    A course whose lessons are all optional needs all of them, so that it is never complete
    before anything was studied.
    """
    lessons = list(lessons)
    return [lesson_id for lesson_id, required in lessons if required] or [
        lesson_id for lesson_id, _required in lessons
    ]


def _complete_course_if_done(
    person: Person, course: Course, course_progress: CourseProgress, event_id: str, now: datetime
) -> Certificate | None:
    """Record the course complete if every current required lesson is done and quiz passed."""
    if course_progress.completed_at is not None or course.is_retired:
        return None
    lessons = db.session.execute(
        select(Lesson.id, Lesson.is_required, Lesson.minutes).where(
            Lesson.course_id == course.id, Lesson.is_retired.is_(False)
        )
    ).all()
    required = set(required_lesson_ids((row.id, row.is_required) for row in lessons))
    if not required:
        return None
    completed = set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.person_id == person.id,
                LessonProgress.course_id == course.id,
                LessonProgress.completed_at.is_not(None),
            )
        )
    )
    if not required <= completed:
        return None
    quiz_ids = set(
        db.session.scalars(
            select(Quiz.id).where(Quiz.lesson_id.in_(required), Quiz.is_retired.is_(False))
        )
    )
    if not quiz_ids <= passed_quiz_ids(person.id, quiz_ids):
        return None
    nominal = sum(row.minutes for row in lessons if row.id in required)
    if not _mark_course_complete(person, course, course_progress, nominal, event_id, now):
        return None
    return _issue_certificate(person, course, course_progress.id, now)


def _mark_course_complete(
    person: Person,
    course: Course,
    course_progress: CourseProgress,
    nominal_minutes: int,
    event_id: str,
    now: datetime,
) -> bool:
    """Record the course complete, once; return False if another request just did.

    This is the one place a course completion is recorded (CourseProgress.completed_at set).
    """
    engaged = db.session.scalar(
        select(func.coalesce(func.sum(LessonProgress.seconds_spent), 0)).where(
            LessonProgress.person_id == person.id, LessonProgress.course_id == course.id
        )
    )
    # Conditional, so that two requests finishing the course at once complete it once.
    done = rows_changed(
        update(CourseProgress)
        .where(CourseProgress.id == course_progress.id, CourseProgress.completed_at.is_(None))
        .values(
            completed_at=now,
            hours_credited=course.hours,
            engaged_seconds=engaged,
            nominal_minutes=nominal_minutes,
            is_rule_applied=credible_rule().is_in_force(local_day(now)),
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(course_progress)
    if done != 1:
        return False
    ledger.credit_course(course_progress)
    _log(
        person,
        EventKind.COMPLETED,
        _derived_event_id(event_id, "course-completed"),
        course.id,
        occurred_at=now,
    )
    return True


def complete_course(person: Person, course: Course, *, event_id: str | None) -> CompletionOutcome:
    """Record the course complete when all it needs is done but no lesson action finished it.

    That happens when the lessons still missing were retired after the learner's last step.
    """
    event_id = parse_event_id(event_id)
    if (found := _logged(_derived_event_id(event_id, "course-completed"))) is not None:
        if found.person_id != person.id or found.course_id != course.id:
            raise LearningError(
                _("Mã sự kiện này đã được dùng cho một việc khác. Hãy tải lại trang rồi thử lại.")
            )
        return CompletionOutcome(is_replay=True, was_complete=True, certificate=None)
    course_progress = db.session.scalar(
        select(CourseProgress).where(
            CourseProgress.person_id == person.id, CourseProgress.course_id == course.id
        )
    )
    if course_progress is not None and course_progress.completed_at is not None:
        return CompletionOutcome(is_replay=False, was_complete=True, certificate=None)
    if course.is_retired:
        raise LearningError(
            _("Khóa học “%(title)s” đã ngừng sử dụng nên không ghi nhận thêm.", title=course.title)
        )
    certificate = None
    if course_progress is not None:
        certificate = _complete_course_if_done(person, course, course_progress, event_id, utcnow())
    if certificate is None:
        if course_progress is not None and course_progress.completed_at is not None:
            return CompletionOutcome(is_replay=False, was_complete=True, certificate=None)
        raise LearningError(
            _(
                "Khóa học chưa hoàn thành: còn bài bắt buộc chưa học xong hoặc bài kiểm tra chưa "
                "đạt."
            )
        )
    return CompletionOutcome(is_replay=False, was_complete=False, certificate=certificate)


def new_certificate_code() -> str:
    """Return a random code such as 7KQM-X3PA-RT9C."""
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )


def _issue_certificate(
    person: Person, course: Course, course_progress_id: int, now: datetime
) -> Certificate:
    day = local_day(now)
    code = new_certificate_code()
    # About 8·10^17 codes: a clash is all but impossible, but costs only a look-up to avoid.
    while db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is not None:
        code = new_certificate_code()
    certificate = Certificate(
        code=code,
        course_progress_id=course_progress_id,
        person_id=person.id,
        course_id=course.id,
        holder_name=person.full_name,
        course_title=course.title,
        hours=course.hours,
        completed_on=day,
        issuer_name=agency_unit_name_on(day),
        issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def normal_code(text: str) -> str:
    """Return a typed verification code in stored form: upper case, no outer spaces."""
    return text.strip().upper()


# The credible-completion rule -----------------------------------------------------------------

RULE_FIELDS = ("min_share_percent", "flag_share_percent", "starts_on")


def _percent(text: str, label: str, low: int, field: str) -> int:
    text = (text or "").strip().removesuffix("%").strip()
    if not (text.isascii() and text.isdigit() and low <= int(text) <= 100):
        raise LearningError(
            _("%(label)s phải là số nguyên từ %(low)d đến 100 (phần trăm).", label=label, low=low),
            field=field,
        )
    return int(text)


def set_credible_rule(
    *, min_share: str, flag_share: str, starts_on: str, actor_id: int | None
) -> LearningRule:
    """Save a new version of the credible-completion rule; the old one stays in the history."""
    min_share_percent = _percent(min_share, _("Tỷ lệ thời gian tối thiểu"), 1, "min_share_percent")
    flag_share_percent = _percent(flag_share, _("Ngưỡng đánh dấu"), 0, "flag_share_percent")
    if flag_share_percent > min_share_percent:
        raise LearningError(
            _(
                "Ngưỡng đánh dấu (%(flag)d%%) không được lớn hơn tỷ lệ thời gian tối thiểu "
                "(%(share)d%%).",
                flag=flag_share_percent,
                share=min_share_percent,
            ),
            field="flag_share_percent",
        )
    day = parse_day(starts_on or "")
    if day is None:
        raise LearningError(
            _("Ngày bắt đầu áp dụng không hợp lệ: hãy nhập theo dạng ngày/tháng/năm."),
            field="starts_on",
        )
    previous = db.session.scalar(select(LearningRule).order_by(LearningRule.id.desc()).limit(1))
    rule = LearningRule(
        min_share_percent=min_share_percent,
        flag_share_percent=flag_share_percent,
        starts_on=day,
        created_by_id=actor_id,
    )
    db.session.add(rule)
    db.session.flush()
    audit.record(
        "learning_rule.save",
        rule,
        _(
            "Quy tắc hoàn thành bài học: tối thiểu %(share)d%% thời lượng, đánh dấu dưới "
            "%(flag)d%%, áp dụng từ %(day)s",
            share=min_share_percent,
            flag=flag_share_percent,
            day=vn_date(day),
        ),
        before=audit.snapshot(previous, RULE_FIELDS) if previous else None,
        after=audit.snapshot(rule, RULE_FIELDS),
        actor_id=actor_id,
    )
    return rule
