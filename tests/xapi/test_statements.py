"""Statements built from a learner's journey (no LRS): verbs, results, durations, identifiers,
names; the export command's JSON lines and span; settings that are missing or wrong."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lms.credentials.services import revoke
from lms.db import db
from lms.i18n import local_today
from lms.learning.models import EventKind, LearningEvent
from lms.xapi import services, statements
from lms.xapi.models import SourceKind, XapiStatement
from tests.factories import make_person
from tests.xapi.conftest import HOME
from tests.xapi.journey import COURSE_EN, LESSON_EN

COURSE = f"{HOME}/courses/tieng-tay-giao-tiep"
CHAO_HOI = f"{COURSE}/lessons/chao-hoi"
QUIZ = f"{CHAO_HOI}/quizzes/on-tap-chao-hoi"
ADL = "http://adlnet.gov/expapi/verbs/"


def queued() -> dict[str, dict]:
    """The queued statements by statement id."""
    return {row.statement_id: row.statement for row in db.session.scalars(select(XapiStatement))}


def event_id(client_event_id: str) -> str:
    return str(uuid.uuid5(uuid.UUID(client_event_id), "xapi"))


def statement_of(client_event_id: str) -> dict:
    return queued()[event_id(client_event_id)]


def derived(client_event_id: str, what: str) -> str:
    """The id learning gives an event that follows from the client's one (quiz outcome)."""
    return str(uuid.uuid5(uuid.UUID(client_event_id), what))


def test_each_record_of_the_journey_becomes_one_statement(journey):
    events = db.session.scalar(select(func.count(LearningEvent.id)))

    assert services.enqueue_new(chunk=3) == events + 2  # the certificate, the activity
    assert services.enqueue_new(chunk=3) == 0
    rows = db.session.scalars(select(XapiStatement)).all()
    assert {row.source_kind for row in rows} == set(SourceKind) - {SourceKind.REVOCATION}
    assert {row.status for row in rows} == {"queued"}
    assert all(row.statement["id"] == row.statement_id for row in rows)


def test_lesson_time_is_experienced_with_its_duration(journey):
    services.enqueue_new()
    viewed = statement_of(journey.viewed)

    assert viewed["verb"]["id"] == ADL + "experienced"
    assert viewed["verb"]["display"] == {"en-US": "experienced", "vi-VN": "đã học"}
    assert viewed["object"]["id"] == CHAO_HOI
    assert viewed["object"]["definition"] == {
        "type": "http://adlnet.gov/expapi/activities/lesson",
        "name": {"vi-VN": "Chào hỏi", "en": LESSON_EN},
    }
    assert viewed["result"] == {"duration": "PT90S"}
    assert viewed["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": HOME, "name": str(journey.learner.id)},
    }
    assert "mai@example.vn" not in json.dumps(queued())
    assert viewed["context"]["platform"] == "Học tập suốt đời"
    assert viewed["context"]["language"] == "vi-VN"
    parent = viewed["context"]["contextActivities"]["parent"][0]
    assert parent["id"] == COURSE
    assert parent["definition"]["name"] == {"vi-VN": "Tiếng Tày giao tiếp cơ bản", "en": COURSE_EN}
    event = db.session.scalar(
        select(LearningEvent).where(LearningEvent.client_event_id == journey.viewed)
    )
    assert viewed["timestamp"] == event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_quiz_answers_carry_score_and_success_and_outcomes_follow(journey):
    services.enqueue_new()
    failed_answer = statement_of(journey.failed_answer)
    passed_answer = statement_of(journey.passed_answer)
    failed = statement_of(derived(journey.failed_answer, "outcome"))
    passed = statement_of(derived(journey.passed_answer, "outcome"))

    assert failed_answer["verb"]["id"] == ADL + "answered"
    assert failed_answer["object"]["id"] == QUIZ
    assert failed_answer["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/assessment"
    )
    assert failed_answer["result"] == {
        "score": {"raw": 0, "min": 0, "max": 3, "scaled": 0.0},
        "success": False,
        "completion": True,
        "duration": "PT30S",
    }
    assert passed_answer["result"]["score"] == {"raw": 3, "min": 0, "max": 3, "scaled": 1.0}
    assert passed_answer["result"]["success"] is True
    assert (failed["verb"]["id"], passed["verb"]["id"]) == (ADL + "failed", ADL + "passed")
    assert failed["result"] == {"score": failed_answer["result"]["score"], "success": False}
    assert passed["object"]["id"] == QUIZ
    context = passed["context"]["contextActivities"]
    assert (context["parent"][0]["id"], context["grouping"][0]["id"]) == (COURSE, CHAO_HOI)


