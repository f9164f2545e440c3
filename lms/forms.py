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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import InputRequired, ValidationError

from lms.errors import UserError
from lms.i18n import parse_day


class Form(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST (lms/__init__.py)

    def refuse(self, error: UserError) -> None:
        """Show a refusal next to the field it names, or at the top of the page."""
        field = self._fields.get(error.field or "")
        if field is None:
            flash(error.message, "error")
        else:
            field.errors = [*field.errors, error.message]

    def problem_count(self) -> int:
        return sum(len(field.errors) for field in self)


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
