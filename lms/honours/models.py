"""The public honour board: people's consent to appear on it, boards and their entries.

Consent is an append-only log: the latest event of a person says whether they consent now, and
the public pages read it at display time, so a withdrawal hides the person at once from every
board without rewriting any board.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Person
from lms.db import Model, UTCDateTime, utcnow
from lms.org.models import Unit

CITATION_LIMIT = 500


class HonourConsent(Model):
    """One giving (is_given) or withdrawal of a person's consent, in the order they happened."""

    __tablename__ = "honour_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    is_given: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HonourBoard(Model):
    """A board of people and units honoured for a period; public only once published."""

    __tablename__ = "honour_board"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="period_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    first_day: Mapped[date]
    last_day: Mapped[date]
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    people: Mapped[list[HonouredPerson]] = relationship(
        back_populates="board",
        order_by="(HonouredPerson.position, HonouredPerson.id)",
        cascade="all, delete-orphan",
    )
    units: Mapped[list[HonouredUnit]] = relationship(
        back_populates="board",
        order_by="(HonouredUnit.position, HonouredUnit.id)",
        cascade="all, delete-orphan",
    )


class HonouredPerson(Model):
    __tablename__ = "honoured_person"
    __table_args__ = (UniqueConstraint("board_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("honour_board.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    citation: Mapped[str] = mapped_column(String(CITATION_LIMIT), default="")
    position: Mapped[int]

    board: Mapped[HonourBoard] = relationship(back_populates="people")
    person: Mapped[Person] = relationship()


class HonouredUnit(Model):
    __tablename__ = "honoured_unit"
    __table_args__ = (UniqueConstraint("board_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("honour_board.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    citation: Mapped[str] = mapped_column(String(CITATION_LIMIT), default="")
    position: Mapped[int]

    board: Mapped[HonourBoard] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship()
