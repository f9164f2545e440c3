"""Reads for the learner's pages: catalogue, course, lesson, certificates and the home panel.

Each page costs a fixed number of queries, whatever the number of courses, lessons or quizzes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from flask import url_for
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import Select, and_, bindparam, case, func, literal, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, contains_eager, selectinload
from sqlalchemy.sql.expression import BindParameter, ColumnElement

from lms.courses.format import PUBLIC
from lms.courses.media import TYPES as MEDIA_TYPES
from lms.courses.models import Course, CourseMedia, Lesson, Quiz
from lms.courses.queries import course_by_slug, lesson_html_now
from lms.courses.quiz import answer_text, public_questions
from lms.db import UTCDateTime, among, db, id_list, read, utcnow
from lms.dictionary import queries as dictionary_queries
from lms.i18n import local_day, local_today, utc_span
from lms.languages import LANGUAGES
from lms.learning.models import (
    Certificate,
    CourseProgress,
    LearningRule,
    LessonProgress,
    QuizAttempt,
)
from lms.learning.rules import DEFAULT_FLAG_SHARE_PERCENT, DEFAULT_MIN_SHARE_PERCENT
from lms.learning.services import AttemptStanding, needed_seconds, required_lesson_ids
from lms.reference import current_stamp, remembered
from lms.text import collation_key, fold, search_normal

# Where the importer left a quiz in the lesson's HTML (see lms.courses.render.quiz_slot_html).
QUIZ_SLOT_RE = re.compile(r'<div class="quiz-slot" data-quiz="([a-z0-9-]+)"></div>')


# Lessons and where the learner stands ---------------------------------------------------------


@dataclass(frozen=True)
class LessonState:
    id: int
    slug: str
    title: str
    position: int
    minutes: int
    is_required: bool
    quiz_count: int
    is_started: bool
    is_completed: bool
    seconds_spent: int
    quizzes_passed: bool

    @property
    def is_done(self) -> bool:
        """Complete, with every current quiz passed (a quiz may be added after completion)."""
        return self.is_completed and self.quizzes_passed


@dataclass(frozen=True)
class QuizStats:
    attempts: int
    best_percent: int | None
    is_passed: bool
    last_submitted_at: datetime | None = None


NO_ATTEMPTS = QuizStats(attempts=0, best_percent=None, is_passed=False)


@dataclass(frozen=True)
class CourseState:
    """A course's current lessons in order, each with the learner's status."""

    lessons: list[LessonState]
    quizzes: dict[int, QuizStats] = field(default_factory=dict)  # by quiz id, current ones

    @property
    def required(self) -> list[LessonState]:
        ids = set(required_lesson_ids((lesson.id, lesson.is_required) for lesson in self.lessons))
        return [lesson for lesson in self.lessons if lesson.id in ids]

    @property
    def required_done(self) -> int:
        return sum(lesson.is_done for lesson in self.required)

    @property
    def required_total(self) -> int:
        return len(self.required)

    @property
    def percent(self) -> int:
        return self.required_done * 100 // self.required_total if self.required_total else 0

    @property
    def next_lesson(self) -> LessonState | None:
        """The lesson to continue with: the first required one not done, else any not done."""
        return next((lesson for lesson in self.required if not lesson.is_done), None) or next(
            (lesson for lesson in self.lessons if not lesson.is_done), None
        )

    @property
    def is_started(self) -> bool:
        return any(lesson.is_started for lesson in self.lessons)


# Built once: the lesson page runs this on every request, and building a statement costs more
# than running it. One statement for the lessons and their quizzes: on PostgreSQL each statement
# is a round trip, about 0.4 ms of CPU between the app and the server whatever it reads.
_COURSES: BindParameter[list[int]] = bindparam("course_ids", expanding=True)
_PERSON: BindParameter[int] = bindparam("person_id")
# The current quizzes of the courses' current lessons, with the person's attempts at each.
_QUIZ_STATS = (
    select(
        Quiz.id.label("quiz_id"),
        Quiz.lesson_id,
        func.count(QuizAttempt.id).label("attempts"),
        func.max(QuizAttempt.percent).label("best"),
        func.max(case((QuizAttempt.is_passed, 1), else_=0)).label("passed"),
        func.max(QuizAttempt.submitted_at).label("last"),
    )
    .join(Lesson, Lesson.id == Quiz.lesson_id)
    .outerjoin(QuizAttempt, and_(QuizAttempt.quiz_id == Quiz.id, QuizAttempt.person_id == _PERSON))
    .where(Lesson.course_id.in_(_COURSES), Lesson.is_retired.is_(False), Quiz.is_retired.is_(False))
    .group_by(Quiz.id, Quiz.lesson_id)
    .subquery()
)
# Each current lesson with the person's progress, once per quiz of it (once if it has none).
_LESSON_STATES = (
    select(
        Lesson.id,
        Lesson.course_id,
        Lesson.slug,
        Lesson.title,
        Lesson.position,
        Lesson.minutes,
        Lesson.is_required,
        LessonProgress.id.label("progress_id"),
        LessonProgress.seconds_spent,
        LessonProgress.completed_at,
        _QUIZ_STATS.c.quiz_id,
        _QUIZ_STATS.c.attempts,
        _QUIZ_STATS.c.best,
        _QUIZ_STATS.c.passed,
        _QUIZ_STATS.c.last,
    )
    .outerjoin(
        LessonProgress,
        and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.person_id == _PERSON),
    )
    .outerjoin(_QUIZ_STATS, _QUIZ_STATS.c.lesson_id == Lesson.id)
    .where(Lesson.course_id.in_(_COURSES), Lesson.is_retired.is_(False))
    .order_by(Lesson.course_id, Lesson.position, Lesson.id, _QUIZ_STATS.c.quiz_id)
)


def course_states(person_id: int | None, course_ids: Iterable[int]) -> dict[int, CourseState]:
    """Return each course's current lessons and quizzes with the person's status (None: a
    visitor, nothing started), in one query."""
    course_ids = sorted(set(course_ids))
    if not course_ids:
        return {}
    states: dict[int, list[LessonState]] = {course_id: [] for course_id in course_ids}
    quizzes: dict[int, dict[int, QuizStats]] = {course_id: {} for course_id in course_ids}
    rows = read(_LESSON_STATES, {"person_id": person_id, "course_ids": course_ids}).all()
    # Rows unpacked by position (in the statement's column order): a Row's attribute is looked
    # up by name, ten times slower, and the lesson and home pages run this each time. A
    # lesson's rows come together, one per quiz (one with no quiz if it has none).
    for _lesson_id, group in groupby(rows, key=itemgetter(0)):
        lesson_rows = list(group)
        (
            lesson_id,
            course_id,
            slug,
            title,
            position,
            minutes,
            is_required,
            progress_id,
            seconds_spent,
            completed_at,
        ) = lesson_rows[0][:10]
        found = {
            quiz_id: QuizStats(attempts, best, bool(passed), last)
            for quiz_id, attempts, best, passed, last in (row[10:] for row in lesson_rows)
            if quiz_id is not None
        }
        quizzes[course_id].update(found)
        states[course_id].append(
            LessonState(
                id=lesson_id,
                slug=slug,
                title=title,
                position=position,
                minutes=minutes,
                is_required=is_required,
                quiz_count=len(found),
                is_started=progress_id is not None,
                is_completed=completed_at is not None,
                seconds_spent=seconds_spent or 0,
                quizzes_passed=all(stats.is_passed for stats in found.values()),
            )
        )
    return {
        course_id: CourseState(lessons, quizzes[course_id]) for course_id, lessons in states.items()
    }


# The catalogue --------------------------------------------------------------------------------


# A query word this short must start a word of the text: "an" does not find "toàn".
SHORT_WORD = 3


def _occurs(word: str, haystack: str) -> bool:
    if len(word) > SHORT_WORD:
        return word in haystack
    return re.search(rf"(?<!\w){re.escape(word)}", haystack) is not None


def matches(query: str, text: str, *, ignore_diacritics: bool) -> bool:
    """Say whether every word of query occurs in text.

    Both sides are normalised the same way: NFC, case folded, the apostrophes ' ’ ʼ as one; with
    ignore_diacritics also without marks and with đ as d, so "tieng tay" finds "Tiếng Tày". A
    word of at most SHORT_WORD letters must start a word of the text.
    """
    normal = fold if ignore_diacritics else search_normal
    haystack = normal(text)
    return all(_occurs(word, haystack) for word in normal(query).split())


# Other names learners type for a language (besides "Tiếng X", "X" and the name in brackets).
LANGUAGE_ALIASES = {"hnj": ("Hmông", "H'Mông"), "mlc": ("Cao Lan",)}
# The languages a search can name: the province's minority languages. Việt, Anh, Trung (Hoa) and
# Pháp are everyday words too ("anh", "ảnh", "hoa", "viết"), so those searches stay word searches.
SEARCHABLE_LANGUAGES = ("tyz", "nut", "hnj", "blu", "ium", "mlc", "x-sandiu")


def _language_names(code: str) -> list[str]:
    """Return the Vietnamese names of a language without "Tiếng": Tày; Mông, Hmông Njua; …"""
    with force_locale("vi"):
        label = str(LANGUAGES[code])
    main, _, bracket = label.partition(" (")
    names = [main, bracket.rstrip(")")] if bracket else [main]
    names = [name.removeprefix("Tiếng ").strip() for name in names]
    return names + list(LANGUAGE_ALIASES.get(code, ()))


def understood_language(query: str, *, ignore_diacritics: bool) -> str | None:
    """Return the code of the language the whole query names ("dao", "tiếng Tày", "hmong").

    The query may start with "tiếng"; apostrophes are ignored (H'Mông, Hmông). With
    ignore_diacritics "tay" is Tày; without it only the written name counts. When two languages
    share a name (Mông), the first in SEARCHABLE_LANGUAGES wins.
    """
    normal = fold if ignore_diacritics else search_normal

    def key(text: str) -> str:
        words = normal(text).replace("'", "").split()
        if words and words[0] == normal("tiếng"):
            words = words[1:]
        return " ".join(words)

    wanted = key(query)
    if not wanted:
        return None
    for code in SEARCHABLE_LANGUAGES:
        if any(key(name) == wanted for name in _language_names(code)):
            return code
    return None


def names_language(text: str, code: str) -> bool:
    """Say whether text names the language as written, as a whole word: "người Dao", "Tày".

    Diacritics always count here: "Dao" is not "đào" (tạo) nor "đảo" (lừa đảo), though folded
    they are all "dao".
    """
    haystack = search_normal(text)
    return any(
        re.search(rf"(?<!\w){re.escape(search_normal(name))}(?!\w)", haystack)
        for name in _language_names(code)
    )


@dataclass(frozen=True)
class CatalogueCourse:
    id: int
    slug: str
    title: str
    summary: str
    category: str
    language: str
    level: str
    hours: Decimal
    lesson_count: int
    minutes: int
    is_started: bool = False
    is_completed: bool = False
    required_done: int = 0
    required_total: int = 0


@dataclass(frozen=True)
class Catalogue:
    """The catalogue's courses: those of the language the search names first, then the others."""

    # Other courses (all of them without a search), by category, in Vietnamese title order.
    groups: dict[str, list[CatalogueCourse]]
    # The language the search was understood as (a code of LANGUAGES), and its courses.
    language: str | None = None
    language_courses: list[CatalogueCourse] = field(default_factory=list)
    # How many published entries the language's dictionary has (its page is linked).
    dictionary_entries: int = 0

    @property
    def found(self) -> int:
        return len(self.language_courses) + sum(len(courses) for courses in self.groups.values())


def catalogue(
    person_id: int | None,
    search: str = "",
    *,
    ignore_diacritics: bool = True,
    public_only: bool = False,
) -> Catalogue:
    """Return the current courses matching search (with public_only, the courses open to
    everyone; person_id None: a visitor's, with no progress).

    A search that names a language (understood_language) lists that language's courses first;
    other courses follow when their title or summary names the language as written (so "dao"
    does not bring "đào tạo"). Any other search matches every word (matches).
    """
    lessons = (
        select(
            Lesson.course_id,
            func.count(Lesson.id).label("n"),
            func.sum(Lesson.minutes).label("minutes"),
        )
        .where(Lesson.is_retired.is_(False))
        .group_by(Lesson.course_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Course.id,
            Course.slug,
            Course.title,
            Course.summary,
            Course.category,
            Course.language,
            Course.level,
            Course.hours,
            func.coalesce(lessons.c.n, 0),
            func.coalesce(lessons.c.minutes, 0),
        )
        .outerjoin(lessons, lessons.c.course_id == Course.id)
        .where(
            Course.is_retired.is_(False),
            Course.audience == PUBLIC if public_only else true(),
        )
    ).all()
    language = understood_language(search, ignore_diacritics=ignore_diacritics)

    def wanted(row: Any) -> bool:
        text = f"{row.title}\n{row.summary}"
        if language is not None:
            return row.language == language or names_language(text, language)
        return not search.strip() or matches(search, text, ignore_diacritics=ignore_diacritics)

    # Few courses: searching them in Python keeps one folding rule for NFD input and apostrophes.
    found = [CatalogueCourse(*row) for row in rows if wanted(row)]
    progress = (
        {}
        if person_id is None
        else dict(
            db.session.execute(
                select(CourseProgress.course_id, CourseProgress.completed_at).where(
                    CourseProgress.person_id == person_id,
                    CourseProgress.course_id.in_([course.id for course in found]),
                )
            ).all()
        )
    )
    states = course_states(person_id, progress) if person_id is not None else {}
    groups: dict[str, list[CatalogueCourse]] = defaultdict(list)
    language_courses: list[CatalogueCourse] = []
    for course in sorted(found, key=lambda course: collation_key(course.title)):
        if course.id in progress:
            state = states[course.id]
            course = replace(
                course,
                is_started=True,
                is_completed=progress[course.id] is not None,
                required_done=state.required_done,
                required_total=state.required_total,
            )
        if language is not None and course.language == language:
            language_courses.append(course)
        else:
            groups[course.category].append(course)
    entries = dictionary_queries.entry_count(language) if language is not None else 0
    return Catalogue(groups, language, language_courses, entries)


# A course -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoursePage:
    course: Course
    state: CourseState
    progress: CourseProgress | None
    certificate_id: int | None


def course_page(person_id: int | None, slug: str) -> CoursePage | None:
    """Return the course with its current lessons, the learner's status and certificate (a
    visitor's, person_id None: nothing started)."""
    course = course_by_slug(slug)
    if course is None:
        return None
    found = db.session.execute(
        select(CourseProgress, Certificate.id)
        .outerjoin(Certificate, Certificate.course_progress_id == CourseProgress.id)
        .where(CourseProgress.person_id == person_id, CourseProgress.course_id == course.id)
    ).first()
    progress, certificate_id = found if found else (None, None)
    return CoursePage(
        course=course,
        state=course_states(person_id, [course.id])[course.id],
        progress=progress,
        certificate_id=certificate_id,
    )


# A lesson -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizPanel:
    quiz: Quiz
    questions: list[dict[str, Any]]  # without answers or feedback, choices in this attempt's order
    attempts: int
    best_percent: int | None
    is_passed: bool
    shown: QuizAttempt | None  # the attempt whose result the page shows
    standing: AttemptStanding | None = None
    may_attempt: bool = True
    # The right answers by question id: only once they may be shown (after a pass or the last
    # allowed attempt).
    answers: dict[str, str] = field(default_factory=dict)
    # A refused submission shown again: what was typed, and each refusal by question id.
    typed: dict[str, Any] | None = None
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def answers_shown(self) -> bool:
        return bool(self.answers)

    @property
    def order_key(self) -> tuple:
        """The order choices and meanings are shown in: the same questions, the same HTML."""
        return tuple(
            (
                tuple(index for index, _text in question.get("choices", ())),
                tuple(question.get("options", ())),
            )
            for question in self.questions
        )

    def result_for(self, question_id: str) -> dict[str, Any] | None:
        """Return how the shown attempt did on the question, if one is shown.

        Its feedback only when the answers may be shown: it often gives the answer away.
        """
        if self.shown is None:
            return None
        found = next((item for item in self.shown.results if item["id"] == question_id), None)
        if found is not None and not self.answers_shown:
            found = {**found, "feedback": None}
        return found

    def answer_for(self, question_id: str) -> Any:
        """Return what was typed in a refused submission, else what the shown attempt
        answered, to fill the form in again."""
        if self.typed is not None:
            return self.typed.get(question_id)
        return self.shown.answers.get(question_id) if self.shown is not None else None


@dataclass(frozen=True)
class TypedQuiz:
    """A refused submission of the quiz slug: what was typed, and each refusal by question id."""

    slug: str
    answers: dict[str, Any]
    problems: dict[str, str]


@dataclass
class LessonPage:
    lesson: Lesson
    state: CourseState
    quizzes: list[QuizPanel]
    parts: list[tuple[Markup, QuizPanel | None]] = field(default_factory=list)
    previous: LessonState | None = None
    next: LessonState | None = None
    number: int | None = None  # 1-based place among the current lessons
    # Engaged seconds the lesson needs before it may be completed (0: no such need).
    needed_seconds: int = 0
    # Read without signing in (a public course): nothing is kept, no quiz is sent.
    is_visitor: bool = False

    @property
    def missing_seconds(self) -> int:
        """Engaged seconds still needed before the lesson may be completed."""
        mine = self.mine
        if mine is None:
            return self.needed_seconds
        if mine.is_completed:
            return 0
        return max(0, self.needed_seconds - mine.seconds_spent)

    @property
    def course(self) -> Course:
        return self.lesson.course

    @property
    def is_open(self) -> bool:
        return not (self.lesson.is_retired or self.lesson.course.is_retired)

    @property
    def may_act(self) -> bool:
        """Whether the page offers to complete the lesson and send quizzes."""
        return self.is_open and not self.is_visitor

    @property
    def mine(self) -> LessonState | None:
        return next((lesson for lesson in self.state.lessons if lesson.id == self.lesson.id), None)


def split_body(html: str) -> list[tuple[str, str | None]]:
    """Cut lesson HTML at its quiz slots: (HTML before the slot, the quiz's slug) pairs."""
    pieces = QUIZ_SLOT_RE.split(html)
    # re.split alternates text and captured slugs: text, slug, text, slug, ..., text.
    return [
        (pieces[index], pieces[index + 1] if index + 1 < len(pieces) else None)
        for index in range(0, len(pieces), 2)
    ]


def lesson_for_action(course_slug: str, lesson_slug: str) -> Lesson | None:
    """Return the lesson (retired too) with its course and all its quizzes."""
    return db.session.scalar(
        select(Lesson)
        .join(Lesson.course)
        .where(Course.slug == course_slug, Lesson.slug == lesson_slug)
        .options(contains_eager(Lesson.course), selectinload(Lesson.quizzes))
    )


def lesson_after(lesson: Lesson) -> str | None:
    """Return the slug of the current lesson that follows lesson in its course."""
    return db.session.scalar(
        select(Lesson.slug)
        .where(
            Lesson.course_id == lesson.course_id,
            Lesson.is_retired.is_(False),
            Lesson.position > lesson.position,
        )
        .order_by(Lesson.position)
        .limit(1)
    )


# The lesson, its course and its current quizzes in one round trip (a row per quiz).
_LESSON_WITH_QUIZZES = (
    select(Lesson, Quiz)
    .join(Lesson.course)
    .outerjoin(Quiz, and_(Quiz.lesson_id == Lesson.id, Quiz.is_retired.is_(False)))
    .where(Course.slug == bindparam("course_slug"), Lesson.slug == bindparam("lesson_slug"))
    .options(contains_eager(Lesson.course))
    .order_by(Quiz.position)
)
# Lessons kept per process (each course's, read by its learners), beside the shared reference
# reads: a few hundred lessons' HTML and quizzes are a few megabytes.
LESSONS_KEPT = 256


class _NoLesson(LookupError):
    """No such lesson: not kept (a miss is any URL a visitor types)."""


def lesson_content(course_slug: str, lesson_slug: str) -> tuple[Lesson, list[Quiz]] | None:
    """The lesson (retired too) with its course and current quizzes, read once per reference
    stamp (lms.reference: imports write lessons, quizzes and courses, and a new stamp with them).

    Shared by the requests that follow, the objects are read by a session of their own on the
    request's connection (the same transaction) and leave it loaded: never the request's own
    objects, never attached to a request, and never to be changed. Only their columns and
    `Lesson.course` are loaded: their other relationships raise (detached). A lesson not found
    is not kept: a visitor typing URLs would otherwise push the lessons out."""
    try:
        return remembered(
            current_stamp(),
            (course_slug, lesson_slug),
            lambda: _read_lesson_content(course_slug, lesson_slug),
            shelf="lessons",
            size=LESSONS_KEPT,
        )
    except _NoLesson:
        return None


def _read_lesson_content(course_slug: str, lesson_slug: str) -> tuple[Lesson, list[Quiz]]:
    with Session(bind=db.session.connection()) as reader:
        rows = reader.execute(
            _LESSON_WITH_QUIZZES, {"course_slug": course_slug, "lesson_slug": lesson_slug}
        ).all()
        reader.expunge_all()  # detached, as loaded: closing the session expires nothing
    if not rows:
        raise _NoLesson(course_slug, lesson_slug)
    return rows[0][0], [quiz for _lesson, quiz in rows if quiz is not None]


_ATTEMPT = select(QuizAttempt).where(
    QuizAttempt.id == bindparam("attempt_id"),
    QuizAttempt.person_id == _PERSON,
    QuizAttempt.lesson_id == bindparam("lesson_id"),
)


def lesson_page(
    person_id: int | None,
    course_slug: str,
    lesson_slug: str,
    attempt_id: int | None = None,
    typed: TypedQuiz | None = None,
) -> LessonPage | None:
    """Return the lesson with its quizzes (without answers), its neighbours and my status;
    typed, when given, fills its quiz in again with a refused submission."""
    found = lesson_content(course_slug, lesson_slug)
    if found is None:
        return None
    lesson, quizzes = found
    shown = None
    if attempt_id is not None:
        shown = db.session.scalar(
            _ATTEMPT, {"attempt_id": attempt_id, "person_id": person_id, "lesson_id": lesson.id}
        )
    state = course_states(person_id, [lesson.course_id])[lesson.course_id]
    now = utcnow()
    panels = {}
    for quiz in quizzes:
        stats = state.quizzes.get(quiz.id, NO_ATTEMPTS)
        standing = AttemptStanding(
            attempts=stats.attempts,
            is_passed=stats.is_passed,
            last_submitted_at=stats.last_submitted_at,
            max_attempts=quiz.max_attempts,
            wait_minutes=quiz.wait_minutes,
        )
        panels[quiz.slug] = QuizPanel(
            quiz=quiz,
            # A new order for each attempt: an answer is not "the second choice" next time.
            questions=public_questions(
                quiz.questions, shuffle_seed=f"{quiz.id}/{person_id}/{stats.attempts}"
            ),
            attempts=stats.attempts,
            best_percent=stats.best_percent,
            is_passed=stats.is_passed,
            shown=shown if shown is not None and shown.quiz_id == quiz.id else None,
            standing=standing,
            may_attempt=standing.may_attempt(now),
            answers=(
                {question["id"]: answer_text(question) for question in quiz.questions}
                if standing.answers_shown
                else {}
            ),
            typed=typed.answers if typed is not None and typed.slug == quiz.slug else None,
            problems=typed.problems if typed is not None and typed.slug == quiz.slug else {},
        )
    page = LessonPage(
        lesson=lesson,
        state=state,
        quizzes=list(panels.values()),
        needed_seconds=needed_seconds(lesson, local_today(), has_quiz=bool(quizzes)),
        is_visitor=person_id is None,
    )
    placed = set()
    for html, slug in split_body(lesson_html_now(lesson)):
        panel = panels.get(slug) if slug else None
        if panel is not None:
            placed.add(slug)
        page.parts.append((Markup(html), panel))
    # A quiz whose slot is missing from the HTML still appears, after the text.
    page.parts.extend((Markup(""), panel) for slug, panel in panels.items() if slug not in placed)
    ids = [item.id for item in state.lessons]
    if lesson.id in ids:
        index = ids.index(lesson.id)
        page.number = index + 1
        page.previous = state.lessons[index - 1] if index > 0 else None
        page.next = state.lessons[index + 1] if index + 1 < len(ids) else None
    return page


# Certificates and the home panel --------------------------------------------------------------


def certificate_of(person_id: int, certificate_id: int) -> Certificate | None:
    """Return the certificate if it belongs to the person."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.id == certificate_id, Certificate.person_id == person_id
        )
    )


def certificate_by_code(code: str) -> Certificate | None:
    """Return the certificate with this verification code (already in stored form)."""
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


@dataclass(frozen=True)
class CourseInProgress:
    slug: str
    title: str
    required_done: int
    required_total: int
    next_lesson_slug: str | None
    last_activity_at: datetime


@dataclass(frozen=True)
class CompletedCourse:
    slug: str
    title: str
    completed_at: datetime
    completed_on: date  # in the agency's time zone
    hours_credited: Decimal
    certificate_id: int | None


@dataclass(frozen=True)
class LearnerCourses:
    in_progress: list[CourseInProgress]
    completed: list[CompletedCourse]


# Built once, like the lesson page's: the learner's home page runs it on every visit.
_MY_COURSES = (
    select(
        Course.id.label("course_id"),
        Course.slug,
        Course.title,
        Course.is_retired,
        CourseProgress.last_activity_at,
        CourseProgress.completed_at,
        CourseProgress.hours_credited,
        Certificate.id.label("certificate_id"),
    )
    .join(Course, Course.id == CourseProgress.course_id)
    .outerjoin(Certificate, Certificate.course_progress_id == CourseProgress.id)
    .where(CourseProgress.person_id == _PERSON)
    .order_by(CourseProgress.last_activity_at.desc())
)


def learner_courses(person_id: int) -> LearnerCourses:
    """Return the courses the person is studying (latest first) and those completed."""
    rows = read(_MY_COURSES, {"person_id": person_id}).all()
    open_ids = [row.course_id for row in rows if row.completed_at is None and not row.is_retired]
    states = course_states(person_id, open_ids)
    in_progress = []
    for row in rows:
        if row.course_id in states:
            state = states[row.course_id]
            following = state.next_lesson
            in_progress.append(
                CourseInProgress(
                    slug=row.slug,
                    title=row.title,
                    required_done=state.required_done,
                    required_total=state.required_total,
                    next_lesson_slug=following.slug if following else None,
                    last_activity_at=row.last_activity_at,
                )
            )
    completed = sorted(
        (
            CompletedCourse(
                slug=row.slug,
                title=row.title,
                completed_at=row.completed_at,
                completed_on=local_day(row.completed_at),
                hours_credited=row.hours_credited,
                certificate_id=row.certificate_id,
            )
            for row in rows
            if row.completed_at is not None
        ),
        key=lambda course: course.completed_at,
        reverse=True,
    )
    return LearnerCourses(in_progress=in_progress, completed=completed)


# Completions far below the nominal time, for the manager -------------------------------------


class FlagReason(StrEnum):
    # Engaged time below the rule's flag share of the course's nominal time, whenever it was.
    FAR_BELOW = "far_below"
    # Completed before the credible-completion rule was in force, below its share: kept as it
    # is, only flagged.
    BEFORE_RULE = "before_rule"


@dataclass(frozen=True)
class FlaggedCompletion:
    course_id: int
    course_slug: str
    course_title: str
    completed_at: datetime
    completed_on: date  # in the agency's time zone
    engaged_seconds: int
    nominal_minutes: int
    reason: FlagReason

    @property
    def engaged_percent(self) -> int:
        """The engaged time as a share of the nominal time, rounded down."""
        return self.engaged_seconds * 100 // (self.nominal_minutes * 60)


def _rule_value(column: InstrumentedAttribute[int], default: int) -> ColumnElement[int]:
    """The newest rule's value of column, or default without any rule: inside the query."""
    newest = select(column).order_by(LearningRule.id.desc()).limit(1).scalar_subquery()
    return func.coalesce(newest, default)


def _flag_tests():
    """Return the SQL tests: far below the nominal time, and below the rule before it applied."""
    engaged = CourseProgress.engaged_seconds * 100
    nominal = CourseProgress.nominal_minutes * 60
    far_below = engaged < _rule_value(
        LearningRule.flag_share_percent, DEFAULT_FLAG_SHARE_PERCENT
    ) * (nominal)
    before_rule = and_(
        CourseProgress.is_rule_applied.is_not(True),
        engaged < _rule_value(LearningRule.min_share_percent, DEFAULT_MIN_SHARE_PERCENT) * nominal,
    )
    # A completion recorded without its times (before they were kept) cannot be judged.
    judged = and_(
        CourseProgress.engaged_seconds.is_not(None),
        CourseProgress.nominal_minutes > 0,
    )
    return far_below, before_rule, judged


def flagged_completions(person_ids: Collection[int], first: date, last: date) -> dict[int, int]:
    """Return, per person, how many course completions on days first..last were flagged.

    Flagged: far below the nominal time, or completed before the rule and below its share.
    One query whatever the number of people; people without any are left out.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    start, end = utc_span(first, last)
    rows = read(_flagged_counts(), {"ids": ids, "start": start, "end": end}).all()
    return {person_id: count for person_id, count in rows}


@cache
def _flagged_counts() -> Select:
    """flagged_completions' statement, built once (the dashboard and roster run it on every
    page): the people as one parameter, the UTC bounds of their days as two more."""
    far_below, before_rule, judged = _flag_tests()
    return (
        select(CourseProgress.person_id, func.count(CourseProgress.id))
        .where(
            among(CourseProgress.person_id, id_list("ids")),
            CourseProgress.completed_at >= bindparam("start", type_=UTCDateTime),
            CourseProgress.completed_at < bindparam("end", type_=UTCDateTime),
            judged,
            or_(far_below, before_rule),
        )
        .group_by(CourseProgress.person_id)
    )


def flagged_completion_details(person_id: int, first: date, last: date) -> list[FlaggedCompletion]:
    """Return the person's flagged course completions on days first..last, latest first."""
    start, end = utc_span(first, last)
    far_below, before_rule, judged = _flag_tests()
    rows = db.session.execute(
        select(
            Course.id,
            Course.slug,
            Course.title,
            CourseProgress.completed_at,
            CourseProgress.engaged_seconds,
            CourseProgress.nominal_minutes,
            case(
                (far_below, literal(FlagReason.FAR_BELOW.value)),
                else_=literal(FlagReason.BEFORE_RULE.value),
            ).label("reason"),
        )
        .join(Course, Course.id == CourseProgress.course_id)
        .where(
            CourseProgress.person_id == person_id,
            CourseProgress.completed_at >= start,
            CourseProgress.completed_at < end,
            judged,
            or_(far_below, before_rule),
        )
        .order_by(CourseProgress.completed_at.desc(), Course.id)
    ).all()
    return [
        FlaggedCompletion(
            course_id=row[0],
            course_slug=row[1],
            course_title=row[2],
            completed_at=row[3],
            completed_on=local_day(row[3]),
            engaged_seconds=row[4],
            nominal_minutes=row[5],
            reason=FlagReason(row.reason),
        )
        for row in rows
    ]


