"""`flask uploads prune`: delete the pending uploads whose day has passed."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.db import db
from lms.i18n import gettext as _
from lms.numbers import file_size
from lms.uploads import services

uploads = AppGroup("uploads", help="Tệp đính kèm của biểu mẫu chưa được nhận.")


@uploads.command("prune")
def prune_command() -> None:
    """Xóa tệp đính kèm đang chờ đã quá hạn giữ."""
    count, size = services.prune()
    db.session.commit()
    click.echo(
        _("Đã xóa %(n)d tệp đính kèm quá hạn, giải phóng %(size)s.", n=count, size=file_size(size))
    )
