"""E-mail sent outside the request: queued with the change, sent in batches each once (a real
SMTP server in the test), retried with back-off while the server is down, never lost."""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from lms.db import db, utcnow
from lms.outbox import services as outbox
from lms.outbox.models import MailStatus, OutgoingMail


class Sink:
    """An SMTP server on a free local port that keeps what it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []  # (Message-ID, subject)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.received.append((str(message["Message-ID"]), str(message["Subject"])))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sink(app):
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_FROM="lms@example.vn")
    yield handler
    controller.stop()


def letters(count: int) -> list[outbox.Letter]:
    return [
        outbox.Letter(f"test:{n}", f"nguoi{n}@example.vn", f"Thư {n}", f"Nội dung {n}")
        for n in range(count)
    ]


def statuses() -> dict[str, int]:
    return dict(
        db.session.execute(
            select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)
        ).all()
    )


def test_nothing_is_queued_without_an_smtp_server(app):
    assert outbox.queue(letters(3)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


def test_each_letter_is_queued_once_and_sent_once(sink):
    assert outbox.queue(letters(3)) == 3
    assert outbox.queue(letters(4)) == 1  # the first three are queued already
    db.session.commit()

    first = outbox.send_due()
    again = outbox.send_due()

    assert (first.sent, again.sent) == (4, 0)
    assert sorted(subject for _id, subject in sink.received) == ["Thư 0", "Thư 1", "Thư 2", "Thư 3"]
    assert len({message_id for message_id, _s in sink.received}) == 4
    assert statuses() == {MailStatus.SENT: 4}


def test_a_worker_that_dies_mid_batch_leaves_nothing_sent_twice_or_lost(sink, monkeypatch):
    outbox.queue(letters(5))
    db.session.commit()
    real = smtplib.SMTP.send_message
    calls = []

    def dies_on_the_third(self, message, *args, **kwargs):
        calls.append(message["Subject"])
        if len(calls) == 3:
            raise KeyboardInterrupt  # the worker killed while sending
        return real(self, message, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        outbox.send_due()
    db.session.rollback()
    monkeypatch.setattr(smtplib.SMTP, "send_message", real)
    assert len(sink.received) == 2
    # A new worker: what the dead one had claimed waits for its claim to lapse, then goes.
    assert outbox.send_due().sent == 0
    assert outbox.send_due(now=utcnow() + outbox.LEASE + timedelta(seconds=1)).sent == 3

    subjects = sorted(subject for _id, subject in sink.received)
    assert subjects == ["Thư 0", "Thư 1", "Thư 2", "Thư 3", "Thư 4"]
    assert statuses() == {MailStatus.SENT: 5}


def test_a_server_that_is_down_delays_and_retries_and_loses_nothing(app, sink):
    outbox.queue(letters(2))
    db.session.commit()
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = str(free_port())  # nobody listens there
    now = utcnow()

    down = outbox.send_due(now=now)

    assert (down.sent, down.retried) == (0, 2)
    mail = db.session.scalars(select(OutgoingMail)).first()
    assert mail.status == MailStatus.QUEUED and mail.last_error
    assert mail.next_attempt_at == now + timedelta(minutes=1)
    assert outbox.send_due(now=now + timedelta(seconds=30)).retried == 0  # not yet due
    app.config["SMTP_PORT"] = port
    assert outbox.send_due(now=now + timedelta(minutes=2)).sent == 2
    assert statuses() == {MailStatus.SENT: 2}


def test_a_letter_is_given_up_after_the_last_try(app, sink):
    outbox.queue(letters(1))
    db.session.commit()
    app.config["SMTP_PORT"] = str(free_port())
    now = utcnow()
    for attempt in range(outbox.MAX_ATTEMPTS):
        outbox.send_due(now=now + timedelta(days=attempt))
    assert statuses() == {MailStatus.FAILED: 1}


def test_the_command_sends_and_says_so(runner, sink):
    outbox.queue(letters(2))
    db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert "Đã gửi 2 thư; 0 thư sẽ thử lại; 0 thư bỏ sau nhiều lần lỗi." in result.output
