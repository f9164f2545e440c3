"""The page shell: navigation for the signed-in role and the error pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from lms.roles import ROLE_LABELS, Permission


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


def _error_page(
    status: int, title: str, message: str
) -> Callable[[Exception], ResponseReturnValue]:
    def handler(error: Exception) -> ResponseReturnValue:
        return render_template("error.html", title=title, message=message, status=status), status

    return handler


def init_app(app: Flask) -> None:
    app.context_processor(_navigation)
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
        ),
    )
    app.register_error_handler(
        500, _error_page(500, _l("Lỗi hệ thống"), _l("Đã có lỗi xảy ra. Vui lòng thử lại sau."))
    )