def test_lesson_and_course_completions(journey):
    services.enqueue_new()
    lesson = statement_of(journey.completed)
    completions = [
        statement
        for statement in queued().values()
        if statement["verb"]["id"] == ADL + "completed" and statement["object"]["id"] == COURSE
    ]

    assert lesson["verb"]["id"] == ADL + "completed"
    assert lesson["object"]["id"] == CHAO_HOI
    assert lesson["result"] == {"completion": True, "duration": "PT60S"}
    assert len(completions) == 1
    assert completions[0]["result"] == {"completion": True}
    # The second lesson has no English title: its English name comes from its slug.
    so_dem = [s for s in queued().values() if s["object"]["id"] == f"{COURSE}/lessons/so-dem"]
    assert so_dem and all(
        s["object"]["definition"]["name"]["en"] == "Lesson so-dem" for s in so_dem
    )


def test_the_certificate_is_earned_with_its_code_and_tiet(journey):
    services.enqueue_new()
    code = journey.certificate.code
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, HOME + "/")
    earned = queued()[str(uuid.uuid5(namespace, f"certificate/{code}"))]

    assert earned["verb"] == {
        "id": "http://id.tincanapi.com/verb/earned",
        "display": {"en-US": "earned", "vi-VN": "đã nhận"},
    }
    assert earned["object"]["id"] == COURSE
    assert earned["result"]["extensions"] == {
        f"{HOME}/xapi/extensions/certificate-code": code,
        f"{HOME}/xapi/extensions/certificate-url": f"{HOME}/verify/{code}",
        f"{HOME}/xapi/extensions/tiet": 1.5,
    }
    assert earned["timestamp"].startswith(journey.certificate.issued_at.strftime("%Y-%m-%dT%H:%M"))


def test_a_revoked_certificate_voids_its_earned_statement(journey, app):
    services.enqueue_new()
    code = journey.certificate.code
    admin = make_person("quantri", "Quản Trị Viên")
    revoke(journey.certificate, "Cấp nhầm người", actor_id=admin.id)
    db.session.commit()

    assert services.enqueue_new() == 1
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, HOME + "/")
    voiding = queued()[str(uuid.uuid5(namespace, f"certificate-revoked/{code}"))]
    assert voiding["verb"]["id"] == ADL + "voided"
    assert voiding["object"] == {
        "objectType": "StatementRef",
        "id": str(uuid.uuid5(namespace, f"certificate/{code}")),
    }
    assert voiding["actor"]["account"] == {"homePage": HOME, "name": str(admin.id)}
    rows = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)).all()
    assert rows[-1].source_kind == SourceKind.REVOCATION  # sent after what it voids


def test_the_verified_external_activity_is_completed_with_its_hours(journey):
    services.enqueue_new()
    activity = journey.activity
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, HOME + "/")
    completed = queued()[str(uuid.uuid5(namespace, f"external-activity/{activity.id}"))]

    assert completed["verb"]["id"] == ADL + "completed"
    assert completed["object"] == {
        "objectType": "Activity",
        "id": f"{HOME}/external-activities/{activity.id}",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/course",
            "name": {"vi-VN": "Bồi dưỡng kiến thức quốc phòng"},
            "description": {"vi-VN": "Trường Chính trị tỉnh"},
        },
    }
    assert completed["result"]["duration"] == "PT24H"
    assert completed["result"]["extensions"] == {f"{HOME}/xapi/extensions/clock-hours": 24.0}
    assert completed["timestamp"].startswith(activity.decided_at.strftime("%Y-%m-%dT%H:%M"))


