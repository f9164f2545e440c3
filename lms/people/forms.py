"""The person forms; the rules about people themselves stay in accounts.services."""

from __future__ import annotations

from wtforms import Field, StringField
from wtforms.validators import DataRequired, ValidationError

from lms.accounts.services import FIELD_LABELS, PersonError, parse_day
from lms.forms import Form, required
from lms.i18n import lazy_gettext as _l


class TypedDay:
    """A day as the service reads it (blank allowed); the refusal is the service's message,
    naming the field by label (by default its label among the person's details)."""

    def __init__(self, label: str | None = None) -> None:
        self.label = label

    def __call__(self, _form: Form, field: Field) -> None:
        try:
            parse_day(field.data, str(self.label or FIELD_LABELS[field.name]))
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


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class MembershipForm(Form):
    """The unit a person works in from a day; whether the unit is open that day, and what
    happens to their current membership, are org.services rules."""

    unit = StringField(filters=[_strip], validators=[DataRequired(_l("Hãy chọn đơn vị công tác."))])
    since = StringField(
        filters=[_strip],
        validators=[
            DataRequired(_l("Hãy nhập ngày bắt đầu công tác (Từ ngày).")),
            TypedDay(_l("Từ ngày")),
        ],
    )


class PositionForm(Form):
    """A change of position from a day; the position's length and the day's range are
    accounts.services.change_position's rules (refused by field where it names one)."""

    position = StringField(filters=[_strip], validators=[DataRequired(_l("Hãy ghi chức vụ."))])
    position_since = StringField(
        filters=[_strip],
        validators=[DataRequired(_l("Hãy nhập ngày bắt đầu giữ chức vụ.")), TypedDay()],
    )


class CorrectionForm(Form):
    """The current position written correctly (a misspelling fixed in place); its length is
    accounts.services.correct_position's rule (refused by field)."""

    corrected_position = StringField(
        filters=[_strip], validators=[DataRequired(_l("Hãy ghi chức vụ."))]
    )
