"""Open Badges credentials as issued: the signed document kept byte for byte, and revocation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.accounts.models import Person
    from lms.learning.models import Certificate

REASON_LENGTH = 300


class BadgeCredential(Model):
    """The OpenBadgeCredential of one certificate; its id is its index in the status list."""

    __tablename__ = "badge_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"), unique=True)
    # The signing key's number (key-<n>): a rotation leaves it as it was.
    key_number: Mapped[int]
    # The signed JSON exactly as handed out; it is never re-signed.
    document: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    certificate: Mapped[Certificate] = relationship()
    revoked_by: Mapped[Person | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
