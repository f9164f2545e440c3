"""`flask plans rules|add-rule|remind`: yearly targets and the daily reminders; `flask files
prune`: evidence files nothing shows any more."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from lms.db import db
from lms.i18n import gettext as _
from lms.i18n import local_today, parse_day, vn_date
from lms.numbers import file_size
from lms.outbox import services as outbox
from lms.plans import evidence, queries, reminders, rules, values

plans = AppGroup("plans", help="Kế hoạch tự học: chỉ tiêu năm và nhắc việc.")


@plans.command("rules")
def rules_command() -> None:
    """Liệt kê mọi phiên bản chỉ tiêu năm."""
    for rule in queries.rule_history():
        state = _("đã thay thế") if rule.replaced_at else _("hiện hành")
        click.echo(
            f"{rule.code} v{rule.version} [{state}] {rule.amount} {rule.unit}, "
            f"{rule.minutes_per_tiet}′/tiết, {','.join(rule.employment_kinds)}, "
            f"{vn_date(rule.effective_from)}–{vn_date(rule.effective_until) or '…'}: "
            f"{rule.legal_basis}"
        )


@plans.command("add-rule")
@click.option("--code", required=True)
@click.option("--amount", required=True)
@click.option("--unit", type=click.Choice(["tiet", "hour"]), default="tiet")
@click.option("--minutes", "minutes_per_tiet", default="45")
@click.option("--basis", "legal_basis", required=True)
@click.option("--kinds", default="cong_chuc,vien_chuc")
@click.option("--from", "effective_from", required=True)
@click.option("--until", "effective_until", default="")
def add_rule_command(
    code: str,
    amount: str,
    unit: str,
    minutes_per_tiet: str,
    legal_basis: str,
    kinds: str,
    effective_from: str,
    effective_until: str,
) -> None:
    """Thêm chỉ tiêu năm, hoặc phiên bản mới của chỉ tiêu cùng mã."""
    try:
        rule = rules.add_rule_version(
            code=code,
            amount=amount,
            unit=unit,
            minutes_per_tiet=minutes_per_tiet,
            legal_basis=legal_basis,
            employment_kinds=[kind.strip() for kind in kinds.split(",") if kind.strip()],
            effective_from=effective_from,
            effective_until=effective_until,
        )
    except values.PlanError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Đã lưu chỉ tiêu %(code)s, phiên bản %(n)d.", code=rule.code, n=rule.version))


@plans.command("remind")
@click.option("--date", "day_text", default="", help="Ngày nhắc (yyyy-mm-dd), mặc định hôm nay.")
def remind_command(day_text: str) -> None:
    """Gửi nhắc việc trong ngày (chạy lại trong ngày không gửi trùng)."""
    day: date | None = parse_day(day_text) if day_text else local_today()
    if day is None:
        raise click.ClickException(_("Ngày “%(day)s” không hợp lệ.", day=day_text))
    with current_app.test_request_context():
        sent = reminders.daily_reminders(day)
        db.session.commit()
    # Their e-mails were queued with them; send what is due now rather than wait for the
    # next `flask mail send`.
    emailed = outbox.send_due(limit=10_000).sent
    click.echo(
        _(
            "Ngày %(day)s: %(n)d nhắc việc mới, %(m)d thư điện tử.",
            day=vn_date(day),
            n=len(sent),
            m=emailed,
        )
    )


files = AppGroup("files", help="Tệp minh chứng lưu trong cơ sở dữ liệu.")


@files.command("prune")
@click.option(
    "--older-than-hours",
    "hours",
    type=click.IntRange(min=1),
    default=24,
    show_default=True,
    help="Chỉ xóa tệp mồ côi đã lưu lâu hơn số giờ này (tệp đang tải lên không bị xóa).",
)
def prune_command(hours: int) -> None:
    """Xóa tệp minh chứng không còn hoạt động nào dùng tới (tệp mồ côi)."""
    removed = evidence.prune(older_than=timedelta(hours=hours))
    db.session.commit()
    if not removed:
        click.echo(_("Không có tệp minh chứng mồ côi nào lưu lâu hơn %(n)d giờ.", n=hours))
        return
    for orphan in removed:
        click.echo(
            f"{orphan.token}  #{orphan.owner_id}  {file_size(orphan.size)}  {orphan.original_name}"
        )
    click.echo(
        _(
            "Đã xóa %(n)d tệp minh chứng mồ côi, giải phóng %(size)s.",
            n=len(removed),
            size=file_size(sum(orphan.size for orphan in removed)),
        )
    )
