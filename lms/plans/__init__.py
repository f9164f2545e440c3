"""Annual self-study plans: targets, assignments, plans, external activities, reminders."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.auth.services import read_at_sign_in
    from lms.plans import cli, queries, storage_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(storage_views.bp)
    app.cli.add_command(cli.plans)
    app.cli.add_command(cli.files)
    app.context_processor(views.notification_count)
    read_at_sign_in(queries.UNREAD_AT_SIGN_IN, queries.unread_of_signed_in)
    app.jinja_env.globals["plan_status_labels"] = views.STATUS_LABELS
