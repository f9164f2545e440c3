"""The organisation forms; the organisation rules themselves stay in org.services."""

from __future__ import annotations

from datetime import date

from wtforms import Field, StringField
from wtforms.validators import ValidationError

from lms.db import parse_id
from lms.forms import Form, required
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import parse_day as parse_typed_day
from lms.org.models import UnitKind
from lms.org.services import OrgError


def parse_day(value: str | None, label: str, *, field: str | None = None) -> date:
    """Read a date typed in a form (yyyy-mm-dd from a date input, or dd/mm/yyyy); field names
    the form field a refusal is about."""
    text = (value or "").strip()
    if not text:
        raise OrgError(_("Chưa nhập %(label)s.", label=label.lower()), field=field)
    day = parse_typed_day(text)
    if day is not None and 1900 <= day.year <= 2100:
        return day
    raise OrgError(
        _(
            "%(label)s “%(value)s” không hợp lệ: hãy nhập ngày theo dạng ngày/tháng/năm, "
            "ví dụ 10/11/2024.",
            label=label,
            value=text,
        ),
        field=field,
    )


class OnDay:
    """A field holding a day, read as parse_day reads it; label names it in the message."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self, _form: Form, field: Field) -> None:
        try:
            parse_day(field.data, str(self.label))
        except OrgError as error:
            raise ValidationError(error.message) from None


class Kind:
    """One of the unit kinds."""

    def __call__(self, _form: Form, field: Field) -> None:
        if field.data not in {kind.value for kind in UnitKind}:
            raise ValidationError(_("Loại đơn vị không hợp lệ."))


class UnitForm(Form):
    """A new unit: its code, first name, kind, place in the tree and founding day. The code's
    form and uniqueness and the parent's dates are the service's rules (refused by field)."""

    code = StringField()
    name = StringField(validators=[required(_l("Tên đơn vị không được để trống."))])
    kind = StringField(default=UnitKind.DIVISION.value, validators=[Kind()])
    parent_id = StringField()
    valid_from = StringField(validators=[OnDay(_l("Ngày thành lập"))])


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class IdSet(Field):
    """The ids ticked in a list of check boxes sharing one name; anything else is left out."""

    data: set[int]

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = {found for value in valuelist if (found := parse_id(value)) is not None}

    def _value(self) -> str:
        return ""


class MergeForm(Form):
    """A merge: the receiving unit and the day, then, confirmed, the manager grants to carry
    over. Whether the merge may happen is the service's rule (refused at the top of the page)."""

    into_id = StringField(
        filters=[_strip], validators=[required(_l("Chưa chọn đơn vị nhận sáp nhập."))]
    )
    on = StringField(validators=[OnDay(_l("Ngày sáp nhập"))])
    confirmed = StringField()
    carry = IdSet(default=set)


class MemberForm(Form):
    """Someone who starts working in a unit: their username and the first day."""

    username = StringField(
        filters=[_strip],
        validators=[required(_l("Chưa nhập tên đăng nhập của người cần thêm."))],
    )
    on = StringField(validators=[OnDay(_l("Ngày bắt đầu công tác"))])


class RenameForm(Form):
    """A unit's new name from a day; a name the same as today's is the service's refusal."""

    name = StringField(validators=[required(_l("Tên đơn vị không được để trống."))])
    on = StringField(validators=[OnDay(_l("Ngày đổi tên"))])


class MoveForm(Form):
    """A unit's new parent (none: the top of the tree) from a day; whether the parent may hold
    it that day is the service's rule (refused by field)."""

    parent_id = StringField(filters=[_strip])
    on = StringField(validators=[OnDay(_l("Ngày chuyển"))])
