"""Administration of people (being written)."""

from flask import Blueprint

from lms.auth.access import requires
from lms.auth.roles import Permission

bp = Blueprint("accounts", __name__, url_prefix="/admin/people", template_folder="templates")


@bp.get("/")
@requires(Permission.MANAGE_PEOPLE)
def people():
    return "people"
