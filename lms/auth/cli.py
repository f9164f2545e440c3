"""`flask auth prune`: delete sign-in records nothing reads any more."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.auth import services
from lms.db import db
from lms.i18n import gettext as _

auth = AppGroup("auth", help="Đăng nhập: dọn dữ liệu đăng nhập cũ.")


@auth.command("prune")
def prune_command() -> None:
    """Xóa lần đăng nhập sai đã hết hạn tính và phiên đăng nhập đã đóng hoặc hết hạn."""
    pruned = services.prune_sign_in_records()
    db.session.commit()
    click.echo(
        _(
            "Đã xóa %(failures)d lần đăng nhập sai cũ và %(sessions)d phiên đăng nhập hết hạn.",
            failures=pruned.failures,
            sessions=pruned.sessions,
        )
    )
