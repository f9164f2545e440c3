"""The password-change form (Flask-WTF); the password rules themselves are lms.auth.services'."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import EqualTo

from lms.forms import Form, cut, required
from lms.i18n import lazy_gettext as _l

# Longer than any password the policy takes, so a huge post is not read whole.
_LONGEST = 1000


class PasswordForm(Form):
    current_password = PasswordField(
        filters=[cut(_LONGEST)], validators=[required(_l("Hãy nhập mật khẩu hiện tại."))]
    )
    new_password = PasswordField(
        filters=[cut(_LONGEST)], validators=[required(_l("Hãy nhập mật khẩu mới."))]
    )
    confirm_password = PasswordField(
        filters=[cut(_LONGEST)],
        validators=[
            required(_l("Hãy nhập lại mật khẩu mới.")),
            EqualTo("new_password", message=_l("Hai lần nhập mật khẩu mới không khớp.")),
        ],
    )
