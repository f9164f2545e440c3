"""Honour-board rules: consent, who may be added, bulk additions, units named in their time."""

from __future__ import annotations

from datetime import date

import pytest

from lms.db import db
from lms.honours import queries, services
from lms.honours.services import HonourError
from lms.nominations import services as nominations
from tests.factories import make_person, make_unit
from tests.honours.conftest import NEW_OFFICE_NAME, OLD_OFFICE_NAME


def test_consent_is_a_dated_history_and_the_latest_event_counts(world):
    an = world.agency.an
    assert not queries.has_consented(an.id)
    assert services.set_consent(an, True)
    assert not services.set_consent(an, True)  # nothing changes, nothing is logged
    assert services.set_consent(an, False)
    assert services.set_consent(an, True)
    db.session.commit()
    history = queries.consent_history(an.id)
    assert [event.is_given for event in history] == [True, False, True]  # newest first
    assert all(event.at is not None for event in history)
    assert queries.has_consented(an.id)


def test_a_person_who_has_not_consented_is_refused(world):
    with pytest.raises(HonourError, match="chưa đồng ý xuất hiện trên bảng vinh danh"):
        services.add_person(world.board, str(world.agency.an.id), "")
    assert world.board.people == []


def test_a_person_who_withdrew_is_refused(world):
    services.set_consent(world.agency.mai, False)
    with pytest.raises(HonourError, match="Lò Thị Mai chưa đồng ý"):
        services.add_person(world.board, str(world.agency.mai.id), "")


def test_adding_a_consenting_person_twice_is_refused(world):
    services.add_person(world.board, str(world.agency.mai.id), "Hoàn thành 42 tiết")
    with pytest.raises(HonourError, match="đã có trên bảng"):
        services.add_person(world.board, str(world.agency.mai.id), "")
    assert len(world.board.people) == 1


@pytest.mark.parametrize("person", ["", "abc", "2147483647", "-1"])
def test_an_unknown_person_is_refused(world, person):
    with pytest.raises(HonourError, match="Hãy chọn một người"):
        services.add_person(world.board, person, "")


def test_citation_is_at_most_500_characters(world):
    with pytest.raises(HonourError, match="tối đa 500 ký tự"):
        services.add_person(world.board, str(world.agency.mai.id), "x" * 501)
    entry = services.add_person(world.board, str(world.agency.mai.id), "x" * 500)
    with pytest.raises(HonourError, match="tối đa 500"):
        services.update_person(entry, citation="y" * 501, position="")
    assert entry.citation == "x" * 500


@pytest.mark.parametrize("position", ["0", "abc", "10000", "1.5", "²"])
def test_position_must_be_a_small_whole_number(world, position):
    entry = services.add_person(world.board, str(world.agency.mai.id), "")
    with pytest.raises(HonourError, match="Thứ tự phải là số nguyên"):
        services.update_person(entry, citation="mới", position=position)
    assert entry.citation == ""


def test_board_needs_a_title_and_a_period_in_order(world):
    hcth = world.agency.hcth
    with pytest.raises(HonourError, match="Tiêu đề"):
        services.create_board(title="  ", first="01/01/2025", last="31/12/2025", created_by=hcth)
    with pytest.raises(HonourError, match="Ngày bắt đầu kỳ phải có dạng dd/mm/yyyy"):
        services.create_board(title="A", first="2025", last="31/12/2025", created_by=hcth)
    with pytest.raises(HonourError, match="Ngày kết thúc kỳ phải có dạng"):
        services.create_board(title="A", first="01/01/2025", last="31/02/2025", created_by=hcth)
    with pytest.raises(HonourError, match="phải sau ngày bắt đầu"):
        services.create_board(title="A", first="01/01/2025", last="31/12/2024", created_by=hcth)


def test_add_passing_adds_only_those_who_consent_and_counts_the_rest(world):
    services.set_consent(world.agency.binh, False)
    result = services.add_passing(world.board, str(world.agency.criteria.id), date(2025, 1, 15))
    # Mai and Bình pass the 2024 set; An does not. Bình withdrew consent.
    assert (result.added, result.without_consent, result.already) == (1, 1, 0)
    assert [entry.person_id for entry in world.board.people] == [world.agency.mai.id]
    again = services.add_passing(world.board, str(world.agency.criteria.id), date(2025, 1, 15))
    assert (again.added, again.without_consent, again.already) == (0, 1, 1)


