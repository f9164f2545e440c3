"""Organisation units and memberships over time."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.org import views

    app.register_blueprint(views.bp)
