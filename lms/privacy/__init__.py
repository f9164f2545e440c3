"""Personal data: a person's own data as JSON, and the log of who viewed whose data."""

from __future__ import annotations

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Register the blueprint and the hook that saves the views recorded during a request."""
    from lms.privacy import views

    app.register_blueprint(views.bp)
    app.jinja_env.filters["privacy_what"] = views.describe_what
    app.after_request(_save_recorded_views)


def _save_recorded_views(response: Response) -> Response:
    """Commit the access-log entries of a successful response; a failed one logs nothing."""
    from lms.db import db
    from lms.privacy.services import take_recorded_views

    entries = take_recorded_views()
    if entries and response.status_code < 400:
        db.session.add_all(entries)
        db.session.commit()
    return response
