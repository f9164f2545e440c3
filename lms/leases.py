"""Work queues in a table (the e-mail outbox, xAPI statements): rows claimed by one worker at a
time for a lease, and what failed put off with a doubling wait.

A queue's model has the columns id, status, attempts, next_attempt_at and claimed_until; its
statuses name the queued and the being-sent states. A worker that dies mid-send leaves its
claim until the lease ends; then any worker may claim the row again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from lms.db import db


def claim_due(
    model: Any, limit: int, now: datetime, *, lease: timedelta, queued: str, sending: str
) -> list[int]:
    """Claim up to limit due rows of model for this worker and commit the claims; return their
    ids, oldest first. A row another worker claimed first, or one whose lease still runs, is
    left alone; each claim counts one attempt."""
    due = db.session.scalars(
        select(model.id)
        .where(
            or_(
                (model.status == queued) & (model.next_attempt_at <= now),
                (model.status == sending) & (model.claimed_until <= now),
            )
        )
        .order_by(model.id)
        .limit(limit)
    ).all()
    if not due:
        return []
    # One UPDATE for the batch, conditional on each row still being free: of two workers,
    # only one changes a row, and RETURNING says which rows this one got.
    claimed = db.session.scalars(
        update(model)
        .where(
            model.id.in_(due),
            or_(
                (model.status == queued) & (model.next_attempt_at <= now),
                (model.status == sending) & (model.claimed_until <= now),
            ),
        )
        .values(status=sending, claimed_until=now + lease, attempts=model.attempts + 1)
        .returning(model.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.commit()
    return sorted(claimed)


def retry_delay(attempts: int, *, longest: timedelta | None = None) -> timedelta:
    """The wait before the next try after attempts tries: 1, 2, 4... minutes, at most longest."""
    delay = timedelta(minutes=2 ** min(max(attempts - 1, 0), 30))
    return min(delay, longest) if longest is not None else delay


def rounds(loop: bool, every: int) -> Iterator[int]:
    """The rounds of a queue's sending command: one, or (its --loop) one after another for ever
    with every seconds (at least one) between them. Yields the round's number from 1."""
    number = 1
    while True:
        yield number
        if not loop:
            return
        time.sleep(max(1, every))
        number += 1
