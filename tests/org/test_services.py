"""Units change by dating, never by rewriting: history answers stay right after each change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.accounts import services as people
from lms.accounts.models import RoleGrant
from lms.audit.models import AuditEvent
from lms.db import db
from lms.org import services
from lms.org.models import Membership, UnitKind
from lms.org.queries import subtree_unit_ids, unit_of_person_on, unit_on
from lms.org.services import OrgError
from lms.roles import Role
from tests.factories import make_person, make_unit
from tests.org.conftest import org_rows

NOV_2024 = date(2024, 11, 10)
REORG = date(2025, 7, 1)


@pytest.fixture
def agency(app):
    return make_unit("BDT", "Ban Dân tộc tỉnh Bắc Giang", kind=UnitKind.AGENCY)


def unit_name_on(person, day):
    found = unit_of_person_on(person.id, day)
    return (found.code, found.name) if found else None


def test_rename_keeps_the_old_name_for_earlier_days(agency):
    division = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=agency)
    person = make_person(full_name="Lò Thị Mai", unit=division)

    services.rename_unit(agency, "Sở Dân tộc và Tôn giáo", REORG)
    services.rename_unit(division, "Văn phòng Sở", REORG)
    db.session.commit()

    assert unit_name_on(person, NOV_2024) == ("HCTH", "Phòng Hành chính - Tổng hợp")
    assert unit_name_on(person, date(2025, 6, 30)) == ("HCTH", "Phòng Hành chính - Tổng hợp")
    assert unit_name_on(person, REORG) == ("HCTH", "Văn phòng Sở")
    assert unit_on(agency.id, NOV_2024).name == "Ban Dân tộc tỉnh Bắc Giang"
    assert [(v.name, v.valid_from, v.valid_until) for v in agency.versions] == [
        ("Ban Dân tộc tỉnh Bắc Giang", date(2020, 1, 1), date(2025, 6, 30)),
        ("Sở Dân tộc và Tôn giáo", REORG, None),
    ]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "unit.rename"))


def test_rename_stores_the_name_in_nfc(agency):
    decomposed = "Pho\u0300ng Da\u0302n to\u0302\u0323c"
    version = services.rename_unit(agency, f"  {decomposed}  ", REORG)
    assert version.name == "Phòng Dân tộc"


@pytest.mark.parametrize("day", [date(2020, 1, 1), date(2019, 5, 1)])
def test_changes_dated_on_or_before_the_last_change_are_refused(agency, day):
    db.session.commit()
    before = org_rows()
    with pytest.raises(OrgError, match="Ngày hiệu lực phải sau ngày 01/01/2020|không hoạt động"):
        services.rename_unit(agency, "Tên khác", day)
    db.session.rollback()
    assert org_rows() == before


def test_a_second_change_must_come_after_the_first(agency):
    services.rename_unit(agency, "Tên mới", REORG)
    with pytest.raises(OrgError, match="phải sau ngày 01/07/2025"):
        services.rename_unit(agency, "Tên mới hơn", date(2025, 3, 1))


def test_rename_refuses_an_empty_or_unchanged_name(agency):
    with pytest.raises(OrgError, match="không được để trống"):
        services.rename_unit(agency, "   ", REORG)
    with pytest.raises(OrgError, match="trùng tên hiện tại"):
        services.rename_unit(agency, "Ban Dân tộc tỉnh Bắc Giang", REORG)


def test_move_keeps_the_old_parent_for_earlier_days(agency):
    other = make_unit("UBND", "Ủy ban nhân dân tỉnh", kind=UnitKind.AGENCY)
    office = make_unit("PDT-SD", "Phòng Dân tộc huyện Sơn Động", parent=agency)

    services.move_unit(office, other, REORG)

    assert unit_on(office.id, NOV_2024).parent_id == agency.id
    assert unit_on(office.id, REORG).parent_id == other.id
    assert office.id in subtree_unit_ids([agency.id], NOV_2024)
    assert office.id not in subtree_unit_ids([agency.id], REORG)
    assert office.id in subtree_unit_ids([other.id], REORG)


def test_a_unit_cannot_be_placed_under_itself_or_its_sub_units(agency):
    division = make_unit(parent=agency)
    team = make_unit(parent=division)
    with pytest.raises(OrgError, match="dưới chính nó"):
        services.move_unit(agency, team, REORG)
    with pytest.raises(OrgError, match="dưới chính nó"):
        services.move_unit(agency, agency, REORG)


def test_a_cycle_that_would_only_appear_later_is_refused(agency):
    left = make_unit("TRAI", "Phòng bên trái", parent=agency)
    right = make_unit("PHAI", "Phòng bên phải", parent=agency)
    services.move_unit(left, right, REORG)  # left under right from July

    # Right under left from March would make each the other's parent from July on.
    with pytest.raises(OrgError, match="dưới chính nó"):
        services.move_unit(right, left, date(2025, 3, 1))


def test_merge_moves_members_and_sub_units_and_sets_the_successor(agency):
    old = make_unit("PDT-SD", "Phòng Dân tộc huyện Sơn Động", parent=agency)
    commune = make_unit("XA-AC", "Xã An Châu", parent=old, kind=UnitKind.COMMUNE)
    target = make_unit("PDTTG", "Phòng Dân tộc - Tôn giáo", parent=agency)
    person = make_person(full_name="Hoàng Văn Tùng", unit=old)
    manager = make_person(full_name="Lương Thị Hoa", manages=old)

    services.merge_unit(old, target, REORG)
    db.session.commit()

    assert old.successor_id == target.id
    assert old.valid_until == date(2025, 6, 30)
    assert old.latest_version.valid_until == date(2025, 6, 30)
    assert unit_name_on(person, NOV_2024) == ("PDT-SD", "Phòng Dân tộc huyện Sơn Động")
    assert unit_name_on(person, REORG) == ("PDTTG", "Phòng Dân tộc - Tôn giáo")
    spans = [(m.unit_id, m.valid_from, m.valid_until) for m in person.memberships]
    assert spans == [(old.id, date(2020, 1, 1), date(2025, 6, 30)), (target.id, REORG, None)]
    assert unit_on(commune.id, NOV_2024).parent_id == old.id
    assert unit_on(commune.id, REORG).parent_id == target.id
    # The head's grant ends with the unit and is kept; nothing is carried over unasked.
    (grant,) = manager.role_grants
    assert (grant.unit_id, grant.valid_until) == (old.id, date(2025, 6, 30))
    assert not manager.managed_unit_ids


def test_merging_into_the_agency_widens_no_one_s_reach_unless_asked(agency):
    """The auditor's case: merging a sub-unit into the root gave its head the whole agency."""
    old = make_unit("TO-HC", "Tổ Hành chính", parent=agency)
    head = make_person(full_name="Lương Thị Hoa", manages=old)
    other = make_unit("TO-KT", "Tổ Kế toán", parent=agency)
    other_head = make_person(full_name="Hà Văn Kế", manages=other)
    (offered,) = services.grants_on_merge(old, REORG)
    assert (offered.person_id, offered.ends_on) == (head.id, date(2025, 6, 30))

    services.merge_unit(old, agency, REORG)
    services.merge_unit(other, agency, REORG, carry=[other_head.role_grants[0].id])
    db.session.commit()

    assert all(g.unit_id != agency.id for g in head.role_grants)
    assert not head.managed_unit_ids
    carried = [g for g in other_head.role_grants if g.unit_id == agency.id]
    assert [(g.valid_from, g.valid_until) for g in carried] == [(REORG, None)]
    merged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "unit.merge").order_by(AuditEvent.id)
    ).all()
    assert merged[0].after["managers_carried_over"] == []
    assert merged[1].after["managers_carried_over"] == [other_head.id]


