"""The plan forms; the plan rules themselves stay in workflow, assignments and rules.

A form reads and checks what was typed, each message by its field; hours and planned months are
read by the same helpers the services use (lms.plans.values), so the form refuses them exactly
as the service would. What only the records can tell (a course that is retired, a date outside
the plan's year, a version governing earlier days) the service refuses, naming the field.
Field names are the ones the pages have always posted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DecimalField,
    Field,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
)
from wtforms.form import BaseForm
from wtforms.validators import AnyOf, NumberRange, Optional, StopValidation, ValidationError

from lms.accounts.models import EmploymentKind
from lms.db import parse_count, parse_id
from lms.forms import ConfirmForm, Day, Form, required
from lms.i18n import lazy_gettext as _l
from lms.plans.models import ActivityKind
from lms.plans.values import PlanError, parse_hours, parse_planned
from lms.progress.models import AssignmentKind, TargetUnit
from lms.uploads.services import Kept

MAX_TICKED = 200  # plans decided at once from the dashboard


def _bad_day(label: object) -> Any:
    return _l("%(label)s không hợp lệ: hãy nhập ngày/tháng/năm.", label=label)


def _missing(label: object) -> Any:
    return _l("Chưa nhập %(label)s.", label=label)


# Fields and validators -------------------------------------------------------------------------


class Reads:
    """Text read by a plan helper (values.parse_planned…): its refusal is the field's message."""

    def __init__(self, read: Callable[[str], object]) -> None:
        self.read = read

    def __call__(self, _form: Form, field: Field) -> None:
        try:
            self.read(field.data or "")
        except PlanError as error:
            raise ValidationError(error.message) from None


class AllOf:
    """Ticked boxes: at least one, each one of values."""

    def __init__(self, values: Iterable[str], message: object) -> None:
        self.values = frozenset(values)
        self.message = message

    def __call__(self, _form: Form, field: Field) -> None:
        if not field.data or not set(field.data) <= self.values:
            raise ValidationError(str(self.message))


class _SaysOnce(Field):
    """A typed field that could not read its text says so once, not again in its validators."""

    def pre_validate(self, form: BaseForm) -> None:
        if self.process_errors:
            raise StopValidation()


class HoursField(_SaysOnce, DecimalField):
    """Hours or tiết, 1,5 and 1.5 alike, more than 0 and at most values.MAX_HOURS: read by
    values.parse_hours, whose message (naming the field by its label) is the field's. Empty is
    None; a required one says so with InputRequired."""

    data: Decimal | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if text:
            try:
                self.data = parse_hours(text, label=str(self.label.text))
            except PlanError as error:
                raise ValueError(error.message) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        # Written the Vietnamese way, as it is typed back: 40, 1,5.
        return f"{Decimal(self.data).normalize():f}".replace(".", ",")


class WholeField(_SaysOnce, IntegerField):
    """A whole number; message says what is expected when the text is not one."""

    def __init__(self, *args: Any, message: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.message)) from None


class PageCount(IntegerField):
    """A number the page itself sends (the version and revision it showed). Unreadable is None:
    the service then says the plan changed since the page was opened."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = parse_count(valuelist[0]) if valuelist else None


class PlanRefs(Field):
    """The ticked plans, each "id:version:revision" as the dashboard showed it; at most
    MAX_TICKED, and a value that names no plan in that form is left out."""

    data: list[tuple[int, int, int]]

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = []
        for value in valuelist[:MAX_TICKED]:
            parts = str(value).split(":")
            if len(parts) != 3:
                continue
            plan_id, version, revision = parse_id(parts[0]), *map(parse_count, parts[1:])
            if plan_id is not None and version is not None and revision is not None:
                self.data.append((plan_id, version, revision))

    def _value(self) -> str:
        return ""


def choice(values: Iterable[str], message: str) -> AnyOf:
    """One of values; message (Vietnamese) when it is not."""
    return AnyOf(list(values), message=message)


_DECISION = choice(("approve", "return"), _l("Hãy chọn duyệt hoặc trả lại."))


# A learner's plan ------------------------------------------------------------------------------


class CourseForm(Form):
    """A course of the learner's choice: the month or quarter planned and how many tiết (empty:
    the course's own). Whether the course is open and not yet planned is the service's rule."""

    course = StringField(validators=[required(_l("Hãy chọn một khóa học đang mở."))])
    planned = StringField(validators=[Reads(parse_planned)])
    expected_hours = HoursField(_l("Số tiết dự kiến"))


class ExternalForm(Form):
    """A training outside the platform, with its evidence. The dates' year, their order and the
    hours they can hold are the service's rules; the file's checks are evidence.py's."""

    kind = StringField(
        validators=[choice((kind.value for kind in ActivityKind), _l("Hãy chọn loại hoạt động."))]
    )
    title = StringField(validators=[required(_missing(_l("tên hoạt động")))])
    organiser = StringField(validators=[required(_missing(_l("đơn vị tổ chức")))])
    starts_on = StringField(
        validators=[required(_bad_day(_l("Ngày bắt đầu"))), Day(_bad_day(_l("Ngày bắt đầu")))]
    )
    ends_on = StringField(
        validators=[required(_bad_day(_l("Ngày kết thúc"))), Day(_bad_day(_l("Ngày kết thúc")))]
    )
    hours = HoursField(_l("Số giờ"), validators=[required(_missing(_l("số giờ")))])
    planned = StringField(validators=[Optional(), Reads(parse_planned)])
    evidence = FileField()
    # The token of the file a refused send was kept with (lms.uploads), sent back with the page.
    evidence_pending = HiddenField()
    kept: Kept | None = None  # that file, shown as "đã đính kèm" on the page sent back


