"""The registration and recovery forms (Flask-WTF); the rules are lms.citizens.services'."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import EqualTo

from lms.forms import Form, cut, required
from lms.i18n import lazy_gettext as _l

_LONGEST = 1000  # longer than anything the rules take: a huge post is not read whole


def _strip(value: str | None) -> str:
    return (value or "").strip()


class RegisterForm(Form):
    full_name = StringField(
        filters=[cut(300), _strip], validators=[required(_l("Hãy nhập họ và tên."))]
    )
    username = StringField(
        filters=[cut(200), _strip], validators=[required(_l("Hãy chọn tên đăng nhập."))]
    )
    password = PasswordField(
        filters=[cut(_LONGEST)], validators=[required(_l("Hãy đặt mật khẩu."))]
    )
    confirm_password = PasswordField(
        filters=[cut(_LONGEST)],
        validators=[
            required(_l("Hãy nhập lại mật khẩu.")),
            EqualTo("password", message=_l("Hai lần nhập mật khẩu không khớp.")),
        ],
    )
    email = StringField(filters=[cut(300), _strip])
    commune = StringField(filters=[cut(20), _strip])
    consent = BooleanField()
    # The honeypot: hidden from people (and from screen readers), filled by bots.
    website = StringField(filters=[cut(300), _strip])


class RecoverForm(Form):
    username = StringField(
        filters=[cut(200), _strip], validators=[required(_l("Hãy nhập tên đăng nhập."))]
    )
    code = StringField(
        filters=[cut(100), _strip], validators=[required(_l("Hãy nhập một mã khôi phục."))]
    )
    password = PasswordField(
        filters=[cut(_LONGEST)], validators=[required(_l("Hãy đặt mật khẩu mới."))]
    )
    confirm_password = PasswordField(
        filters=[cut(_LONGEST)],
        validators=[
            required(_l("Hãy nhập lại mật khẩu mới.")),
            EqualTo("password", message=_l("Hai lần nhập mật khẩu mới không khớp.")),
        ],
    )