def test_merge_keeps_a_member_s_planned_end_date(agency):
    old = make_unit(parent=agency)
    target = make_unit(parent=agency)
    person = make_person(unit=old)
    services.end_membership(person.memberships[0], date(2026, 1, 1))

    services.merge_unit(old, target, REORG)

    assert [(m.unit_id, m.valid_until) for m in person.memberships] == [
        (old.id, date(2025, 6, 30)),
        (target.id, date(2025, 12, 31)),
    ]


def test_merge_refuses_itself_and_its_own_sub_units(agency):
    division = make_unit(parent=agency)
    with pytest.raises(OrgError, match="vào chính nó"):
        services.merge_unit(agency, agency, REORG)
    with pytest.raises(OrgError, match="đơn vị con của nó"):
        services.merge_unit(agency, division, REORG)


def test_a_merged_unit_cannot_be_merged_or_closed_again(agency):
    old = make_unit(parent=agency)
    target = make_unit(parent=agency)
    services.merge_unit(old, target, REORG)
    with pytest.raises(OrgError, match="đã có ngày kết thúc 30/06/2025"):
        services.close_unit(old, date(2025, 3, 1))
    with pytest.raises(OrgError, match="không hoạt động"):
        services.rename_unit(old, "Tên sau khi sáp nhập", date(2025, 8, 1))


def test_close_refuses_a_unit_with_members(agency):
    division = make_unit(parent=agency)
    make_person(unit=division)
    db.session.commit()
    before = org_rows()

    with pytest.raises(OrgError, match="còn 1 người và 0 đơn vị con"):
        services.close_unit(division, REORG)
    db.session.rollback()

    assert org_rows() == before


def test_close_refuses_a_unit_with_sub_units(agency):
    make_unit(parent=agency)
    with pytest.raises(OrgError, match="còn 0 người và 1 đơn vị con"):
        services.close_unit(agency, REORG)


