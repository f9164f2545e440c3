"""API tokens: one person's key to the read-only JSON API, stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import Person
from lms.db import Model, UTCDateTime, utcnow


class ApiToken(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the token: a leaked database does not leak working tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown so that a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when issued (API_TOKEN_DAYS later): a forgotten token does not open the API forever.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()

    def state_on(self, now: datetime) -> str:
        """Say whether the token is "live", "expired" or "revoked" at the moment now."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "live"
