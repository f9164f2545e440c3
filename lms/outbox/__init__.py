"""E-mail sent outside the request: notices are queued in the database with the change that
makes them, and `flask mail send` (a cron job, or `--loop`) sends them in batches, each once,
retried with back-off while the SMTP server is down. A foundation: it knows people only by
their address and features only by the key they give a message."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.outbox import cli, models  # noqa: F401  (models: the outbox table)

    app.cli.add_command(cli.mail_cli)
