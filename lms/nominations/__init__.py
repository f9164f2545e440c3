"""Nomination lists (danh sách đề nghị khen thưởng) and their frozen snapshots."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the nomination pages; importing the views loads the models."""
    from lms.nominations import views

    app.register_blueprint(views.bp)
