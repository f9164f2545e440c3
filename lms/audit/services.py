"""Recording audit events; callers pass plain snapshots of what changed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask_login import current_user

from lms.audit.models import AuditEvent
from lms.db import db


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        # Written plainly ("40", not "40.00"), so an unchanged amount compares equal.
        return f"{value.normalize():f}"
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return the named attributes of obj as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    action: str,
    entity: Any,
    summary: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> AuditEvent:
    """Add an audit event for a change to entity, by the signed-in user unless told otherwise."""
    if actor_id is None and current_user and getattr(current_user, "is_authenticated", False):
        actor_id = current_user.id
    if before is not None and after is not None:
        changed = {key for key in after if before.get(key) != after.get(key)}
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    db.session.flush()
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        entity_type=type(entity).__tablename__,
        entity_id=entity.id,
        summary=summary[:300],
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
