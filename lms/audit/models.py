"""The audit log: an append-only record of changes to people, units, memberships and roles;
and the access log: who viewed another person's data, or a list of people, and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import Person


class AuditEvent(Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[Person | None] = relationship()


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
