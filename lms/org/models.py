"""Organisation units, their names over time, and people's memberships in them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model
from lms.reference import REFERENCE_DATA

if TYPE_CHECKING:
    from lms.accounts.models import Person


class UnitKind(StrEnum):
    AGENCY = "agency"
    DIVISION = "division"
    DISTRICT_OFFICE = "district_office"
    COMMUNE = "commune"
    OTHER = "other"


class Unit(Model):
    """A unit that exists for a span of time; its name and place live in UnitVersion."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_span"),
        # Read once per process while unchanged (the roster's tree order: lms.reference).
        {"info": REFERENCE_DATA},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[UnitKind] = mapped_column(String(20))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    versions: Mapped[list[UnitVersion]] = relationship(
        back_populates="unit",
        foreign_keys="UnitVersion.unit_id",
        order_by="UnitVersion.valid_from",
        cascade="all, delete-orphan",
    )
    successor: Mapped[Unit | None] = relationship(remote_side=[id])

    def is_open_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def version_on(self, day: date) -> UnitVersion | None:
        """Return the name and parent the unit had on day, if it existed then."""
        return next((v for v in self.versions if v.covers(day)), None)

    @property
    def latest_version(self) -> UnitVersion:
        return self.versions[-1]

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitVersion(Model):
    """The name and parent a unit had from one date until another (inclusive)."""

    __tablename__ = "unit_version"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_span"),
        # Read once per process while unchanged (the tree over time: lms.reference).
        {"info": REFERENCE_DATA},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]

    unit: Mapped[Unit] = relationship(back_populates="versions", foreign_keys=[unit_id])
    parent: Mapped[Unit | None] = relationship(foreign_keys=[parent_id])

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class Membership(Model):
    """A person's membership of a unit from one date until another (inclusive)."""

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_span"),
        # Covering: who was in which units over a period is answered from the index alone
        # (the roster counts each unit's members on every page: 140 ms -> 20 ms at 100,000).
        Index("ix_membership_unit_span", "unit_id", "valid_from", "valid_until"),
        # And who was where, per person: the progress engine reads a batch's memberships
        # from the index alone. It replaces the index on person_id, its prefix.
        Index("ix_membership_person_span", "person_id", "valid_from", "valid_until", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship()

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
