"""xAPI 1.0.3 statements built from the platform's own records, read in bounded chunks.

Four sources: learning events (lesson time, review time, quiz answers and outcomes, lesson and
course completions), certificates issued, external activities a manager verified, and
certificates revoked (a statement voiding the certificate's). Each
source row gives one statement whose id is a UUID v5 of the row's own stable id, so the same
row gives the same statement id forever and an LRS stores it once however often it is sent.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Select, exists, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from lms import config
from lms.courses.models import Course, Lesson, Quiz
from lms.db import db
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.learning.models import Certificate, EventKind, LearningEvent, QuizAttempt
from lms.plans.models import ActivityStatus, ExternalActivity
from lms.xapi.models import SourceKind, XapiStatement

PLATFORM = "Học tập suốt đời"
LANGUAGE = "vi-VN"

_ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
_ADL_TYPES = "http://adlnet.gov/expapi/activities/"


@dataclass(frozen=True)
class Verb:
    iri: str
    en: str
    vi: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.iri, "display": {"en-US": self.en, "vi-VN": self.vi}}


EXPERIENCED = Verb(_ADL_VERBS + "experienced", "experienced", "đã học")
COMPLETED = Verb(_ADL_VERBS + "completed", "completed", "đã hoàn thành")
ANSWERED = Verb(_ADL_VERBS + "answered", "answered", "đã trả lời")
PASSED = Verb(_ADL_VERBS + "passed", "passed", "đã đạt")
FAILED = Verb(_ADL_VERBS + "failed", "failed", "chưa đạt")
# The xAPI registry's verb for receiving a certificate or badge (ADL has none).
EARNED = Verb("http://id.tincanapi.com/verb/earned", "earned", "đã nhận")
VOIDED = Verb(_ADL_VERBS + "voided", "voided", "đã hủy")

COURSE_TYPE = _ADL_TYPES + "course"
LESSON_TYPE = _ADL_TYPES + "lesson"
QUIZ_TYPE = _ADL_TYPES + "assessment"
# Spaced review of a lesson's words: many small interactions with them.
REVIEW_TYPE = _ADL_TYPES + "interaction"


class XapiError(UserError):
    """A setting xAPI needs is missing or wrong; the message says which."""


def home_page() -> str:
    """The address learners' accounts and activities are named under: LMS_XAPI_HOME_PAGE, else
    the platform's public address. It must never change once statements were sent."""
    home = str(current_app.config.get("XAPI_HOME_PAGE") or "").rstrip("/")
    home = home or config.public_url(current_app.config)
    parts = urlsplit(home)
    if not home or parts.scheme not in ("http", "https") or not parts.netloc:
        raise XapiError(
            _(
                "Cần đặt LMS_XAPI_HOME_PAGE hoặc LMS_PUBLIC_URL (địa chỉ http:// hoặc https:// "
                "của hệ thống) để đặt tên người học và hoạt động trong bản ghi xAPI."
            )
        )
    return home


# Identifiers ----------------------------------------------------------------------------------


def event_statement_id(client_event_id: str, home: str) -> str:
    """The statement id of a learning event: UUID v5 of the client's event id (a UUID), or of
    the event's address under home when an old id is not a UUID."""
    try:
        namespace = uuid.UUID(client_event_id)
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{home}/event/{client_event_id}"))
    return str(uuid.uuid5(namespace, "xapi"))


def _home_namespace(home: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, home + "/")


def certificate_statement_id(code: str, home: str) -> str:
    return str(uuid.uuid5(_home_namespace(home), f"certificate/{code}"))


def revocation_statement_id(code: str, home: str) -> str:
    return str(uuid.uuid5(_home_namespace(home), f"certificate-revoked/{code}"))


def external_statement_id(activity_id: int, home: str) -> str:
    return str(uuid.uuid5(_home_namespace(home), f"external-activity/{activity_id}"))


def actor(person_id: int, home: str) -> dict[str, Any]:
    """The learner as an account on the home page, by record id: never their e-mail."""
    return {"objectType": "Agent", "account": {"homePage": home, "name": str(person_id)}}


