"""Server-side sign-in state, kept in the database so every app server sees the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Model, UTCDateTime, utcnow


class UserSession(Model):
    """One signed-in browser; revoking the row signs that browser out everywhere."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed for pruning: revoked sessions, and sessions idle beyond their lifetime.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    user_agent: Mapped[str | None] = mapped_column(String(300))


class LoginFailure(Model):
    """A failed sign-in (or one being checked), counted to throttle guessing.

    Read per account and address, per account, and per address (the accounts it failed on);
    an index for each, and one on the time for pruning.
    """

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_account_address", "username", "address", "at"),
        Index("ix_login_failure_address_account", "address", "at", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
