"""Annual self-study plans: targets, assignments, plans, external activities, reminders."""

from __future__ import annotations

import os

from flask import Flask

SMTP_SETTINGS = ("HOST", "PORT", "USER", "PASSWORD", "FROM")


def init_app(app: Flask) -> None:
    from lms.plans import cli, storage_views, views

    for name in SMTP_SETTINGS:
        app.config.setdefault(f"SMTP_{name}", os.environ.get(f"LMS_SMTP_{name}") or None)
    app.register_blueprint(views.bp)
    app.register_blueprint(storage_views.bp)
    app.cli.add_command(cli.plans)
    app.cli.add_command(cli.files)
    app.context_processor(views.notification_count)
    app.jinja_env.globals["plan_status_labels"] = views.STATUS_LABELS
