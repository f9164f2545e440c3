"""The person forms; the rules about people themselves stay in accounts.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from lms.accounts.services import FIELD_LABELS, PersonError, parse_day
from lms.forms import Form, required


class TypedDay:
    """A day as the service reads it (blank allowed); the refusal is the service's message."""

    def __call__(self, _form: Form, field: Field) -> None:
        try:
            parse_day(field.data, str(FIELD_LABELS[field.name]))
        except PersonError as error:
            raise ValidationError(error.message) from None


class PersonForm(Form):
    """A person's details as typed on the edit page; the service checks them, by field."""

    full_name = StringField(validators=[required(_l("Họ và tên không được để trống."))])
    given_name_override = StringField()
    date_of_birth = StringField(validators=[TypedDay()])
    gender = StringField()
    ethnicity = StringField()
    employment_kind = StringField()
    email = StringField()
    phone = StringField()


class NewPersonForm(PersonForm):
    """A new person: also the username, and the position held from a day."""

    username = StringField(validators=[required(_l("Chưa nhập tên đăng nhập."))])
    position = StringField()
    position_since = StringField(validators=[TypedDay()])


class GrantForm(Form):
    """A role given from a day (today unless typed) until a day (open when blank); a unit
    manager's role also names its unit. The rules are accounts.services.grant_role's."""

    role = StringField(validators=[required(_l("Chưa chọn vai trò."))])
    role_unit = StringField()
    valid_from = StringField()
    valid_until = StringField()
