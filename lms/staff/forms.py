"""The staff-list upload form (Flask-WTF); what the list holds is lms.staff.importer's to check."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, StringField
from wtforms.validators import ValidationError

from lms.forms import Form, cut
from lms.staff.importer import parse_effective_date


class _Chosen:
    """A file was chosen (FileRequired would also refuse an empty file the importer names)."""

    def __call__(self, _form: Any, field: Field) -> None:
        if field.data is None or not getattr(field.data, "filename", ""):
            raise ValidationError(_("Hãy chọn tệp danh sách (.xlsx hoặc .csv)."))


class _EffectiveDay:
    def __call__(self, _form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if text and parse_effective_date(text) is None:
            raise ValidationError(
                _("Ngày hiệu lực “%(value)s” không hợp lệ (dd/mm/yyyy).", value=text)
            )


class StaffImportForm(Form):
    file = FileField(validators=[_Chosen()])
    effective = StringField(
        filters=[cut(40), lambda value: (value or "").strip()], validators=[_EffectiveDay()]
    )
    check_only = BooleanField(false_values=("", "0"))