# A course for offline study ------------------------------------------------------------------

BY_CONTENT_TYPE = {media_type.content_type: media_type for media_type in MEDIA_TYPES}


@dataclass(frozen=True)
class OfflinePackage:
    """What a device stores to study a course without a connection: its pages and media, with
    the media's sizes (pages are small and counted roughly)."""

    pages: list[str]
    media: list[tuple[str, int]]

    @property
    def total_bytes(self) -> int:
        return sum(size for _url, size in self.media) + PAGE_BYTES * len(self.pages)


PAGE_BYTES = 40_000  # a lesson page as served, a generous guess (the heaviest is about 35 KB)


def offline_package(course: Course) -> OfflinePackage:
    """The course page and its current lessons, and the newest file of each of the course's
    media paths (lessons and quizzes name media by path; a changed file is a new row)."""
    lessons = list(
        db.session.scalars(
            select(Lesson.slug)
            .where(Lesson.course_id == course.id, Lesson.is_retired.is_(False))
            .order_by(Lesson.position)
        )
    )
    newest = (
        select(func.max(CourseMedia.id))
        .where(CourseMedia.course_id == course.id)
        .group_by(CourseMedia.path)
    )
    media = [
        (f"/media/{course.slug}/{sha256}.{BY_CONTENT_TYPE[content_type].extension}", size)
        for sha256, content_type, size in db.session.execute(
            select(CourseMedia.sha256, CourseMedia.content_type, CourseMedia.size)
            .where(CourseMedia.id.in_(newest))
            .order_by(CourseMedia.path)
        )
        if content_type in BY_CONTENT_TYPE
    ]
    pages = [url_for("learning.course", course_slug=course.slug)] + [
        url_for("learning.lesson", course_slug=course.slug, lesson_slug=slug) for slug in lessons
    ]
    return OfflinePackage(pages, media)
