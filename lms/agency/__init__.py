"""The agency's own details: its name, parent body, seat and signers, as printed on documents."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.agency import models, views  # noqa: F401  (models: the profile table)

    app.register_blueprint(views.bp)
