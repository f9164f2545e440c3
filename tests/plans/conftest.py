"""Plans fixtures: a division with a head, courses, completions and table snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from lms.accounts.models import Person
from lms.courses.models import Course
from lms.db import db
from lms.i18n import local_today
from lms.learning.models import CourseProgress
from lms.org.models import Unit
from lms.roles import Role
from tests import factories
from tests.factories import make_person, make_unit

PLAN_TABLES = (
    "plan_target_rule",
    "plan_assignment",
    "study_plan",
    "plan_version",
    "plan_item",
    "plan_event",
    "external_activity",
    "evidence_file",
    "notification",
)


def plan_rows() -> dict[str, list[tuple]]:
    """Return every row of the plan tables, read afresh from the database."""
    with db.engine.connect() as connection:
        return {
            table: sorted(
                (tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))), key=repr
            )
            for table in PLAN_TABLES
        }


def make_course(title: str = "Kỹ năng số cơ bản", hours: str = "8") -> Course:
    return factories.make_course("nang-luc-so", hours, title=title)


def complete(person: Person, course: Course, at: datetime) -> CourseProgress:
    return factories.complete_course(person, course, at)


@dataclass
class Division:
    agency: Unit
    unit: Unit
    team: Unit
    other: Unit
    head: Person
    learner: Person
    colleague: Person
    other_head: Person
    outsider: Person
    hcth: Person
    admin: Person
    course: Course
    course2: Course


@pytest.fixture
def division(app) -> Division:
    agency = make_unit("SO", "Sở Dân tộc và Tôn giáo")
    unit = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=agency)
    team = make_unit("TO1", "Tổ công tác", parent=unit)
    other = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=agency)
    head = make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit)
    learner = make_person("mai", "Lò Thị Mai", unit=unit, email="mai@example.vn")
    colleague = make_person("hoa", "Hoàng Thị Hoa", unit=team)
    other_head = make_person("truongkhac", "Vi Văn Khác", unit=other, manages=other)
    outsider = make_person("ngoai", "Lâm Văn Ngoài", unit=other)
    hcth = make_person("tonghop", "Lương Thị Hợp", unit=other, roles=(Role.HCTH,))
    admin = make_person("quantri", "Triệu Thị Trị", unit=other, roles=(Role.ADMIN,))
    course = make_course("Kỹ năng số cho công chức", "8")
    course2 = make_course("Tiếng Tày giao tiếp", "12")
    db.session.commit()
    return Division(
        agency,
        unit,
        team,
        other,
        head,
        learner,
        colleague,
        other_head,
        outsider,
        hcth,
        admin,
        course,
        course2,
    )


@pytest.fixture
def forty_tiet(app):
    """The common reading: 40 tiết of 45 minutes for công chức and viên chức."""
    from lms.plans import rules

    rules.seed_default_rules()
    db.session.commit()


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


YEAR = local_today().year
