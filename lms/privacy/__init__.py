"""Personal data: a person's own data as JSON, and the log of who viewed whose data."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's blueprint and commands (filled in by the feature)."""
