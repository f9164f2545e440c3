"""People, their roles, and the staff-list import."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import views

    app.register_blueprint(views.bp)
