"""The members page (Vietnamese order, search, pages, history) and query-count guards."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lms.db import db
from lms.org import services
from lms.org.models import Unit, UnitKind
from tests.factories import make_person, make_unit


def rows_of(response) -> list[str]:
    """Return the names in the members table, top to bottom."""
    return re.findall(r'<th scope="row">([^<]+?)\s*(?:<|$)', response.get_data(as_text=True))


@pytest.fixture
def office(app):
    agency = make_unit("BDT", "Ban Dân tộc", kind=UnitKind.AGENCY)
    return make_unit("PDT-LN", "Phòng Dân tộc huyện Lục Ngạn", parent=agency)


def test_members_are_in_vietnamese_name_order(client, admin, office):
    for name in ["Bùi Ăn", "Lê Ánh", "Trần Văn Ảnh", "Nguyễn Văn Anh", "Đặng Thị Dung"]:
        make_person(full_name=name, unit=office, password=None)
    db.session.commit()

    names = rows_of(client.get(f"/admin/units/{office.id}/members"))

    # By given name, then tones (none < hỏi < sắc), then ă after a; code points would differ.
    assert names == ["Nguyễn Văn Anh", "Trần Văn Ảnh", "Lê Ánh", "Bùi Ăn", "Đặng Thị Dung"]


def test_members_of_sub_units_show_the_unit_name_of_that_day(client, admin, office):
    commune = make_unit("XA-BG", "Xã Biên Giới", parent=office, kind=UnitKind.COMMUNE)
    make_person(full_name="Hà Thị Xuân", unit=commune, position="Công chức xã", password=None)
    make_person(full_name="Vi Văn Khánh", unit=office, password=None)
    services.rename_unit(commune, "Xã Biên Sơn", date(2025, 7, 1))
    db.session.commit()

    then = client.get(f"/admin/units/{office.id}/members?on=2024-11-10").get_data(as_text=True)
    now = client.get(f"/admin/units/{office.id}/members?on=2025-07-01").get_data(as_text=True)

    assert "Hà Thị Xuân" in then and "Vi Văn Khánh" in then
    assert "Công chức xã" in then
    assert "Xã Biên Giới" in then and "Xã Biên Sơn" not in then
    assert "Xã Biên Sơn" in now


def test_members_page_uses_the_tree_of_the_chosen_day(client, admin, office):
    other = make_unit("PDT-YT", "Phòng Dân tộc huyện Yên Thế")
    make_person(full_name="Chu Văn Đạt", unit=other, password=None)
    services.move_unit(other, office, date(2025, 7, 1))
    db.session.commit()

    before = rows_of(client.get(f"/admin/units/{office.id}/members?on=2025-06-30"))
    after = rows_of(client.get(f"/admin/units/{office.id}/members?on=2025-07-01"))

    assert before == [] and after == ["Chu Văn Đạt"]


def test_people_who_left_are_listed_only_for_days_they_were_there(client, admin, office):
    person = make_person(full_name="Lò Văn Sinh", unit=office, password=None)
    services.end_membership(person.memberships[0], date(2025, 1, 1))
    db.session.commit()

    assert rows_of(client.get(f"/admin/units/{office.id}/members?on=2024-12-31")) == ["Lò Văn Sinh"]
    assert rows_of(client.get(f"/admin/units/{office.id}/members?on=2025-01-01")) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("anh", ["Nguyễn Văn Anh", "Lê Ánh"]),
        ("ÁNH", ["Nguyễn Văn Anh", "Lê Ánh"]),
        ("le a\u0301nh", ["Lê Ánh"]),  # decomposed input
        ("dang thi", ["Đặng Thị Dung"]),
        ("%", []),
        ("_", []),
        ("xyz", []),
    ],
)
def test_name_search_ignores_diacritics_and_escapes_wildcards(
    client, admin, office, query, expected
):
    for name in ["Lê Ánh", "Nguyễn Văn Anh", "Đặng Thị Dung", "Bùi Ăn"]:
        make_person(full_name=name, unit=office, password=None)
    db.session.commit()

    response = client.get(f"/admin/units/{office.id}/members", query_string={"q": query})

    assert response.status_code == 200
    assert rows_of(response) == expected


def test_members_are_shown_25_a_page(client, admin, office):
    for number in range(30):
        make_person(full_name=f"Nguyễn Văn Tên{number:02d}", unit=office, password=None)
    db.session.commit()

    first = client.get(f"/admin/units/{office.id}/members")
    second = client.get(f"/admin/units/{office.id}/members?page=2")

    assert len(rows_of(first)) == 25 and len(rows_of(second)) == 5
    assert "30 người" in first.get_data(as_text=True)
    assert "Trang 1 / 2" in first.get_data(as_text=True)
    assert set(rows_of(first)).isdisjoint(rows_of(second))


def test_members_page_with_a_bad_date_says_so(client, admin, office):
    response = client.get(f"/admin/units/{office.id}/members?on=32/13/2024")
    assert response.status_code == 200
    assert "Ngày xem danh sách “32/13/2024” không hợp lệ" in response.get_data(as_text=True)


def test_a_unit_that_did_not_exist_yet_is_said_so(client, admin, office):
    response = client.get(f"/admin/units/{office.id}/members?on=2019-01-01")
    assert "Đơn vị chưa hoặc không còn hoạt động vào ngày này." in response.get_data(as_text=True)


# --- query-count guards ------------------------------------------------------------------------


def _grow_tree(root, units: int, *, start: int = 0) -> None:
    """Add units below root, each with a sub-unit and a person, some renamed."""
    for number in range(start, start + units):
        unit = make_unit(f"G{number:03d}", f"Phòng {number}", parent=root)
        make_unit(f"G{number:03d}-X", f"Xã {number}", parent=unit, kind=UnitKind.COMMUNE)
        make_person(full_name=f"Người Thứ {number}", unit=unit, password=None)
        if number % 3 == 0:
            services.rename_unit(unit, f"Phòng đổi tên {number}", date(2024, 1, 1))
    db.session.commit()


def test_units_page_query_count_does_not_grow_with_units(client, admin, office, count_queries):
    office_id = office.id

    def load():
        response = client.get("/admin/units/?closed=1")
        assert response.status_code == 200

    _grow_tree(office, 3)
    load()  # warm up: the first request may touch the session
    few = count_queries(load)
    _grow_tree(db.session.get(Unit, office_id), 30 - 3, start=3)
    load()  # new units: the reference data is read anew, once (lms.reference)
    many = count_queries(load)

    assert "Phòng 29" in client.get("/admin/units/").get_data(as_text=True)
    assert many == few


def test_members_page_query_count_does_not_grow_with_people(client, admin, office, count_queries):
    office_id = office.id

    def load():
        response = client.get(f"/admin/units/{office_id}/members")
        assert response.status_code == 200

    _grow_tree(office, 3)
    load()
    few = count_queries(load)
    _grow_tree(
        make_unit("KHAC", "Đơn vị khác", parent=db.session.get(Unit, office_id)), 30, start=3
    )
    load()  # new units: the reference data is read anew, once (lms.reference)
    many = count_queries(load)

    assert len(rows_of(client.get(f"/admin/units/{office_id}/members"))) == 25
    assert many == few


def test_unit_page_query_count_does_not_grow_with_members(client, admin, office, count_queries):
    office_id = office.id

    def load():
        response = client.get(f"/admin/units/{office_id}")
        assert response.status_code == 200

    make_person(full_name="Người Đầu", unit=office, password=None)
    db.session.commit()
    load()
    few = count_queries(load)
    office = db.session.get(Unit, office_id)
    for number in range(30):
        make_person(full_name=f"Người Thêm {number}", unit=office, password=None)
    _grow_tree(office, 5)
    db.session.commit()
    load()  # new units: the reference data is read anew, once (lms.reference)
    many = count_queries(load)

    assert many == few
