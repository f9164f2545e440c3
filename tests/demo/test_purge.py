"""`flask demo purge`: the demo people and what hangs off them go; real data stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Person, RoleGrant
from lms.api import services as tokens
from lms.api.models import ApiToken
from lms.audit.models import AuditEvent
from lms.auth import services as auth
from lms.auth.models import UserSession
from lms.db import db
from lms.learning.models import Certificate, CourseProgress
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.services import unit_by_code
from lms.plans.models import PlanVersion, StudyPlan
from lms.progress.models import Credit
from lms.roles import Role
from tests.demo.test_seed import person, run_seed
from tests.factories import approve_plan, complete_course, make_course, make_person, make_unit

FINISHED = datetime(2024, 5, 2, 3, 0, tzinfo=UTC)


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def demo_and_real(app, runner):
    """The demo organisation in use, and one real person who joined its Phòng Chính sách."""
    assert run_seed(app, runner).exit_code == 0
    course = make_course()
    hcth, admin, manager = person("hcth"), person("admin"), person("truongphong")
    auth.start_session(hcth, "Firefox")
    tokens.issue_token(hcth, "Thử API")
    complete_course(hcth, course, FINISHED, code="BDT-2024-0001")
    approve_plan(hcth, 2024)
    real = make_person("tranvanthat", "Trần Văn Thật", unit=unit_by_code("CSDT"),
                       roles=(Role.HCTH,))  # fmt: skip
    auth.start_session(real, "Chrome")
    tokens.issue_token(real, "Cổng thông tin")
    complete_course(real, course, FINISHED, code="BDT-2024-0002")
    approve_plan(real, 2024).decided_by_id = manager.id
    db.session.add(AuditEvent(actor_id=admin.id, action="person.create", entity_type="person",
                              entity_id=real.id, summary="Thêm Trần Văn Thật"))  # fmt: skip
    db.session.commit()
    return real


def test_purge_removes_demo_people_and_keeps_real_data(app, runner, demo_and_real):
    real_id = demo_and_real.id
    result = runner.invoke(args=["demo", "purge", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()

    assert count(Person, Person.is_demo.is_(True)) == 0
    assert [p.username for p in db.session.scalars(select(Person))] == ["tranvanthat"]
    for model in (UserSession, ApiToken, CourseProgress, Certificate, StudyPlan,
                  Credit, Membership, RoleGrant):  # fmt: skip
        assert {row.person_id for row in db.session.scalars(select(model))} == {real_id}, model
    assert db.session.scalars(select(PlanVersion.decided_by_id)).all() == [None]
    made_by = select(AuditEvent.actor_id).where(AuditEvent.entity_id == real_id)
    assert db.session.scalar(made_by) is None
    # Phòng Chính sách stays for its real member, and so do the units above it.
    assert set(db.session.scalars(select(Unit.code))) == {"CSDT", "BDT"}
    assert count(UnitVersion) == count(UnitVersion, UnitVersion.unit_id.in_(select(Unit.id)))
    assert "Giữ đơn vị CSDT: người thật còn là thành viên" in result.output
    assert "Đã xóa dữ liệu mẫu: 33 người." in result.output
    assert "Thông tin cơ quan" in result.output


def test_purge_asks_first_and_changes_nothing_when_told_no(app, runner, demo_and_real):
    people = count(Person)
    result = runner.invoke(args=["demo", "purge"], input="n\n")
    assert result.exit_code == 0
    assert "Sẽ xóa 33 người mẫu" in result.output and "user_session: 1" in result.output
    assert "Không xóa gì." in result.output
    db.session.expire_all()
    assert count(Person) == people


def test_a_demo_organisation_nobody_real_uses_goes_entirely(app, runner):
    assert run_seed(app, runner).exit_code == 0
    result = runner.invoke(args=["demo", "purge", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert count(Person) == count(Unit) == count(UnitVersion) == count(Membership) == 0
    assert "Giữ đơn vị" not in result.output


def test_purge_without_demo_data_touches_nothing(app, runner):
    make_person("tranvanthat", "Trần Văn Thật")
    make_unit("HCTH", "Văn phòng")  # a real unit that happens to have a code the seed uses
    db.session.commit()
    result = runner.invoke(args=["demo", "purge", "--yes"])
    assert result.exit_code == 0
    assert "Không có dữ liệu mẫu nào để xóa." in result.output
    assert count(Person) == count(Unit) == 1
