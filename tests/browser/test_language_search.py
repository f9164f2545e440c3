"""A learner in Chromium searches in their own words and follows a course's sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lms.db import db
from tests.browser.conftest import DESKTOP, PHONE, accessible, fits_the_screen
from tests.browser.conftest import sign_in as sign_in_as
from tests.factories import make_person
from tests.learning.content import import_folder, make_other_courses, write_course

pytestmark = pytest.mark.browser

NUNG = Path(__file__).resolve().parents[2] / "courses" / "tieng-nung-nhap-mon"


@pytest.fixture
def courses(app, tmp_path):
    import_folder(NUNG)
    make_other_courses(tmp_path / "courses")
    import_folder(
        write_course(
            tmp_path / "courses",
            "an-toan-thong-tin",
            "An toàn thông tin",
            {"01-bat-dau.md": "---\ntitle: Bắt đầu\nminutes: 10\n---\n\nNội dung.\n"},
            category="digital-skills",
            language="vi",
            summary="Nhận biết tin nhắn lừa đảo.",
        )
    )
    make_person("mai", "Lò Thị Mai")
    db.session.commit()


def search(page: Page, words: str) -> None:
    page.get_by_role("searchbox").fill(words)
    page.get_by_role("button", name="Tìm", exact=True).click()


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_a_learner_finds_a_language_and_reads_the_course_sources(page: Page, courses, axe):
    sign_in_as(page, "mai")
    page.goto("/courses/")

    # "dao" is the Dao language: said plainly, even without a Dao course; not "lừa đảo".
    search(page, "dao")
    expect(page.get_by_role("heading", name="Ngôn ngữ: Tiếng Dao (0 khóa học)")).to_be_visible()
    expect(page.get_by_text("Chưa có khóa học nào về Tiếng Dao.")).to_be_visible()
    expect(page.locator(".course-card")).to_have_count(0)

    # "nung" finds the Nùng course first.
    search(page, "nung")
    expect(page.get_by_role("heading", name="Ngôn ngữ: Tiếng Nùng (1 khóa học)")).to_be_visible()
    first = page.locator(".course-card h3").first
    expect(first).to_have_text("Tiếng Nùng nhập môn")
    fits_the_screen(page)
    accessible(axe, page)

    # From a lesson, the learner follows the link to the course's sources.
    first.get_by_role("link").click()
    page.get_by_role("link", name="Bắt đầu học").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người Nùng chào hỏi")
    page.get_by_role("link", name="Nguồn tham khảo của khóa học (10)").click()
    sources = page.locator("#nguon-tham-khao")
    expect(sources.get_by_role("heading", name="Nguồn tham khảo")).to_be_in_viewport()
    expect(sources.get_by_text("Sách học tiếng Tày Nùng", exact=False)).to_be_visible()
    expect(
        sources.get_by_role("link", name="https://vi.wikipedia.org/wiki/Tiếng_Nùng")
    ).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)
