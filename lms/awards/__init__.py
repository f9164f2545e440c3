"""Award criteria sets, manager-entered points and initiatives (sáng kiến)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the awards pages; the models are imported so their tables are known."""
    from lms.awards import (
        models,  # noqa: F401
        views,
    )
    from lms.awards.criteria import points_text

    app.register_blueprint(views.bp)
    app.jinja_env.filters["award_points"] = points_text
