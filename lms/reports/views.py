"""Report pages: the roster for HCTH and admins, and for managers of a unit's sub-tree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    stream_with_context,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import public, requires
from lms.audit.access_log import period_scope, record_view
from lms.awards import queries as award_queries
from lms.awards.criteria import CriteriaSpec, criterion_label
from lms.awards.models import IndicatorSource
from lms.db import db, parse_count, parse_id
from lms.i18n import gettext as _
from lms.i18n import local_today
from lms.org.models import Unit
from lms.org.queries import unit_choices, unit_named
from lms.pagination import Page, page_of
from lms.reports import exports, queries
from lms.reports import summary as summaries
from lms.reports.charts import Bar, bar_chart
from lms.reports.document import (
    PHONE_COLUMNS,
    Document,
    Labels,
    cells,
    document,
    headers,
    number,
    percent_text,
    period_label,
    summary_cells,
    summary_document,
    summary_headers,
)
from lms.reports.queries import Period, ReportError
from lms.roles import Permission
from lms.web import buffered

bp = Blueprint(
    "reports",
    __name__,
    url_prefix="/reports",
    template_folder="templates",
)
STATIC_DIR = Path(__file__).resolve().parent / "static"

PER_PAGE = 50
AWARDS_PER_PAGE = 50  # the criteria preview pages as the awards pages do
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@bp.get("/roster")
@requires(Permission.VIEW_REPORTS)
def roster():
    return _respond("reports.roster", _chosen_unit(), {})


def _chosen_unit() -> int | None:
    """The unit named by ?unit=, or None for the whole agency (lms.org.queries.unit_named)."""
    return unit_named(request.args.get("unit", ""))


@bp.get("/criteria/<id:set_id>")
@requires(Permission.MANAGE_AWARDS)
def criteria_preview(set_id: int) -> ResponseReturnValue:
    """The roster judged by a criteria set (a read model page, so it sits with the reports)."""
    criteria_set = award_queries.criteria_set(set_id) or abort(404)
    spec = award_queries.spec_of(criteria_set)
    unit_id = _chosen_unit()
    passing_only = request.args.get("passing") == "1"
    report = queries.roster(
        Period(spec.first, spec.last), local_today(), unit_id=unit_id, criteria=spec
    )
    rows = report.rows
    passing = sum(1 for row in rows if row.result and row.result.passed)
    shown = [row for row in rows if row.result and row.result.passed] if passing_only else rows
    record_view(
        "awards.preview",
        scope=period_scope(
            _("Xét bộ tiêu chí “%(name)s”", name=spec.name),
            report.unit_code or _("toàn cơ quan"),
            spec.first,
            spec.last,
        ),
    )
    filters: dict[str, int | str] = {"set_id": set_id}
    if unit_id:
        filters["unit"] = unit_id
    if passing_only:
        filters["passing"] = "1"
    return render_template(
        "reports/criteria_preview.html",
        criteria_set=criteria_set,
        labels=[criterion_label(criterion) for criterion in spec.criteria],
        page=page_of(shown, parse_id(request.args.get("page", "")) or 1, AWARDS_PER_PAGE),
        passing=passing,
        total=len(rows),
        units=unit_choices(spec.last),
        chosen_unit=unit_id,
        passing_only=passing_only,
        filters=filters,
        has_manual=any(
            i.source == IndicatorSource.MANUAL for c in spec.criteria for i in c.indicators
        ),
    )


@bp.get("/units/<id:unit_id>/roster")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id: unit_id)
def unit_roster(unit_id: int) -> ResponseReturnValue:
    db.session.get(Unit, unit_id) or abort(404)
    return _respond("reports.unit_roster", unit_id, {"unit_id": unit_id})


@bp.get("/print.css")
@public
def print_stylesheet():
    """The printable roster's stylesheet: public, so a saved file can still load it."""
    # Read whole (it is small) so that no open file outlives the response.
    stylesheet = (STATIC_DIR / "print.css").read_text(encoding="utf-8")
    response = Response(stylesheet, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _respond(endpoint: str, unit_id: int | None, route_args: dict[str, int]) -> ResponseReturnValue:
    today = local_today()
    try:
        period, preset = queries.period_from_args(request.args, today)
    except ReportError as error:
        return render_template("reports/error.html", message=str(error)), 400
    search = request.args.get("q", "").strip()[:100]
    wanted = request.args.get("format", "")
    if wanted and wanted not in FORMATS:
        message = _("Định dạng tải về không hợp lệ: chọn csv, xlsx hoặc html.")
        return render_template("reports/error.html", message=message), 400
    chosen_set, criteria = _criteria_from_args(period)
    arguments = dict(unit_id=unit_id, search=search, criteria=criteria, viewer=current_user)
    if wanted:
        plan = queries.roster_plan_stream(period, today, **arguments)
    else:
        number = parse_count(request.args.get("page", "1"), limit=999_999) or 1
        plan = queries.roster_plan_page(period, today, _window(number), **arguments)
        pages = max(1, -(-plan.total // PER_PAGE))
        if number > pages:
            number = pages
            plan = queries.roster_plan_page(period, today, _window(number), **arguments)
    where, label = plan.unit_code or "toàn cơ quan", f"{endpoint}.{wanted}" if wanted else endpoint
    record_view(label, scope=period_scope("Danh sách tổng hợp", where, period.first, period.last))
    if wanted:
        return download(plan, wanted, today)
    # The plan holds the whole units this page falls in: their subtotals, and the page's rows.
    start, stop = _window(number)
    offset = plan.first_number - 1
    unit_rows = list(plan.rows())
    labels = Labels.current()  # translated once for the page, not once per row
    page = Page(
        items=[(row, cells(row, labels)) for row in unit_rows[start - offset : stop - offset]],
        number=number,
        per_page=PER_PAGE,
        total=plan.total,
    )
    units = queries.subtotals(unit_rows) if plan.whole_units else []
    filters = {"period": preset, "q": search, **route_args}
    if not preset:
        filters.update({"from": period.first.isoformat(), "to": period.last.isoformat()})
    if endpoint == "reports.roster" and unit_id:
        filters["unit"] = unit_id
    if chosen_set:
        filters["criteria"] = chosen_set
    return render_template(
        "reports/roster.html",
        report=plan,
        subtotals=units,
        total=queries.total_of(units, _("Cộng các đơn vị trên trang")),
        notes=queries.NOTES,
        whole_units=plan.whole_units,
        page=page,
        endpoint=endpoint,
        filters=filters,
        period_text=period_label(period.first, period.last),
        period=period,
        period_choices=queries.period_choices(today),
        units=unit_choices(period.last) if endpoint == "reports.roster" else [],
        chosen_unit=unit_id,
        criteria_sets=award_queries.criteria_sets(),
        chosen_set=chosen_set,
        headers=headers(),
        phone_columns=PHONE_COLUMNS,
    )


def _window(number: int) -> tuple[int, int]:
    """The rows of page number, counted from 0."""
    return (number - 1) * PER_PAGE, number * PER_PAGE


def _criteria_from_args(period: Period) -> tuple[int | None, CriteriaSpec | None]:
    """The criteria set asked for, else the one made for exactly this period."""
    try:
        return award_queries.resolve(request.args.get("criteria", ""), period.first, period.last)
    except LookupError:
        abort(404)


def file_name(code: str, period: Period, extension: str, prefix: str = "danh-sach") -> str:
    """Unit code, period and the local time of the export."""
    first, last = period.first.isoformat(), period.last.isoformat()
    return exports.file_name(prefix, code, first, last, extension=extension)


def download(plan: queries.RosterPlan, wanted: str, today: date) -> Response:
    """Stream the file: rows are read a batch at a time while it is written."""
    name = file_name(plan.unit_code, plan.period, wanted)
    return send_document(document(plan, today), name, wanted)


def send_document(doc: Document, name: str, wanted: str) -> Response:
    """Send a document as a CSV, XLSX or printable HTML attachment, written as it streams."""
    chunks: Iterator[str | bytes]
    if wanted == "csv":
        chunks = exports.csv_chunks(doc)
    elif wanted == "xlsx":
        chunks = exports.xlsx_chunks(doc)
    else:
        chunks = exports.html_chunks(doc)
    body = stream_with_context(buffered(chunks))
    response = Response(body, mimetype=FORMATS[wanted].split(";")[0])
    response.headers["Content-Type"] = FORMATS[wanted]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@bp.get("/summary")
@requires(Permission.VIEW_REPORTS)
def summary():
    """The campaign summary per unit and year, with charts, for the review meeting."""
    today = local_today()
    try:
        period, preset = queries.period_from_args(request.args, today)
    except ReportError as error:
        return render_template("reports/error.html", message=str(error)), 400
    unit_id = _chosen_unit()
    wanted = request.args.get("format", "")
    if wanted and wanted not in FORMATS:
        message = _("Định dạng tải về không hợp lệ: chọn csv, xlsx hoặc html.")
        return render_template("reports/error.html", message=message), 400
    report = summaries.summary(period, today, unit_id=unit_id, viewer=current_user)
    if wanted:
        name = file_name(report.unit_code, period, wanted, prefix="so-ket")
        return send_document(summary_document(report, today), name, wanted)
    filters: dict[str, int | str] = {"period": preset}
    if not preset:
        filters.update({"from": period.first.isoformat(), "to": period.last.isoformat()})
    if unit_id:
        filters["unit"] = unit_id
    return render_template(
        "reports/summary.html",
        report=report,
        charts=_summary_charts(report),
        headers=summary_headers(),
        lines=summary_cells(report),
        filters=filters,
        period_text=period_label(period.first, period.last),
        period=period,
        period_choices=queries.period_choices(today),
        notes=queries.NOTES,
        units=unit_choices(period.last),
        chosen_unit=unit_id,
    )


def _summary_charts(report: summaries.Summary) -> list:
    charts = []
    if report.years:
        last = report.years[-1].year
        rows = [row for row in report.rows if row.year == last]
        charts.append(
            bar_chart(
                _("Tỷ lệ hoàn thành chỉ tiêu giờ học theo đơn vị, năm %(year)d", year=last),
                [
                    Bar(
                        row.unit_name,
                        row.completion_percent or 0,
                        percent_text(row.completion_percent),
                    )
                    for row in rows
                ],
                maximum=100,
            )
        )
        charts.append(
            bar_chart(
                _("Tổng số tiết đạt theo năm"),
                [Bar(str(t.year), float(t.hours), number(t.hours)) for t in report.years],
            )
        )
        if any(t.passing is not None for t in report.years):
            charts.append(
                bar_chart(
                    _("Số người đạt tiêu chí khen thưởng theo năm"),
                    [
                        Bar(
                            str(t.year),
                            t.passing or 0,
                            "—" if t.passing is None else str(t.passing),
                        )
                        for t in report.years
                    ],
                )
            )
    return charts
