"""The agency profile: defaults until saved, cleaned and checked input, an audited change."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from lms.agency.models import AgencyProfileRecord
from lms.agency.queries import AgencyProfile, agency_profile
from lms.agency.services import AgencyError, save_profile
from lms.audit.models import AuditEvent
from lms.db import db
from lms.roles import Role
from tests.agency.conftest import BAC_NINH
from tests.factories import make_person


@pytest.fixture
def admin(app):
    person = make_person("quantri", "Trần Quản Trị", roles=(Role.ADMIN,))
    db.session.commit()
    return person


def test_defaults_until_saved_are_what_documents_printed_before(app):
    profile = agency_profile()
    assert profile == AgencyProfile()
    assert not profile.is_set
    assert profile.place == "Bắc Giang"
    assert profile.parent_body == ""
    assert profile.agency_or("Ban Dân tộc tỉnh Bắc Giang") == "Ban Dân tộc tỉnh Bắc Giang"
    assert profile.signers == [("Người lập biểu", ""), ("Thủ trưởng cơ quan", "")]


def test_save_then_read_back_with_an_audit_of_what_changed(admin):
    save_profile(BAC_NINH, actor_id=admin.id)
    db.session.commit()
    profile = agency_profile()
    assert profile.is_set and profile.updated_by == "Trần Quản Trị"
    assert profile.agency_or("Ban Dân tộc tỉnh Bắc Giang") == "Sở Dân tộc và Tôn giáo"
    assert (profile.parent_body, profile.place) == ("UBND tỉnh Bắc Ninh", "Bắc Ninh")
    assert profile.signers == [("Người lập biểu", "Lê Thị Hoa"), ("Giám đốc", "Nguyễn Văn Thắng")]

    save_profile({**BAC_NINH, "head_name": ""}, actor_id=admin.id)
    db.session.commit()
    assert agency_profile().signers[1] == ("Giám đốc", "")  # a blank line to sign on
    updates = select(AuditEvent).where(AuditEvent.action == "agency_profile.update")
    first, second = db.session.scalars(updates.order_by(AuditEvent.id)).all()
    assert first.actor_id == admin.id
    assert first.before["place"] == "Bắc Giang" and first.after["place"] == "Bắc Ninh"
    assert second.before == {"head_name": "Nguyễn Văn Thắng"} and second.after == {"head_name": ""}


def test_values_are_stored_nfc_with_single_spaces(admin):
    decomposed = unicodedata.normalize("NFD", "  Sở  Dân tộc\tvà Tôn giáo ")
    save_profile({**BAC_NINH, "agency_name": decomposed}, actor_id=admin.id)
    db.session.commit()
    stored = db.session.get(AgencyProfileRecord, 1).agency_name
    assert stored == "Sở Dân tộc và Tôn giáo"
    assert unicodedata.is_normalized("NFC", stored)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agency_name", "   ", "Tên cơ quan: không được để trống."),
        ("place", "", "Địa danh ghi trên dòng ngày tháng: không được để trống."),
        ("place", "B" * 101, "Địa danh ghi trên dòng ngày tháng: tối đa 100 ký tự (đang có 101)."),
        ("head_name", "Nguyễn\x00Văn", "Họ tên thủ trưởng cơ quan: có ký tự điều khiển"),
        ("parent_body", "Ủ" * 201, "Cơ quan chủ quản: tối đa 200 ký tự (đang có 201)."),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(admin, field, value, message):
    save_profile(BAC_NINH, actor_id=admin.id)
    db.session.commit()
    events = db.session.scalar(select(db.func.count(AuditEvent.id)))
    with pytest.raises(AgencyError) as error:
        save_profile({**BAC_NINH, "place": "Hà Nội", field: value}, actor_id=admin.id)
    assert message in str(error.value)
    db.session.rollback()
    assert agency_profile().place == "Bắc Ninh"
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events


def test_every_bad_field_is_named_at_once(admin):
    with pytest.raises(AgencyError) as error:
        save_profile({"agency_name": "", "place": ""}, actor_id=admin.id)
    assert len(error.value.problems) == 2
    assert db.session.get(AgencyProfileRecord, 1) is None