def test_review_time_and_an_old_event_id_that_is_no_uuid(journey):
    lesson_id = db.session.scalar(
        select(LearningEvent.lesson_id).where(LearningEvent.client_event_id == journey.completed)
    )
    course_id = journey.certificate.course_id
    for client_id, kind in (("on-tap-1", EventKind.REVIEWED), (str(uuid.uuid4()), "viewed")):
        db.session.add(
            LearningEvent(
                client_event_id=client_id,
                person_id=journey.learner.id,
                kind=kind,
                course_id=course_id,
                lesson_id=lesson_id if kind == EventKind.REVIEWED else None,
                seconds=45,
                occurred_at=datetime(2024, 4, 5, 3, tzinfo=UTC),
            )
        )
    db.session.commit()
    services.enqueue_new()

    review = queued()[str(uuid.uuid5(uuid.NAMESPACE_URL, f"{HOME}/event/on-tap-1"))]
    assert review["verb"]["id"] == ADL + "experienced"
    assert review["object"]["id"] == f"{CHAO_HOI}/review"
    assert review["object"]["definition"]["name"] == {
        "vi-VN": "Ôn tập: Chào hỏi",
        "en": f"Review: {LESSON_EN}",
    }
    assert review["result"] == {"duration": "PT45S"}
    assert review["timestamp"] == "2024-04-05T03:00:00.000Z"


def test_the_same_record_gives_the_same_statement_id_forever(journey, app):
    services.enqueue_new()
    before = set(queued())
    db.session.execute(XapiStatement.__table__.delete())
    db.session.commit()

    services.enqueue_new()

    assert set(queued()) == before
    app.config["XAPI_HOME_PAGE"] = "https://lrs-home.example.vn"
    db.session.execute(XapiStatement.__table__.delete())
    db.session.commit()
    services.enqueue_new()
    # Event ids do not depend on the home page; certificates and activities are named under it.
    assert len(set(queued()) & before) == len(before) - 2


# Settings ------------------------------------------------------------------------------------


def test_push_without_an_endpoint_says_so_and_queues_nothing(journey, runner):
    result = runner.invoke(args=["xapi", "push"])

    assert result.exit_code == 0
    assert "Chưa đặt LMS_XAPI_ENDPOINT" in result.output
    assert db.session.scalar(select(func.count(XapiStatement.id))) == 0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"XAPI_ENDPOINT": "lrs.example.vn/xAPI"}, "không phải địa chỉ http:// hoặc https://"),
        ({"XAPI_SECRET": ""}, "Cần đặt cả LMS_XAPI_KEY và LMS_XAPI_SECRET"),
        (
            {"PUBLIC_URL": "", "XAPI_HOME_PAGE": ""},
            "Cần đặt LMS_XAPI_HOME_PAGE hoặc LMS_PUBLIC_URL",
        ),
        ({"XAPI_HOME_PAGE": "lms.example.vn"}, "Cần đặt LMS_XAPI_HOME_PAGE hoặc LMS_PUBLIC_URL"),
    ],
)
def test_a_bad_setting_is_refused_and_nothing_is_queued(journey, runner, app, settings, message):
    good = {"XAPI_ENDPOINT": "http://127.0.0.1:9/xAPI", "XAPI_KEY": "lms", "XAPI_SECRET": "x"}
    app.config.update({**good, **settings})

    result = runner.invoke(args=["xapi", "push"])

    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count(XapiStatement.id))) == 0


def test_the_home_page_setting_comes_before_the_public_address(app, home):
    assert statements.home_page() == HOME
    app.config["XAPI_HOME_PAGE"] = "https://hoc.example.vn/"
    assert statements.home_page() == "https://hoc.example.vn"


# Export --------------------------------------------------------------------------------------


