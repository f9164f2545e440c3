"""Every refusal a person can act on shares one base, so one boundary can show it."""

from __future__ import annotations

import pytest

from lms.accounts.services import PersonError
from lms.agency.services import AgencyError
from lms.api.services import TokenError
from lms.api.views import ApiError
from lms.auth.services import AuthError
from lms.awards.services import AwardError
from lms.backup.services import BackupError
from lms.courses.archive import ArchiveError
from lms.courses.importer import CourseImportError
from lms.errors import UserError
from lms.honours.services import HonourError
from lms.learning.services import LearningError
from lms.nominations.services import NominationError
from lms.org.services import OrgError
from lms.plans.values import PlanError
from lms.reports.queries import ReportError
from lms.staff.importer import StaffImportError

DOMAIN_ERRORS = [
    PersonError,
    AgencyError,
    TokenError,
    ApiError,
    AuthError,
    AwardError,
    BackupError,
    ArchiveError,
    CourseImportError,
    HonourError,
    LearningError,
    NominationError,
    OrgError,
    PlanError,
    ReportError,
    StaffImportError,
]


@pytest.mark.parametrize("error", DOMAIN_ERRORS, ids=lambda error: error.__name__)
def test_every_domain_error_is_a_user_error(error):
    assert issubclass(error, UserError)


def test_a_user_error_carries_its_message_and_field():
    error = UserError("Ngày bắt đầu phải trước ngày kết thúc.", field="first")
    assert str(error) == error.message == "Ngày bắt đầu phải trước ngày kết thúc."
    assert error.field == "first"
    assert UserError("Thiếu tên.").field is None


def test_a_plain_message_keeps_working_in_every_feature():
    assert str(PlanError("Kế hoạch đã được duyệt.")) == "Kế hoạch đã được duyệt."
    assert str(AwardError(["Thiếu tên.", "Thiếu năm."])) == "Thiếu tên.\nThiếu năm."
