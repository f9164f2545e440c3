"""The honour-board forms; the board rules themselves stay in honours.services."""

from __future__ import annotations

from wtforms import StringField

from lms.forms import Day, Form, cut, required
from lms.i18n import lazy_gettext as _l


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


# Longer than the citation limit (models.CITATION_LIMIT), so the service still says it is too
# long, but a huge post is not read whole.
_CITATION_INPUT = 2000


class EntryForm(Form):
    """A board entry's citation and place (blank keeps it); both limits are the service's."""

    citation = StringField(filters=[cut(_CITATION_INPUT)])
    position = StringField(filters=[cut(100)])


class PersonEntryForm(Form):
    """One person put on a board with a citation; who may be added is the service's rule."""

    person = StringField(validators=[required(_l("Hãy chọn một người có trong hệ thống."))])
    citation = StringField(filters=[cut(_CITATION_INPUT)])


class UnitEntryForm(Form):
    """One unit put on a board with a citation; the unit must be open in the board's period."""

    unit = StringField(validators=[required(_l("Hãy chọn một đơn vị có trong hệ thống."))])
    citation = StringField(filters=[cut(_CITATION_INPUT)])


class TopUnitsForm(Form):
    """The leading units of a criteria set: which set, and how many units."""

    criteria_set = StringField(validators=[required(_l("Hãy chọn bộ tiêu chí."))])
    count = StringField(filters=[cut(100)])
