"""xAPI (IEEE 9274.1.1): what learners did, as statements for a Learning Record Store.

Statements are built from the records the platform keeps anyway (learning events, certificates,
verified external activities); nothing changes how those are recorded. `flask xapi push` queues
the new ones and sends the queue; `flask xapi export` writes a span of them as JSON lines.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.xapi import cli, models  # noqa: F401  (models: the statement queue's table)

    app.cli.add_command(cli.group)
