"""Award criteria sets, their criteria and points indicators, manager-entered points, initiatives.

A criteria set is data, not code: HCTH names it, gives it a period and lists its criteria. The
evaluation in `lms.awards.criteria` reads a set as plain values (`CriteriaSpec`), so a frozen
nomination list can keep the exact rules it was built with.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Person
from lms.db import Model, UTCDateTime, utcnow
from lms.i18n import lazy_gettext as _l
from lms.org.models import Unit


class CriterionKind(StrEnum):
    PLAN_APPROVED = "plan_approved"
    REQUIRED_DONE = "required_done"
    HOURS = "hours"
    COURSES = "courses"
    INITIATIVES = "initiatives"
    POINTS = "points"


class IndicatorSource(StrEnum):
    """Where an indicator's points come from: a manager, or the person's own figures."""

    MANUAL = "manual"
    HOURS = "hours"
    REQUIRED = "required"
    PLAN = "plan"
    COURSES = "courses"
    INITIATIVES = "initiatives"


class CriteriaSet(Model):
    __table_args__ = (CheckConstraint("first_day <= last_day", name="period_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    first_day: Mapped[date]
    last_day: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="criteria_set",
        order_by="Criterion.position",
        cascade="all, delete-orphan",
    )


class Criterion(Model):
    """One condition of a set. Which fields matter depends on the kind (see criteria.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"), index=True)
    position: Mapped[int]
    kind: Mapped[CriterionKind] = mapped_column(String(20))
    # HOURS: percentage of the target; COURSES, INITIATIVES: the least count; POINTS: threshold.
    percent: Mapped[int | None]
    count: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(String(40))
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="criterion",
        order_by="Indicator.position",
        cascade="all, delete-orphan",
    )


class Indicator(Model):
    """A line of a points scheme: its maximum, its floor, and where its points come from."""

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    max_points: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    min_points: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(0))
    source: Mapped[IndicatorSource] = mapped_column(String(20))
    # For COURSES and INITIATIVES sources: the count that earns full points.
    target: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(String(40))

    criterion: Mapped[Criterion] = relationship(back_populates="indicators")


class PointsEntry(Model):
    """Points a manager gave a person on a manual indicator."""

    __table_args__ = (UniqueConstraint("indicator_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RecognitionLevel(StrEnum):
    UNIT = "unit"
    AGENCY = "agency"
    PROVINCE = "province"
    NATIONAL = "national"


# One wording everywhere: forms, lists, and the summaries of nomination lists. "Cấp cơ sở" is
# the agency's own council (the Sở), as the regulations on initiatives use it.
RECOGNITION_LABELS = {
    RecognitionLevel.UNIT: _l("cấp đơn vị (phòng)"),
    RecognitionLevel.AGENCY: _l("cấp cơ sở (Sở)"),
    RecognitionLevel.PROVINCE: _l("cấp tỉnh"),
    RecognitionLevel.NATIONAL: _l("cấp toàn quốc"),
}


class InitiativeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Initiative(Model):
    """A sáng kiến or giải pháp, with its authors; counted by criteria once approved."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    # The title folded (lms.text.fold) for searching without diacritics.
    search_title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    recognition_level: Mapped[RecognitionLevel | None] = mapped_column(String(20))
    recognised_on: Mapped[date | None]
    status: Mapped[InitiativeStatus] = mapped_column(
        String(12), default=InitiativeStatus.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    authors: Mapped[list[InitiativeAuthor]] = relationship(
        back_populates="initiative",
        order_by="InitiativeAuthor.position",
        cascade="all, delete-orphan",
    )


class InitiativeAuthor(Model):
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, index=True)
    position: Mapped[int]

    initiative: Mapped[Initiative] = relationship(back_populates="authors")
    person: Mapped[Person] = relationship()
