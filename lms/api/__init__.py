"""Read-only JSON API for rosters and summaries, with per-user tokens and an OpenAPI document."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.api import models, services, views  # noqa: F401  (models: the token table)
    from lms.auth.services import password_set

    app.register_blueprint(views.bp)
    # A new password ends the tokens issued under the old one, whichever page set it.
    password_set.connect(services.revoke_all_tokens)
