"""Communes (a list the agency keeps), a citizen's profile, recovery codes, registrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Model, UTCDateTime, utcnow


class Commune(Model):
    """A commune or ward of the province, as a citizen names where they live (data, not code:
    the province's map changed in 2025 and may again; a retired one stays for the figures)."""

    __tablename__ = "commune"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(default=True)


class CitizenProfile(Model):
    """What a citizen gave at registration beyond their account: commune and consent."""

    __tablename__ = "citizen_profile"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"), index=True)
    # The privacy notice they agreed to (its version) and when.
    notice_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(Model):
    """One single-use code that lets a citizen without e-mail set a new password (kept hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Registration(Model):
    """An account made through the registration page (or a bot caught by the honeypot), by
    network address: what the per-address and daily limits count."""

    __tablename__ = "citizen_registration"
    __table_args__ = (Index("ix_citizen_registration_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    refused: Mapped[bool] = mapped_column(default=False)  # the honeypot was filled
