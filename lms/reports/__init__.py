"""Reports: rosters read from plans, learning, courses and the organisation; nothing writes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.reports import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.reports)
