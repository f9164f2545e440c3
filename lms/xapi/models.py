"""An xAPI statement waiting to be sent to the Learning Record Store, sent, or refused."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Model, UTCDateTime, utcnow


class SourceKind(StrEnum):
    """The record a statement tells of: its table, with the row's id as source_id."""

    EVENT = "event"  # learning_event
    CERTIFICATE = "certificate"
    EXTERNAL_ACTIVITY = "external"  # a verified external_activity
    REVOCATION = "revocation"  # a revoked certificate: its earned statement voided


class StatementStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker until claimed_until
    SENT = "sent"  # the LRS took it (or already held the same statement)
    REJECTED = "rejected"  # the LRS refused it on its own; kept with the reason, not retried


class XapiStatement(Model):
    """One statement, built once from its source row; the source makes queueing it twice
    impossible and the statement id (UUID v5 of the source) makes sending it twice harmless."""

    __tablename__ = "xapi_statement"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id"),
        Index("ix_xapi_statement_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[SourceKind] = mapped_column(String(12))
    source_id: Mapped[int]
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[StatementStatus] = mapped_column(String(10), default=StatementStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
