"""Nomination lists (danh sách đề nghị khen thưởng), their entries and their frozen snapshots.

A draft list is built from the roster evaluated with a criteria set and edited by HCTH. Freezing
it writes a snapshot: the whole list as canonical JSON with its SHA-256 checksum, so the list
that was signed can be printed again, unchanged, whatever happens to the live data later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Person
from lms.awards.models import CriteriaSet
from lms.db import Model, UTCDateTime, utcnow
from lms.org.models import Unit


class CommendationForm(Model):
    """A form of commendation a list may propose ("Giấy khen của Giám đốc Sở")."""

    __tablename__ = "commendation_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)


class ListStatus(StrEnum):
    DRAFT = "draft"
    FROZEN = "frozen"


class NominationList(Model):
    __tablename__ = "nomination_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id"), index=True)
    # None: the whole organisation; otherwise the unit with its sub-units.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[ListStatus] = mapped_column(String(12), default=ListStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criteria_set: Mapped[CriteriaSet] = relationship()
    unit: Mapped[Unit | None] = relationship()
    entries: Mapped[list[NominationEntry]] = relationship(
        back_populates="nomination_list",
        order_by="NominationEntry.position",
        cascade="all, delete-orphan",
    )
    snapshot: Mapped[NominationSnapshot | None] = relationship(back_populates="nomination_list")

    @property
    def is_frozen(self) -> bool:
        return self.status == ListStatus.FROZEN


class NominationEntry(Model):
    """One person on a list, with what the list says of them while it is a draft."""

    __tablename__ = "nomination_entry"
    __table_args__ = (UniqueConstraint("list_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("nomination_list.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The unit the person was in at the end of the period, and its name then.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit_name: Mapped[str] = mapped_column(String(200))
    # Roster order (tree of units, then Vietnamese name order), kept from the last refresh.
    position: Mapped[int]
    form_id: Mapped[int | None] = mapped_column(ForeignKey("commendation_form.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    # An edited summary is HCTH's text: a refresh leaves it alone.
    is_summary_edited: Mapped[bool] = mapped_column(default=False)
    evidence: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # The figures the entry was built from (column label → text), compared on refresh and diff.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set by a refresh when the person no longer meets the criteria.
    is_passing: Mapped[bool] = mapped_column(default=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    removal_reason: Mapped[str | None] = mapped_column(Text)

    nomination_list: Mapped[NominationList] = relationship(back_populates="entries")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    form: Mapped[CommendationForm | None] = relationship()

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class NominationSnapshot(Model):
    """The frozen list: canonical JSON (see snapshot.py) and the SHA-256 of that text."""

    __tablename__ = "nomination_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("nomination_list.id"), unique=True)
    data: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    nomination_list: Mapped[NominationList] = relationship(back_populates="snapshot")
