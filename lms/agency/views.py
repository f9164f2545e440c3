"""The administrator's page for the agency profile printed on rosters, summaries and lists."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import requires
from lms.agency import services
from lms.agency.queries import agency_profile
from lms.agency.services import FIELDS
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("agency", __name__, url_prefix="/admin/agency", template_folder="templates")


@bp.get("/")
@requires(Permission.MANAGE_UNITS)
def profile():
    current = agency_profile()
    values = {name: getattr(current, name) for name in FIELDS}
    return render_template("agency/profile.html", profile=current, values=values, problems=[])


@bp.post("/")
@requires(Permission.MANAGE_UNITS)
def save():
    done = _("Đã lưu thông tin cơ quan; các tệp tải về từ nay ghi theo thông tin này.")
    with saving(done, show=False) as saved:
        services.save_profile(request.form, actor_id=current_user.id)
    if not saved:
        # Shown again with what was typed, so that one wrong field costs one correction.
        values = {name: request.form.get(name, "") for name in FIELDS}
        problems = getattr(saved.error, "problems", [str(saved.error)])
        page = render_template(
            "agency/profile.html", profile=agency_profile(), values=values, problems=problems
        )
        return page, 400
    return redirect(url_for("agency.profile"))
