"""`flask reports roster`: the roster file the page downloads, written from the command line."""

from __future__ import annotations

import sys
from dataclasses import replace

import click
from flask import current_app
from flask.cli import AppGroup

from lms.awards import queries as award_queries
from lms.i18n import gettext as _
from lms.i18n import local_today, parse_day
from lms.reports import exports
from lms.reports.document import document
from lms.reports.queries import ReportError, make_period, roster_plan_stream, unit_by_code

reports = AppGroup("reports", help="Báo cáo: danh sách tổng hợp.")
WRITERS = {"csv": exports.write_csv, "xlsx": exports.write_xlsx}


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@reports.command("roster")
@click.option("--from", "first", required=True)
@click.option("--to", "last", required=True)
@click.option("--unit", "code", default="")
@click.option("--format", "wanted", default="xlsx")
@click.option("--criteria", "set_id", type=int, default=None, help="Mã số bộ tiêu chí.")
@click.option("--output", required=True, type=click.Path(dir_okay=False))
def roster_command(
    first: str, last: str, code: str, wanted: str, set_id: int | None, output: str
) -> None:
    """Ghi danh sách tổng hợp của một kỳ ra tệp csv, xlsx hoặc html."""
    try:
        period = make_period(parse_day(first), parse_day(last))
    except ReportError as error:
        fail(str(error))
    unit_id = None
    if code:
        unit_id = unit_by_code(code)
        if unit_id is None:
            fail(_("Không có đơn vị mã %(code)s.", code=code))
    if wanted not in ("csv", "xlsx", "html"):
        fail(_("Định dạng tải về không hợp lệ: chọn csv, xlsx hoặc html."))
    # As the page: the named set, else the one made for exactly this period.
    try:
        _set_id, criteria = award_queries.resolve(
            "" if set_id is None else str(set_id), period.first, period.last
        )
    except LookupError:
        fail(_("Không có bộ tiêu chí mã số %(id)d.", id=set_id))
    today = local_today()
    plan = roster_plan_stream(period, today, unit_id=unit_id, criteria=criteria)
    doc = document(plan, today)
    written = 0

    def counted(rows):
        nonlocal written
        for row in rows:
            written += 1
            yield row

    doc = replace(doc, rows=counted(doc.rows))
    with open(output, "wb") as stream:
        if wanted == "html":
            # Templates read the signed-in user, which only a request has.
            with current_app.test_request_context():
                for chunk in exports.html_chunks(doc):
                    stream.write(chunk.encode("utf-8"))
        else:
            WRITERS[wanted](doc, stream)
    click.echo(_("Đã ghi %(n)d dòng vào %(path)s.", n=written, path=output))
