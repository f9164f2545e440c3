"""Administration of organisation units (being written)."""

from flask import Blueprint

from lms.auth.access import requires
from lms.auth.roles import Permission

bp = Blueprint("org", __name__, url_prefix="/admin/units", template_folder="templates")


@bp.get("/")
@requires(Permission.MANAGE_UNITS)
def units():
    return "units"


@bp.get("/<int:unit_id>/members")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id: unit_id)
def unit_members(unit_id: int):
    return "members"
