"""Personal data: a person's own data as JSON, and the log of who viewed whose data."""

from __future__ import annotations

from flask import Flask

from lms.audit.access_log import save_recorded_views


def init_app(app: Flask) -> None:
    """Register the blueprint and the hook that saves the views recorded during a request."""
    from lms.privacy import views

    app.register_blueprint(views.bp)
    app.jinja_env.filters["privacy_what"] = views.describe_what
    app.after_request(save_recorded_views)
