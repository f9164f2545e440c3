"""The credit ledger: what a person earned, on which day, from what, in its own unit.

Entries are never edited: a correction is a new entry that reverses an old one (with who and
why), so a frozen nomination list and the audit log can always explain a number. Rule versions
(targets, minutes per tiết) are applied when figures are read, never stored on a credit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Model, UTCDateTime, utcnow


class CreditSource(StrEnum):
    COURSE = "course"  # a course completed on the platform: its tiết
    ACTIVITY = "activity"  # an external activity a manager verified: its clock hours


class CreditUnit(StrEnum):
    TIET = "tiet"
    HOUR = "hour"


class Credit(Model):
    """One entry of the ledger: person earned amount (in unit) on day, from one source."""

    __tablename__ = "progress_credit"
    __table_args__ = (
        CheckConstraint("(course_progress_id IS NULL) <> (activity_id IS NULL)", name="one_source"),
        # Figures are sums over a person's days: read from the index alone.
        Index("ix_progress_credit_person_day", "person_id", "day", "unit", "amount", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # The agency's calendar day the credit was earned on.
    day: Mapped[date]
    source: Mapped[CreditSource] = mapped_column(String(10))
    course_progress_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_progress.id"), index=True
    )
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("external_activity.id"), index=True)
    # The course completed (course credits): for categories and required items.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    unit: Mapped[CreditUnit] = mapped_column(String(10))
    # A reversal carries the negated amount of the entry it cancels, and why.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("progress_credit.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
