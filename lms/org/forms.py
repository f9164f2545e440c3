"""The organisation forms; the organisation rules themselves stay in org.services."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, SelectMultipleField, StringField
from wtforms.validators import ValidationError

from lms.db import parse_id
from lms.forms import Form, cut, required
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


class MergeForm(Form):
    """A merge into another unit on a day: first shown to be confirmed (what it does to the
    managers' grants), then, confirmed, done with the grants ticked to carry over."""

    into_id = StringField(filters=[cut(40)])
    on = StringField(filters=[cut(40)], validators=[OnDay(_l("Ngày sáp nhập"))])
    confirmed = BooleanField(false_values=("", "0"))
    carry = SelectMultipleField(validate_choice=False)

    def carried(self) -> set[int]:
        """The ids of the grants ticked to carry over."""
        return {grant for value in self.carry.data or [] if (grant := parse_id(value)) is not None}
