"""The credit ledger: what a person earned, on which day, from what, in its own unit.

Entries are never edited: a correction is a new entry that reverses an old one (with who and
why), so a frozen nomination list and the audit log can always explain a number. Rule versions
(targets, minutes per tiết) are applied when figures are read, never stored on a credit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import Course
from lms.db import Model, UTCDateTime, utcnow
from lms.org.models import Unit
from lms.reference import REFERENCE_DATA


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


# Rule versions and required items: what the engine reads to judge figures. Plans writes them
# (lms.plans.rules, lms.plans.assignments); their tables keep their plan_ names.


class TargetUnit(StrEnum):
    TIET = "tiet"
    HOUR = "hour"


class TargetRule(Model):
    """One version of the yearly training target; a change adds a version, never overwrites.

    A version governs the days from its effective date until the next version of its code
    starts (lms.progress.rules); fixing a typo in a version is a separate, audited correction.
    """

    __tablename__ = "plan_target_rule"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("minutes_per_tiet > 0", name="minutes_positive"),
        CheckConstraint(
            "effective_until IS NULL OR effective_until >= effective_from", name="valid_span"
        ),
        # Read once per process while unchanged (the rule book: lms.reference).
        {"info": REFERENCE_DATA},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Versions of one rule share its code; replaced_at says when a later version was added.
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    unit: Mapped[TargetUnit] = mapped_column(String(10))
    minutes_per_tiet: Mapped[int]
    legal_basis: Mapped[str] = mapped_column(Text)
    employment_kinds: Mapped[list[str]] = mapped_column(JSON)
    effective_from: Mapped[date]
    effective_until: Mapped[date | None]
    # The whole yearly amount for any part of a year; otherwise prorated by days.
    full_year: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssignmentKind(StrEnum):
    REQUIRED = "required"
    RECOMMENDED = "recommended"


class UnitAssignment(Model):
    """A course a manager assigned to a unit (maybe with its sub-units) for a year."""

    __tablename__ = "plan_assignment"
    # Read once per process while unchanged (the engine's requirements: lms.reference).
    __table_args__ = ({"info": REFERENCE_DATA},)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[AssignmentKind] = mapped_column(String(12))
    include_subunits: Mapped[bool] = mapped_column(default=True)
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    unit: Mapped[Unit] = relationship()
    course: Mapped[Course] = relationship()
