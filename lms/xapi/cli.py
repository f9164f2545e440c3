"""`flask xapi push` (cron, or `--loop`) and `flask xapi export --from --to`."""

from __future__ import annotations

import json
import re
from datetime import date

import click
from flask.cli import AppGroup

from lms import leases
from lms.i18n import gettext as _
from lms.i18n import utc_span, vn_date
from lms.xapi import services, statements
from lms.xapi.statements import XapiError

group = AppGroup("xapi", help="Bản ghi học tập xAPI gửi đến kho LRS.")

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@group.command("push")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 5000))
@click.option("--loop", is_flag=True, help="Gửi mãi, nghỉ giữa các lượt (chạy như một dịch vụ).")
@click.option("--every", default=60, show_default=True, type=click.IntRange(1), help="Số giây.")
def push_command(batch: int, loop: bool, every: int) -> None:
    """Xếp hàng bản ghi mới rồi gửi đến kho LRS; lỗi được thử lại sau 1, 2, 4... phút."""
    for _round in leases.rounds(loop, every):
        try:
            pushed = services.push(batch)
        except XapiError as error:
            raise click.ClickException(str(error)) from None
        if pushed is None:
            click.echo(_("Chưa đặt LMS_XAPI_ENDPOINT: không gửi bản ghi xAPI nào."))
            return
        if pushed.queued or pushed.sent or pushed.rejected or pushed.put_off or not loop:
            click.echo(
                _(
                    "Đã xếp hàng %(queued)d bản ghi mới; đã gửi %(sent)d; kho LRS từ chối "
                    "%(rejected)d; %(waiting)d bản ghi chờ gửi lại.",
                    queued=pushed.queued,
                    sent=pushed.sent,
                    rejected=pushed.rejected,
                    waiting=services.counts().get("queued", 0),
                )
            )
        if pushed.errors:
            click.echo(_("Kho LRS chưa nhận: %(error)s", error=pushed.errors[-1]), err=True)


def _day(text: str, option: str) -> date:
    try:
        if _ISO_DAY.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise click.ClickException(
        _("%(option)s “%(value)s” không phải ngày dạng YYYY-MM-DD.", option=option, value=text)
    )


@group.command("export")
@click.option("--from", "start_text", required=True, help="Ngày đầu, YYYY-MM-DD.")
@click.option("--to", "end_text", required=True, help="Ngày cuối (tính cả ngày này), YYYY-MM-DD.")
@click.option("--output", default="-", type=click.Path(dir_okay=False, allow_dash=True))
def export_command(start_text: str, end_text: str, output: str) -> None:
    """Ghi bản ghi xAPI của các ngày (theo giờ của cơ quan) thành JSON lines."""
    first, last = _day(start_text, "--from"), _day(end_text, "--to")
    if last < first:
        raise click.ClickException(_("Ngày cuối (--to) phải từ ngày đầu (--from) trở đi."))
    try:
        statements.home_page()
    except XapiError as error:
        raise click.ClickException(str(error)) from None
    start, end = utc_span(first, last)
    try:
        handle = click.open_file(output, "w", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(
            _("Không ghi được tệp %(path)s: %(error)s", path=output, error=error.strerror)
        ) from None
    count = 0
    with handle:
        for statement in statements.in_span(start, end):
            handle.write(json.dumps(statement, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    click.echo(
        _(
            "Đã ghi %(count)d bản ghi xAPI từ %(first)s đến %(last)s.",
            count=count,
            first=vn_date(first),
            last=vn_date(last),
        ),
        err=True,
    )
