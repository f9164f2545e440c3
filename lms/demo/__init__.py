"""The demo organisation that `make run` seeds into an empty database."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.demo import cli

    app.cli.add_command(cli.demo)
