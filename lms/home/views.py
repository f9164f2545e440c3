"""The home page: what each role needs first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from lms.access import public
from lms.db import utcnow
from lms.home import queries
from lms.i18n import agency_zone, local_today
from lms.learning import queries as learning_queries
from lms.review import queries as review_queries
from lms.review.services import end_of_day

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        # The courses open to everyone, for a first look without an account.
        open_courses = learning_queries.catalogue(None, public_only=True)
        return render_template("home/welcome.html", groups=open_courses.groups)
    today = local_today()
    now = utcnow()
    return render_template(
        "home/index.html",
        panels=queries.home_panels(current_user, today),
        today=today,
        review_due=review_queries.due_count(current_user.id, end_of_day(now, agency_zone())),
    )
