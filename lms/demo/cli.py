"""`flask demo seed` puts the demo organisation into an empty database; `flask demo purge`
takes it out again before the install goes live."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.accounts.services import PersonError
from lms.agency.queries import agency_profile
from lms.auth.services import AuthError
from lms.db import db
from lms.demo import purge, seed
from lms.i18n import gettext as _
from lms.org.services import OrgError
from lms.roles import ROLE_LABELS

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


def _unit_users(tables: list[str]) -> str:
    labels = {
        "membership": _("người thật còn là thành viên"),
        "role_grant": _("người thật quản lý đơn vị này"),
        "unit_version": _("đơn vị được giữ còn thuộc đơn vị này"),
        "unit": _("đơn vị được giữ đã sáp nhập vào đơn vị này"),
    }
    return "; ".join(labels.get(table, table) for table in tables)


def _echo_plan(plan: purge.PurgePlan) -> None:
    click.echo(_("Sẽ xóa %(people)d người mẫu và các dòng dữ liệu sau:", people=plan.people))
    for table, count in plan.counts.items():
        click.echo(f"  {table}: {count}")
    if plan.cleared:
        click.echo(_("Dữ liệu thật được giữ, chỉ bỏ tham chiếu tới người hoặc dòng mẫu đã xóa:"))
        for column, count in plan.cleared_counts.items():
            click.echo(f"  {column}: {count}")
    for code, tables in plan.kept_units.items():
        click.echo(
            _(
                "Giữ đơn vị %(code)s: %(users)s (dữ liệu thật không bị xóa).",
                code=code,
                users=_unit_users(tables),
            )
        )


@demo.command("purge")
@click.option("--yes", is_flag=True, help="Không hỏi lại trước khi xóa.")
@with_appcontext
def purge_command(yes: bool) -> None:
    """Xóa dữ liệu mẫu (người mẫu và những gì gắn với họ) trước khi đưa vào dùng thật."""
    plan = purge.plan_purge()
    if not plan.counts:
        click.echo(_("Không có dữ liệu mẫu nào để xóa."))
        return
    _echo_plan(plan)
    if not yes and not click.confirm(_("Xóa vĩnh viễn các dữ liệu trên?"), default=False):
        click.echo(_("Không xóa gì."))
        return
    purge.purge_demo_data(plan)
    db.session.commit()  # one transaction: all of it or, on any error, nothing
    click.echo(_("Đã xóa dữ liệu mẫu: %(people)d người.", people=plan.people))
    if agency_profile().head_name == seed.AGENCY_PROFILE["head_name"]:
        click.echo(
            _(
                "Thông tin cơ quan (tên, người ký) vẫn là của bản dùng thử: "
                "hãy sửa ở trang Thông tin cơ quan."
            )
        )
