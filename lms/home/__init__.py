"""The home page."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.home import views

    app.register_blueprint(views.bp)