def course_iri(home: str, course: str) -> str:
    return f"{home}/courses/{course}"


def lesson_iri(home: str, course: str, lesson: str) -> str:
    return f"{course_iri(home, course)}/lessons/{lesson}"


def quiz_iri(home: str, course: str, lesson: str, quiz: str) -> str:
    return f"{lesson_iri(home, course, lesson)}/quizzes/{quiz}"


def review_iri(home: str, course: str, lesson: str) -> str:
    return f"{lesson_iri(home, course, lesson)}/review"


def external_iri(home: str, activity_id: int) -> str:
    return f"{home}/external-activities/{activity_id}"


def extension(home: str, name: str) -> str:
    """An extension key of this platform (an IRI under its home page)."""
    return f"{home}/xapi/extensions/{name}"


# Pieces of a statement ------------------------------------------------------------------------


def timestamp(moment: datetime) -> str:
    """UTC, ISO 8601 with milliseconds and Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def seconds_duration(seconds: int) -> str:
    return f"PT{int(seconds)}S"


def hours_duration(hours: Decimal) -> str:
    return f"PT{format(Decimal(hours).normalize(), 'f')}H"


def _activity(iri: str, kind: str, vi: str, en: str | None) -> dict[str, Any]:
    name = {"vi-VN": vi}
    if en:
        name["en"] = en
    return {"objectType": "Activity", "id": iri, "definition": {"type": kind, "name": name}}


def _course_activity(home: str, row: Row[Any]) -> dict[str, Any]:
    return _activity(
        course_iri(home, row.course_slug),
        COURSE_TYPE,
        row.course_title,
        row.course_title_en or f"Course {row.course_slug}",
    )


def _lesson_en(row: Row[Any]) -> str:
    return row.lesson_title_en or f"Lesson {row.lesson_slug}"


def _lesson_activity(home: str, row: Row[Any]) -> dict[str, Any]:
    return _activity(
        lesson_iri(home, row.course_slug, row.lesson_slug),
        LESSON_TYPE,
        row.lesson_title,
        _lesson_en(row),
    )


def _context(parent: dict[str, Any] | None = None, **activities: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"platform": PLATFORM, "language": LANGUAGE}
    found = {"parent": [parent] if parent else None} | {
        name: [activity] for name, activity in activities.items() if activity
    }
    found = {name: value for name, value in found.items() if value}
    if found:
        context["contextActivities"] = found
    return context


def _statement(
    statement_id: str,
    person_id: int,
    home: str,
    verb: Verb,
    target: dict[str, Any],
    moment: datetime,
    *,
    result: dict[str, Any] | None = None,
    context: dict[str, Any],
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": statement_id,
        "actor": actor(person_id, home),
        "verb": verb.as_json(),
        "object": target,
    }
    if result:
        statement["result"] = result
    statement["context"] = context
    statement["timestamp"] = timestamp(moment)
    return statement


# Learning events ------------------------------------------------------------------------------

_QUIZ_VERBS = {EventKind.ANSWERED: ANSWERED, EventKind.PASSED: PASSED, EventKind.FAILED: FAILED}


def _score(row: Row[Any]) -> dict[str, Any]:
    """The attempt's score and success, if the event names an attempt."""
    if row.correct is None:
        return {}
    return {
        "score": {
            "raw": row.correct,
            "min": 0,
            "max": row.total,
            # From the counts, not the rounded percent shown: 2 of 3 is 0.6667, not 0.67.
            "scaled": round(row.correct / row.total, 4) if row.total else 0.0,
        },
        "success": bool(row.is_passed),
    }


