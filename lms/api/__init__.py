"""Read-only JSON API for rosters and summaries, with per-user tokens and an OpenAPI document."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's blueprint and commands (filled in by the feature)."""
