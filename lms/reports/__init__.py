"""Reports: rosters read from plans, learning, courses and the organisation; nothing writes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.awards.services import count_passing_with
    from lms.reports import cli, queries, views

    app.register_blueprint(views.bp)
    count_passing_with(app, queries.passing_count)
    app.cli.add_command(cli.reports)
