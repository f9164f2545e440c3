"""Report pages: the roster for HCTH and admins, and for managers of a unit's sub-tree."""

from __future__ import annotations

from datetime import date, datetime
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.auth.access import public, requires
from lms.auth.roles import Permission
from lms.db import MAX_ID, db
from lms.i18n import agency_zone, local_today, parse_day
from lms.org.models import Unit
from lms.org.queries import unit_choices
from lms.pagination import Page
from lms.reports import exports, queries
from lms.reports.document import cells, document, period_label
from lms.reports.queries import Period, ReportError, make_period

bp = Blueprint(
    "reports",
    __name__,
    url_prefix="/reports",
    template_folder="templates",
)
STATIC_DIR = Path(__file__).resolve().parent / "static"

PER_PAGE = 50
PRESETS = {
    "gd1": (date(2024, 1, 1), date(2025, 12, 31), _l("Giai đoạn 1 (2024–2025)")),
    "gd2": (date(2026, 1, 1), date(2030, 12, 31), _l("Giai đoạn 2 (2026–2030)")),
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@bp.get("/roster")
@requires(Permission.VIEW_REPORTS)
def roster():
    unit_id = request.args.get("unit", "")
    chosen = None
    if unit_id:
        if not unit_id.isdigit() or not 1 <= int(unit_id) <= MAX_ID:
            abort(404)
        chosen = int(unit_id)
        db.session.get(Unit, chosen) or abort(404)
    return _respond("reports.roster", chosen, {})


@bp.get("/units/<id:unit_id>/roster")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id: unit_id)
def unit_roster(unit_id: int):
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


def _period_from_args(today: date) -> tuple[Period, str]:
    preset = request.args.get("period", "")
    if preset in PRESETS:
        first, last, _label = PRESETS[preset]
        return Period(first, last), preset
    if preset.isdigit() and len(preset) == 4:
        year = int(preset)
        return make_period(date(year, 1, 1), date(year, 12, 31)), preset
    if request.args.get("from") or request.args.get("to"):
        first = parse_day(request.args.get("from", ""))
        last = parse_day(request.args.get("to", ""))
        return make_period(first, last), ""
    return Period(date(today.year, 1, 1), date(today.year, 12, 31)), str(today.year)


def _respond(endpoint: str, unit_id: int | None, route_args: dict):
    today = local_today()
    try:
        period, preset = _period_from_args(today)
    except ReportError as error:
        return render_template("reports/error.html", message=str(error)), 400
    search = request.args.get("q", "").strip()[:100]
    wanted = request.args.get("format", "")
    if wanted and wanted not in FORMATS:
        message = _("Định dạng tải về không hợp lệ: chọn csv, xlsx hoặc html.")
        return render_template("reports/error.html", message=message), 400
    report = queries.roster(period, today, unit_id=unit_id, search=search)
    if wanted:
        return download(report, wanted, today)
    number = request.args.get("page", "1")
    number = int(number) if number.isdigit() and len(number) < 7 else 1
    pages = max(1, -(-len(report.rows) // PER_PAGE))
    number = min(max(1, number), pages)
    start = (number - 1) * PER_PAGE
    page = Page(
        items=[(row, cells(row)) for row in report.rows[start : start + PER_PAGE]],
        number=number,
        per_page=PER_PAGE,
        total=len(report.rows),
    )
    filters = {"period": preset, "q": search, **route_args}
    if not preset:
        filters.update({"from": period.first.isoformat(), "to": period.last.isoformat()})
    if endpoint == "reports.roster" and unit_id:
        filters["unit"] = unit_id
    return render_template(
        "reports/roster.html",
        report=report,
        page=page,
        endpoint=endpoint,
        filters=filters,
        period_text=period_label(period.first, period.last),
        presets=[(key, label) for key, (_f, _l2, label) in PRESETS.items()],
        years=list(range(2024, today.year + 2)),
        units=unit_choices(period.last) if endpoint == "reports.roster" else [],
        chosen_unit=unit_id,
        headers=document(report, today).headers,
    )


def file_name(code: str, period: Period, extension: str) -> str:
    """An ASCII name: unit code, period and the local time of the export."""
    moment = datetime.now(agency_zone()).strftime("%Y%m%d-%H%M")
    safe_code = "".join(ch for ch in code if ch.isascii() and (ch.isalnum() or ch in "-_"))
    return (
        f"danh-sach_{safe_code or 'all'}_{period.first.isoformat()}_"
        f"{period.last.isoformat()}_{moment}.{extension}"
    )


def download(report, wanted: str, today: date) -> Response:
    doc = document(report, today)
    name = file_name(report.unit_code, report.period, wanted)
    if wanted == "csv":
        body = stream_with_context(chunk.encode("utf-8") for chunk in exports.csv_chunks(doc))
    elif wanted == "xlsx":
        body = exports.xlsx_chunks(doc)
    else:
        body = exports.html_text(doc)
    response = Response(body, mimetype=FORMATS[wanted].split(";")[0])
    response.headers["Content-Type"] = FORMATS[wanted]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
