"""The administrator's page on evidence storage: how much the database holds, and for whom."""

from __future__ import annotations

from flask import Blueprint, render_template

from lms.access import requires
from lms.plans import evidence
from lms.roles import Permission

bp = Blueprint("storage", __name__, url_prefix="/admin/storage", template_folder="templates")


@bp.get("/")
@requires(Permission.MANAGE_PEOPLE)
def overview():
    return render_template(
        "plans/storage.html",
        summary=evidence.storage_summary(),
        quota=evidence.quota_bytes(),
    )