def test_add_from_a_nomination_list(world):
    listed = nominations.create_list(
        name="Đề nghị 2024",
        criteria_set=str(world.agency.criteria.id),
        unit="",
        created_by=world.agency.hcth,
        today=date(2025, 1, 15),
    )
    services.set_consent(world.agency.mai, False)
    result = services.add_from_list(world.board, str(listed.id))
    assert (result.added, result.without_consent) == (1, 1)
    assert [entry.person_id for entry in world.board.people] == [world.agency.binh.id]
    with pytest.raises(HonourError, match="danh sách đề nghị"):
        services.add_from_list(world.board, "999999")


def test_top_units_by_share_passing(world):
    result = services.add_top_units(
        world.board, str(world.agency.criteria.id), "1", date(2025, 1, 15)
    )
    assert result.added == 1
    (entry,) = world.board.units
    # HCTH: Mai and Bình both pass (2/2); CSDT: Mai passes, An and Học do not (1/3).
    assert entry.unit_id == world.agency.office.id
    assert "2/2" in entry.citation
    with pytest.raises(HonourError, match="Số đơn vị"):
        services.add_top_units(world.board, str(world.agency.criteria.id), "0", date(2025, 1, 15))


def test_units_are_named_as_they_were_during_the_period(world):
    services.add_person(world.board, str(world.agency.mai.id), "")
    services.add_unit(world.board, str(world.agency.office.id), "Đơn vị dẫn đầu")
    db.session.commit()
    view = queries.board_view(world.board)
    assert [p.unit_name for p in view.people] == [OLD_OFFICE_NAME]  # Mai's unit at the end
    assert [u.name for u in view.units] == [OLD_OFFICE_NAME]
    later = services.create_board(
        title="Vinh danh năm 2025",
        first="01/01/2025",
        last="31/12/2025",
        created_by=world.agency.hcth,
    )
    services.add_person(later, str(world.agency.mai.id), "")
    services.add_unit(later, str(world.agency.office.id), "")
    view = queries.board_view(later)
    assert [p.unit_name for p in view.people] == [NEW_OFFICE_NAME]
    assert [u.name for u in view.units] == [NEW_OFFICE_NAME]


def test_a_unit_that_did_not_exist_in_the_period_is_refused(world):
    newer = make_unit("MOI", "Phòng mới", parent=world.agency.root, valid_from=date(2025, 3, 1))
    with pytest.raises(HonourError, match="không hoạt động trong kỳ của bảng"):
        services.add_unit(world.board, str(newer.id), "")
    with pytest.raises(HonourError, match="Hãy chọn một đơn vị"):
        services.add_unit(world.board, "x", "")


def test_publishing_an_empty_board_is_refused_and_a_published_one_cannot_be_deleted(world):
    with pytest.raises(HonourError, match="chưa thể công bố"):
        services.publish(world.board)
    services.add_person(world.board, str(world.agency.mai.id), "")
    services.publish(world.board)
    assert world.board.is_published
    with pytest.raises(HonourError, match="thôi công bố trước khi xóa"):
        services.delete_board(world.board)


def test_public_board_keeps_only_people_who_consent_now(world):
    services.add_person(world.board, str(world.agency.mai.id), "")
    services.add_person(world.board, str(world.agency.binh.id), "")
    services.publish(world.board)
    db.session.commit()
    assert queries.public_board(world.board.id) is not None
    services.set_consent(world.agency.binh, False)
    db.session.commit()
    names = [p.full_name for p in queries.public_board(world.board.id).people]
    assert names == ["Lò Thị Mai"]
    services.unpublish(world.board)
    db.session.commit()
    assert queries.public_board(world.board.id) is None


def test_person_without_membership_in_the_period_has_no_unit(world):
    newcomer = make_person("moi", "Đàm Văn Mới", unit=world.agency.policy, since=date(2025, 2, 1))
    services.set_consent(newcomer, True)
    services.add_person(world.board, str(newcomer.id), "")
    (line,) = queries.board_view(world.board).people
    assert line.unit_name == ""
