"""Annual self-study plans and their versions, external activities with evidence, and in-app
notifications. (The yearly target rules and unit assignments that plans write are read by the
progress engine, and live in lms.progress.models.)

Nothing here is ever deleted: a plan grows a new version, an activity's evidence is replaced
by a newer file, so every figure of a past year can still be explained.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Person
from lms.courses.models import Course
from lms.db import Model, UTCDateTime, utcnow


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class StudyPlan(Model):
    """A person's self-study plan for a year; its content lives in numbered versions."""

    __tablename__ = "study_plan"
    __table_args__ = (UniqueConstraint("person_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    year: Mapped[int]
    # Bumped by every change; a manager's decision names the revision it was made on.
    revision: Mapped[int] = mapped_column(default=1)
    self_assessment: Mapped[str | None] = mapped_column(Text)
    self_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager_assessment: Mapped[str | None] = mapped_column(Text)
    manager_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manager_assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number"
    )
    events: Mapped[list[PlanEvent]] = relationship(back_populates="plan", order_by="PlanEvent.id")

    @property
    def latest(self) -> PlanVersion:
        return self.versions[-1]


class PlanVersion(Model):
    """One version of a plan: editable while a draft or returned, frozen once submitted."""

    __tablename__ = "plan_version"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        # Whether a plan was ever approved is read from the index alone (a roster asks it of
        # every plan of the period: 0,9 s -> 0,3 s at 100,000 people).
        Index("ix_plan_version_plan_status", "plan_id", "status", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("study_plan.id"))
    number: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(String(12), default=PlanStatus.DRAFT)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    plan: Mapped[StudyPlan] = relationship(back_populates="versions")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="version", order_by="PlanItem.id", cascade="all, delete-orphan"
    )

    @property
    def is_editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanItem(Model):
    """A self-chosen course or an external activity in one version of a plan."""

    __tablename__ = "plan_item"
    __table_args__ = (
        CheckConstraint("(course_id IS NULL) <> (activity_id IS NULL)", name="course_or_activity"),
        CheckConstraint("planned_month IS NULL OR planned_month BETWEEN 1 AND 12", name="month"),
        CheckConstraint(
            "planned_quarter IS NULL OR planned_quarter BETWEEN 1 AND 4", name="quarter"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("external_activity.id"))
    planned_month: Mapped[int | None]
    planned_quarter: Mapped[int | None]
    expected_hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))

    version: Mapped[PlanVersion] = relationship(back_populates="items")
    course: Mapped[Course | None] = relationship()
    activity: Mapped[ExternalActivity | None] = relationship()


class PlanEvent(Model):
    """A transition of a plan: who did what to which version, when, with what comment."""

    __tablename__ = "plan_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("study_plan.id"), index=True)
    version_number: Mapped[int]
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[StudyPlan] = relationship(back_populates="events")
    actor: Mapped[Person | None] = relationship()


class ActivityKind(StrEnum):
    TRAINING = "training"
    REFRESHER = "refresher"
    WORKSHOP = "workshop"
    OTHER = "other"


class ActivityStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class ExternalActivity(Model):
    """Training outside the platform; its hours count only once a manager verified them."""

    __tablename__ = "external_activity"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("ends_on >= starts_on", name="valid_span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    year: Mapped[int]
    kind: Mapped[ActivityKind] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # Clock hours, as certificates state them.
    hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_file.id"))
    status: Mapped[ActivityStatus] = mapped_column(String(10), default=ActivityStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evidence: Mapped[EvidenceFile | None] = relationship()


class EvidenceFile(Model):
    """An uploaded certificate, kept in the database under a random token."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Shown to people only; never used to build a path or decide the type.
    original_name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Model):
    """An in-app message; the key makes a daily reminder idempotent."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(300))
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
