"""The home page: what each role needs first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from lms.access import public
from lms.home import queries
from lms.i18n import local_today

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    today = local_today()
    return render_template(
        "home/index.html", panels=queries.home_panels(current_user, today), today=today
    )
