"""The access log: who viewed another person's data, or a list of people, and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import Person


class AccessLogEntry(Model):
    """One view by viewer of one person's data (person_id) or of a list of people (scope)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    viewer_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    what: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(64))

    viewer: Mapped[Person] = relationship(foreign_keys=[viewer_id])
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