def _events_on(journey, moments: list[datetime]) -> list[str]:
    ids = []
    for moment in moments:
        client_id = str(uuid.uuid4())
        db.session.add(
            LearningEvent(
                client_event_id=client_id,
                person_id=journey.learner.id,
                kind=EventKind.COMPLETED,
                course_id=journey.certificate.course_id,
                occurred_at=moment,
            )
        )
        ids.append(event_id(client_id))
    db.session.commit()
    return ids


def test_export_writes_the_span_of_agency_days_as_json_lines(journey, runner, tmp_path):
    # 5 April 2024 in Hà Nội runs from 4 April 17:00 to 5 April 17:00 UTC.
    before, first, last, after = _events_on(
        journey,
        [
            datetime(2024, 4, 4, 16, 59, tzinfo=UTC),
            datetime(2024, 4, 4, 17, 0, tzinfo=UTC),
            datetime(2024, 4, 6, 16, 59, tzinfo=UTC),
            datetime(2024, 4, 6, 17, 0, tzinfo=UTC),
        ],
    )
    output = tmp_path / "xapi.jsonl"

    result = runner.invoke(
        args=["xapi", "export", "--from", "2024-04-05", "--to", "2024-04-06", "--output", output]
    )

    assert result.exit_code == 0, result.output
    assert "Đã ghi 2 bản ghi xAPI từ 05/04/2024 đến 06/04/2024." in result.output
    lines = output.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [first, last]
    assert "Học tập suốt đời" in lines[0]  # UTF-8, not \u escapes
    assert db.session.scalar(select(func.count(XapiStatement.id))) == 0  # not the queue's


def test_export_of_today_holds_the_whole_journey_in_time_order(journey, runner):
    today = local_today().isoformat()

    result = runner.invoke(args=["xapi", "export", "--from", today, "--to", today])

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == db.session.scalar(select(func.count(LearningEvent.id))) + 2
    assert [line["timestamp"] for line in lines] == sorted(line["timestamp"] for line in lines)
    assert {line["verb"]["id"].rsplit("/", 1)[1] for line in lines} == {
        "experienced",
        "answered",
        "failed",
        "passed",
        "completed",
        "earned",
    }


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("05/04/2024", "2024-04-06", "--from “05/04/2024” không phải ngày dạng YYYY-MM-DD."),
        ("2024-04-05", "2024-13-01", "--to “2024-13-01” không phải ngày dạng YYYY-MM-DD."),
        ("2024-04-06", "2024-04-05", "Ngày cuối (--to) phải từ ngày đầu (--from) trở đi."),
    ],
)
def test_export_refuses_bad_dates_and_writes_nothing(
    journey, runner, tmp_path, start, end, message
):
    output = tmp_path / "xapi.jsonl"

    result = runner.invoke(
        args=["xapi", "export", "--from", start, "--to", end, "--output", output]
    )

    assert result.exit_code != 0
    assert message in result.output
    assert not output.exists()


def test_export_to_a_folder_that_does_not_exist_says_so(journey, runner, tmp_path):
    output = tmp_path / "khong-co" / "xapi.jsonl"

    result = runner.invoke(
        args=["xapi", "export", "--from", "2024-01-01", "--to", "2024-12-31", "--output", output]
    )

    assert result.exit_code != 0
    assert f"Không ghi được tệp {output}: No such file or directory" in result.output


def test_export_needs_the_home_page(journey, runner, app, tmp_path):
    app.config.update(PUBLIC_URL="", XAPI_HOME_PAGE="")
    output = tmp_path / "xapi.jsonl"

    result = runner.invoke(
        args=["xapi", "export", "--from", "2024-01-01", "--to", "2024-12-31", "--output", output]
    )

    assert result.exit_code != 0
    assert "Cần đặt LMS_XAPI_HOME_PAGE hoặc LMS_PUBLIC_URL" in result.output
    assert not output.exists()


def test_timestamps_are_utc_with_z():
    moment = datetime(2024, 4, 5, 10, 30, 15, 123456, tzinfo=UTC)
    assert re.fullmatch(r"2024-04-05T10:30:15\.123Z", statements.timestamp(moment))
