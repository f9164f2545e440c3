"""The public honour board of people and units HCTH chooses, for people who consented."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's blueprint and commands (filled in by the feature)."""
