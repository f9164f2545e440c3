"""The form layer: Flask-WTF forms whose refusals sit next to their fields.

A form reads and checks what was typed (validators, messages in Vietnamese); the service keeps
the rules and raises a UserError naming the field it is about. Either way the page is shown
again with what was typed and each message by its field:

    form = BoardForm()
    if form.validate_on_submit():
        with saving(done, show=False) as saved:
            services.create_board(**form.data)
        if saved:
            return redirect(...)
        form.refuse(saved.error)
    return render_template(..., form=form), 400

Templates keep rendering fields with the `field` macro of _macros.html, by name, passing
`value=form.title.data` and `errors=form.title.errors`: the names posted stay as they were.
CSRF is checked for every POST by the app-wide CSRFProtect, so forms do not check it again.

A change that would surprise (a due date already past, a criteria set nobody passes) is said
before it is kept: the service works it out inside the saving block and calls
`form.confirm(warnings)`, which rolls the block back (Unconfirmed) until the page is sent again
with those very warnings confirmed (the `confirm` macro's button sends their key back).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import InputRequired, ValidationError

from lms.errors import UserError
from lms.i18n import lazy_gettext as _l
from lms.i18n import parse_day


class Form(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST (lms/__init__.py)

    warnings: Sequence[str] = ()

    def refuse(self, error: UserError) -> None:
        """Show a refusal next to the field it names, or at the top of the page; an
        Unconfirmed change shows its warnings with the button that confirms them."""
        if isinstance(error, Unconfirmed):
            self.warnings = error.warnings
            return
        field = self._fields.get(error.field or "")
        if field is None:
            flash(error.message, "error")
        else:
            field.errors = [*field.errors, error.message]

    def problem_count(self) -> int:
        return sum(len(field.errors) for field in self)


class Unconfirmed(UserError):
    """A change rolled back until the person confirms its warnings."""

    def __init__(self, warnings: Sequence[str]) -> None:
        super().__init__(" ".join(warnings))
        self.warnings = list(warnings)
        self.messages = self.warnings


def warning_key(warnings: Sequence[str]) -> str:
    """What confirms these very warnings: a changed form that warns of something else (another
    count, another day) asks again."""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:20]


class ConfirmForm(Form):
    """A form whose change may need confirming (see the module's note)."""

    confirmed = StringField(filters=[lambda value: (value or "")[:40]])

    def confirm(self, warnings: Sequence[str]) -> None:
        """Raise Unconfirmed unless there is nothing to warn of or these warnings were
        confirmed when the form was sent."""
        if warnings and self.confirmed.data != warning_key(warnings):
            raise Unconfirmed(warnings)

    @property
    def warning_key(self) -> str:
        return warning_key(self.warnings)


def cut(limit: int) -> Callable[[Any], Any]:
    """A filter keeping at most limit characters of what was typed (a huge post is not read
    whole); make it longer than the rule's own limit, so the rule still says what is too long."""
    return lambda value: value[:limit] if isinstance(value, str) else value


def required(message: str) -> InputRequired:
    """A field that must not be left empty; message says which, in Vietnamese."""
    return InputRequired(message=message)


class Day:
    """A date typed as dd/mm/yyyy (or sent as yyyy-mm-dd by a date picker)."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or _l("Ngày phải có dạng dd/mm/yyyy.")

    def __call__(self, _form: Form, field: Field) -> None:
        if field.data and parse_day(field.data) is None:
            raise ValidationError(str(self.message))
