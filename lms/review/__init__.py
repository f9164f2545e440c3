"""Spaced review: a learner's deck of words from lessons and dictionaries, each card scheduled
by FSRS (the `fsrs` package), reviewed a few minutes a day; the minutes count as engaged time
of the course the word came from, never as credit of their own."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the review pages."""
    from lms.review import models, views  # noqa: F401  (models: the review tables)

    app.register_blueprint(views.bp)
