"""The agency profile page, through the client: administrators save it, nobody else may."""

from __future__ import annotations

import pytest

from lms.agency.queries import agency_profile
from lms.db import db
from lms.roles import Role
from tests.agency.conftest import BAC_NINH
from tests.factories import make_person


@pytest.fixture
def people(app):
    make_person("quantri", "Trần Quản Trị", roles=(Role.ADMIN,))
    make_person("tonghop", "Lương Thị Hợp", roles=(Role.HCTH,))
    make_person("hocvien", "Đinh Thị Học")
    db.session.commit()


def test_admin_sees_the_defaults_saves_and_sees_the_saved_values(people, client, login):
    login("quantri")
    page = client.get("/admin/agency/")
    assert page.status_code == 200
    assert 'value="Bắc Giang"' in page.text and 'value="Người lập biểu"' in page.text
    home = client.get("/")
    assert 'href="/admin/agency/"' in home.text  # in the admin's menu

    response = client.post("/admin/agency/", data=BAC_NINH)
    assert response.status_code == 302
    db.session.expire_all()
    assert agency_profile().place == "Bắc Ninh"
    page = client.get("/admin/agency/")
    assert 'value="UBND tỉnh Bắc Ninh"' in page.text and "Trần Quản Trị" in page.text


def test_bad_input_is_refused_with_the_typed_values_kept_and_nothing_saved(people, client, login):
    login("quantri")
    client.post("/admin/agency/", data=BAC_NINH)
    response = client.post(
        "/admin/agency/", data={**BAC_NINH, "agency_name": " ", "place": "Bắc Giang mới"}
    )
    assert response.status_code == 400
    assert "Tên cơ quan: không được để trống." in response.text
    assert 'value="Bắc Giang mới"' in response.text  # what was typed, to correct
    db.session.expire_all()
    assert agency_profile().place == "Bắc Ninh"
    assert agency_profile().agency_name == "Sở Dân tộc và Tôn giáo"


@pytest.mark.parametrize("username", ["tonghop", "hocvien"])
def test_others_are_refused_and_change_nothing(people, client, login, username):
    login(username)
    assert client.get("/admin/agency/").status_code == 403
    assert client.post("/admin/agency/", data=BAC_NINH).status_code == 403
    assert 'href="/admin/agency/"' not in client.get("/").text
    assert not agency_profile().is_set


def test_anonymous_visitors_are_sent_to_sign_in(people, client):
    response = client.post("/admin/agency/", data=BAC_NINH)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not agency_profile().is_set


def test_each_problem_is_shown_by_its_field_and_the_rest_is_kept(people, client, login):
    login("quantri")
    response = client.post(
        "/admin/agency/", data={**BAC_NINH, "agency_name": " ", "head_name": "Trần " * 60}
    )
    assert response.status_code == 400
    html = response.text
    assert 'id="f-agency_name-error">Tên cơ quan: không được để trống.' in html
    assert 'id="f-head_name-error">Họ tên thủ trưởng cơ quan: tối đa' in html
    assert html.count('class="field-error"') == 2
    assert f'value="{BAC_NINH["place"]}"' in html and f'value="{BAC_NINH["parent_body"]}"' in html
    assert not agency_profile().is_set
