"""The nomination forms; the nomination rules themselves stay in nominations.services."""

from __future__ import annotations

from wtforms import StringField

from lms.forms import Form, required
from lms.i18n import lazy_gettext as _l


class ListForm(Form):
    """A new list: its name, the criteria set it is drawn with, and the unit (all when blank)."""

    name = StringField(validators=[required(_l("Tên danh sách không được để trống."))])
    criteria_set = StringField(validators=[required(_l("Hãy chọn bộ tiêu chí."))])
    unit = StringField()


class EntryForm(Form):
    """An entry's proposed commendation form, summary of achievements and note."""

    form = StringField(validators=[required(_l("Hãy chọn một hình thức khen thưởng đang dùng."))])
    summary = StringField(validators=[required(_l("Tóm tắt thành tích không được để trống."))])
    note = StringField()
