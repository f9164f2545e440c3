"""People administration pages, through the test client."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import Person, RoleGrant
from lms.audit.models import AuditEvent
from lms.db import db
from lms.i18n import local_today
from lms.org import services as org
from lms.org.models import Membership, Unit
from lms.roles import Role
from tests.factories import make_person, make_unit

PEOPLE = "/admin/people/"


def _page(client, url: str = PEOPLE, **params) -> str:
    response = client.get(url, query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _order_in(page: str, names: list[str]) -> list[str]:
    found = [name for name in names if name in page]
    assert len(found) == len(names), set(names) - set(found)
    return sorted(found, key=page.index)


def _person(username: str) -> Person:
    db.session.expire_all()
    return db.session.scalars(select(Person).where(Person.username == username)).one()


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_list_is_in_vietnamese_order_of_given_name_then_family_name(admin, client):
    expected = [
        "Đặng Thị Anh",
        "Phạm Văn Anh",
        "Lê Thị Ánh",
        "Vũ Đức Ân",
        "Hoàng Văn Bình",
        "Nguyễn Văn Dũng",
        "Lý Thị Đào",
        "Cao Thị Ôn",
        "Trịnh Văn Ơn",
        "Bùi Văn Ưng",
        "Mai Thị Yến",
    ]
    # Neither code-point order of given names nor of full names is the Vietnamese order.
    assert sorted(expected, key=lambda name: name.split()[-1]) != expected
    assert sorted(expected) != expected
    for number, name in enumerate(reversed(expected)):
        make_person(f"nguoi{number:02d}", name, password=None)
    db.session.commit()
    assert _order_in(_page(client), expected) == expected


def test_search_ignores_diacritics_and_matches_usernames(admin, client):
    make_person("dung", "Nguyễn Văn Dũng")
    make_person("hoa", "Nguyễn Thị Hoa")
    make_person("nam", "Trần Văn Nam")
    make_person("percent", "Lò Văn Sáng")
    db.session.commit()

    page = _page(client, q="nguyen van")
    assert "Nguyễn Văn Dũng" in page
    assert "Nguyễn Thị Hoa" not in page and "Trần Văn Nam" not in page

    page = _page(client, q=unicodedata.normalize("NFD", "Nguyễn Văn Dũng"))
    assert "Nguyễn Văn Dũng" in page and "Trần Văn Nam" not in page

    page = _page(client, q="đung")
    assert "Nguyễn Văn Dũng" in page and "Nguyễn Thị Hoa" not in page

    page = _page(client, q="percent")
    assert "Lò Văn Sáng" in page and "Nguyễn Văn Dũng" not in page

    for wildcard in ("%", "_", "n_m"):
        page = _page(client, q=wildcard)
        assert "Trần Văn Nam" not in page and "Lò Văn Sáng" not in page
        assert "0 người" in page


def test_filter_by_unit_includes_sub_units_and_by_status(admin, client):
    parent = make_unit("SO", "Sở Dân tộc và Tôn giáo")
    child = make_unit("PDT", "Phòng Dân tộc", parent=parent)
    other = make_unit("PK", "Phòng Khác")
    make_person("con", "Hà Văn Con", unit=child)
    make_person("cha", "Hà Văn Cha", unit=parent)
    make_person("ngoai", "Hà Văn Ngoài", unit=other)
    nghi = make_person("nghi", "Hà Văn Nghỉ", unit=child)
    nghi.is_active = False
    db.session.commit()

    page = _page(client, unit=parent.id)
    assert all(name in page for name in ("Hà Văn Con", "Hà Văn Cha", "Hà Văn Nghỉ"))
    assert "Hà Văn Ngoài" not in page
    assert "Phòng Dân tộc" in page  # the current unit's name is shown

    page = _page(client, unit=child.id, status="inactive")
    assert "Hà Văn Nghỉ" in page and "Hà Văn Con" not in page
    page = _page(client, unit=child.id, status="active")
    assert "Hà Văn Con" in page and "Hà Văn Nghỉ" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "abc"},
        {"unit": "-1"},
        {"unit": "99999999999999999999999"},
        {"unit": "424242"},
        {"status": "nonsense"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999999"},
        {"q": "a\x00b"},
        {"q": "%" * 500},
    ],
)
def test_bad_filter_values_never_fail(admin, client, params):
    response = client.get(PEOPLE, query_string=params)
    if "\x00" in params.get("q", ""):
        # No text holds a NUL: every request carrying one is refused before any view runs.
        assert response.status_code == 400
        assert "ký tự rỗng (NUL)" in response.get_data(as_text=True)
        return
    assert response.status_code == 200
    assert "Nhân sự" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/people/0", "/admin/people/99999999999999999999"])
def test_out_of_range_person_ids_are_not_found(admin, client, url):
    assert client.get(url).status_code == 404


def test_list_shows_the_facts_and_pages_by_25(admin, client):
    unit = make_unit("PDT", "Phòng Dân tộc")
    make_person(
        "anh",
        "Nguyễn Văn Ánh",
        unit=unit,
        manages=unit,
        date_of_birth=date(1985, 4, 5),
        position="Trưởng phòng",
    )
    for number in range(30):
        make_person(f"them{number:02d}", f"Vi Văn Thêm {number:02d}", password=None)
    db.session.commit()
    page = _page(client, q="anh")
    assert "05/04/1985" in page
    assert "Trưởng phòng" in page
    assert "Quản lý đơn vị: Phòng Dân tộc" in page
    assert "Đang hoạt động" in page

    first = _page(client, q="them")
    assert "32 người" not in first and "30 người" in first
    assert first.count("Vi Văn Thêm") == 25
    second = _page(client, q="them", page=2)
    assert second.count("Vi Văn Thêm") == 5


def _add_people(unit, start: int, stop: int) -> None:
    for number in range(start, stop):
        person = make_person(
            f"dem{number:03d}", f"Đàm Văn Đếm {number:03d}", unit=unit, password=None
        )
        if number % 3 == 0:
            services.grant_role(person, Role.MANAGER, unit)
            services.grant_role(person, Role.EDITOR)
    db.session.commit()


def test_the_list_runs_a_fixed_number_of_queries(admin, client, count_queries):
    unit = make_unit("PDT", "Phòng Dân tộc")
    filtered = f"{PEOPLE}?unit={unit.id}&q=dem"
    unit_id = unit.id

    def statements_for(url: str) -> int:
        responses = []
        client.get(url)  # the reference data, read once while unchanged (lms.reference)
        count = count_queries(lambda: responses.append(client.get(url)))
        assert responses[0].status_code == 200
        return count

    _add_people(unit, 0, 5)
    few = (statements_for(PEOPLE), statements_for(filtered))
    _add_people(db.session.get(Unit, unit_id), 5, 40)  # counting closed the session
    many = (statements_for(PEOPLE), statements_for(filtered))
    assert few == many


def test_create_a_person(admin, client):
    response = client.post(
        f"{PEOPLE}new",
        data={
            "username": "lothimai",
            "full_name": unicodedata.normalize("NFD", "Lò Thị Mai"),
            "given_name_override": "",
            "date_of_birth": "07/03/1990",
            "gender": "female",
            "ethnicity": "Tày",
            "position": "Chuyên viên",
            "employment_kind": "vien_chuc",
            "email": "mai@example.vn",
            "phone": "0912345678",
        },
    )
    assert response.status_code == 302
    person = _person("lothimai")
    assert response.headers["Location"] == f"{PEOPLE}{person.id}"
    assert person.full_name == "Lò Thị Mai"
    assert person.date_of_birth == date(1990, 3, 7)
    page = _page(client, response.headers["Location"])
    for fact in ("Lò Thị Mai", "07/03/1990", "Nữ", "Tày", "Viên chức", "Chuyên viên", "Đã thêm"):
        assert fact in page
    assert f"/admin/audit/?entity_type=person&amp;entity_id={person.id}" in page


def test_create_with_bad_input_shows_what_and_where_and_keeps_the_form(admin, client):
    before = (_count(Person), _count(AuditEvent))
    response = client.post(
        f"{PEOPLE}new",
        data={"username": "mai", "full_name": "Lò Thị Mai", "date_of_birth": "32/13/1990"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Ngày sinh “32/13/1990” không hợp lệ" in page
    assert 'value="Lò Thị Mai"' in page  # what was typed is kept
    assert (_count(Person), _count(AuditEvent)) == before


NEW_PERSON = {
    "username": "lothimai",
    "full_name": "Lò Thị Mai",
    "date_of_birth": "07/03/1990",
    "gender": "female",
    "ethnicity": "Tày",
    "position": "Chuyên viên",
    "position_since": "01/01/2024",
    "employment_kind": "vien_chuc",
    "email": "mai@example.vn",
    "phone": "0912345678",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "Mai Lò"}, "username", "Tên đăng nhập “mai lò” không hợp lệ"),
        ({"full_name": " "}, "full_name", "Họ và tên không được để trống."),
        ({"given_name_override": "Lan"}, "given_name_override", "Tên “Lan” phải là phần cuối"),
        ({"date_of_birth": "32/13/1990"}, "date_of_birth", "Ngày sinh “32/13/1990” không hợp lệ"),
        ({"gender": "x"}, "gender", "Giới tính không hợp lệ."),
        ({"position_since": "hôm qua"}, "position_since", "Giữ chức vụ từ ngày “hôm qua”"),
        ({"employment_kind": "x"}, "employment_kind", "Loại cán bộ không hợp lệ."),
        ({"email": "mai@"}, "email", "Email “mai@” không hợp lệ."),
        ({"phone": "12"}, "phone", "Số điện thoại “12” không hợp lệ."),
    ],
)
def test_a_refused_new_person_shows_the_message_by_its_field_and_keeps_the_rest(
    admin, client, changes, field, message
):
    before = (_count(Person), _count(AuditEvent))
    response = client.post(f"{PEOPLE}new", data={**NEW_PERSON, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(rf'id="f-{field}-error">{re.escape(message)}', page), page
    assert page.count('class="field-error"') == 1  # only the field it is about
    for name in ("username", "full_name", "date_of_birth", "ethnicity", "email", "phone"):
        if name not in changes:
            assert f'value="{NEW_PERSON[name]}"' in page
    if "employment_kind" not in changes:
        assert '<option value="vien_chuc" selected>' in page
    assert (_count(Person), _count(AuditEvent)) == before


def test_a_refused_edit_shows_the_message_by_its_field_and_keeps_what_was_typed(admin, client):
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    response = client.post(
        f"{PEOPLE}{person.id}/edit",
        data={"full_name": "Nguyễn Văn Bình", "phone": "0912345678", "date_of_birth": "1/1/2099"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="f-date_of_birth-error">Ngày sinh 01/01/2099 không hợp lý.' in page
    assert 'value="Nguyễn Văn Bình"' in page and 'value="0912345678"' in page
    assert _person("anh").full_name == "Nguyễn Văn Anh"


def test_edit_a_person_including_the_given_name_override(admin, client):
    person = make_person("ngocanh", "Tôn Nữ Ngọc Anh", position="Chuyên viên")
    db.session.commit()
    form = _page(client, f"{PEOPLE}{person.id}/edit")
    assert 'value="Tôn Nữ Ngọc Anh"' in form
    # The position changes on the person's page (from a day, or as a correction), not here.
    assert 'name="position"' not in form and "Chuyên viên" in form
    assert f'href="{PEOPLE}{person.id}#positions"' in form

    response = client.post(
        f"{PEOPLE}{person.id}/edit",
        data={
            "full_name": "Tôn Nữ Ngọc Anh",
            "given_name_override": "Ngọc Anh",
            "position": "Phó phòng",
            "employment_kind": "cong_chuc",
            "gender": "male",
        },
    )
    assert response.status_code == 302
    person = _person("ngocanh")
    assert (person.given_name, person.position) == ("Ngọc Anh", "Chuyên viên")


def test_a_refused_edit_changes_nothing(admin, client):
    person = make_person("anh", "Nguyễn Văn Anh", email="anh@example.vn")
    db.session.commit()
    events = _count(AuditEvent)
    response = client.post(
        f"{PEOPLE}{person.id}/edit",
        data={"full_name": "Nguyễn Văn Bình", "email": "khong hop le"},
    )
    assert response.status_code == 400
    assert "Email “khong hop le” không hợp lệ." in response.get_data(as_text=True)
    person = _person("anh")
    assert (person.full_name, person.email) == ("Nguyễn Văn Anh", "anh@example.vn")
    assert _count(AuditEvent) == events


def test_deactivate_and_reactivate(admin, client, login):
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    response = client.post(f"{PEOPLE}{person.id}/deactivate")
    assert response.status_code == 302
    assert not _person("anh").is_active
    assert "Đã ngừng kích hoạt Nguyễn Văn Anh." in _page(client, response.headers["Location"])
    client.post(f"{PEOPLE}{person.id}/reactivate")
    assert _person("anh").is_active


def test_an_administrator_cannot_deactivate_themselves(admin, client):
    response = client.post(f"{PEOPLE}{admin.id}/deactivate", follow_redirects=True)
    assert "Bạn không thể tự ngừng kích hoạt tài khoản của mình." in response.get_data(as_text=True)
    assert _person("quantri").is_active


def test_delete_only_a_person_without_records(admin, client):
    unit = make_unit()
    keeper = make_person("giu", "Người Có Công Tác", unit=unit)
    mistake = make_person("nham", "Người Thêm Nhầm")
    db.session.commit()

    page = _page(client, f"{PEOPLE}{keeper.id}")
    assert "chỉ có thể ngừng kích hoạt" in page
    response = client.post(f"{PEOPLE}{keeper.id}/delete", data={"confirm": "yes"})
    assert "Chỉ có thể ngừng kích hoạt" in _page(client, response.headers["Location"])
    assert db.session.get(Person, keeper.id) is not None

    client.post(f"{PEOPLE}{mistake.id}/delete")  # not confirmed
    assert db.session.get(Person, mistake.id) is not None

    response = client.post(f"{PEOPLE}{mistake.id}/delete", data={"confirm": "yes"})
    assert response.headers["Location"] == PEOPLE
    db.session.expire_all()
    assert db.session.get(Person, mistake.id) is None
    assert "Đã xóa Người Thêm Nhầm." in _page(client)


def test_reset_password_shows_it_once_and_forces_a_change(admin, client, login):
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    response = client.post(f"{PEOPLE}{person.id}/password")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    temporary = re.search(r'<code class="one-time-password">([^<]+)</code>', page).group(1)
    assert _person("anh").must_change_password
    assert temporary not in _page(client, f"{PEOPLE}{person.id}")  # no flash carries it

    client.post("/logout")
    response = login("anh", temporary)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"


def test_grant_and_revoke_roles_through_the_page(admin, client):
    unit = make_unit("PDT", "Phòng Dân tộc")
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    page = _page(client, f"{PEOPLE}{person.id}")
    assert "Quản lý đơn vị" in page and "Biên tập nội dung" in page

    response = client.post(f"{PEOPLE}{person.id}/roles", data={"role": "manager", "role_unit": ""})
    assert response.status_code == 400
    assert 'id="f-role_unit-error">Vai trò quản lý đơn vị cần chọn đơn vị.' in response.text
    assert _count(RoleGrant) == 1  # the administrator's own

    client.post(
        f"{PEOPLE}{person.id}/roles",
        data={"role": "manager", "role_unit": unit.id, "valid_from": "01/03/2024"},
    )
    grant = _person("anh").role_grants[0]
    assert (grant.role, grant.unit_id, grant.valid_from) == (
        Role.MANAGER,
        unit.id,
        date(2024, 3, 1),
    )
    assert "Quản lý đơn vị: Phòng Dân tộc" in _page(client, f"{PEOPLE}{person.id}")

    client.post(f"{PEOPLE}{person.id}/roles/{grant.id}/revoke")
    # Ended yesterday, and kept: the page says who headed the unit when.
    (ended,) = _person("anh").role_grants
    assert ended.valid_until == local_today() - timedelta(days=1)
    page = _page(client, f"{PEOPLE}{person.id}")
    assert "từ 01/03/2024 đến" in page and "Đã kết thúc" in page
    assert Role.MANAGER not in _person("anh").roles


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"valid_from": "30/02/2024"}, "valid_from", "Ngày bắt đầu giữ vai trò “30/02/2024”"),
        ({"valid_until": "01/01/2020"}, "valid_until", "Ngày cuối giữ vai trò không được trước"),
        ({"role": "vua"}, "role", "Vai trò không hợp lệ."),
    ],
)
def test_a_refused_grant_shows_the_message_by_its_field_and_keeps_the_rest(
    admin, client, changes, field, message
):
    unit = make_unit("PDT", "Phòng Dân tộc")
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    data = {
        "role": "manager",
        "role_unit": str(unit.id),
        "valid_from": "01/03/2024",
        "valid_until": "31/12/2026",
    }
    response = client.post(f"{PEOPLE}{person.id}/roles", data={**data, **changes})
    assert response.status_code == 400
    page = response.text
    assert re.search(rf'id="f-{field}-error">{re.escape(message)}', page), page
    assert page.count('class="field-error"') == 1
    for name in ("valid_from", "valid_until"):
        if name not in changes:
            assert f'value="{data[name]}"' in page
    assert f'<option value="{unit.id}" selected>' in page
    if "role" not in changes:
        assert '<option value="manager" selected>' in page
    assert _count(RoleGrant) == 1  # the administrator's own


def test_revoking_someone_elses_grant_through_a_person_url_is_refused(admin, client):
    person = make_person("anh", "Nguyễn Văn Anh")
    editor = make_person("bien", "Biên Tập Viên", roles=(Role.EDITOR,))
    db.session.commit()
    grant_id = editor.role_grants[0].id
    client.post(f"{PEOPLE}{person.id}/roles/{grant_id}/revoke")
    assert db.session.get(RoleGrant, grant_id) is not None


def test_assign_to_a_unit_and_see_the_names_it_had(admin, client):
    old = make_unit("PDT", "Phòng Dân tộc huyện Lục Ngạn")
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    response = client.post(
        f"{PEOPLE}{person.id}/unit", data={"unit": old.id, "since": "01/03/2024"}
    )
    assert response.status_code == 302
    org.rename_unit(old, "Phòng Dân tộc và Tôn giáo", date(2025, 7, 1))
    new = make_unit("PK", "Phòng Khác")
    db.session.commit()
    client.post(f"{PEOPLE}{person.id}/unit", data={"unit": new.id, "since": "2025-08-01"})

    page = _page(client, f"{PEOPLE}{person.id}")
    history = page[page.index("Quá trình công tác") :]
    assert history.index("Phòng Dân tộc huyện Lục Ngạn") < history.index("Phòng Khác")
    assert "Phòng Dân tộc và Tôn giáo" in history
    assert "01/03/2024" in history and "31/07/2025" in history and "01/08/2025" in history


def test_assign_with_a_bad_date_or_unit_changes_nothing(admin, client):
    unit = make_unit("PDT", "Phòng Dân tộc")
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()

    def assign(unit_id, since: str) -> str:
        url = f"{PEOPLE}{person.id}/unit"
        response = client.post(url, data={"unit": unit_id, "since": since}, follow_redirects=True)
        return response.get_data(as_text=True)

    assert "Từ ngày “hôm qua” không hợp lệ" in assign(unit.id, "hôm qua")
    assert "Hãy nhập ngày bắt đầu công tác" in assign(unit.id, "")
    assert "Hãy chọn đơn vị công tác." in assign("abc", "01/01/2024")
    assert "không hoạt động vào ngày 01/01/2019" in assign(unit.id, "01/01/2019")
    assert _count(Membership) == 0


def test_forms_need_the_csrf_token(admin, client, app):
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"{PEOPLE}{person.id}/deactivate")
    assert response.status_code == 400
    assert _person("anh").is_active


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"unit": "", "since": "01/01/2024"}, "unit", "Hãy chọn đơn vị công tác."),
        ({"unit": "abc", "since": "01/01/2024"}, "unit", "Hãy chọn đơn vị công tác."),
        ({"unit": "PDT", "since": "hôm qua"}, "since", "Từ ngày “hôm qua” không hợp lệ"),
        ({"unit": "PDT", "since": ""}, "since", "Hãy nhập ngày bắt đầu công tác"),
    ],
)
def test_a_refused_unit_assignment_shows_the_page_again_by_its_field(
    admin, client, data, field, message
):
    unit = make_unit("PDT", "Phòng Dân tộc")
    person = make_person("anh", "Nguyễn Văn Anh")
    db.session.commit()
    data = {key: str(unit.id) if value == "PDT" else value for key, value in data.items()}

    response = client.post(f"{PEOPLE}{person.id}/unit", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'id="f-{field}-error">([^<]*)<', page)
    assert error and message in error.group(1)
    if data["unit"] == str(unit.id):
        assert re.search(rf'<option value="{unit.id}" selected>', page)
    assert f'id="f-since" name="since" type="text" value="{data["since"]}"' in page
    assert _count(Membership) == 0
