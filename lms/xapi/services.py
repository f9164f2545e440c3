"""The statement queue: new records queued in chunks, then sent in batches, each row claimed by
one worker at a time (lms.leases), marked sent once the LRS took it, put off with a doubling
wait while the LRS is down (never given up), and set aside when the LRS refuses it alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Insert, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms import leases
from lms.db import db, utcnow
from lms.i18n import gettext as _
from lms.xapi import statements
from lms.xapi.lrs import Answer, Store
from lms.xapi.models import StatementStatus, XapiStatement
from lms.xapi.statements import XapiError

LEASE = timedelta(minutes=10)  # a worker that died mid-send leaves its claim this long
LONGEST_WAIT = timedelta(hours=1)
CHUNK = 1000  # source rows read, built and queued at a time


def store() -> Store | None:
    """The LRS as set, or None when xAPI is off (no endpoint); XapiError for a bad setting."""
    config = current_app.config
    endpoint = str(config.get("XAPI_ENDPOINT") or "").strip()
    if not endpoint:
        return None
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        # Shown without what precedes an @: a key or password written into the address.
        shown = endpoint.rsplit("@", 1)[-1] if "@" in parts.netloc else endpoint
        raise XapiError(
            _(
                "LMS_XAPI_ENDPOINT “%(value)s” không phải địa chỉ http:// hoặc https:// của kho "
                "LRS (ví dụ https://lrs.example.vn/xAPI; khóa và mật khẩu đặt ở LMS_XAPI_KEY và "
                "LMS_XAPI_SECRET, không viết vào địa chỉ).",
                value=shown,
            )
        )
    key, secret = str(config.get("XAPI_KEY") or ""), str(config.get("XAPI_SECRET") or "")
    if not key or not secret:
        raise XapiError(_("Cần đặt cả LMS_XAPI_KEY và LMS_XAPI_SECRET để gửi đến kho LRS."))
    statements.home_page()  # checked before anything is queued
    return Store(endpoint, key, secret)


def _insert_new() -> Insert:
    """INSERT that skips a row another worker queued meanwhile (same source or statement id)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(XapiStatement).on_conflict_do_nothing()
    return sqlite.insert(XapiStatement).on_conflict_do_nothing()


def enqueue_new(chunk: int = CHUNK) -> int:
    """Queue the statements of every record not queued yet, a chunk at a time, each chunk
    committed (memory stays bounded whatever the number of records). Returns how many."""
    queued = 0
    for source in statements.SOURCES:
        for built in statements.unqueued(source, chunk):
            now = utcnow()
            rows = [
                {
                    "source_kind": item.kind,
                    "source_id": item.source_id,
                    "statement_id": item.statement["id"],
                    "statement": item.statement,
                    "status": StatementStatus.QUEUED,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "created_at": now,
                }
                for item in built
            ]
            db.session.execute(_insert_new(), rows)
            db.session.commit()
            queued += len(rows)
    return queued


@dataclass
class Pushed:
    queued: int = 0
    sent: int = 0
    rejected: int = 0
    put_off: int = 0
    errors: list[str] = field(default_factory=list)


def send_due(lrs: Store, batch: int, now: datetime | None = None) -> Pushed:
    """Send what is due, batch after batch, until nothing is due or the LRS stops answering."""
    pushed = Pushed()
    while True:
        now_ = now or utcnow()
        claimed = leases.claim_due(
            XapiStatement,
            batch,
            now_,
            lease=LEASE,
            queued=StatementStatus.QUEUED,
            sending=StatementStatus.SENDING,
        )
        if not claimed:
            return pushed
        put_off_before = pushed.put_off
        _send_batch(lrs, claimed, now_, pushed)
        if pushed.put_off > put_off_before:
            return pushed  # the LRS is down or failing: the rest waits for the next round


def _send_batch(lrs: Store, ids: list[int], now: datetime, pushed: Pushed) -> None:
    rows = db.session.execute(
        select(XapiStatement.id, XapiStatement.statement)
        .where(XapiStatement.id.in_(ids))
        .order_by(XapiStatement.id)
    ).all()
    answer = lrs.post([row.statement for row in rows])
    if answer.is_stored:
        _mark_sent(ids)
        pushed.sent += len(ids)
    elif answer.is_refusal and len(rows) > 1:
        # One statement may spoil the batch: each alone tells which. Should the LRS stop
        # answering meanwhile, the rest waits with the others (within this claim's lease).
        for index, row in enumerate(rows):
            if not _send_alone(lrs, row.id, row.statement, now, pushed):
                rest = [later.id for later in rows[index + 1 :]]
                if rest:
                    _put_off(rest, Answer(None, pushed.errors[-1]), now)
                    pushed.put_off += len(rest)
                break
    elif answer.is_refusal:
        _reject(rows[0].id, answer)
        pushed.rejected += 1
    else:
        _put_off(ids, answer, now)
        pushed.put_off += len(ids)
        pushed.errors.append(answer.detail)
    db.session.commit()


def _send_alone(
    lrs: Store, row_id: int, statement: dict[str, Any], now: datetime, pushed: Pushed
) -> bool:
    """Send one statement; False when the LRS did not answer (it was put off)."""
    answer = lrs.post([statement])
    if answer.is_stored:
        _mark_sent([row_id])
        pushed.sent += 1
    elif answer.is_refusal:
        _reject(row_id, answer)
        pushed.rejected += 1
    else:
        _put_off([row_id], answer, now)
        pushed.put_off += 1
        pushed.errors.append(answer.detail)
        return False
    return True


def _mark_sent(ids: Sequence[int]) -> None:
    db.session.execute(
        update(XapiStatement)
        .where(XapiStatement.id.in_(ids))
        .values(status=StatementStatus.SENT, sent_at=utcnow(), claimed_until=None, last_error=""),
        execution_options={"synchronize_session": False},
    )


def _reject(row_id: int, answer: Answer) -> None:
    db.session.execute(
        update(XapiStatement)
        .where(XapiStatement.id == row_id)
        .values(
            status=StatementStatus.REJECTED, claimed_until=None, last_error=answer.detail[:500]
        ),
        execution_options={"synchronize_session": False},
    )


def _put_off(ids: Sequence[int], answer: Answer, now: datetime) -> None:
    """Back to the queue, due again after the wait its attempts call for (at most an hour)."""
    by_attempts: dict[int, list[int]] = {}
    for row_id, tries in db.session.execute(
        select(XapiStatement.id, XapiStatement.attempts).where(XapiStatement.id.in_(ids))
    ):
        by_attempts.setdefault(tries, []).append(row_id)
    for tries, same in by_attempts.items():
        db.session.execute(
            update(XapiStatement)
            .where(XapiStatement.id.in_(same))
            .values(
                status=StatementStatus.QUEUED,
                claimed_until=None,
                next_attempt_at=now + leases.retry_delay(tries, longest=LONGEST_WAIT),
                last_error=(answer.detail or _("Kho LRS không trả lời."))[:500],
            ),
            execution_options={"synchronize_session": False},
        )


def push(batch: int = 500, now: datetime | None = None) -> Pushed | None:
    """Queue what is new, then send the queue; None when xAPI is off (no endpoint set)."""
    lrs = store()
    if lrs is None:
        return None
    queued = enqueue_new()
    pushed = send_due(lrs, batch, now)
    pushed.queued = queued
    return pushed


def counts() -> dict[str, int]:
    """How many statements are in each state."""
    return {
        str(status): count
        for status, count in db.session.execute(
            select(XapiStatement.status, func.count()).group_by(XapiStatement.status)
        )
    }
