"""The read-only JSON API (rosters and summaries) and the page where people manage their tokens.

API calls authenticate with `Authorization: Bearer <token>` only; a browser session does not
open the API, so a page cannot be tricked into calling it on someone's behalf.
"""

from __future__ import annotations

from decimal import Decimal
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from lms.access import public, requires
from lms.api import services
from lms.api.models import ApiToken
from lms.api.openapi import document as openapi_document
from lms.audit.access_log import period_scope, record_view
from lms.awards import queries as award_queries
from lms.courses.format import CATEGORIES
from lms.db import db, parse_count, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import local_today
from lms.reports import queries
from lms.reports import summary as summaries
from lms.reports.queries import Period, ReportError, RosterRow, period_from_args
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("api", __name__, template_folder="templates")

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 100


class ApiError(UserError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    response = jsonify({"error": str(error)})
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lms"'
    return response


def token_required(view):
    """Let the call through only with a live token of someone who may read reports."""

    @wraps(view)
    def checked(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _space, secret = header.partition(" ")
        person = services.person_for(secret.strip()) if scheme.lower() == "bearer" else None
        if person is None:
            db.session.rollback()
            raise ApiError(401, _("Khóa API không hợp lệ, đã bị thu hồi hoặc thiếu."))
        g.api_person = person
        return view(*args, **kwargs)

    return checked


def _period():
    try:
        period, _preset = period_from_args(request.args, local_today())
    except ReportError as error:
        raise ApiError(400, str(error)) from None
    return period


def _unit_id() -> int | None:
    code = request.args.get("unit", "")
    if not code:
        return None
    unit_id = queries.unit_by_code(code)
    if unit_id is None:
        raise ApiError(404, _("Không có đơn vị mã %(code)s.", code=code[:40]))
    return unit_id


def _criteria(period):
    wanted = request.args.get("criteria", "")
    try:
        return award_queries.resolve(wanted, period.first, period.last)[1]
    except LookupError:
        raise ApiError(404, _("Không có bộ tiêu chí mã số %(id)s.", id=wanted[:20])) from None


def _count(name: str, default: int, limit: int) -> int:
    text = request.args.get(name, "")
    if not text:
        return default
    value = parse_count(text)
    if not value or value > limit:
        raise ApiError(400, _("Tham số %(name)s phải là số từ 1 đến %(n)d.", name=name, n=limit))
    return value


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def row_json(row: RosterRow) -> dict:
    return {
        "number": row.number,
        "person_id": row.person_id,
        "full_name": row.full_name,
        "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
        "position": row.position,
        "is_active": row.is_active,
        "unit": {"id": row.unit_id, "code": row.unit_code, "name": row.unit_name},
        "since": row.since.isoformat(),
        "until": row.until.isoformat(),
        "plan_status": row.plan_status,
        "approved_years": row.approved_years,
        "plan_years": row.plan_years,
        "required_done": row.required_done,
        "required_total": row.required_total,
        "hours_earned": _decimal(row.hours_earned),
        "hours_target": _decimal(row.hours_target),
        "target_unit": row.target_unit or None,
        "percent": row.percent,
        "rule_versions": row.rule_versions,
        "counted_here": row.head,
        "courses": dict(zip(CATEGORIES, row.courses, strict=True)),
        "initiatives": row.initiatives,
        "result": None
        if row.result is None
        else {
            "passed": row.result.passed,
            "criteria": [
                {"label": o.label, "passed": o.passed, "fact": o.fact} for o in row.result.outcomes
            ],
        },
    }


def _period_json(period: Period) -> dict[str, str]:
    return {"from": period.first.isoformat(), "to": period.last.isoformat()}


@bp.get("/api/v1/roster")
@public
@token_required
def roster():
    period = _period()
    unit_id = _unit_id()
    criteria = _criteria(period)
    page = _count("page", 1, 10**6)
    per_page = _count("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    plan = queries.roster_plan_all(
        period, local_today(), unit_id=unit_id, search=request.args.get("q", "")[:100],
        criteria=criteria, viewer=g.api_person,
    )  # fmt: skip
    start = (page - 1) * per_page
    record_view(
        "api.roster",
        scope=period_scope("API danh sách tổng hợp", plan.unit_code, period.first, period.last),
        viewer_id=g.api_person.id,
    )
    return jsonify(
        {
            "period": _period_json(period),
            "unit": plan.unit_code,
            "agency": plan.agency_name,
            "criteria": None if criteria is None else {"id": criteria.id, "name": criteria.name},
            "total": len(plan.members),
            "page": page,
            "per_page": per_page,
            "rows": [row_json(row) for row in plan.rows(start, start + per_page)],
        }
    )


@bp.get("/api/v1/summary")
@public
@token_required
def summary():
    period = _period()
    report = summaries.summary(period, local_today(), unit_id=_unit_id(), viewer=g.api_person)
    record_view(
        "api.summary",
        scope=period_scope("API sơ kết", report.unit_code, period.first, period.last),
        viewer_id=g.api_person.id,
    )
    return jsonify(
        {
            "period": _period_json(period),
            "unit": report.unit_code,
            "agency": report.agency_name,
            "years": [
                {
                    "year": t.year,
                    "members": t.members,
                    "approved": t.approved,
                    "completion_percent": t.completion_percent,
                    "hours": _decimal(t.hours),
                    "passing": t.passing,
                    "initiatives": t.initiatives,
                    "criteria": t.criteria_name,
                }
                for t in report.years
            ],
            "units": [
                {
                    "year": r.year,
                    "unit": {"id": r.unit_id, "code": r.unit_code, "name": r.unit_name},
                    "members": r.members,
                    "approved": r.approved,
                    "completion_percent": r.completion_percent,
                    "hours": _decimal(r.hours),
                    "passing": r.passing if r.judged else None,
                    "initiatives": r.initiatives,
                }
                for r in report.rows
            ],
        }
    )


@bp.get("/api/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


@bp.get("/account/api-tokens")
@requires(Permission.VIEW_REPORTS)
def tokens():
    return _tokens_page()


def _tokens_page(**new):
    return render_template(
        "api/tokens.html",
        tokens=_my_tokens(),
        now=utcnow(),
        token_days=current_app.config["API_TOKEN_DAYS"],
        **new,
    )


def _my_tokens() -> list[ApiToken]:
    """The signed-in person's tokens, live ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.person_id == current_user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


@bp.post("/account/api-tokens")
@requires(Permission.VIEW_REPORTS)
def create_token():
    with saving() as saved:
        token, secret = services.issue_token(current_user, request.form.get("name", ""))
    if not saved:
        return redirect(url_for("api.tokens"))
    # The secret is shown in this one answer and never again; it is not kept anywhere.
    response = _tokens_page(new_secret=secret, new=token)
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/account/api-tokens/<id:token_id>/revoke")
@requires(Permission.VIEW_REPORTS)
def revoke_token(token_id: int) -> ResponseReturnValue:
    with saving(_("Đã thu hồi khóa API."), show=False) as saved:
        services.revoke_token(current_user, token_id)
    if not saved:
        abort(404)
    return redirect(url_for("api.tokens"))
