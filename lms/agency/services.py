"""Saving the agency profile: cleaned, checked, audited; the caller commits."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from lms.agency.models import (
    AGENCY_NAME_LENGTH,
    PLACE_LENGTH,
    SIGNER_LENGTH,
    AgencyProfileRecord,
)
from lms.agency.queries import PROFILE_ID, AgencyProfile
from lms.audit import services as audit
from lms.db import db
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.text import clean_name

# Each field: its label in messages, its longest value, whether it may be blank.
FIELDS = {
    "agency_name": (_l("Tên cơ quan"), AGENCY_NAME_LENGTH, False),
    "parent_body": (_l("Cơ quan chủ quản"), AGENCY_NAME_LENGTH, True),
    "place": (_l("Địa danh ghi trên dòng ngày tháng"), PLACE_LENGTH, False),
    "preparer_title": (_l("Chức danh người lập biểu"), SIGNER_LENGTH, True),
    "preparer_name": (_l("Họ tên người lập biểu"), SIGNER_LENGTH, True),
    "head_title": (_l("Chức danh thủ trưởng cơ quan"), SIGNER_LENGTH, True),
    "head_name": (_l("Họ tên thủ trưởng cơ quan"), SIGNER_LENGTH, True),
}


class AgencyError(UserError):
    """A profile that cannot be saved; the message (one line per field) is shown to the user.
    by_field holds each line under the name of the field it is about."""

    def __init__(self, by_field: dict[str, str]):
        problems = list(by_field.values())
        super().__init__(" ".join(problems))
        self.problems = problems
        self.by_field = by_field


def clean_fields(form: Mapping[str, str]) -> dict[str, str]:
    """Return the profile's fields from form, in NFC with single spaces, or raise AgencyError
    naming every field that is missing, too long or holds control characters."""
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name, (label, longest, may_be_blank) in FIELDS.items():
        value = clean_name(form.get(name) or "")
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value):
            problems[name] = _("%(field)s: có ký tự điều khiển không in được.", field=label)
        elif not value and not may_be_blank:
            problems[name] = _("%(field)s: không được để trống.", field=label)
        elif len(value) > longest:
            problems[name] = _(
                "%(field)s: tối đa %(max)d ký tự (đang có %(n)d).",
                field=label,
                max=longest,
                n=len(value),
            )
        values[name] = value
    if problems:
        raise AgencyError(problems)
    return values


def save_profile(form: Mapping[str, str], *, actor_id: int | None) -> AgencyProfileRecord:
    """Save the agency profile from form's fields and audit what changed (actor None: the
    system, as the demo seed)."""
    values = clean_fields(form)
    record = db.session.get(AgencyProfileRecord, PROFILE_ID)
    defaults = AgencyProfile()
    before = {name: getattr(record or defaults, name) for name in FIELDS}
    if record is None:
        record = AgencyProfileRecord(id=PROFILE_ID, **values)
        db.session.add(record)
    for name, value in values.items():
        setattr(record, name, value)
    record.updated_by_id = actor_id
    audit.record(
        "agency_profile.update",
        record,
        _("Thông tin cơ quan: %(name)s", name=values["agency_name"]),
        before=before,
        after=dict(values),
        actor_id=actor_id,
    )
    return record