def event_statement(row: Row[Any], home: str) -> dict[str, Any]:
    """The statement of one learning event (a row of event_rows())."""
    statement_id = event_statement_id(row.client_event_id, home)
    course = _course_activity(home, row)
    kind = EventKind(row.kind)
    has_lesson = row.lesson_slug is not None
    seconds: dict[str, Any] = {"duration": seconds_duration(row.seconds)} if row.seconds else {}
    result: dict[str, Any] = {"completion": True}
    verb, target, context = COMPLETED, course, _context()
    if kind == EventKind.VIEWED and has_lesson:
        verb, target, result = EXPERIENCED, _lesson_activity(home, row), seconds
        context = _context(course)
    elif kind == EventKind.REVIEWED and has_lesson:
        target = _activity(
            review_iri(home, row.course_slug, row.lesson_slug),
            REVIEW_TYPE,
            f"Ôn tập: {row.lesson_title}",
            f"Review: {_lesson_en(row)}",
        )
        verb, result, context = EXPERIENCED, seconds, _context(course)
    elif kind == EventKind.COMPLETED and has_lesson:
        target, result = _lesson_activity(home, row), {"completion": True, **seconds}
        context = _context(course)
    elif kind in _QUIZ_VERBS and has_lesson and row.quiz_slug is not None:
        verb = _QUIZ_VERBS[kind]
        target = _activity(
            quiz_iri(home, row.course_slug, row.lesson_slug, row.quiz_slug),
            QUIZ_TYPE,
            row.quiz_title,
            f"Quiz {row.quiz_slug}",
        )
        result = _score(row)
        if kind == EventKind.ANSWERED:
            result = {**result, "completion": True, **seconds}
        context = _context(course, grouping=_lesson_activity(home, row))
    elif kind != EventKind.COMPLETED:
        # An event whose lesson or quiz is unknown still tells of time on the course.
        verb, result = EXPERIENCED, seconds
    return _statement(
        statement_id,
        row.person_id,
        home,
        verb,
        target,
        row.occurred_at,
        result=result,
        context=context,
    )


def _course_columns() -> list[Any]:
    return [
        Course.slug.label("course_slug"),
        Course.title.label("course_title"),
        Course.title_en.label("course_title_en"),
    ]


def event_rows() -> Select[Any]:
    """Learning events with what their statements name (course, lesson, quiz, attempt)."""
    return (
        select(
            LearningEvent.id,
            LearningEvent.client_event_id,
            LearningEvent.person_id,
            LearningEvent.kind,
            LearningEvent.seconds,
            LearningEvent.occurred_at,
            *_course_columns(),
            Lesson.slug.label("lesson_slug"),
            Lesson.title.label("lesson_title"),
            Lesson.title_en.label("lesson_title_en"),
            Quiz.slug.label("quiz_slug"),
            Quiz.title.label("quiz_title"),
            QuizAttempt.correct,
            QuizAttempt.total,
            QuizAttempt.is_passed,
        )
        .join(Course, Course.id == LearningEvent.course_id)
        .outerjoin(Lesson, Lesson.id == LearningEvent.lesson_id)
        .outerjoin(Quiz, Quiz.id == LearningEvent.quiz_id)
        .outerjoin(QuizAttempt, QuizAttempt.id == LearningEvent.attempt_id)
    )


# Certificates and external activities ---------------------------------------------------------


def certificate_statement(row: Row[Any], home: str) -> dict[str, Any]:
    """The certificate of a completed course, earned: its code and tiết as result extensions."""
    result = {
        "completion": True,
        "extensions": {
            extension(home, "certificate-code"): row.code,
            extension(home, "certificate-url"): f"{home}/verify/{row.code}",
            extension(home, "tiet"): float(row.hours),
        },
    }
    return _statement(
        certificate_statement_id(row.code, home),
        row.person_id,
        home,
        EARNED,
        _course_activity(home, row),
        row.issued_at,
        result=result,
        context=_context(),
    )


def certificate_rows() -> Select[Any]:
    return select(
        Certificate.id,
        Certificate.code,
        Certificate.person_id,
        Certificate.hours,
        Certificate.issued_at,
        *_course_columns(),
    ).join(Course, Course.id == Certificate.course_id)


# The agency, as the actor of what it does itself (a revocation made from the command line).
AGENCY_ACCOUNT = "agency"


def revocation_statement(row: Row[Any], home: str) -> dict[str, Any]:
    """A revoked certificate: its earned statement voided, by whoever revoked it (the agency
    when no one is recorded), so an LRS no longer counts it."""
    who = str(row.revoked_by_id) if row.revoked_by_id is not None else AGENCY_ACCOUNT
    return {
        "id": revocation_statement_id(row.code, home),
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": who}},
        "verb": VOIDED.as_json(),
        "object": {"objectType": "StatementRef", "id": certificate_statement_id(row.code, home)},
        "timestamp": timestamp(row.revoked_at),
    }


