"""The honour-board forms; the board rules themselves stay in honours.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from lms.forms import Day, Form, required


class BoardForm(Form):
    """A board's title and period, as typed on the boards page and the board's own page."""

    title = StringField(validators=[required(_l("Tiêu đề bảng vinh danh không được để trống."))])
    first_day = StringField(
        validators=[
            required(_l("Ngày bắt đầu kỳ phải có dạng dd/mm/yyyy.")),
            Day(_l("Ngày bắt đầu kỳ phải có dạng dd/mm/yyyy.")),
        ]
    )
    last_day = StringField(
        validators=[
            required(_l("Ngày kết thúc kỳ phải có dạng dd/mm/yyyy.")),
            Day(_l("Ngày kết thúc kỳ phải có dạng dd/mm/yyyy.")),
        ]
    )
