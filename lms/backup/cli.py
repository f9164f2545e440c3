"""`flask backup DEST` and `flask restore SRC`: the whole database in one file, and back."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.backup import services
from lms.backup.services import BackupError
from lms.i18n import gettext as _
from lms.numbers import file_size


def _fail(error: BackupError) -> None:
    click.echo(str(error), err=True)
    raise SystemExit(1)


def _echo_secret_key_note() -> None:
    click.echo(
        _(
            "Bản sao lưu không chứa khóa bí mật: hãy giữ riêng tệp instance/secret_key "
            "(hoặc biến môi trường LMS_SECRET_KEY)."
        )
    )


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(dest: Path) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu vào tệp DEST (hoặc một tệp mới trong thư mục DEST)."""
    try:
        summary = services.backup(dest)
    except BackupError as error:
        _fail(error)
    click.echo(
        _(
            "Đã sao lưu cơ sở dữ liệu %(backend)s vào “%(path)s”: %(size)s, "
            "%(tables)d bảng, %(rows)d dòng.",
            backend=services.BACKEND_LABELS[summary.backend],
            path=summary.path,
            size=file_size(summary.size),
            tables=summary.tables,
            rows=summary.rows,
        )
    )
    click.echo(
        _("Tệp bài học và tệp minh chứng nằm trong cơ sở dữ liệu nên đã có trong bản sao lưu.")
    )
    _echo_secret_key_note()


@click.command("restore")
@click.argument("src", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Khôi phục cả khi cơ sở dữ liệu hiện tại đã có dữ liệu (dữ liệu đó sẽ bị thay thế).",
)
@with_appcontext
def restore_command(src: Path, force: bool) -> None:
    """Thay toàn bộ cơ sở dữ liệu bằng bản sao lưu SRC (tạo bởi flask backup)."""
    try:
        restored = services.restore(src, force=force)
    except BackupError as error:
        _fail(error)
    summary = restored.summary
    click.echo(
        _(
            "Đã khôi phục “%(path)s” vào cơ sở dữ liệu %(backend)s: %(tables)d bảng, "
            "%(rows)d dòng.",
            path=summary.path,
            backend=services.BACKEND_LABELS[summary.backend],
            tables=summary.tables,
            rows=summary.rows,
        )
    )
    if restored.needs_upgrade:
        click.echo(
            _(
                "Dữ liệu khôi phục có lược đồ phiên bản %(old)s, cũ hơn mã hiện tại (%(head)s): "
                "hãy chạy “flask db upgrade” trước khi khởi động ứng dụng.",
                old=", ".join(restored.revisions),
                head=", ".join(restored.heads),
            )
        )
    else:
        click.echo(
            _(
                "Phiên bản lược đồ khớp với mã (%(head)s): có thể khởi động ứng dụng.",
                head=", ".join(restored.heads),
            )
        )
    click.echo(
        _(
            "Nếu khôi phục sang máy khác, hãy chép cả khóa bí mật (instance/secret_key hoặc "
            "LMS_SECRET_KEY); thiếu nó, mọi phiên đăng nhập đang mở sẽ hết hiệu lực."
        )
    )
