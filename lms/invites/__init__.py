"""First sign-in codes: after a staff import, one-time codes (by e-mail or a printed sheet)
with which new people set their own password and sign in."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.invites import views

    app.register_blueprint(views.bp)
