"""A citizen in Chromium registers from the welcome page, keeps her recovery codes, studies an
open course to its certificate, and finds no staff course, plan or roster; axe clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lms.citizens import services as citizens
from lms.db import db
from tests.browser.conftest import accessible, fits_the_screen
from tests.browser.steps import pass_both_lessons
from tests.learning.content import OPEN, TAY, make_open_course

pytestmark = pytest.mark.browser
TITLE = "Tin học cho mọi người"


@pytest.fixture
def courses(app, tmp_path):
    make_open_course(tmp_path / "courses")
    citizens.import_communes("code,name\nX-01,Xã Sơn Động\nX-02,Phường Kinh Bắc\n")
    db.session.commit()


def test_a_citizen_registers_studies_an_open_course_and_sees_nothing_of_staff(
    page: Page, courses, axe
):
    page.goto("/")
    page.get_by_role("link", name="Đăng ký học tự do").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký học tự do")
    accessible(axe, page)
    page.get_by_label("Họ và tên").fill("Hoàng Thị Mai")
    page.get_by_label("Tên đăng nhập").fill("hoangthimai")
    page.locator("#f-password").fill("Hoc-tap-2026")
    page.locator("#f-confirm_password").fill("Hoc-tap-2026")
    page.get_by_label("Xã, phường nơi bạn sống").select_option(label="Xã Sơn Động")
    # Without the consent: refused, by the box, with what was typed kept.
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    expect(
        page.get_by_text("Hãy đọc và đồng ý với thông báo về dữ liệu cá nhân để đăng ký.")
    ).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value("Hoàng Thị Mai")
    page.locator("#f-password").fill("Hoc-tap-2026")
    page.locator("#f-confirm_password").fill("Hoc-tap-2026")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    expect(page.get_by_role("heading", name="Chào mừng Hoàng Thị Mai!")).to_be_visible()
    codes = page.locator(".recovery-codes code")
    expect(codes).to_have_count(10)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}", codes.first.inner_text())
    expect(page.get_by_role("button", name="In các mã")).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)

    # The catalogue holds the open course only; a staff course does not exist for her.
    page.get_by_role("link", name="Xem các khóa học").click()
    expect(page.locator(".course-card h3")).to_have_text([TITLE])
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Kế hoạch của tôi")).to_have_count(0)
    assert page.request.get(f"/courses/{TAY}").status == 404
    assert page.request.get("/reports/roster").status == 403
    assert page.request.get("/plans/").status == 403

    page.locator(".course-card h3").get_by_role("link").click()
    page.get_by_role("link", name="Bắt đầu học").click()
    pass_both_lessons(page)
    expect(page.get_by_text(f"Chúc mừng! Bạn đã hoàn thành khóa học “{TITLE}”.")).to_be_visible()
    page.get_by_role("link", name="Xem giấy chứng nhận").click()
    certificate = page.locator("article.certificate")
    expect(certificate).to_contain_text("Hoàng Thị Mai")
    expect(certificate).to_contain_text(TITLE)
    assert page.request.get(f"/courses/{OPEN}").status == 200
