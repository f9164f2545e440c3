"""Course content: the Markdown format, checking, import, editor pages and media."""

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.courses import cli, editor_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(editor_views.bp)
    app.cli.add_command(cli.courses)
