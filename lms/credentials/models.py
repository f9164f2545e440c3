"""Open Badges credentials as issued: the signed document kept byte for byte."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.learning.models import Certificate


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

    # Revocation is the certificate's (Certificate.revoked_at): the status list reads it.
    certificate: Mapped[Certificate] = relationship()
