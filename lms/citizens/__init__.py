"""Citizens: anyone in the province who registers on their own for the open courses.

A citizen is a person with `is_citizen` (role Người học tự do): open courses, their quizzes and
certificates, and their own data; no unit, plan or roster. Registration is limited per network
address and per day, with a honeypot field; without an e-mail address a citizen keeps recovery
codes. HCTH sees only figures per commune and course, never a list of citizens.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.citizens import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.group)
