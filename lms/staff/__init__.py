"""Importing staff lists (.xlsx or .csv) into people and memberships."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.staff import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.people)
