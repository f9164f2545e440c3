"""A real LRS (Ralph, started from .venv-ralph): the journey's statements pushed with
`flask xapi push` and read back through Ralph's own xAPI API; a second push stores nothing
new; an LRS that is down loses nothing and gets everything once it is back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select, update

from lms.credentials.services import revoke
from lms.db import db, utcnow
from lms.learning.models import LearningEvent
from lms.xapi.models import StatementStatus, XapiStatement
from tests.learning.steps import beacon
from tests.xapi import lrs

# An external program per run; once, in the SQLite pass (see the ralph_server fixture).
pytestmark = pytest.mark.slow

ADL = "http://adlnet.gov/expapi/verbs/"


def mine(endpoint: str) -> dict[str, dict]:
    """What Ralph holds of this test's statements (its home page is the test's own), by id."""
    home = current_app.config["XAPI_HOME_PAGE"]
    return {
        statement["id"]: statement
        for statement in lrs.stored(endpoint)
        if statement["actor"]["account"]["homePage"] == home
    }


def sent_rows() -> list[tuple]:
    return db.session.execute(
        select(XapiStatement.statement_id, XapiStatement.status, XapiStatement.sent_at)
    ).all()


def test_the_journey_reaches_ralph_and_a_second_push_stores_nothing_new(journey, ralph, runner):
    home = current_app.config["XAPI_HOME_PAGE"]

    result = runner.invoke(args=["xapi", "push", "--batch", "5"])

    assert result.exit_code == 0, result.output
    events = db.session.scalars(select(LearningEvent)).all()
    count = len(events) + 2
    assert f"Đã xếp hàng {count} bản ghi mới; đã gửi {count}; kho LRS từ chối 0" in result.output
    held = mine(ralph.endpoint)
    assert len(held) == count
    # Every event's statement under the id its client event id gives (UUID v5).
    for event in events:
        assert str(uuid.uuid5(uuid.UUID(event.client_event_id), "xapi")) in held
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, home + "/")
    earned = held[str(uuid.uuid5(namespace, f"certificate/{journey.certificate.code}"))]
    external = held[str(uuid.uuid5(namespace, f"external-activity/{journey.activity.id}"))]

    viewed = held[str(uuid.uuid5(uuid.UUID(journey.viewed), "xapi"))]
    assert viewed["verb"]["id"] == ADL + "experienced"
    assert viewed["result"]["duration"] == "PT90S"
    assert viewed["object"]["id"] == f"{home}/courses/tieng-tay-giao-tiep/lessons/chao-hoi"
    assert viewed["actor"]["account"] == {"homePage": home, "name": str(journey.learner.id)}
    failed = held[str(uuid.uuid5(uuid.UUID(journey.failed_answer), "xapi"))]
    assert failed["verb"]["id"] == ADL + "answered"
    assert failed["result"]["score"] == {"raw": 0, "min": 0, "max": 3, "scaled": 0.0}
    assert failed["result"]["success"] is False
    assert failed["result"]["duration"] == "PT30S"
    passed = held[str(uuid.uuid5(uuid.UUID(journey.passed_answer), "xapi"))]
    assert passed["result"]["score"]["scaled"] == 1.0 and passed["result"]["success"] is True
    assert passed["object"]["id"].endswith("/lessons/chao-hoi/quizzes/on-tap-chao-hoi")
    verbs = sorted(statement["verb"]["id"].rsplit("/", 1)[1] for statement in held.values())
    assert verbs.count("passed") == 2 and verbs.count("failed") == 1
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    assert earned["result"]["extensions"][f"{home}/xapi/extensions/tiet"] == 1.5
    assert external["verb"]["id"] == ADL + "completed"
    assert external["result"]["duration"] == "PT24H"
    assert external["object"]["definition"]["name"] == {"vi-VN": "Bồi dưỡng kiến thức quốc phòng"}

    rows = sent_rows()
    stored = len(lrs.stored(ralph.endpoint))
    again = runner.invoke(args=["xapi", "push"])

    assert "Đã xếp hàng 0 bản ghi mới; đã gửi 0; kho LRS từ chối 0" in again.output
    assert len(lrs.stored(ralph.endpoint)) == stored
    db.session.expire_all()
    assert sent_rows() == rows


def test_statements_wait_for_an_lrs_that_is_down_and_all_arrive_once(journey, ralph, runner, app):
    app.config["XAPI_ENDPOINT"] = lrs.closed_endpoint()
    before = utcnow()

    down = runner.invoke(args=["xapi", "push"])

    count = db.session.scalar(select(func.count(XapiStatement.id)))
    assert count == db.session.scalar(select(func.count(LearningEvent.id))) + 2
    assert f"{count} bản ghi chờ gửi lại" in down.output
    assert "Kho LRS chưa nhận" in down.output
    rows = db.session.scalars(select(XapiStatement)).all()
    assert {row.status for row in rows} == {StatementStatus.QUEUED}
    assert {row.attempts for row in rows} == {1}
    assert all(row.next_attempt_at >= before + timedelta(minutes=1) for row in rows)
    assert mine(ralph.endpoint) == {}

    app.config["XAPI_ENDPOINT"] = ralph.endpoint
    runner.invoke(args=["xapi", "push"])
    assert mine(ralph.endpoint) == {}  # not due yet: the wait is kept
    # The wait is over (as if a minute had passed).
    db.session.execute(update(XapiStatement).values(next_attempt_at=utcnow()))
    db.session.commit()

    back = runner.invoke(args=["xapi", "push"])

    assert f"đã gửi {count};" in back.output
    held = lrs.stored(ralph.endpoint)
    ids = [
        s["id"] for s in held if s["actor"]["account"]["homePage"] == app.config["XAPI_HOME_PAGE"]
    ]
    assert sorted(ids) == sorted(db.session.scalars(select(XapiStatement.statement_id)))
    db.session.expire_all()
    assert {row.status for row in db.session.scalars(select(XapiStatement))} == {"sent"}


def test_a_statement_ralph_refuses_is_set_aside_and_the_batch_still_arrives(
    journey, ralph, runner, client, login
):
    runner.invoke(args=["xapi", "push"])
    # A sent statement changed under its id (Ralph answers 409 to it) goes out again in one
    # batch with new ones: the batch is refused, each alone is not, but that one.
    changed = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)).first()
    changed.statement = {**changed.statement, "result": {"duration": "PT1S"}}
    changed.status = StatementStatus.QUEUED
    db.session.commit()
    login("mai")
    for seconds in (40, 50):
        assert beacon(client, "chao-hoi", seconds).status_code == 204

    result = runner.invoke(args=["xapi", "push", "--batch", "10"])

    assert "Đã xếp hàng 2 bản ghi mới; đã gửi 2; kho LRS từ chối 1;" in result.output
    db.session.expire_all()
    assert changed.status == StatementStatus.REJECTED
    assert changed.last_error.startswith("HTTP 409: ")
    held = mine(ralph.endpoint)
    assert held[changed.statement_id]["result"]["duration"] != "PT1S"  # Ralph kept the first
    durations = sorted(s["result"].get("duration", "") for s in held.values())
    assert "PT40S" in durations and "PT50S" in durations


def test_ralph_takes_the_voiding_of_a_revoked_certificate(journey, ralph, runner):
    runner.invoke(args=["xapi", "push"])
    revoke(journey.certificate, "Cấp nhầm người")
    db.session.commit()

    result = runner.invoke(args=["xapi", "push"])

    assert "Đã xếp hàng 1 bản ghi mới; đã gửi 1; kho LRS từ chối 0;" in result.output
    home = current_app.config["XAPI_HOME_PAGE"]
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, home + "/")
    voiding = mine(ralph.endpoint)[
        str(uuid.uuid5(namespace, f"certificate-revoked/{journey.certificate.code}"))
    ]
    assert voiding["verb"]["id"] == ADL + "voided"
    assert voiding["object"]["id"] == str(
        uuid.uuid5(namespace, f"certificate/{journey.certificate.code}")
    )
    assert voiding["actor"]["account"]["name"] == "agency"
