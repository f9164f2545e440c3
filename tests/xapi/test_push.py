"""Sending the queue to a stand-in LRS: batches with the xAPI headers and basic auth, back-off
that never gives up while the LRS fails, a statement the LRS refuses set aside while the rest
are delivered, and the shared lease's retry delays."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lms import leases
from lms.db import db, utcnow
from lms.xapi import services
from lms.xapi.models import StatementStatus, XapiStatement
from lms.xapi.statements import XapiError
from tests.conftest import PASSWORD
from tests.learning.steps import beacon
from tests.xapi import lrs


def by_status() -> dict[str, int]:
    return dict(
        db.session.execute(
            select(XapiStatement.status, func.count()).group_by(XapiStatement.status)
        ).all()
    )


def total() -> int:
    return db.session.scalar(select(func.count(XapiStatement.id)))


def test_push_sends_in_batches_with_the_version_header_and_basic_auth(journey, fake_lrs, runner):
    result = runner.invoke(args=["xapi", "push", "--batch", "4"])

    count = total()
    assert result.exit_code == 0, result.output
    assert f"Đã xếp hàng {count} bản ghi mới; đã gửi {count}; kho LRS từ chối 0" in result.output
    assert by_status() == {"sent": count}
    assert [len(ids) for ids in fake_lrs.posts] == [4] * (count // 4) + (
        [count % 4] if count % 4 else []
    )
    assert set(fake_lrs.statements) == set(db.session.scalars(select(XapiStatement.statement_id)))
    assert set(fake_lrs.versions) == {"1.0.3"}
    expected = "Basic " + base64.b64encode(f"{lrs.KEY}:{lrs.SECRET}".encode()).decode()
    assert set(fake_lrs.auth) == {expected}
    assert None not in db.session.scalars(select(XapiStatement.sent_at)).all()


def test_a_second_push_sends_nothing(journey, fake_lrs, runner):
    runner.invoke(args=["xapi", "push"])
    posts = len(fake_lrs.posts)

    result = runner.invoke(args=["xapi", "push"])

    assert "Đã xếp hàng 0 bản ghi mới; đã gửi 0" in result.output
    assert len(fake_lrs.posts) == posts


def test_an_lrs_that_fails_keeps_everything_queued_with_growing_waits(journey, fake_lrs):
    fake_lrs.outage = 503
    now = utcnow() + timedelta(seconds=1)  # after the statements are queued

    first = services.push(batch=100, now=now)

    count = total()
    assert first is not None and (first.queued, first.sent, first.put_off) == (count, 0, count)
    assert by_status() == {"queued": count}
    rows = db.session.scalars(select(XapiStatement)).all()
    assert {row.attempts for row in rows} == {1}
    assert {row.next_attempt_at for row in rows} == {now + timedelta(minutes=1)}
    assert {row.last_error for row in rows} == {'HTTP 503: {"detail": "unavailable"}'}
    # Not due yet: nothing is sent before the wait is over.
    assert services.push(batch=100, now=now + timedelta(seconds=59)).put_off == 0

    moment = now
    waits = []
    for _ in range(9):
        moment = db.session.scalar(select(func.min(XapiStatement.next_attempt_at)))
        services.push(batch=100, now=moment)
        db.session.expire_all()
        waits.append(db.session.scalar(select(func.min(XapiStatement.next_attempt_at))) - moment)
    assert waits == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60, 60, 60, 60)]
    assert by_status() == {"queued": count}  # never given up
    assert {row.attempts for row in db.session.scalars(select(XapiStatement))} == {10}

    fake_lrs.outage = None
    last = services.push(batch=100, now=moment + timedelta(hours=1))
    assert last is not None and last.sent == count
    assert by_status() == {"sent": count}
    assert len(fake_lrs.statements) == count


def test_too_many_requests_is_waited_out_too(journey, fake_lrs):
    fake_lrs.outage = 429
    services.push(batch=100)
    assert by_status() == {"queued": total()}


def test_a_refused_statement_is_set_aside_and_the_rest_delivered(journey, fake_lrs, runner):
    services.enqueue_new()
    db.session.commit()
    bad = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id).offset(2)).first()
    fake_lrs.refuse = {bad.statement_id}

    result = runner.invoke(args=["xapi", "push", "--batch", "5"])

    count = total()
    assert "kho LRS từ chối 1;" in result.output
    assert by_status() == {"sent": count - 1, "rejected": 1}
    db.session.expire_all()
    assert bad.status == StatementStatus.REJECTED
    assert bad.last_error == f'HTTP 400: {{"detail": "invalid statement {bad.statement_id}"}}'
    assert set(fake_lrs.statements) == set(
        db.session.scalars(select(XapiStatement.statement_id)).all()
    ) - {bad.statement_id}
    posts = len(fake_lrs.posts)

    runner.invoke(args=["xapi", "push"])

    assert len(fake_lrs.posts) == posts  # a refused statement is not sent again


def test_a_redirect_is_not_followed_and_the_statements_wait(app, journey, fake_lrs):
    fake_lrs.redirect = app.config["XAPI_ENDPOINT"] + "/moved/statements"

    pushed = services.push(batch=100)

    count = total()
    assert pushed is not None and (pushed.sent, pushed.put_off) == (0, count)
    assert by_status() == {"queued": count}
    assert fake_lrs.gets == 0  # no GET sent after the POST (whose 200 would have said nothing)
    assert len(fake_lrs.posts) == 1
    error = db.session.scalar(select(XapiStatement.last_error).limit(1))
    assert "chuyển hướng (HTTP 302)" in error and fake_lrs.redirect in error


def test_a_200_without_the_statements_ids_is_not_taken_as_stored(journey, fake_lrs):
    fake_lrs.unconfirmed = True

    services.push(batch=100)

    assert by_status() == {"queued": total()}
    assert "không kèm mã của" in db.session.scalar(select(XapiStatement.last_error).limit(1))


def test_an_lrs_that_stops_answering_while_a_refused_batch_is_split_puts_the_rest_off(
    journey, fake_lrs
):
    services.enqueue_new()
    db.session.commit()
    first = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)).first()
    fake_lrs.refuse = {first.statement_id}
    fake_lrs.outage_after = 2  # the batch, refused; the first alone, refused; then down

    pushed = services.push(batch=100)

    count = total()
    assert pushed is not None and (pushed.rejected, pushed.put_off) == (1, count - 1)
    assert len(fake_lrs.posts) == 3  # nothing more sent once the LRS stopped answering
    assert by_status() == {"rejected": 1, "queued": count - 1}


def test_credentials_written_into_the_endpoint_are_refused_and_not_shown(app, journey):
    app.config.update(
        XAPI_ENDPOINT="https://lms:bi-mat@lrs.example.vn/xAPI", XAPI_KEY="k", XAPI_SECRET="s"
    )

    with pytest.raises(XapiError) as refused:
        services.push()

    assert "lrs.example.vn/xAPI" in str(refused.value) and "bi-mat" not in str(refused.value)
    assert total() == 0


def test_a_claim_held_by_a_worker_is_left_until_its_lease_ends(journey, fake_lrs):
    services.enqueue_new()
    now = utcnow() + timedelta(seconds=1)
    db.session.execute(
        update(XapiStatement).values(
            status=StatementStatus.SENDING, claimed_until=now + timedelta(minutes=5)
        )
    )
    db.session.commit()

    assert services.push(batch=100, now=now).sent == 0
    after = services.push(batch=100, now=now + timedelta(minutes=5))

    assert after.sent == total()
    assert by_status() == {"sent": total()}


def test_retry_delays_double_up_to_the_longest():
    assert [leases.retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8)
    ]
    assert leases.retry_delay(40, longest=timedelta(hours=1)) == timedelta(hours=1)
    assert leases.retry_delay(10**6) == timedelta(minutes=2**30)


def test_the_loop_sends_what_is_new_each_round(journey, fake_lrs, runner, monkeypatch, client):
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:
            assert beacon(client, "chao-hoi", 40).status_code == 204  # new while it waits
            return
        raise SystemExit(0)  # the service is stopped

    monkeypatch.setattr("lms.leases.time.sleep", sleep)
    client.post("/login", data={"username": "mai", "password": PASSWORD})

    result = runner.invoke(args=["xapi", "push", "--loop", "--every", "7"])

    count = total()
    assert pauses == [7, 7]
    assert f"Đã xếp hàng {count - 1} bản ghi mới; đã gửi {count - 1};" in result.output
    assert "Đã xếp hàng 1 bản ghi mới; đã gửi 1;" in result.output
    assert by_status() == {"sent": count}
