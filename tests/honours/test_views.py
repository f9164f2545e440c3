"""Honour-board pages: HCTH's flow, the consent page, and the public pages and their headers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lms.db import db
from lms.honours import services
from lms.honours.models import HonourBoard
from lms.honours.views import frame_ancestors
from lms.org.models import Unit
from tests.factories import make_person, make_unit
from tests.honours.conftest import NEW_OFFICE_NAME, OLD_OFFICE_NAME


def _table(page: str, css_class: str) -> str:
    """The HTML of the table with css_class."""
    return page.split(f'class="{css_class}"', 1)[1].split("</table>", 1)[0]


def _published(world, *people, units=()):
    for person in people:
        services.add_person(world.board, str(person.id), f"Tấm gương {person.full_name}")
    for unit in units:
        services.add_unit(world.board, str(unit.id), "Tập thể tiêu biểu")
    services.publish(world.board)
    db.session.commit()
    return f"/honours/{world.board.id}"


def test_hcth_builds_and_publishes_a_board(world, client, login):
    agency = world.agency
    login("tonghop")
    page = client.post(
        "/honours/boards",
        data={"title": "Vinh danh năm 2025", "first_day": "01/01/2025", "last_day": "31/12/2025"},
        follow_redirects=True,
    )
    assert "Đã tạo bảng vinh danh." in page.text
    board_id = int(page.request.path.rsplit("/", 1)[1])
    base = f"/honours/boards/{board_id}"
    # Only people who consent are offered.
    assert "Lò Thị Mai" in page.text and "Nông Văn An" not in page.text

    refused = client.post(f"{base}/people", data={"person": agency.an.id}, follow_redirects=True)
    assert "Nông Văn An chưa đồng ý xuất hiện trên bảng vinh danh công khai" in refused.text

    client.post(f"{base}/people", data={"person": agency.mai.id, "citation": "Tự học 42 tiết"})
    client.post(f"{base}/units", data={"unit": agency.office.id, "citation": "Dẫn đầu"})
    page = client.get(base)
    assert "Tự học 42 tiết" in page.text and NEW_OFFICE_NAME in page.text

    assert client.get(f"/honours/{board_id}").status_code == 404  # not yet published
    page = client.post(f"{base}/publish", follow_redirects=True)
    assert "Đã công bố bảng vinh danh." in page.text
    public = client.get(f"/honours/{board_id}")
    assert public.status_code == 200
    assert "Lò Thị Mai" in public.text and "Tự học 42 tiết" in public.text

    page = client.post(
        f"{base}/people/passing", data={"criteria_set": agency.criteria.id}, follow_redirects=True
    )
    # Mai is already there; Bình passes and consents; nobody else passes.
    assert "Đã thêm 1 người; bỏ qua 0 người chưa đồng ý công khai và 1 người đã có trên bảng." in (
        page.text
    )

    client.post(f"{base}/unpublish")
    assert client.get(f"/honours/{board_id}").status_code == 404


def test_hcth_edits_orders_and_removes_entries(world, client, login):
    agency = world.agency
    mai = services.add_person(world.board, str(agency.mai.id), "")
    binh = services.add_person(world.board, str(agency.binh.id), "")
    unit = services.add_unit(world.board, str(agency.office.id), "")
    db.session.commit()
    base = f"/honours/boards/{world.board.id}"
    login("tonghop")
    client.post(f"{base}/people/{binh.id}", data={"citation": "Người thứ nhất", "position": "1"})
    client.post(f"{base}/people/{mai.id}", data={"citation": "Người thứ hai", "position": "2"})
    people = _table(client.get(base).text, "honour-people-admin")
    assert people.index("Hoàng Văn Bình") < people.index("Lò Thị Mai")
    bad = client.post(
        f"{base}/people/{mai.id}",
        data={"citation": "z" * 501, "position": "2"},
        follow_redirects=True,
    )
    assert "Lời vinh danh dài tối đa 500 ký tự" in bad.text
    db.session.expire_all()
    assert mai.citation == "Người thứ hai"  # nothing of the refused edit was kept
    client.post(f"{base}/units/{unit.id}", data={"citation": "Tập thể xuất sắc", "position": "1"})
    assert "Tập thể xuất sắc" in client.get(base).text
    client.post(f"{base}/people/{mai.id}/remove")
    client.post(f"{base}/units/{unit.id}/remove")
    page = client.get(base).text
    assert "Lò Thị Mai" not in _table(page, "honour-people-admin")
    assert "Tập thể xuất sắc" not in page
    # An entry of another board is not found through this one.
    other = services.create_board(
        title="Khác", first="01/01/2025", last="31/12/2025", created_by=agency.hcth
    )
    db.session.commit()
    answer = client.post(f"/honours/boards/{other.id}/people/{binh.id}/remove")
    assert answer.status_code == 404


def test_bad_board_input_changes_nothing(world, client, login):
    login("tonghop")
    page = client.post(
        "/honours/boards",
        data={"title": "Năm 2025", "first_day": "2025-13-01", "last_day": "31/12/2025"},
        follow_redirects=True,
    )
    assert "Ngày bắt đầu kỳ phải có dạng dd/mm/yyyy." in page.text
    page = client.post(
        f"/honours/boards/{world.board.id}/edit",
        data={"title": "", "first_day": "01/01/2024", "last_day": "31/12/2024"},
        follow_redirects=True,
    )
    assert "Tiêu đề bảng vinh danh không được để trống." in page.text
    assert "Vinh danh năm 2024" in client.get("/honours/boards").text


def _refused_field(page: str, control_id: str) -> str:
    """The opening tag of the control with control_id and the message said under it."""
    tag = page.split(f'id="{control_id}"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in tag and f'aria-describedby="{control_id}-error"' in tag
    return page.split(f'id="{control_id}-error">', 1)[1].split("</p>", 1)[0]


def test_refused_entry_edit_shows_the_row_again_with_what_was_typed(world, client, login):
    agency = world.agency
    mai = services.add_person(world.board, str(agency.mai.id), "Cũ")
    unit = services.add_unit(world.board, str(agency.office.id), "Cũ")
    db.session.commit()
    base = f"/honours/boards/{world.board.id}"
    login("tonghop")
    answer = client.post(
        f"{base}/people/{mai.id}", data={"citation": "Lời mới đã gõ", "position": "0"}
    )
    assert answer.status_code == 400
    assert "Thứ tự phải là số nguyên từ 1 đến" in _refused_field(answer.text, f"pp-{mai.id}")
    assert "Lời mới đã gõ" in answer.text and 'value="0"' in answer.text
    answer = client.post(f"{base}/units/{unit.id}", data={"citation": "y" * 501, "position": "3"})
    assert answer.status_code == 400
    assert "Lời vinh danh dài tối đa 500 ký tự" in _refused_field(answer.text, f"uc-{unit.id}")
    assert "y" * 501 in answer.text
    db.session.expire_all()
    assert (mai.citation, unit.citation) == ("Cũ", "Cũ")


def test_refused_additions_show_the_board_again_with_what_was_typed(world, client, login):
    agency = world.agency
    services.add_person(world.board, str(agency.mai.id), "")
    db.session.commit()
    base = f"/honours/boards/{world.board.id}"
    login("tonghop")
    answer = client.post(f"{base}/people", data={"person": agency.mai.id, "citation": "Gõ dở"})
    assert answer.status_code == 400
    assert "Lò Thị Mai đã có trên bảng này." in _refused_field(answer.text, "f-person")
    assert f'<option value="{agency.mai.id}" selected>' in answer.text
    assert ">Gõ dở</textarea>" in answer.text

    answer = client.post(f"{base}/units", data={"unit": agency.office.id, "citation": "z" * 501})
    assert answer.status_code == 400
    assert "Lời vinh danh dài tối đa 500 ký tự" in _refused_field(answer.text, "f-unit-citation")
    assert f'<option value="{agency.office.id}" selected>' in answer.text
    assert "z" * 501 in answer.text

    answer = client.post(
        f"{base}/units/top", data={"criteria_set": agency.criteria.id, "count": "abc"}
    )
    assert answer.status_code == 400
    assert "Số đơn vị phải là số nguyên từ 1 đến" in _refused_field(answer.text, "f-count")
    assert 'value="abc"' in answer.text
    assert f'<option value="{agency.criteria.id}" selected>' in answer.text
    assert not world.board.units


def test_learner_is_refused_the_management_pages(world, client, login):
    login("hocvien")
    assert client.get("/honours/boards").status_code == 403
    assert client.get(f"/honours/boards/{world.board.id}").status_code == 403
    answer = client.post(f"/honours/boards/{world.board.id}/people", data={"person": "1"})
    assert answer.status_code == 403
    assert client.post(f"/honours/boards/{world.board.id}/publish").status_code == 403
    assert world.board.is_published is False


def test_anonymous_sees_only_published_boards_and_consenting_people(world, client):
    agency = world.agency
    draft = services.create_board(
        title="Bản nháp 2025", first="01/01/2025", last="31/12/2025", created_by=agency.hcth
    )
    services.add_person(draft, str(agency.mai.id), "")
    url = _published(world, agency.mai, agency.binh, units=[agency.office])
    listing = client.get("/honours/")
    assert listing.status_code == 200
    assert "Vinh danh năm 2024" in listing.text and "Bản nháp 2025" not in listing.text
    assert client.get(f"/honours/{draft.id}").status_code == 404
    assert client.get("/honours/2147483647").status_code == 404

    page = client.get(url).text
    assert "Lò Thị Mai" in page and "Hoàng Văn Bình" in page
    # The unit as it was called in 2024, not its name since July 2025.
    assert OLD_OFFICE_NAME in page and NEW_OFFICE_NAME not in page
    assert "Tập thể tiêu biểu" in page

    services.set_consent(agency.binh, False)
    db.session.commit()
    page = client.get(url).text
    assert "Hoàng Văn Bình" not in page and "Lò Thị Mai" in page


def test_withdrawing_on_the_consent_page_hides_the_person_at_once(world, client, login):
    url = _published(world, world.agency.mai)
    assert "Lò Thị Mai" in client.get(url).text
    login("mai")
    page = client.get("/honours/consent")
    assert "Đã đồng ý" in page.text and "Vinh danh năm 2024" in page.text
    page = client.post("/honours/consent", data={"consent": "withdraw"}, follow_redirects=True)
    assert "Bạn đã rút lại đồng ý" in page.text
    assert "Lò Thị Mai" not in client.get(url).text
    page = client.post("/honours/consent", data={"consent": "give"}, follow_redirects=True)
    assert "Bạn đã đồng ý xuất hiện" in page.text
    assert "Lò Thị Mai" in client.get(url).text
    bad = client.post("/honours/consent", data={"consent": "maybe"}, follow_redirects=True)
    assert "Hãy chọn đồng ý hoặc rút lại đồng ý." in bad.text


def test_consent_page_is_linked_from_the_personal_data_page(world, client, login):
    login("nongan")
    assert "/honours/consent" in client.get("/privacy/").text
    assert client.get("/honours/consent").status_code == 200


def test_public_page_holds_no_personal_data_beyond_name_unit_and_citation(world, client):
    mai = world.agency.mai
    url = _published(world, mai, world.agency.binh)
    page = client.get(url).text
    for secret in ("05/02/1990", "1990-02-05", "mai@example.vn", "Tày", "Trưởng phòng"):
        assert secret not in page
    assert "/accounts/" not in page and "/people/" not in page
    assert "csrf_token" not in page


def test_public_pages_may_be_cached_and_framed(world, client, app, login):
    url = _published(world, world.agency.mai)
    for path in ("/honours/", url):
        answer = client.get(path)
        assert answer.headers["Cache-Control"] == "public, max-age=60"
        assert "Cookie" in answer.headers["Vary"]
        assert "Set-Cookie" not in answer.headers
        assert "frame-ancestors *" in answer.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in answer.headers
        assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    app.config["HONOURS_FRAME_ANCESTORS"] = "https://sodtt.bacninh.gov.vn"
    policy = client.get(url).headers["Content-Security-Policy"]
    assert "frame-ancestors https://sodtt.bacninh.gov.vn;" in policy + ";"
    # Every other page still refuses to be framed.
    other = client.get("/login")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"
    # A signed-in visitor's copy is not for shared caches.
    login("tonghop")
    assert client.get(url).headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (None, "*"),
        ("  ", "*"),
        ("https://sodtt.bacninh.gov.vn 'self'", "https://sodtt.bacninh.gov.vn 'self'"),
        ("https://a.example; script-src 'unsafe-inline'", "script-src"),
        ("'unsafe-inline' https://a.example/path", "'self'"),
    ],
)
def test_frame_ancestors_setting_cannot_change_the_rest_of_the_policy(setting, expected):
    assert frame_ancestors(setting) == expected


def test_public_board_page_does_not_query_per_entry(world, client, count_queries):
    agency = world.agency
    board_id, root_id = world.board.id, agency.root.id
    url = _published(world, agency.mai, units=[agency.office])
    one = count_queries(lambda: client.get(url))
    board = db.session.get(HonourBoard, board_id)
    root = db.session.get(Unit, root_id)
    for n in range(8):
        unit = make_unit(f"XA{n}", f"Xã số {n}", parent=root, valid_from=date(2020, 1, 1))
        person = make_person(f"xa{n}", f"Hoàng Thị Xã {n}", unit=unit)
        services.set_consent(person, True)
        services.add_person(board, str(person.id), "")
        services.add_unit(board, str(unit.id), "")
    db.session.commit()
    many = count_queries(lambda: client.get(url))
    assert many == one, (one, many)
    assert one >= 4  # the board, its people, memberships, units, their names
    assert "Hoàng Thị Xã 7" in client.get(url).text


def test_a_refused_new_board_is_shown_again_with_each_message_by_its_field(world, client, login):
    login("tonghop")
    before = db.session.scalar(select(func.count(HonourBoard.id)))
    page = client.post(
        "/honours/boards",
        data={"title": "Vinh danh quý I", "first_day": "31/03/2025", "last_day": "01/01/2025x"},
    )
    assert page.status_code == 400
    html = page.text
    # What was typed stays; the message sits under the field it is about.
    assert 'value="Vinh danh quý I"' in html and 'value="31/03/2025"' in html
    assert 'id="f-last_day-error">Ngày kết thúc kỳ phải có dạng dd/mm/yyyy.' in html
    assert 'aria-describedby="f-last_day-error"' in html

    page = client.post(
        "/honours/boards",
        data={"title": "Vinh danh quý I", "first_day": "31/03/2025", "last_day": "01/01/2025"},
    )
    assert page.status_code == 400
    assert 'id="f-last_day-error">Ngày kết thúc kỳ phải sau ngày bắt đầu.' in page.text
    assert 'id="f-title-error"' not in page.text
    assert db.session.scalar(select(func.count(HonourBoard.id))) == before


def test_a_refused_board_edit_keeps_what_was_typed_by_its_field(world, client, login):
    login("tonghop")
    base = f"/honours/boards/{world.board.id}"
    page = client.post(
        f"{base}/edit", data={"title": "  ", "first_day": "01/01/2024", "last_day": "31/12/2024"}
    )
    assert page.status_code == 400
    assert 'id="f-title-error">Tiêu đề bảng vinh danh không được để trống.' in page.text
    assert 'value="31/12/2024"' in page.text
    assert "Vinh danh năm 2024" in client.get(base).text
