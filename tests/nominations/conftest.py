"""Nomination fixtures: an agency in 2024 whose figures are computed by hand below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from lms.accounts.models import Person
from lms.awards.models import (
    CriteriaSet,
    Criterion,
    CriterionKind,
    Initiative,
    InitiativeAuthor,
    InitiativeStatus,
    RecognitionLevel,
)
from lms.db import db
from lms.nominations import services
from lms.org import services as org
from lms.org.models import Unit
from lms.plans import rules
from lms.roles import Role
from tests.factories import approve_plan, make_course, make_person, make_unit
from tests.factories import complete_course as complete


@dataclass
class Agency:
    root: Unit
    policy: Unit
    office: Unit
    criteria: CriteriaSet
    mai: Person
    an: Person
    binh: Person
    hcth: Person
    learner: Person


@pytest.fixture
def agency(app) -> Agency:
    """2024. Criteria: 100% of the 40-tiết target and an approved plan.

    Mai (Tày) moves from CSDT to HCTH on 1 July; 42 tiết (digital 20 + 10, ethnic 12), plan
    approved 15/02/2024, one initiative recognised: passes in both units, listed once under HCTH.
    Bình (HCTH): 40 tiết and an approved plan: passes. An (CSDT): 20 tiết: does not.
    """
    rules.seed_default_rules()
    services.seed_default_forms()
    root = make_unit("SDT", "Sở Dân tộc và Tôn giáo", valid_from=date(2020, 1, 1))
    policy = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=root)
    office = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=root)
    mai = make_person(
        "mai", "Lò Thị Mai", unit=policy, date_of_birth=date(1990, 2, 5), ethnicity="Tày"
    )
    org.assign_to_unit(mai, office, date(2024, 7, 1))
    an = make_person("nongan", "Nông Văn An", unit=policy, position="Chuyên viên")
    binh = make_person("binh", "Hoàng Văn Bình", unit=office, position="Trưởng phòng")
    hcth = make_person("tonghop", "Lương Thị Hợp", roles=(Role.HCTH,))
    learner = make_person("hocvien", "Đinh Thị Học", unit=policy)
    digital_a = make_course("digital-skills", "20")
    digital_b = make_course("digital-skills", "10")
    ethnic = make_course("ethnic-language", "12")
    foreign = make_course("foreign-language", "40")
    small = make_course("digital-skills", "20")
    complete(mai, digital_a, datetime(2024, 3, 1, 3, 0, tzinfo=UTC), "AAAA-BBBB-CCCC")
    complete(mai, digital_b, datetime(2024, 5, 1, 3, 0, tzinfo=UTC))
    complete(mai, ethnic, datetime(2024, 9, 1, 3, 0, tzinfo=UTC), "DDDD-EEEE-FFFF")
    complete(binh, foreign, datetime(2024, 6, 1, 3, 0, tzinfo=UTC))
    complete(an, small, datetime(2024, 6, 1, 3, 0, tzinfo=UTC))
    approve_plan(mai, 2024, datetime(2024, 2, 15, 3, 0, tzinfo=UTC))
    approve_plan(binh, 2024)
    approve_plan(an, 2024)
    initiative = Initiative(
        title="Số hóa từ điển Tày - Việt",
        unit_id=policy.id,
        year=2024,
        status=InitiativeStatus.APPROVED,
        recognition_level=RecognitionLevel.AGENCY,
        recognised_on=date(2024, 11, 20),
    )
    initiative.authors.append(InitiativeAuthor(person_id=mai.id, position=1))
    db.session.add(initiative)
    criteria = CriteriaSet(
        name="Khen thưởng năm 2024",
        first_day=date(2024, 1, 1),
        last_day=date(2024, 12, 31),
        criteria=[
            Criterion(position=1, kind=CriterionKind.HOURS, percent=100),
            Criterion(position=2, kind=CriterionKind.PLAN_APPROVED),
        ],
    )
    db.session.add(criteria)
    db.session.commit()
    return Agency(root, policy, office, criteria, mai, an, binh, hcth, learner)
