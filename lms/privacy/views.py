"""Personal data: one's own data as JSON, and the access log for administrators."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from lms.access import requires, signed_in
from lms.db import parse_count, utcnow
from lms.i18n import agency_zone, parse_day
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.privacy import queries
from lms.roles import Permission

bp = Blueprint("privacy", __name__, url_prefix="/privacy", template_folder="templates")

RECENT_VIEWS = 20
WHAT_LABELS = {
    "accounts.person": _l("Hồ sơ nhân sự"),
    "accounts.edit": _l("Sửa hồ sơ nhân sự"),
    "plans.show": _l("Kế hoạch học tập"),
    "plans.evidence": _l("Tệp minh chứng"),
    "plans.dashboard": _l("Kế hoạch của đơn vị"),
    "org.unit_members": _l("Thành viên đơn vị"),
    "reports.roster": _l("Danh sách tổng hợp"),
    "reports.unit_roster": _l("Danh sách tổng hợp của đơn vị"),
}


def describe_what(what: str) -> str:
    """Name the page a view was made on; a download says its format."""
    parts = what.split(".")
    endpoint, extension = (".".join(parts[:2]), parts[2]) if len(parts) == 3 else (what, "")
    label = WHAT_LABELS.get(endpoint)
    if label is None:
        return what
    return _("%(page)s (tải %(format)s)", page=label, format=extension) if extension else str(label)


@bp.get("/")
@signed_in
def mine():
    return render_template(
        "privacy/mine.html", views=queries.views_of(current_user.id, limit=RECENT_VIEWS)
    )


@bp.get("/my-data.json")
@signed_in
def my_data():
    now = utcnow()
    data = queries.personal_data(current_user, now=now)
    day = now.astimezone(agency_zone()).date().isoformat()
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="du-lieu-ca-nhan_{current_user.id}_{day}.json"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/access-log")
@requires(Permission.VIEW_AUDIT)
def access_log():
    args = request.args
    errors = []
    days = {}
    for name, label in (("from", _("Từ ngày")), ("to", _("Đến ngày"))):
        text = args.get(name, "").strip()[:20]
        days[name] = parse_day(text) if text else None
        if text and days[name] is None:
            errors.append(
                _("%(field)s: “%(text)s” không phải ngày dạng dd/mm/yyyy.", field=label, text=text)
            )
    if days["from"] and days["to"] and days["to"] < days["from"]:
        errors.append(_("Đến ngày phải sau Từ ngày."))
        days = {"from": None, "to": None}
    filters = {
        "viewer": args.get("viewer", "").strip()[:100],
        "person": args.get("person", "").strip()[:100],
        "from": args.get("from", "").strip()[:20],
        "to": args.get("to", "").strip()[:20],
    }
    page = queries.access_log(
        viewer=filters["viewer"],
        person=filters["person"],
        first=days["from"],
        last=days["to"],
        page=parse_count(args.get("page", "1"), limit=100_000) or 1,
    )
    body = render_template("privacy/access_log.html", page=page, filters=filters, errors=errors)
    return body, 400 if errors else 200
