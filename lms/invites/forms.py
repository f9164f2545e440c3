"""The forms of first sign-in: choosing whom to issue codes for, and using a code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, StringField

from lms.forms import Form, required

CHANNEL_SHEET = "sheet"
CHANNEL_EMAIL = "email"


class IssueForm(Form):
    # Checked against the units open today by the view (a choice list says it in English).
    unit_id = StringField(
        _l("Đơn vị (gồm đơn vị con)"), validators=[required(_l("Hãy chọn đơn vị."))]
    )
    channel = RadioField(
        _l("Cách trao mã"),
        choices=[
            (CHANNEL_SHEET, _l("In phiếu mã để trưởng đơn vị trao tận tay")),
            (CHANNEL_EMAIL, _l("Gửi thư điện tử cho người có địa chỉ; in phiếu cho người còn lại")),
        ],
        default=CHANNEL_SHEET,
        validate_choice=False,  # anything but e-mail is the sheet
        validators=[required(_l("Hãy chọn cách trao mã."))],
    )


class RedeemForm(Form):
    code = StringField(_l("Mã đăng nhập lần đầu"), validators=[required(_l("Hãy nhập mã."))])
    new_password = PasswordField(
        _l("Mật khẩu mới"), validators=[required(_l("Hãy nhập mật khẩu mới."))]
    )
    confirm_password = PasswordField(
        _l("Nhập lại mật khẩu mới"), validators=[required(_l("Hãy nhập lại mật khẩu mới."))]
    )
