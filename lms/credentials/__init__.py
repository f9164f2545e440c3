"""Open Badges 3.0 credentials: each certificate also issued as a signed, portable record."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.credentials import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.group)
