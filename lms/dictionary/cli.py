"""`flask dictionary import` and `flask dictionary export`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.db import db
from lms.dictionary import recordings, services
from lms.i18n import gettext as _
from lms.sheets import SheetError

SUFFIXES = (".csv", ".xlsx")


@click.group("dictionary", help="Từ điển: nhập và xuất tệp mục từ.")
def dictionary_cli() -> None:
    pass


@dictionary_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    """Nhập tệp từ điển (.csv, .xlsx) hoặc mọi tệp như vậy trong một thư mục; mỗi tệp nhập
    trọn vẹn hoặc không nhập dòng nào."""
    files = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES) if path.is_dir() else [path]
    failed = False
    for file in files:
        try:
            summary = services.import_file(file.name, file.read_bytes())
        except SheetError as error:
            db.session.rollback()
            click.echo(_("Không nhập tệp “%(file)s”:", file=file.name), err=True)
            click.echo(str(error), err=True)
            failed = True
            continue
        db.session.commit()
        click.echo(
            _(
                "%(file)s: thêm %(added)d, cập nhật %(updated)d, không đổi %(unchanged)d mục từ.",
                file=file.name,
                added=summary.added,
                updated=summary.updated,
                unchanged=summary.unchanged,
            )
        )
    if failed:
        raise SystemExit(1)


@dictionary_cli.command("export")
@click.argument("language")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(language: str, path: Path) -> None:
    """Xuất từ điển của một tiếng ra tệp CSV cùng mẫu với tệp nhập."""
    if language not in services.dictionary_languages():
        raise click.BadParameter(_("Không có tiếng nào mã “%(code)s”.", code=language))
    path.write_bytes(services.export_csv(language))
    click.echo(_("Đã xuất %(file)s.", file=path))


@dictionary_cli.command("purge-recordings")
@with_appcontext
def purge_recordings_command() -> None:
    """Xóa các bản ghi của người nói đã rút đồng ý khi hết thời hạn giữ (chạy hằng ngày)."""
    purged = recordings.purge()
    db.session.commit()
    click.echo(
        _(
            "Đã xóa %(recordings)d bản ghi và dữ liệu của %(speakers)d người nói đã rút đồng ý.",
            recordings=purged.recordings,
            speakers=purged.speakers,
        )
    )
