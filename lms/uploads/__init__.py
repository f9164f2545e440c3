"""Pending uploads: the file a refused form was sent with, kept for a day (LMS_PENDING_UPLOAD_HOURS)
so the page shown again says "đã đính kèm: tên tệp" and the next send uses it. A foundation:
it knows people only by id and features only by the purpose they name."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.uploads import cli

    app.cli.add_command(cli.uploads)
