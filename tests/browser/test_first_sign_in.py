"""First sign-in for many, in Chromium at phone and desktop size: an administrator issues codes
for a unit and sees the printable sheet; a newcomer uses a code, sets a password, is signed in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lms.db import db
from lms.roles import Role
from tests.browser.conftest import DESKTOP, Screen, accessible, fits_the_screen, sign_in, sign_out
from tests.factories import make_person, make_unit

PHONE = Screen("phone", 390, 844, is_mobile=True)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name),
]

NEW_PASSWORD = "Hoc-tap-2026"


def test_codes_for_a_unit_on_a_sheet_then_a_newcomer_signs_in_with_one(page: Page, axe):
    unit = make_unit("PTC", "Phòng Tổ chức")
    sub = make_unit("PTCA", "Tổ Văn thư", parent=unit)
    make_person("quantri", "Phạm Quản Trị", roles=(Role.ADMIN,))
    make_person("tvan", "Trần Văn An", unit=unit, password=None)
    make_person("ntbinh", "Nguyễn Thị Bình", unit=sub, password=None)
    db.session.commit()

    sign_in(page, "quantri")
    page.goto("/admin/people/")
    page.get_by_role("link", name="Cấp mã đăng nhập lần đầu").click()
    page.get_by_label("Đơn vị (gồm đơn vị con)").select_option(label="Phòng Tổ chức")
    page.get_by_role("button", name="Xem ai đang chờ").click()
    expect(page.get_by_text("2 người trong đơn vị này chưa đăng nhập được.")).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)
    page.get_by_role("button", name="Cấp mã cho 2 người").click()

    expect(page.get_by_role("heading", name="Phiếu mã đăng nhập lần đầu")).to_be_visible()
    expect(page.get_by_role("heading", name="Tổ Văn thư")).to_be_visible()
    card = page.locator(".code-card", has_text="Trần Văn An")
    expect(card).to_contain_text("tvan")
    expect(card).to_contain_text("/first-sign-in")
    code = card.locator(".one-time-password").inner_text()
    fits_the_screen(page)
    accessible(axe, page)
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Phiếu mã đăng nhập lần đầu")).to_be_hidden()
    expect(card).to_be_visible()
    page.emulate_media(media="screen")

    page.goto("/")
    sign_out(page)
    page.goto("/first-sign-in")
    page.get_by_label("Mã đăng nhập lần đầu").fill(code.upper())
    page.locator("#f-new_password").fill("1234567890")
    page.get_by_label("Nhập lại mật khẩu mới").fill("1234567890")
    page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
    expect(page.get_by_text("Mật khẩu phải có cả chữ và số hoặc ký hiệu.")).to_be_visible()
    expect(page.get_by_label("Mã đăng nhập lần đầu")).to_have_value(code.upper())
    fits_the_screen(page)
    accessible(axe, page)

    page.locator("#f-new_password").fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
    expect(page.get_by_role("heading", name="Xin chào, An")).to_be_visible()
    sign_out(page)
    sign_in(page, "tvan", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Xin chào, An")).to_be_visible()
