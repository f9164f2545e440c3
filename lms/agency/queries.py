"""Reading the agency profile: one frozen value, with defaults until an administrator sets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.agency.models import AgencyProfileRecord
from lms.db import db, read
from lms.reference import current_stamp, remembered

PROFILE_ID = 1
# What the documents printed before the profile existed: the date line's place was "Bắc
# Giang", there was no parent body, and the agency's name was its top unit's name.
DEFAULT_PLACE = "Bắc Giang"
DEFAULT_PREPARER_TITLE = "Người lập biểu"
DEFAULT_HEAD_TITLE = "Thủ trưởng cơ quan"


@dataclass(frozen=True)
class AgencyProfile:
    """The agency as its documents name it (Nghị định 30/2020 header, date line, signers).

    A blank agency_name means "not set": documents then print the name the agency's top unit
    had at the end of their period. A blank parent body prints no parent line; a blank signer
    title or name prints a blank line to write on.
    """

    agency_name: str = ""
    parent_body: str = ""
    place: str = DEFAULT_PLACE
    preparer_title: str = DEFAULT_PREPARER_TITLE
    preparer_name: str = ""
    head_title: str = DEFAULT_HEAD_TITLE
    head_name: str = ""
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def is_set(self) -> bool:
        return self.updated_at is not None

    def agency_or(self, unit_name: str) -> str:
        """The agency's name, or unit_name (its top unit's name) while none is set."""
        return self.agency_name or unit_name

    @property
    def signers(self) -> list[tuple[str, str]]:
        """(title, name) of the preparer, then of the head of the agency: left and right."""
        return [(self.preparer_title, self.preparer_name), (self.head_title, self.head_name)]


def agency_profile() -> AgencyProfile:
    """Return the agency profile, or the defaults while none has been saved."""
    record = db.session.get(AgencyProfileRecord, PROFILE_ID)
    if record is None:
        return AgencyProfile()
    return AgencyProfile(
        agency_name=record.agency_name,
        parent_body=record.parent_body,
        place=record.place,
        preparer_title=record.preparer_title,
        preparer_name=record.preparer_name,
        head_title=record.head_title,
        head_name=record.head_name,
        updated_at=record.updated_at,
        updated_by=record.updated_by.full_name if record.updated_by else None,
    )


def printed_profile() -> AgencyProfile:
    """The profile as documents print it, kept while the reference data are unchanged
    (`lms.reference`; saving the profile changes them): every roster, print and nomination
    list reads it. Who last saved it is left out: a person's name is not reference data."""
    return remembered(current_stamp(), ("agency profile",), _printed)


# Read from the database, not the session: what is kept must be what is saved, never an
# object the request changed and may not commit. Columns named as AgencyProfile's fields.
_PRINTED = select(
    AgencyProfileRecord.agency_name,
    AgencyProfileRecord.parent_body,
    AgencyProfileRecord.place,
    AgencyProfileRecord.preparer_title,
    AgencyProfileRecord.preparer_name,
    AgencyProfileRecord.head_title,
    AgencyProfileRecord.head_name,
    AgencyProfileRecord.updated_at,
).where(AgencyProfileRecord.id == PROFILE_ID)


def _printed() -> AgencyProfile:
    row = read(_PRINTED).first()
    return AgencyProfile() if row is None else AgencyProfile(**row._mapping)