def test_close_refuses_a_sub_unit_placed_there_later(agency):
    division = make_unit(parent=agency)
    other = make_unit(parent=agency)
    services.move_unit(other, division, date(2025, 9, 1))
    with pytest.raises(OrgError, match="1 đơn vị con"):
        services.close_unit(division, REORG)


def test_close_an_empty_unit_keeps_its_history(agency):
    division = make_unit("PKT", "Phòng Kế toán", parent=agency)
    person = make_person(unit=division)
    services.end_membership(person.memberships[0], REORG)

    services.close_unit(division, REORG)

    assert division.valid_until == date(2025, 6, 30)
    assert division.successor_id is None
    assert unit_on(division.id, NOV_2024).name == "Phòng Kế toán"
    assert unit_on(division.id, REORG) is None
    assert unit_name_on(person, NOV_2024) == ("PKT", "Phòng Kế toán")


def test_assign_ends_the_previous_membership_the_day_before(agency):
    first = make_unit(parent=agency)
    second = make_unit(parent=agency)
    person = make_person(unit=first)

    membership = services.assign_to_unit(person, second, REORG)

    assert membership.valid_from == REORG and membership.valid_until is None
    assert [(m.unit_id, m.valid_until) for m in person.memberships] == [
        (first.id, date(2025, 6, 30)),
        (second.id, None),
    ]
    assert person.membership_on(date(2025, 6, 30)).unit_id == first.id


def test_assign_refuses_to_start_before_a_later_membership(agency):
    first = make_unit(parent=agency)
    second = make_unit(parent=agency)
    person = make_person(unit=first, since=REORG)
    with pytest.raises(OrgError, match="đã có quá trình công tác từ ngày 01/07/2025"):
        services.assign_to_unit(person, second, NOV_2024)


def test_assign_refuses_a_unit_that_was_not_open(agency):
    division = make_unit(parent=agency, valid_from=REORG)
    person = make_person()
    with pytest.raises(OrgError, match="không hoạt động vào ngày 10/11/2024"):
        services.assign_to_unit(person, division, NOV_2024)


def test_assign_to_a_unit_due_to_close_ends_with_it(agency):
    division = make_unit(parent=agency)
    target = make_unit(parent=agency)
    services.merge_unit(division, target, REORG)
    person = make_person()

    membership = services.assign_to_unit(person, division, NOV_2024)

    assert membership.valid_until == date(2025, 6, 30)


def test_end_membership_refuses_a_day_before_it_started(agency):
    person = make_person(unit=agency, since=REORG)
    with pytest.raises(OrgError, match="ngày kết thúc phải sau"):
        services.end_membership(person.memberships[0], REORG)


def test_rename_of_a_unit_due_to_close_keeps_its_end(agency):
    division = make_unit(parent=agency)
    target = make_unit(parent=agency)
    services.merge_unit(division, target, date(2026, 1, 1))

    services.rename_unit(division, "Tên cuối cùng", REORG)

    assert [v.valid_until for v in division.versions] == [date(2025, 6, 30), date(2025, 12, 31)]


def test_create_unit_refuses_bad_codes_and_duplicates(agency):
    with pytest.raises(OrgError, match="Mã đơn vị “Phòng 1” không hợp lệ"):
        services.create_unit(
            code="Phòng 1", name="X", kind="division", parent=None, valid_from=REORG
        )
    with pytest.raises(OrgError, match="Mã đơn vị BDT đã có"):
        services.create_unit(code="BDT", name="X", kind="division", parent=None, valid_from=REORG)
    with pytest.raises(OrgError, match="Loại đơn vị không hợp lệ"):
        services.create_unit(code="NEW", name="X", kind="planet", parent=None, valid_from=REORG)
    with pytest.raises(OrgError, match="quá dài"):
        services.create_unit(
            code="NEW", name="X" * 201, kind="other", parent=None, valid_from=REORG
        )
    with pytest.raises(OrgError, match="cấp trên BDT không hoạt động"):
        services.create_unit(
            code="NEW", name="X", kind="other", parent=agency, valid_from=date(2019, 1, 1)
        )


def test_manager_grants_are_not_duplicated_on_merge(agency):
    old = make_unit(parent=agency)
    target = make_unit(parent=agency)
    manager = make_person(manages=old)
    people.grant_role(manager, Role.MANAGER, target, valid_from=date(2020, 1, 1))
    services.merge_unit(old, target, REORG, carry=[manager.role_grants[0].id])
    db.session.flush()

    grants = db.session.scalars(
        select(RoleGrant).where(RoleGrant.person_id == manager.id, RoleGrant.unit_id == target.id)
    ).all()
    assert len(grants) == 1


def test_membership_queries_ignore_other_people(agency):
    make_person(unit=agency)
    loner = make_person()
    assert unit_of_person_on(loner.id, NOV_2024) is None
    assert db.session.scalar(select(Membership).where(Membership.person_id == loner.id)) is None
