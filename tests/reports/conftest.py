"""Reports fixtures: a small agency whose history a roster must respect, computed by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from lms.accounts.models import Person
from lms.db import db
from lms.org import services as org
from lms.org.models import Unit
from lms.plans import rules
from lms.progress.models import AssignmentKind, UnitAssignment
from lms.roles import Role
from tests.factories import approve_plan, make_course, make_person, make_unit
from tests.factories import complete_course as complete


@dataclass
class Agency:
    agency: Unit
    policy: Unit
    office: Unit
    mai: Person
    an: Person
    binh: Person
    manager: Person
    hcth: Person
    learner: Person


@pytest.fixture
def agency(app) -> Agency:
    """Ban Dân tộc in 2024: Mai moves from CSDT to HCTH on 1 July; An leaves on 30 September.

    CSDT is renamed in 2025, so a 2024 roster must still print its old name.
    """
    rules.seed_default_rules()
    agency = make_unit("BDT", "Ban Dân tộc tỉnh Bắc Giang", valid_from=date(2020, 1, 1))
    policy = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=agency)
    office = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=agency)
    org.rename_unit(policy, "Phòng Chính sách", date(2025, 3, 1))
    mai = make_person("mai", "Lò Thị Mai", unit=policy, date_of_birth=date(1990, 2, 5))
    org.assign_to_unit(mai, office, date(2024, 7, 1))
    an = make_person("nongan", "Nông Văn An", unit=policy, position="Chuyên viên")
    org.end_membership(an.memberships[0], date(2024, 10, 1))
    an.is_active = False
    binh = make_person("binh", "=Hoàng Văn Bình", unit=office, position="+Trưởng phòng")
    manager = make_person("quanly", "Vi Văn Quản", unit=None, manages=policy)
    hcth = make_person("tonghop", "Lương Thị Hợp", roles=(Role.HCTH,))
    learner = make_person("hocvien", "Đinh Thị Học")
    digital = make_course("digital-skills", "8")
    foreign = make_course("foreign-language", "12")
    ethnic = make_course("ethnic-language", "4")
    # 23:30 on 31/12/2024 in Việt Nam: counts in 2024.
    complete(an, digital, datetime(2024, 12, 31, 16, 30, tzinfo=UTC))
    # 00:30 on 01/01/2025 in Việt Nam: counts in 2025, not 2024.
    complete(an, ethnic, datetime(2024, 12, 31, 17, 30, tzinfo=UTC))
    complete(mai, foreign, datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    approve_plan(binh, 2024)
    # Required of CSDT by 15/06/2024: An did it (on 31/12); Mai, there until 30/06, did not.
    db.session.add(
        UnitAssignment(
            unit_id=policy.id,
            course_id=digital.id,
            year=2024,
            kind=AssignmentKind.REQUIRED,
            due_on=date(2024, 6, 15),
        )
    )
    db.session.commit()
    return Agency(agency, policy, office, mai, an, binh, manager, hcth, learner)
