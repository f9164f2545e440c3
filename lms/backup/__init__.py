"""`flask backup DEST` and `flask restore SRC` for SQLite and PostgreSQL."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the backup and restore commands."""
    from lms.backup import cli

    app.cli.add_command(cli.backup_command)
    app.cli.add_command(cli.restore_command)
