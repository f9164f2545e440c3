"""Reads of the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.audit.models import AuditEvent
from lms.pagination import Page, paginate


def audit_events(
    *, entity_type: str | None = None, entity_id: int | None = None, page: int = 1
) -> Page[AuditEvent]:
    """Return the newest audit events first, optionally for one kind of record or one record."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return paginate(query, page=page, per_page=50)