def revocation_rows() -> Select[Any]:
    columns: list[Any] = [
        Certificate.id,
        Certificate.code,
        Certificate.revoked_by_id,
        Certificate.revoked_at,
    ]
    return select(*columns).where(Certificate.revoked_at.is_not(None))


def external_statement(row: Row[Any], home: str) -> dict[str, Any]:
    """Training outside the platform, completed as a manager verified: its clock hours."""
    target = _activity(external_iri(home, row.id), COURSE_TYPE, row.title, None)
    target["definition"]["description"] = {"vi-VN": row.organiser}
    result = {
        "completion": True,
        "duration": hours_duration(row.hours),
        "extensions": {extension(home, "clock-hours"): float(row.hours)},
    }
    return _statement(
        external_statement_id(row.id, home),
        row.person_id,
        home,
        COMPLETED,
        target,
        row.decided_at,
        result=result,
        context=_context(),
    )


def external_rows() -> Select[Any]:
    columns: list[Any] = [
        ExternalActivity.id,
        ExternalActivity.person_id,
        ExternalActivity.title,
        ExternalActivity.organiser,
        ExternalActivity.hours,
        ExternalActivity.decided_at,
    ]
    return select(*columns).where(
        ExternalActivity.status == ActivityStatus.VERIFIED,
        ExternalActivity.decided_at.is_not(None),
    )


# Sources, read in chunks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    rows: Callable[[], Select[Any]]
    id_column: Any
    time_column: Any
    build: Callable[[Row[Any], str], dict[str, Any]]


SOURCES = (
    Source(
        SourceKind.EVENT, event_rows, LearningEvent.id, LearningEvent.occurred_at, event_statement
    ),
    Source(
        SourceKind.CERTIFICATE,
        certificate_rows,
        Certificate.id,
        Certificate.issued_at,
        certificate_statement,
    ),
    Source(
        SourceKind.EXTERNAL_ACTIVITY,
        external_rows,
        ExternalActivity.id,
        ExternalActivity.decided_at,
        external_statement,
    ),
    # After the certificates: a voiding statement is queued (and sent) after what it voids.
    Source(
        SourceKind.REVOCATION,
        revocation_rows,
        Certificate.id,
        Certificate.revoked_at,
        revocation_statement,
    ),
)


@dataclass(frozen=True)
class Built:
    kind: SourceKind
    source_id: int
    statement: dict[str, Any]


def unqueued(source: Source, chunk: int) -> Iterator[list[Built]]:
    """The statements of the source's rows not queued yet, chunk by chunk in id order; the next
    chunk is read after the caller has handled (queued) the previous one."""
    home = home_page()
    queued = aliased(XapiStatement)
    after = 0
    while True:
        rows = db.session.execute(
            source.rows()
            .where(
                source.id_column > after,
                ~exists().where(
                    queued.source_kind == source.kind, queued.source_id == source.id_column
                ),
            )
            .order_by(source.id_column)
            .limit(chunk)
        ).all()
        if not rows:
            return
        yield [Built(source.kind, row.id, source.build(row, home)) for row in rows]
        after = rows[-1].id


def in_span(start: datetime, end: datetime, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Every statement whose timestamp is in [start, end), oldest first, read in chunks (each
    source in time order, merged), whether or not it was queued or sent."""
    home = home_page()

    def stream(source: Source) -> Iterator[tuple[datetime, int, dict[str, Any]]]:
        rows = db.session.execute(
            source.rows()
            .where(source.time_column >= start, source.time_column < end)
            .order_by(source.time_column, source.id_column)
            .execution_options(yield_per=chunk)
        )
        for row in rows:
            yield row._mapping[source.time_column], row.id, source.build(row, home)

    merged = heapq.merge(*(stream(source) for source in SOURCES), key=lambda item: item[:2])
    for _moment, _id, statement in merged:
        yield statement
