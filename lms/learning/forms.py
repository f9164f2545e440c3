"""The learning forms; the rules themselves stay in learning.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from lms.forms import Day, Form, required

_BAD_DAY = _l("Ngày bắt đầu áp dụng không hợp lệ: hãy nhập theo dạng ngày/tháng/năm.")


class RuleForm(Form):
    """A new version of the credible-completion rule: two shares (percent) and its first day.
    The shares' range and order are the service's rules (refused by field)."""

    min_share_percent = StringField()
    flag_share_percent = StringField()
    starts_on = StringField(validators=[required(_BAD_DAY), Day(_BAD_DAY)])
