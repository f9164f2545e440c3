"""`flask citizens communes FILE`: the province's communes and wards, from a CSV file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from lms.citizens import services
from lms.db import db

group = AppGroup("citizens", help="Người học tự do: danh sách xã, phường.")


@group.command("communes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--retire-missing", is_flag=True, help="Ngừng dùng các mã không có trong tệp.")
def communes_command(path: Path, retire_missing: bool) -> None:
    """Nạp danh sách xã, phường (cột code,name); tất cả hoặc không gì."""
    try:
        result = services.import_communes(
            path.read_text(encoding="utf-8"), retire_missing=retire_missing
        )
    except services.CitizenError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: tệp phải là văn bản UTF-8.") from None
    db.session.commit()
    click.echo(
        f"Đã thêm {result.added}, đổi tên {result.renamed}, ngừng dùng {result.retired} xã/phường."
    )
