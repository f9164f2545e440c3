"""The page shell: navigation for the signed-in role and the error pages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from lms.access import public
from lms.i18n import current_locale
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.org.queries import agency_name_today
from lms.roles import ROLE_LABELS, Permission

bp = Blueprint("shell", __name__)
# The static files every page may use: kept by the service worker for offline use.
SHELL_FILES = (
    "css/app.css",
    "js/learning.js",
    "js/pwa.js",
    "js/offline.js",
    "js/forms.js",
    "favicon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
)
THEME_COLOUR = "#0b5d3b"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    permission: Permission | None = None


NAV_ITEMS = [
    NavItem("home.index", _l("Trang chủ")),
    NavItem("learning.catalogue", _l("Khóa học")),
    NavItem("dictionary.index", _l("Từ điển")),
    NavItem("plans.mine", _l("Kế hoạch của tôi"), Permission.KEEP_PLAN),
    NavItem("plans.units", _l("Kế hoạch đơn vị"), Permission.MANAGE_UNIT),
    NavItem("org.units", _l("Đơn vị"), Permission.MANAGE_UNITS),
    NavItem("agency.profile", _l("Thông tin cơ quan"), Permission.MANAGE_UNITS),
    NavItem("accounts.people", _l("Nhân sự"), Permission.MANAGE_PEOPLE),
    NavItem("staff.upload", _l("Nhập danh sách"), Permission.MANAGE_PEOPLE),
    NavItem("courses.manage", _l("Nội dung"), Permission.EDIT_CONTENT),
    NavItem("recordings.mine", _l("Ghi âm"), Permission.RECORD_AUDIO),
    NavItem("audit.events", _l("Nhật ký"), Permission.VIEW_AUDIT),
    NavItem("reports.roster", _l("Danh sách tổng hợp"), Permission.VIEW_REPORTS),
    NavItem("reports.summary", _l("Sơ kết, tổng kết"), Permission.VIEW_REPORTS),
    NavItem("citizens.figures", _l("Người học tự do"), Permission.VIEW_REPORTS),
    NavItem("awards.sets", _l("Khen thưởng"), Permission.MANAGE_AWARDS),
    NavItem("awards.initiatives", _l("Sáng kiến"), Permission.MANAGE_UNIT),
    NavItem("honours.boards", _l("Vinh danh"), Permission.MANAGE_AWARDS),
    NavItem("plans.rules", _l("Chỉ tiêu năm"), Permission.MANAGE_UNITS),
]


def _navigation() -> dict:
    if not current_user.is_authenticated:
        return {"nav_items": []}
    # The person's permissions worked out once for the menu, not once per item (each works out
    # today's grants again).
    held = current_user.permissions
    items = [item for item in NAV_ITEMS if item.permission is None or item.permission in held]
    if current_user.is_citizen:
        items.append(NavItem("citizens.account", _l("Tài khoản")))
    return {"nav_items": items}


# Parts of the shell kept per app. The keys are few and set by the app, not by requests: about
# 150 menus with their current item per language (15 role mixes), and three parts without a menu.
MAX_SHELL_PARTS = 1024


def shell_part(name: str, items: Sequence[NavItem] = (), current: str | None = None) -> Markup:
    """The shell's part `name` (a macro of _shell.html) with the menu items and the current
    page's endpoint, for the page's language and the app's URLs.

    A part depends on nothing else, so it is rendered once per process and kept: writing the
    links, labels and menu cost a page about 0.2 ms of its 0.5 ms shell. With templates
    reloaded (debug mode) it is rendered every time: an edited template or static file shows
    at once."""
    endpoints = tuple(item.endpoint for item in items)
    shown = current if current in endpoints else None
    if current_app.debug or current_app.jinja_env.auto_reload:
        return _render_part(name, items, shown)
    key = (name, endpoints, shown, str(current_locale()), request.script_root)
    kept: dict[tuple, Markup] = current_app.extensions.setdefault("lms.shell_parts", {})
    found = kept.get(key)
    if found is None:
        found = _render_part(name, items, shown)
        if len(kept) >= MAX_SHELL_PARTS:
            kept.clear()
        kept[key] = found
    return found


def footer_line(named: bool = True) -> str:
    """Every page's footer: the agency (unless not named), then the campaign."""
    try:
        agency = agency_name_today() if named else ""
    except SQLAlchemyError as error:
        # The error page of a failed statement: PostgreSQL refuses any other statement in its
        # transaction. The footer goes without the name rather than the page failing too.
        current_app.logger.warning("footer without the agency's name: %s", error)
        agency = ""
    if not agency:
        return _("Phong trào học tập suốt đời 2024–2030")
    return _("%(agency)s · Phong trào học tập suốt đời 2024–2030", agency=agency)


