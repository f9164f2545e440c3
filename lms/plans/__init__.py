"""Annual self-study plans: targets, assignments, plans, external activities, reminders."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.plans import cli, storage_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(storage_views.bp)
    app.cli.add_command(cli.plans)
    app.cli.add_command(cli.files)
    app.context_processor(views.notification_count)
    app.jinja_env.globals["plan_status_labels"] = views.STATUS_LABELS