class NoteForm(Form):
    """The note of the plan's version being written (its length is the service's rule)."""

    note = StringField()


class AssessmentForm(Form):
    """A self-assessment, or a manager's assessment, of the year (required and its length: the
    service's rules)."""

    text = StringField()


# A manager's decisions -------------------------------------------------------------------------


class DecisionForm(Form):
    """Approve or return the version the manager looked at; a return needs a comment (the
    service's rule, by the comment field)."""

    decision = StringField(validators=[_DECISION])
    comment = StringField()
    version = PageCount()
    revision = PageCount()


class BulkDecisionForm(Form):
    """Approve or return the plans ticked on the unit's dashboard, one comment for all."""

    decision = StringField(validators=[_DECISION])
    comment = StringField()
    plan = PlanRefs()


class VerifyForm(Form):
    """Verify an activity or reject it; a rejection needs a reason (the service's rule)."""

    decision = StringField(
        validators=[choice(("verify", "reject"), _l("Hãy chọn xác nhận hoặc từ chối."))]
    )
    reason = StringField()


class AssignmentForm(ConfirmForm):
    """A course assigned to a unit for the year: required or recommended, due inside the year
    (the service's rule), for its sub-units too or not."""

    course = StringField(validators=[required(_l("Hãy chọn một khóa học đang mở."))])
    kind = StringField(
        default=AssignmentKind.REQUIRED.value,
        validators=[
            choice(
                (kind.value for kind in AssignmentKind), _l("Hãy chọn bắt buộc hoặc khuyến khích.")
            )
        ],
    )
    due_on = StringField(
        validators=[
            required(_bad_day(_l("Hạn hoàn thành"))),
            Day(_bad_day(_l("Hạn hoàn thành"))),
        ]
    )
    include_subunits = BooleanField(default=True)


# Yearly target rules ---------------------------------------------------------------------------

_MINUTES = _l("Số phút mỗi tiết phải từ 1 đến 120.")


class _RuleFigures(Form):
    """The figures of a rule version, as a new version and a correction both type them."""

    amount = HoursField(_l("Chỉ tiêu"), validators=[required(_missing(_l("chỉ tiêu")))])
    unit = StringField(
        default=TargetUnit.TIET.value,
        validators=[
            choice((unit.value for unit in TargetUnit), _l("Đơn vị tính phải là tiết hoặc giờ."))
        ],
    )
    minutes_per_tiet = WholeField(
        default=45, message=_MINUTES, validators=[NumberRange(min=1, max=120, message=_MINUTES)]
    )
    legal_basis = StringField(validators=[required(_missing(_l("căn cứ pháp lý")))])
    full_year = BooleanField()


class RuleForm(_RuleFigures):
    """A rule, or a new version of the rule with this code from a later day. The code's form,
    the later day and overlaps with other rules are the service's rules."""

    code = StringField(validators=[required(_l("Chưa nhập %(label)s.", label=_l("mã chỉ tiêu")))])
    employment_kinds = SelectMultipleField(
        validate_choice=False,
        validators=[
            AllOf(
                (kind.value for kind in EmploymentKind),
                _l("Hãy chọn ít nhất một loại cán bộ áp dụng."),
            )
        ],
    )
    effective_from = StringField(
        validators=[
            required(_l("Ngày bắt đầu hiệu lực không hợp lệ.")),
            Day(_l("Ngày bắt đầu hiệu lực không hợp lệ.")),
        ]
    )
    effective_until = StringField(validators=[Day(_l("Ngày hết hiệu lực không hợp lệ."))])


class CorrectionForm(_RuleFigures):
    """A correction of a version in place; the years it changes must be confirmed (the
    service's rule, by the confirmed_years field)."""

    confirmed_years = StringField()
