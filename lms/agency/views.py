"""The administrator's page for the agency profile printed on rosters, summaries and lists."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import requires
from lms.agency import services
from lms.agency.forms import ProfileForm
from lms.agency.queries import agency_profile
from lms.agency.services import FIELDS
from lms.i18n import gettext as _
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("agency", __name__, url_prefix="/admin/agency", template_folder="templates")


@bp.get("/")
@requires(Permission.MANAGE_UNITS)
def profile():
    current = agency_profile()
    values = {name: getattr(current, name) for name in FIELDS}
    return _profile_page(ProfileForm(formdata=None, data=values))


def _profile_page(form: ProfileForm, status: int = 200) -> ResponseReturnValue:
    return render_template("agency/profile.html", profile=agency_profile(), form=form), status


@bp.post("/")
@requires(Permission.MANAGE_UNITS)
def save():
    form = ProfileForm()
    done = _("Đã lưu thông tin cơ quan; các tệp tải về từ nay ghi theo thông tin này.")
    with saving(done, show=False) as saved:
        services.save_profile(form.data, actor_id=current_user.id)
    if saved:
        return redirect(url_for("agency.profile"))
    # Shown again with what was typed and each problem by its field, so that one wrong field
    # costs one correction.
    form.refuse_all(saved.refusal)
    return _profile_page(form, status=400)
