"""The audit log of changes to people, units, memberships and roles."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.audit import views

    app.register_blueprint(views.bp)
