"""The forms of first sign-in: choosing whom to issue codes for, and using a code."""

from __future__ import annotations

from wtforms import PasswordField, StringField

from lms.forms import Form, required
from lms.i18n import lazy_gettext as _l

CHANNEL_SHEET = "sheet"
CHANNEL_EMAIL = "email"


class IssueForm(Form):
    # Checked against the units open today by the view (a choice list says it in English).
    unit_id = StringField(
        _l("Đơn vị (gồm đơn vị con)"), validators=[required(_l("Hãy chọn đơn vị."))]
    )
    # Radio buttons in the template; anything but e-mail means the sheet.
    channel = StringField(_l("Cách trao mã"), default=CHANNEL_SHEET)


class RedeemForm(Form):
    code = StringField(_l("Mã đăng nhập lần đầu"), validators=[required(_l("Hãy nhập mã."))])
    new_password = PasswordField(
        _l("Mật khẩu mới"), validators=[required(_l("Hãy nhập mật khẩu mới."))]
    )
    confirm_password = PasswordField(
        _l("Nhập lại mật khẩu mới"), validators=[required(_l("Hãy nhập lại mật khẩu mới."))]
    )
