"""Award criteria sets, manager-entered points and initiatives (sáng kiến)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's blueprint and commands (filled in by the feature)."""
