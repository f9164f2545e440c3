"""The public honour board of people and units HCTH chooses, for people who consented."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the honour-board pages (public, consent, and HCTH's boards)."""
    from lms.honours import models, views  # noqa: F401  (models: the board tables)

    app.register_blueprint(views.bp)
