"""People services: names, validation, roles, records and password resets."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from lms.accounts import services
from lms.accounts.models import EmploymentKind, Gender, Person, RoleGrant
from lms.audit.models import AuditEvent
from lms.auth import services as auth
from lms.db import db
from lms.i18n import local_today
from lms.org import services as org
from lms.roles import Role
from tests.factories import make_person, make_unit


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Person.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
        db.session.scalar(select(func.count(RoleGrant.id))),
    )


def _names_in_sort_order() -> list[str]:
    return list(db.session.scalars(select(Person.full_name).order_by(Person.sort_key, Person.id)))


def test_given_name_is_the_last_word_and_people_sort_by_it(app):
    services.create_person(username="tranan", full_name="Trần Văn An")
    services.create_person(username="binh", full_name="Âu Thị Bình")
    person = services.create_person(
        username="anh",
        full_name="  Lê   Thị Ánh ",
        date_of_birth="05/04/1985",
        gender="female",
        ethnicity="Tày",
        position="Chuyên viên",
        employment_kind="vien_chuc",
        email="anh@example.vn",
        phone="0912 345 678",
    )
    db.session.commit()
    assert person.full_name == "Lê Thị Ánh"
    assert (person.family_and_middle, person.given_name) == ("Lê Thị", "Ánh")
    assert person.date_of_birth == date(1985, 4, 5)
    assert person.gender == Gender.FEMALE
    assert person.employment_kind == EmploymentKind.VIEN_CHUC
    # By tên (An, Ánh, Bình), not by the family name that starts the full name.
    assert _names_in_sort_order() == ["Trần Văn An", "Lê Thị Ánh", "Âu Thị Bình"]


def test_given_name_override_changes_the_tên_and_the_order(app):
    services.create_person(username="binh", full_name="Lê Văn Bình")
    services.create_person(username="mai", full_name="Trần Thị Mai")
    person = services.create_person(
        username="ngocanh", full_name="Tôn Nữ Ngọc Anh", given_name_override="ngọc anh"
    )
    db.session.commit()
    assert person.given_name_override == "Ngọc Anh"
    assert (person.family_and_middle, person.given_name) == ("Tôn Nữ", "Ngọc Anh")
    assert _names_in_sort_order() == ["Lê Văn Bình", "Trần Thị Mai", "Tôn Nữ Ngọc Anh"]

    services.update_person(person, given_name_override="")
    db.session.commit()
    assert person.given_name == "Anh"
    assert _names_in_sort_order()[0] == "Tôn Nữ Ngọc Anh"


def test_family_and_middle_names_break_ties_in_vietnamese_order(app):
    for number, name in enumerate(["Trần Văn Anh", "Đặng Thị Anh", "Lê Anh", "Dương Văn Anh"]):
        services.create_person(username=f"anh{number}", full_name=name)
    db.session.commit()
    # d < đ < l < t; code points would put Đ (U+0110) after T.
    assert _names_in_sort_order() == ["Dương Văn Anh", "Đặng Thị Anh", "Lê Anh", "Trần Văn Anh"]


def test_nfd_input_is_stored_nfc_and_searchable_without_diacritics(app):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert decomposed != "Nguyễn Thị Ánh"
    person = services.create_person(username="anh", full_name=decomposed)
    db.session.commit()
    assert person.full_name == "Nguyễn Thị Ánh"
    assert person.given_name == "Ánh"
    assert person.search_name == "nguyen thi anh"
    assert (
        person.sort_key
        == services.create_person(username="anh2", full_name="Nguyễn Thị Ánh").sort_key
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "Nguyễn"}, "Tên đăng nhập “nguyễn” không hợp lệ"),
        ({"username": "ab"}, "Tên đăng nhập “ab” không hợp lệ"),
        ({"username": "daco"}, "Tên đăng nhập daco đã có người dùng."),
        ({"full_name": "   "}, "Họ và tên không được để trống."),
        ({"date_of_birth": "31/02/1990"}, "Ngày sinh “31/02/1990” không hợp lệ"),
        ({"date_of_birth": date.today() + timedelta(days=2)}, "không hợp lý"),  # ahead of any zone
        ({"gender": "x"}, "Giới tính không hợp lệ."),
        ({"employment_kind": "boss"}, "Loại cán bộ không hợp lệ."),
        ({"email": "khong-phai-email"}, "Email “khong-phai-email” không hợp lệ."),
        ({"phone": "12ab"}, "Số điện thoại “12ab” không hợp lệ."),
        ({"ethnicity": "x" * 61}, "Dân tộc quá dài (tối đa 60 ký tự)."),
        ({"given_name_override": "Minh"}, "Tên “Minh” phải là phần cuối của họ và tên"),
        ({"given_name_override": "nh"}, "Tên “nh” phải là phần cuối của họ và tên"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(app, fields, message):
    make_person("daco", "Người Đã Có")
    db.session.commit()
    before = _counts()
    arguments = {"username": "moi", "full_name": "Nguyễn Văn Anh", **fields}
    with pytest.raises(services.PersonError, match=re.escape(message)):
        services.create_person(**arguments)
    db.session.commit()
    assert _counts() == before


def test_a_refused_edit_leaves_the_person_unchanged_even_if_the_session_is_committed(app):
    person = make_person("anh", "Nguyễn Văn Anh", position="Chuyên viên")
    db.session.commit()
    before = _counts()
    with pytest.raises(services.PersonError, match="phải là phần cuối"):
        services.update_person(person, full_name="Nguyễn Văn Bình", given_name_override="Anh Khoa")
    with pytest.raises(services.PersonError, match="Email"):
        services.update_person(person, position="Trưởng phòng", email="sai")
    db.session.commit()
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.full_name, person.given_name, person.position) == (
        "Nguyễn Văn Anh",
        "Anh",
        "Chuyên viên",
    )
    assert _counts() == before


def test_update_records_what_changed(app):
    person = make_person("anh", "Nguyễn Văn Anh")
    assert services.update_person(person, full_name="Nguyễn Văn Bình", position="Phó phòng")
    assert not services.update_person(person, position="Phó phòng")
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.update")).one()
    assert event.before == {
        "full_name": "Nguyễn Văn Anh",
        "position": None,
        "position_valid_from": None,
    }
    assert event.after == {
        "full_name": "Nguyễn Văn Bình",
        "position": "Phó phòng",
        "position_valid_from": local_today().isoformat(),  # a change given here is from today
    }
    assert person.given_name == "Bình"


def test_grant_and_revoke_roles(app):
    unit = make_unit("PDT", "Phòng Dân tộc")
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    with pytest.raises(services.PersonError, match="cần chọn đơn vị"):
        services.grant_role(person, Role.MANAGER)
    with pytest.raises(services.PersonError, match="Mọi người đều là học viên"):
        services.grant_role(person, Role.LEARNER)
    with pytest.raises(services.PersonError, match="Vai trò không hợp lệ"):
        services.grant_role(person, "vua")
    grant = services.grant_role(person, Role.MANAGER, unit)
    services.grant_role(person, Role.EDITOR, unit)  # the unit only matters for managers
    with pytest.raises(services.PersonError, match="đã có vai trò này"):
        services.grant_role(person, Role.MANAGER, unit)
    db.session.commit()
    assert person.roles == {Role.LEARNER, Role.MANAGER, Role.EDITOR}
    assert person.managed_unit_ids == {unit.id}

    services.revoke_role(person, grant)
    db.session.commit()
    assert person.roles == {Role.LEARNER, Role.EDITOR}
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("role.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["role.grant", "role.grant", "role.revoke"]


def test_grants_have_dates_and_ending_one_keeps_its_history(app):
    unit = make_unit("PDT", "Phòng Dân tộc")
    person = make_person("anh", "Nguyễn Văn Anh")
    today = local_today()
    grant = services.grant_role(person, Role.MANAGER, unit, valid_from="01/01/2024")
    with pytest.raises(services.PersonError, match="đã có vai trò này từ 01/01/2024"):
        services.grant_role(person, Role.MANAGER, unit, valid_from=today)
    with pytest.raises(services.PersonError, match="không được trước ngày bắt đầu"):
        services.grant_role(person, Role.EDITOR, valid_from="02/01/2024", valid_until="01/01/2024")
    with pytest.raises(services.PersonError, match="Ngày bắt đầu giữ vai trò “32/01/2024”"):
        services.grant_role(person, Role.EDITOR, valid_from="32/01/2024")
    db.session.commit()

    services.revoke_role(person, grant)
    db.session.commit()
    assert (grant.valid_from, grant.valid_until) == (date(2024, 1, 1), today - timedelta(days=1))
    assert person.role_grants == [grant] and Role.MANAGER not in person.roles
    with pytest.raises(services.PersonError, match="đã kết thúc"):
        services.revoke_role(person, grant)
    # The same unit again, later: a new grant beside the old one.
    again = services.grant_role(person, Role.MANAGER, unit)
    assert again.valid_from == today and person.managed_unit_ids == {unit.id}
    # A grant that has not started goes entirely when revoked.
    later = services.grant_role(person, Role.EDITOR, valid_from=today + timedelta(days=30))
    assert Role.EDITOR not in person.roles
    services.revoke_role(person, later)
    assert later not in person.role_grants


def test_manager_role_needs_an_open_unit(app):
    unit = make_unit("CU", "Phòng cũ")
    org.close_unit(unit, date(2021, 1, 1))
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    with pytest.raises(services.PersonError, match="không còn hoạt động"):
        services.grant_role(person, Role.MANAGER, unit)


def test_nobody_revokes_their_own_administrator_role_or_deactivates_themselves(app):
    admin = make_person("quantri", "Quản Trị Viên", roles=(Role.ADMIN,))
    other = make_person("khac", "Người Khác")
    db.session.commit()
    grant = admin.role_grants[0]
    with pytest.raises(services.PersonError, match="tự thu hồi"):
        services.revoke_role(admin, grant, actor=admin)
    with pytest.raises(services.PersonError, match="tự ngừng kích hoạt"):
        auth.set_active(admin, False, actor=admin)
    with pytest.raises(services.PersonError, match="tự xóa"):
        services.delete_person(admin, actor=admin)
    with pytest.raises(services.PersonError, match="không thuộc về"):
        services.revoke_role(other, grant, actor=admin)
    assert admin.is_active and admin.has_role(Role.ADMIN)


def test_has_records_ignores_the_audit_trail_about_the_person(app):
    person = make_person("moi", "Người Mới", roles=(Role.EDITOR,))
    services.update_person(person, position="Chuyên viên")
    db.session.commit()
    # Only audit events about the person (create, update, role.grant): nothing of theirs yet.
    assert not services.has_records(person)

    services.delete_person(person)
    db.session.commit()
    assert db.session.scalar(select(func.count(Person.id))) == 0
    assert db.session.scalar(select(func.count(RoleGrant.id))) == 0
    deleted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.delete")
    ).one()
    assert deleted.before["username"] == "moi"


@pytest.mark.parametrize("record", ["membership", "session", "audit_actor"])
def test_a_person_with_records_can_only_be_deactivated(app, record):
    person = make_person("co-du-lieu", "Người Có Dữ Liệu")
    other = make_person("khac", "Người Khác")
    if record == "membership":
        org.assign_to_unit(person, make_unit(), date(2024, 1, 1))
    elif record == "session":
        auth.start_session(person, "test")
    else:
        services.update_person(other, position="Chuyên viên")
        db.session.flush()
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        event.actor_id = person.id
    db.session.commit()
    assert services.has_records(person)
    with pytest.raises(services.PersonError, match="Chỉ có thể ngừng kích hoạt"):
        services.delete_person(person)
    db.session.commit()
    assert db.session.get(Person, person.id) is not None

    auth.set_active(person, False)
    db.session.commit()
    assert not person.is_active


def test_reset_password_gives_a_one_time_password_that_must_be_changed(app):
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    temporary = auth.reset_password(person)
    db.session.commit()
    assert person.must_change_password
    assert check_password_hash(person.password_hash, temporary)
    auth.check_password_policy(temporary, username=person.username)
    assert temporary != auth.reset_password(person)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.password_reset")
    ).first()
    assert temporary not in str(event.after) + event.summary


@pytest.mark.parametrize("name", ["Nguyễn Văn " + "A" * 150, "ß" * 150])
def test_a_name_whose_parts_would_not_fit_is_refused_before_the_database(app, name):
    """A one-word "given name" over 100 letters, or a name whose search text grows past 200
    (ß folds to ss), fits the full-name column but not the parts kept beside it: PostgreSQL
    would refuse the row with an error page; the service refuses it with a message instead."""
    with pytest.raises(services.PersonError) as refused:
        services.create_person(username="dai", full_name=name)
    assert refused.value.field == "full_name"
    assert "không giống một họ tên" in refused.value.message
