"""Queueing e-mail with the change that makes it, and sending the queue: each message claimed
by one worker at a time, marked sent as soon as the server took it, retried with back-off."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import insert, select

from lms import leases
from lms.db import batches, db, utcnow
from lms.outbox.models import MailStatus, OutgoingMail

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a worker that died mid-send leaves its claim this long


@dataclass(frozen=True)
class Letter:
    key: str
    to: str
    subject: str
    body: str


def enabled() -> bool:
    """Whether e-mail is sent at all (an SMTP server is set)."""
    return bool(current_app.config.get("SMTP_HOST"))


def queue(letters: Sequence[Letter]) -> int:
    """Queue the letters not queued before (by key), in one statement; nothing is committed
    here, so they are sent only if the change that made them is. Returns how many."""
    if not letters or not enabled():
        return 0
    keys = [letter.key for letter in letters]
    known: set[str] = set()
    for batch in batches(keys):
        known.update(
            db.session.scalars(select(OutgoingMail.key).where(OutgoingMail.key.in_(batch)))
        )
    now = utcnow()
    rows = [
        {
            "key": letter.key[:160],
            "to": letter.to[:200],
            "subject": letter.subject[:300],
            "body": letter.body,
            "status": MailStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "created_at": now,
        }
        for letter in {letter.key: letter for letter in letters if letter.key not in known}.values()
    ]
    if rows:
        db.session.execute(insert(OutgoingMail), rows)
    return len(rows)


@dataclass(frozen=True)
class Sent:
    sent: int
    retried: int
    failed: int


def _claim(limit: int, now: datetime) -> list[OutgoingMail]:
    """Claim up to limit due messages for this worker (lms.leases) and load them."""
    claimed = leases.claim_due(
        OutgoingMail,
        limit,
        now,
        lease=LEASE,
        queued=MailStatus.QUEUED,
        sending=MailStatus.SENDING,
    )
    return list(
        db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.id.in_(claimed)).order_by(OutgoingMail.id)
        )
    )


def _message(mail: OutgoingMail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    # The same id on a retry: a server that took it once can tell it is the same letter.
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}", domain="hoctapsuotdoi")
    message.set_content(mail.body)
    return message


def send_due(limit: int = 100, now: datetime | None = None) -> Sent:
    """Send what is due: claim a batch, send over one connection, mark each sent as soon as
    the server took it (committed one by one, so a restart sends nothing twice), and put off
    what failed: 1, 2, 4... minutes, until MAX_ATTEMPTS."""
    now = now or utcnow()
    claimed = _claim(limit, now)
    if not claimed or not enabled():
        return Sent(0, 0, 0)
    config = current_app.config
    sent = retried = failed = 0
    try:
        smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=30)
        if config.get("SMTP_USER"):
            smtp.starttls()
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    except (OSError, smtplib.SMTPException) as error:
        for mail in claimed:
            retried, failed = _put_off(mail, error, now, retried, failed)
        db.session.commit()
        return Sent(0, retried, failed)
    with smtp:
        for mail in claimed:
            try:
                smtp.send_message(_message(mail))
            except (OSError, smtplib.SMTPException) as error:
                retried, failed = _put_off(mail, error, now, retried, failed)
            else:
                mail.status = MailStatus.SENT
                mail.sent_at = utcnow()
                mail.claimed_until = None
                sent += 1
            db.session.commit()
    return Sent(sent, retried, failed)


def _put_off(
    mail: OutgoingMail, error: Exception, now: datetime, retried: int, failed: int
) -> tuple[int, int]:
    mail.last_error = str(error)[:300]
    mail.claimed_until = None
    if mail.attempts >= MAX_ATTEMPTS:
        mail.status = MailStatus.FAILED
        return retried, failed + 1
    mail.status = MailStatus.QUEUED
    mail.next_attempt_at = now + leases.retry_delay(mail.attempts)
    return retried + 1, failed
