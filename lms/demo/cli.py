"""`flask demo seed`: the demo organisation `make run` puts into an empty database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.accounts.services import PersonError
from lms.auth.services import AuthError
from lms.db import db
from lms.demo import seed
from lms.org.services import OrgError
from lms.shell import ROLE_LABELS

DEFAULT_URL = "http://127.0.0.1:5000"
RULE = "=" * 72

demo = click.Group("demo", help="Dữ liệu mẫu.")


def _role_label(login: seed.DemoLogin) -> str:
    label = str(ROLE_LABELS[login.role])
    return f"{label} – {login.unit_name}" if login.unit_name else label


def _echo_logins(logins: list[seed.DemoLogin], url: str) -> None:
    """Print the block that tells a visitor where to go and how to sign in."""
    click.echo(RULE)
    click.echo(_("Học tập suốt đời – bản dùng thử"))
    click.echo(_("Mở %(url)s và đăng nhập bằng một trong các tài khoản mẫu:", url=url))
    click.echo("")
    width = max(len(login.username) for login in logins) + 2
    for login in logins:
        line = f"  {login.username:<{width}}{_role_label(login)} ({login.full_name})"
        if not login.has_demo_password:
            line += " " + _("[mật khẩu đã được đổi]")
        click.echo(line)
    click.echo("")
    click.echo(_("Mật khẩu: %(password)s", password=seed.DEMO_PASSWORD))
    click.echo(_("Các tài khoản mẫu chỉ đăng nhập được khi chạy ở chế độ dùng thử (LMS_DEMO=1)."))
    click.echo(RULE)


@demo.command("seed")
@click.option("--url", default=DEFAULT_URL, show_default=True, help="Địa chỉ in ra để mở ứng dụng.")
@with_appcontext
def seed_command(url: str) -> None:
    """Tạo tổ chức mẫu (Ban Dân tộc tỉnh Bắc Giang) trong cơ sở dữ liệu trống."""
    if not current_app.config.get("DEMO_MODE"):
        click.echo(
            _(
                "Chỉ tạo dữ liệu mẫu ở chế độ dùng thử (LMS_DEMO=1); "
                "không bao giờ tạo tài khoản mẫu trên hệ thống thật."
            ),
            err=True,
        )
        raise SystemExit(1)
    if not seed.database_is_empty():
        click.echo(_("Cơ sở dữ liệu đã có dữ liệu: không tạo dữ liệu mẫu."))
        logins = seed.demo_logins()
        if logins:
            _echo_logins(logins, url)
        return
    try:
        summary = seed.seed_demo_organisation()
    except (OrgError, PersonError, AuthError) as error:
        db.session.rollback()
        click.echo(_("Không tạo được dữ liệu mẫu: %(error)s", error=str(error)), err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(
        _(
            "Đã tạo tổ chức mẫu: %(units)d đơn vị, %(people)d người.",
            units=summary.units,
            people=summary.people,
        )
    )
    _echo_logins(seed.demo_logins(verify_passwords=False), url)
