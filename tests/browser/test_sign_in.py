"""Signing in through the real form in Chromium, for every role, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lms.db import db
from lms.roles import Role
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, make_person, make_unit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name),
]

MANAGED = "Đơn vị tôi quản lý"
ORGANISATION = "Toàn cơ quan"
ADMINISTRATION = "Quản trị"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.mark.parametrize(
    ("role", "full_name", "headings"),
    [
        pytest.param("learner", "Lò Thị Mai", set(), id="learner"),
        pytest.param("manager", "Hà Văn Dũng", {MANAGED}, id="manager"),
        pytest.param("hcth", "Nguyễn Thị Hoa", {ORGANISATION}, id="hcth"),
        pytest.param("editor", "Trần Văn Bình", set(), id="editor"),
        pytest.param("admin", "Lê Thị Thu", {ORGANISATION, ADMINISTRATION}, id="admin"),
    ],
)
def test_each_role_signs_in_and_sees_its_home_page(page: Page, role, full_name, headings):
    unit = make_unit("PDTTS", "Phòng Dân tộc thiểu số")
    if role == "manager":
        make_person("nguoidung", full_name, unit=unit, manages=unit)
    elif role == "learner":
        make_person("nguoidung", full_name, unit=unit)
    else:
        make_person("nguoidung", full_name, unit=unit, roles=(Role(role),))
    db.session.commit()

    sign_in(page, "nguoidung", PASSWORD)

    given_name = full_name.split()[-1]
    expect(page.get_by_role("heading", name=f"Xin chào, {given_name}")).to_be_visible()
    assert page.url.endswith("/")
    for heading in (MANAGED, ORGANISATION, ADMINISTRATION):
        found = page.get_by_role("heading", name=heading, exact=True)
        if heading in headings:
            expect(found).to_be_visible()
        else:
            expect(found).to_have_count(0)


def test_wrong_password_is_refused(page: Page):
    make_person("nguoidung", "Lò Thị Mai")
    db.session.commit()

    sign_in(page, "nguoidung", "Sai-mat-khau-1")

    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible()
    expect(page.get_by_role("heading", name="Xin chào, Mai")).to_have_count(0)
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("nguoidung")
