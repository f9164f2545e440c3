"""The audit log, for administrators."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lms.access import requires
from lms.audit import queries
from lms.db import MAX_ID
from lms.roles import Permission

bp = Blueprint("audit", __name__, url_prefix="/admin/audit", template_folder="templates")

ENTITY_TYPES = ("person", "unit", "membership")


@bp.get("/")
@requires(Permission.VIEW_AUDIT)
def events():
    entity_type = request.args.get("entity_type") or None
    if entity_type not in ENTITY_TYPES:
        entity_type = None
    entity_id = request.args.get("entity_id", type=int)
    if entity_id is not None and not 0 < entity_id <= MAX_ID:
        entity_id = None  # no such record; an out-of-range number would overflow the column
    page = queries.audit_events(
        entity_type=entity_type, entity_id=entity_id, page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "audit/events.html",
        page=page,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_types=ENTITY_TYPES,
    )
