"""`flask people ...`: staff lists from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from lms.db import db
from lms.i18n import gettext as _
from lms.i18n import local_today
from lms.staff import importer

people = AppGroup("people", help="Nhân sự: nhập danh sách.")


@people.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--from",
    "effective",
    metavar="YYYY-MM-DD",
    help="Ngày hiệu lực khi chuyển đơn vị, và khi đổi chức vụ mà dòng không ghi "
    "“Ngày giữ chức vụ” (mặc định: hôm nay).",
)
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và đếm, không lưu gì.")
@click.pass_context
def import_command(ctx: click.Context, file: Path, effective: str | None, dry_run: bool) -> None:
    """Nhập danh sách nhân sự từ tệp .xlsx hoặc .csv (UTF-8): tất cả hoặc không dòng nào."""
    on = local_today()
    if effective:
        given = importer.parse_effective_date(effective)
        if given is None:
            click.echo(
                _("Ngày hiệu lực “%(value)s” không hợp lệ (YYYY-MM-DD).", value=effective), err=True
            )
            ctx.exit(2)
        on = given
    try:
        result = importer.import_staff(file.name, file.read_bytes(), on=on)
    except Exception:
        db.session.rollback()
        raise
    if result.problems:
        db.session.rollback()
        for problem in result.problems:
            click.echo(str(problem), err=True)
        click.echo(_("Không nhập gì: tệp có %(n)d lỗi.", n=len(result.problems)), err=True)
        ctx.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(_("Chỉ kiểm tra: tệp không có lỗi, chưa lưu gì. Nếu nhập:"))
        click.echo(str(result.summary))
        return
    db.session.commit()
    click.echo(str(result.summary))
