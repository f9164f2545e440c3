"""Award criteria sets, manager-entered points and initiatives (sáng kiến)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the awards pages; the models are imported so their tables are known."""
    from lms.awards import models  # noqa: F401
