"""Read-only JSON API for rosters and summaries, with per-user tokens and an OpenAPI document."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.api import models, views  # noqa: F401  (models: the token table)

    app.register_blueprint(views.bp)
