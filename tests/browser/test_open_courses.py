"""A visitor in Chromium, without an account, finds a course open to everyone from the welcome
page, reads a lesson and hears its audio, and is asked to sign in for a staff course; at phone
and desktop size, axe clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, accessible, fits_the_screen
from tests.learning.content import TAY, make_open_course

pytestmark = pytest.mark.browser


@pytest.fixture
def courses(app, tmp_path):
    make_open_course(tmp_path / "courses")


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_a_visitor_reads_an_open_course_without_an_account(page: Page, courses, axe):
    page.goto("/")
    expect(page.get_by_role("heading", name="Khóa học mở cho mọi người")).to_be_visible()
    page.get_by_role("link", name="Tin học cho mọi người").click()
    expect(
        page.get_by_text("Khóa học mở cho mọi người: đọc bài không cần đăng nhập.")
    ).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)

    page.get_by_role("link", name="Bắt đầu học").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chào hỏi")
    expect(page.get_by_text("Đăng nhập để làm bài kiểm tra")).to_be_visible()
    expect(page.get_by_role("button", name="Nộp bài")).to_have_count(0)
    fits_the_screen(page)
    accessible(axe, page)

    # The next lesson's audio plays for a visitor: its file is served without an account.
    page.get_by_role("link", name="Số đếm →").click()
    source = page.locator("audio").first.get_attribute("src")
    assert page.request.get(source).status == 200

    # A staff course asks the visitor to sign in.
    page.goto(f"/courses/{TAY}")
    expect(page).to_have_url(re.compile(r"/login"))
