"""Dictionaries of the province's languages: entries with their sources, searched both ways,
public to read, imported and exported as the same table people keep in a spreadsheet."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the dictionary pages and the `flask dictionary` commands."""
    from lms.dictionary import cli, editor, models, recording_views, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(recording_views.bp)
    app.cli.add_command(cli.dictionary_cli)