def _render_part(name: str, items: Sequence[NavItem], current: str | None) -> Markup:
    macro = getattr(current_app.jinja_env.get_template("_shell.html").module, name)
    return Markup(macro(items, current) if name == "menu" else macro())


def _error_page(
    status: int, title: str, message: str, *, gate: bool = False
) -> Callable[[Exception], ResponseReturnValue]:
    """gate: the page stands between a person and what they sent (`base.html`)."""

    def handler(error: Exception) -> ResponseReturnValue:
        page = render_template("error.html", title=title, message=message, gate=gate)
        return page, status

    return handler


@bp.get("/manifest.webmanifest")
@public
def manifest() -> Response:
    """What a phone needs to install the app on its home screen."""
    icons = [
        {
            "src": url_for("static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in (192, 512)
    ]
    body = {
        "name": _("Học tập suốt đời"),
        "short_name": _("Học tập"),
        "description": _("Tự học kỹ năng số, ngoại ngữ và tiếng dân tộc thiểu số."),
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.cache_control.no_cache = True
    return response


def shell_urls() -> list[str]:
    return [url_for("static", filename=name) for name in SHELL_FILES] + [url_for("shell.offline")]


@bp.get("/sw.js")
@public
def service_worker() -> Response:
    """The service worker, versioned by the static files it keeps: a release that changes any
    of them installs a new worker, whose cache replaces the old one whole."""
    urls = shell_urls()
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    script = render_template(
        "sw.js", version=version, shell_urls=urls, offline_url=url_for("shell.offline")
    )
    response = Response(script, mimetype="text/javascript")
    response.cache_control.no_cache = True  # browsers check for a new worker on each visit
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
@public
def offline() -> ResponseReturnValue:
    """What a page not kept on the device shows without a connection."""
    return render_template("offline.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_navigation)
    app.jinja_env.globals["shell_part"] = shell_part
    app.jinja_env.globals["footer_line"] = footer_line
    app.jinja_env.globals.update(Permission=Permission, role_labels=ROLE_LABELS)
    app.register_error_handler(
        403,
        _error_page(403, _l("Không có quyền truy cập"), _l("Bạn không có quyền xem trang này.")),
    )
    app.register_error_handler(
        404, _error_page(404, _l("Không tìm thấy trang"), _l("Địa chỉ này không tồn tại."))
    )
    app.register_error_handler(
        405, _error_page(405, _l("Thao tác không hợp lệ"), _l("Trang này không nhận thao tác đó."))
    )
    app.register_error_handler(
        413, _error_page(413, _l("Tệp quá lớn"), _l("Tệp tải lên vượt quá dung lượng cho phép."))
    )
    app.register_error_handler(
        CSRFError,
        _error_page(
            400,
            _l("Phiên làm việc đã hết hạn"),
            _l("Biểu mẫu thiếu hoặc sai mã bảo vệ (CSRF). Hãy tải lại trang và thử lại."),
            gate=True,
        ),
    )
    app.register_error_handler(
        500, _error_page(500, _l("Lỗi hệ thống"), _l("Đã có lỗi xảy ra. Vui lòng thử lại sau."))
    )
