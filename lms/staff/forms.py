"""The staff-list upload form (Flask-WTF); what the list holds is lms.staff.importer's to check."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import BooleanField, Field, HiddenField, StringField
from wtforms.validators import ValidationError

from lms.forms import Form, cut
from lms.i18n import gettext as _
from lms.staff.importer import parse_effective_date
from lms.uploads.services import Kept


class _EffectiveDay:
    def __call__(self, _form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if text and parse_effective_date(text) is None:
            raise ValidationError(
                _("Ngày hiệu lực “%(value)s” không hợp lệ (dd/mm/yyyy).", value=text)
            )


class StaffImportForm(Form):
    """The list, the day its changes take effect, and whether only to check it. A refused or
    checked list is kept (lms.uploads) so the next send need not choose it again: whether a file
    was chosen or kept is the view's to say (file_pending)."""

    file = FileField()
    file_pending = HiddenField()
    kept: Kept | None = None
    effective = StringField(
        filters=[cut(40), lambda value: (value or "").strip()], validators=[_EffectiveDay()]
    )
    check_only = BooleanField(false_values=("", "0"))
