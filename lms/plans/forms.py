"""The plan forms (Flask-WTF): what the learner, the division head and the administrator type.

A form reads what was typed and cuts it to its column. The checks of the values (a date is a
date, hours are a number within bounds, a kind is one of the list, dates in order) are the
services' (lms.plans.workflow, .assignments, .rules), which raise a PlanError naming the field:
one implementation of each rule, for these pages, the demo and the commands alike. A form
validates only what belongs to the page itself (which button was pressed).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf

from lms.forms import Form, cut
from lms.plans.values import MAX_TEXT

# Longer than any one-line value the services accept, so they still name what is too long.
SHORT = 400


class CourseItemForm(Form):
    """A platform course added to one's own plan."""

    course = StringField(filters=[cut(SHORT)])
    planned = StringField(filters=[cut(SHORT)])
    expected_hours = StringField(filters=[cut(SHORT)])


class ActivityForm(Form):
    """An activity outside the platform (training, a conference...), with its evidence."""

    kind = StringField(filters=[cut(SHORT)])
    title = StringField(filters=[cut(SHORT)])
    organiser = StringField(filters=[cut(SHORT)])
    starts_on = StringField(filters=[cut(SHORT)])
    ends_on = StringField(filters=[cut(SHORT)])
    hours = StringField(filters=[cut(SHORT)])
    planned = StringField(filters=[cut(SHORT)])
    # Read with its size limit by the view (lms.plans.evidence checks what it is).
    evidence = FileField()


class AssignmentForm(Form):
    """A course a division head gives to a unit for a year."""

    course = StringField(filters=[cut(SHORT)])
    kind = StringField(filters=[cut(SHORT)])
    due_on = StringField(filters=[cut(SHORT)])
    include_subunits = BooleanField(false_values=("", "0"))


class _RuleFields(Form):
    amount = StringField(filters=[cut(SHORT)])
    unit = StringField(filters=[cut(SHORT)])
    minutes_per_tiet = StringField(filters=[cut(SHORT)])
    legal_basis = TextAreaField(filters=[cut(MAX_TEXT + 1)])
    full_year = BooleanField(false_values=("", "0"))


class RuleForm(_RuleFields):
    """A new version of a yearly target rule."""

    code = StringField(filters=[cut(SHORT)])
    employment_kinds = SelectMultipleField(validate_choice=False)
    effective_from = StringField(filters=[cut(SHORT)])
    effective_until = StringField(filters=[cut(SHORT)])


class RuleCorrectionForm(_RuleFields):
    """A correction of a typo in one version; the years it changes must be confirmed."""

    confirmed_years = StringField(filters=[cut(SHORT)])


class BulkDecisionForm(Form):
    """Approve or return the plans ticked on the unit dashboard (plan:version:revision)."""

    decision = StringField(
        filters=[cut(SHORT)],
        validators=[AnyOf(["approve", "return"], message=_l("Hãy chọn duyệt hoặc trả lại."))],
    )
    comment = TextAreaField(filters=[cut(MAX_TEXT + 1)])
    plan = SelectMultipleField(validate_choice=False)


def first_error(form: Form) -> str | None:
    """The first message a field found, with the field's label, for a page that redirects."""
    for field in form:
        if field.errors:
            return str(field.errors[0])
    return None
