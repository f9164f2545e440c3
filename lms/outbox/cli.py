"""`flask mail send`: send the queued e-mail (from cron every minute, or `--loop`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms import leases
from lms.i18n import gettext as _
from lms.outbox import services

mail_cli = AppGroup("mail", help="Thư điện tử chờ gửi.")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Gửi mãi, nghỉ giữa các lượt (chạy như một dịch vụ).")
@click.option("--every", default=30, show_default=True, help="Số giây nghỉ giữa các lượt.")
@click.option("--batch", default=100, show_default=True, help="Số thư mỗi lượt.")
def send_command(loop: bool, every: int, batch: int) -> None:
    """Gửi thư đến lượt; thư lỗi được thử lại sau 1, 2, 4... phút."""
    for _round in leases.rounds(loop, every):
        result = services.send_due(batch)
        if result.sent or result.retried or result.failed or not loop:
            click.echo(
                _(
                    "Đã gửi %(sent)d thư; %(retried)d thư sẽ thử lại; %(failed)d thư bỏ sau "
                    "nhiều lần lỗi.",
                    sent=result.sent,
                    retried=result.retried,
                    failed=result.failed,
                )
            )
