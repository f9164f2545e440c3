"""The agency profile: one row, edited by an administrator, read by every printed document."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, utcnow
from lms.reference import REFERENCE_DATA

if TYPE_CHECKING:
    from lms.accounts.models import Person

# The lengths the form accepts; the columns hold exactly these.
AGENCY_NAME_LENGTH = 200
PLACE_LENGTH = 100
SIGNER_LENGTH = 100


class AgencyProfileRecord(Model):
    """The stored profile; read it through lms.agency.queries: agency_profile() (the whole of
    it) or printed_profile() (what documents print, kept with the reference data)."""

    __tablename__ = "agency_profile"
    # One agency per installation: the row's id is always 1. Reference data: every page's
    # footer names the agency, read once per stamp (`lms.reference`).
    __table_args__ = (CheckConstraint("id = 1", name="single_row"), {"info": REFERENCE_DATA})

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    agency_name: Mapped[str] = mapped_column(String(AGENCY_NAME_LENGTH))
    parent_body: Mapped[str] = mapped_column(String(AGENCY_NAME_LENGTH))
    place: Mapped[str] = mapped_column(String(PLACE_LENGTH))
    preparer_title: Mapped[str] = mapped_column(String(SIGNER_LENGTH))
    preparer_name: Mapped[str] = mapped_column(String(SIGNER_LENGTH))
    head_title: Mapped[str] = mapped_column(String(SIGNER_LENGTH))
    head_name: Mapped[str] = mapped_column(String(SIGNER_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    updated_by: Mapped[Person | None] = relationship()
