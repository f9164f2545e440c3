"""Writing the ledger: a credit when learning earns one, in the same transaction.

Callers are the places where learning is recorded (a course completed, an external activity
verified); they never compute a figure. Nothing here commits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from lms.db import db
from lms.i18n import local_day
from lms.progress.models import Credit, CreditSource, CreditUnit


class CourseProgress(Protocol):
    """What the ledger reads of a completed course (learning's row): the ledger owns its inputs,
    so it names the fields it needs instead of importing the workflow above it."""

    id: int
    person_id: int
    course_id: int
    completed_at: datetime | None
    hours_credited: Decimal | None


class ExternalActivity(Protocol):
    """What the ledger reads of a verified external activity (plans' row)."""

    id: int
    person_id: int
    year: int
    ends_on: date
    hours: Decimal
    decided_by_id: int | None


def activity_day(year: int, ends_on: date) -> date:
    """The day an activity's hours count on: its last day, kept inside the year it was filed for
    (a course running from December into January counts in the year the person named)."""
    return min(max(ends_on, date(year, 1, 1)), date(year, 12, 31))


def credit_course(progress: CourseProgress) -> Credit:
    """Credit the tiết of a completed course on the agency's day it was completed."""
    assert progress.completed_at is not None  # called once the course is completed
    credit = Credit(
        person_id=progress.person_id,
        day=local_day(progress.completed_at),
        source=CreditSource.COURSE,
        course_progress_id=progress.id,
        course_id=progress.course_id,
        amount=progress.hours_credited or 0,
        unit=CreditUnit.TIET,
    )
    db.session.add(credit)
    return credit


def credit_activity(activity: ExternalActivity) -> Credit:
    """Credit the clock hours of a verified external activity."""
    credit = Credit(
        person_id=activity.person_id,
        day=activity_day(activity.year, activity.ends_on),
        source=CreditSource.ACTIVITY,
        activity_id=activity.id,
        amount=activity.hours,
        unit=CreditUnit.HOUR,
        created_by_id=activity.decided_by_id,
    )
    db.session.add(credit)
    return credit
