"""The agency profile form; the profile's rules stay in agency.services (FIELDS)."""

from __future__ import annotations

from wtforms import StringField

from lms.agency.services import AgencyError
from lms.errors import UserError
from lms.forms import Form


class ProfileForm(Form):
    """The agency profile's fields, as typed. The service checks every field at once, so a
    refusal puts each of its problems by its own field."""

    agency_name = StringField()
    parent_body = StringField()
    place = StringField()
    preparer_title = StringField()
    preparer_name = StringField()
    head_title = StringField()
    head_name = StringField()

    def refuse_all(self, error: UserError) -> None:
        if not isinstance(error, AgencyError):
            self.refuse(error)
            return
        for name, message in error.by_field.items():
            self[name].errors = [*self[name].errors, message]
