"""Reading plan form values: hours, days in a year, planned month or quarter, free text.

PlanError is the refusal every plan change raises before it touches anything; its message is
shown to the user.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal, overload

from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import local_today, parse_day, vn_date
from lms.text import nfc

MAX_HOURS = Decimal(400)  # more than a working year's worth of training is a typing mistake
MAX_TEXT = 4000
FIRST_YEAR = 2000


class PlanError(UserError):
    """A change that breaks a plan rule; the message is shown to the user."""


# Reading form values --------------------------------------------------------------------------


def parse_hours(text: str | Decimal | None, *, label: str, field: str | None = None) -> Decimal:
    """Return a positive, plausible number of hours or tiết (1,5 and 1.5 alike); field names
    the form field a refusal is about."""
    if isinstance(text, Decimal):
        value = text
    else:
        raw = (text or "").strip().replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise PlanError(
                _("%(label)s “%(value)s” không phải là số.", label=label, value=raw[:20]),
                field=field,
            ) from None
    if not value.is_finite() or value <= 0:
        raise PlanError(_("%(label)s phải lớn hơn 0.", label=label), field=field)
    if value > MAX_HOURS:
        raise PlanError(
            _(
                "%(label)s %(value)s quá lớn (tối đa %(max)s).",
                label=label,
                value=value,
                max=MAX_HOURS,
            ),
            field=field,
        )
    return value.quantize(Decimal("0.01"))


def parse_date_in_year(
    text: str | date | None, year: int, *, label: str, field: str | None = None
) -> date:
    day = text if isinstance(text, date) else parse_day(text or "")
    if day is None:
        raise PlanError(
            _("%(label)s không hợp lệ: hãy nhập ngày/tháng/năm.", label=label), field=field
        )
    if day.year != year:
        raise PlanError(
            _(
                "%(label)s %(day)s không thuộc năm %(year)d.",
                label=label,
                day=vn_date(day),
                year=year,
            ),
            field=field,
        )
    return day


LATE_IN_MONTH = 20  # after this day, what is planned now is planned for next month


def planned_default(year: int, today: date) -> str:
    """The month a new item of the year's plan is planned for unless chosen: this month (next
    month late in the month), January of a later year, December of an earlier one."""
    if year > today.year:
        return "m1"
    if year < today.year:
        return "m12"
    return f"m{min(today.month + (today.day > LATE_IN_MONTH), 12)}"


def parse_planned(text: str | None, *, field: str | None = None) -> tuple[int | None, int | None]:
    """Read "m1".."m12" (a month) or "q1".."q4" (a quarter)."""
    text = (text or "").strip().lower()
    if len(text) >= 2 and text[0] in "mq" and text[1:].isascii() and text[1:].isdigit():
        number = int(text[1:])
        if text[0] == "m" and 1 <= number <= 12:
            return number, None
        if text[0] == "q" and 1 <= number <= 4:
            return None, number
    raise PlanError(_("Hãy chọn tháng hoặc quý dự kiến thực hiện."), field=field)


@overload
def text_value(
    value: str | None,
    *,
    label: str,
    required: Literal[True],
    limit: int = MAX_TEXT,
    field: str | None = None,
) -> str: ...


@overload
def text_value(
    value: str | None,
    *,
    label: str,
    required: bool = False,
    limit: int = MAX_TEXT,
    field: str | None = None,
) -> str | None: ...


def text_value(
    value: str | None,
    *,
    label: str,
    required: bool = False,
    limit: int = MAX_TEXT,
    field: str | None = None,
) -> str | None:
    """Trimmed NFC text within limit, None when empty; required refuses empty; field names the
    form field a refusal is about."""
    value = nfc((value or "").strip())
    if required and not value:
        raise PlanError(_("Chưa nhập %(label)s.", label=label), field=field)
    if len(value) > limit:
        raise PlanError(
            _("%(label)s quá dài (tối đa %(n)d ký tự).", label=label, n=limit), field=field
        )
    return value or None


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= local_today().year + 1:
        raise PlanError(_("Năm %(year)d nằm ngoài khoảng cho phép.", year=year))
    return year
