"""Privacy fixtures: the plans division (a head, a learner, HCTH, an administrator...)."""

from __future__ import annotations

from sqlalchemy import select

from lms.audit.models import AccessLogEntry
from lms.db import db
from tests.plans.conftest import division  # noqa: F401  (a fixture, used by name)


def log_rows() -> list[tuple]:
    """Return (viewer_id, person_id, what, scope) of every access-log row, read afresh."""
    db.session.expire_all()
    return [
        (row.viewer_id, row.person_id, row.what, row.scope)
        for row in db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
    ]
