"""The home page: what each role needs first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from lms.access import public
from lms.home import queries
from lms.i18n import local_today
from lms.learning import queries as learning_queries

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        # The courses open to everyone, for a first look without an account.
        open_courses = learning_queries.catalogue(None, public_only=True)
        return render_template("home/welcome.html", groups=open_courses.groups)
    today = local_today()
    return render_template(
        "home/index.html", panels=queries.home_panels(current_user, today), today=today
    )
