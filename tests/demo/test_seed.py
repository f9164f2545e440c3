"""`flask demo seed`: the demo organisation, its history and the demo sign-ins."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Person, RoleGrant
from lms.agency.queries import agency_profile
from lms.audit.models import AuditEvent
from lms.auth.services import check_password_policy
from lms.db import db
from lms.demo import seed
from lms.i18n import local_today
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import unit_of_person_on, unit_on
from lms.org.services import unit_by_code
from lms.roles import Role
from tests.factories import make_person

EXPECTED_ROLES = {
    "hocvien": {Role.LEARNER},
    "truongphong": {Role.LEARNER, Role.MANAGER},
    "hcth": {Role.LEARNER, Role.HCTH},
    "bientap": {Role.LEARNER, Role.EDITOR},
    "admin": {Role.LEARNER, Role.ADMIN},
    "congtacvien": {Role.LEARNER, Role.CONTRIBUTOR},
    "nguoidan": {Role.CITIZEN},  # registered on her own: open courses only
}


def run_seed(app, runner, *, demo_mode: bool = True):
    app.config["DEMO_MODE"] = demo_mode
    result = runner.invoke(args=["demo", "seed"])
    db.session.expire_all()
    return result


@pytest.fixture
def seeded(app, runner):
    result = run_seed(app, runner)
    assert result.exit_code == 0, result.output
    return result


def row_counts() -> dict[str, int]:
    models = (Person, Unit, UnitVersion, Membership, RoleGrant, AuditEvent)
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def person(username: str) -> Person:
    return db.session.scalars(select(Person).where(Person.username == username)).one()


def test_seed_is_refused_outside_demo_mode_and_writes_nothing(app, runner):
    result = run_seed(app, runner, demo_mode=False)

    assert result.exit_code == 1
    assert "chế độ dùng thử" in result.stderr
    assert seed.DEMO_PASSWORD not in result.output
    assert set(row_counts().values()) == {0}


def test_seed_creates_the_organisation_and_seven_demo_accounts(seeded):
    for username, roles in EXPECTED_ROLES.items():
        account = person(username)
        assert account.roles == roles, username
        assert account.is_demo and account.password_hash
        assert not account.must_change_password
    policy = unit_by_code(seed.POLICY)
    assert person("truongphong").managed_unit_ids == {policy.id}
    assert person("hocvien").membership_on(local_today()).unit_id == policy.id
    assert (person("hocvien").ethnicity, person("hocvien").position) == ("Tày", "Chuyên viên")
    hcth = unit_by_code(seed.HCTH)
    assert person("hcth").membership_on(local_today()).unit_id == hcth.id
    assert hcth.latest_version.name == "Phòng Hành chính - Tổng hợp"

    everyone = db.session.scalars(select(Person)).all()
    assert 28 <= len(everyone) <= 35
    assert all(p.is_demo for p in everyone)
    assert len({p.ethnicity for p in everyone}) >= 5
    # Only the seven demo accounts can sign in at all.
    assert {p.username for p in everyone if p.password_hash} == set(EXPECTED_ROLES)


def test_seed_prints_where_to_go_and_every_login(seeded):
    assert "http://127.0.0.1:5000" in seeded.output
    assert seed.DEMO_PASSWORD in seeded.output
    for username in EXPECTED_ROLES:
        assert f"  {username} " in seeded.output
    assert "Phòng Chính sách dân tộc" in seeded.output  # the unit truongphong manages


def test_the_seed_is_the_systems_doing_in_the_audit_log(seeded):
    actions = db.session.execute(
        select(AuditEvent.action, func.count()).group_by(AuditEvent.action)
    ).all()
    counts = dict(actions)
    assert counts["unit.merge"] == len(seed.DISTRICT_OFFICES)
    assert counts["unit.rename"] == 3
    assert counts["person.create"] == len(seed.PEOPLE) + 1  # and the demo citizen
    assert db.session.scalar(select(func.count()).where(AuditEvent.actor_id.isnot(None))) == 0


def test_a_second_run_changes_nothing_but_still_prints_the_logins(app, runner, seeded):
    before = row_counts()

    result = run_seed(app, runner)

    assert result.exit_code == 0, result.output
    assert row_counts() == before
    assert "đã có dữ liệu" in result.output
    assert seed.DEMO_PASSWORD in result.output
    assert "  admin " in result.output


def test_a_database_with_real_people_is_left_alone_and_shows_no_logins(app, runner):
    make_person("admin", "Nguyễn Văn Quản Trị", roles=(Role.ADMIN,))
    db.session.commit()
    before = row_counts()

    result = run_seed(app, runner)

    assert result.exit_code == 0, result.output
    assert row_counts() == before
    assert "đã có dữ liệu" in result.output
    assert seed.DEMO_PASSWORD not in result.output
    assert not person("admin").is_demo


def test_a_changed_demo_password_is_not_advertised_as_working(app, runner, seeded):
    from lms.auth.services import set_password

    set_password(person("admin"), "Mat-khau-rieng-2025")
    db.session.commit()

    result = run_seed(app, runner)

    admin_line = next(line for line in result.output.splitlines() if "  admin " in line)
    assert "đã được đổi" in admin_line


@pytest.mark.parametrize("username", sorted(EXPECTED_ROLES))
def test_demo_logins_work_in_demo_mode_only(app, seeded, login, username):
    app.config["DEMO_MODE"] = True
    assert login(username, seed.DEMO_PASSWORD).status_code == 302

    app.config["DEMO_MODE"] = False
    assert login(username, seed.DEMO_PASSWORD).status_code == 401


def test_the_demo_password_meets_the_password_policy():
    for username in EXPECTED_ROLES:
        check_password_policy(seed.DEMO_PASSWORD, username=username)


def test_a_district_office_person_shows_the_old_office_in_2024_and_the_merged_division_today(
    seeded,
):
    district_person = next(p for p in seed.PEOPLE if p.unit == seed.DISTRICT_OFFICES[0])
    person_id = person(district_person.login).id

    unit_then = unit_of_person_on(person_id, date(2024, 11, 10))
    unit_now = unit_of_person_on(person_id, local_today())

    assert unit_then.name == "Phòng Dân tộc huyện Sơn Động"
    assert unit_now.name == "Phòng Công tác dân tộc cơ sở"


def test_the_agency_keeps_each_name_it_had(seeded):
    agency_id = unit_by_code(seed.AGENCY).id

    assert unit_on(agency_id, date(2024, 6, 1)).name == "Ban Dân tộc tỉnh Bắc Giang"
    assert unit_on(agency_id, date(2025, 3, 1)).name == "Sở Dân tộc và Tôn giáo tỉnh Bắc Giang"
    assert unit_on(agency_id, local_today()).name == "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh"


def test_one_person_moved_division_in_mid_2024(seeded):
    mover = next(p for p in seed.PEOPLE if p.moved_to)
    person_id = person(mover.login).id

    spring = unit_of_person_on(person_id, date(2024, 3, 1))
    autumn = unit_of_person_on(person_id, date(2024, 11, 10))

    assert spring.code == mover.unit
    assert autumn.code == mover.moved_to


def test_seed_gives_the_demo_a_yearly_target(app, runner):
    from sqlalchemy import select

    from lms.progress.models import TargetRule

    app.config["DEMO_MODE"] = True
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    rules = db.session.scalars(select(TargetRule)).all()
    assert rules, "the demo needs a yearly target to measure plans against"


def test_seed_names_the_agency_as_its_documents_print_it_since_the_merger(seeded):
    profile = agency_profile()
    assert (profile.parent_body, profile.agency_name, profile.place) == (
        "UBND tỉnh Bắc Ninh",
        "Sở Dân tộc và Tôn giáo",
        "Bắc Ninh",
    )
    assert profile.signers[1] == ("Giám đốc", "Nguyễn Văn Thắng")
