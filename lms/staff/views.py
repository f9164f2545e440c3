"""The staff-list upload page (being written)."""

from flask import Blueprint

from lms.auth.access import requires
from lms.auth.roles import Permission

bp = Blueprint("staff", __name__, url_prefix="/admin/staff-import", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def upload():
    return "upload"
