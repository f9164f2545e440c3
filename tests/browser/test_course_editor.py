"""An editor in Chromium edits a lesson in the browser, sees the live preview follow the text,
saves, compares with the previous version and reverts; at phone and desktop size, axe clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.courses.models import CourseVersion, Lesson
from lms.db import db
from lms.roles import Role
from tests.browser.conftest import DESKTOP, PHONE, accessible, fits_the_screen, sign_in
from tests.factories import make_person
from tests.learning.content import TAY, make_tay_course

pytestmark = pytest.mark.browser


@pytest.fixture
def editor(app, tmp_path):
    make_tay_course(tmp_path / "courses")
    make_person("bientap", "Vi Văn Biên", roles=(Role.EDITOR,))
    db.session.commit()


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_an_editor_edits_previews_saves_compares_and_reverts(page: Page, editor, axe):
    sign_in(page, "bientap")
    page.goto(f"/admin/courses/{TAY}/")
    page.get_by_role("link", name="Soạn trong trình duyệt").click()
    expect(page.get_by_role("heading", name=f"Soạn khóa học {TAY}")).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)

    lesson = page.get_by_label("Nội dung bài (Markdown)").first
    text = lesson.input_value()
    lesson.fill(text.replace("## Lời chào", "## Lời chào của người Tày\n\nChữ **Slam** là ba.\n"))
    # The live preview shows the lesson as learners will see it, rendered by the server.
    preview = page.locator('[data-preview-for="01-chao-hoi.md"]')
    expect(preview.locator("h2", has_text="Lời chào của người Tày")).to_be_visible()
    expect(preview.locator("strong", has_text="Slam")).to_be_visible()

    page.get_by_label("Ghi chú cho phiên bản này").fill("Sửa tiêu đề lời chào")
    page.get_by_role("button", name="Lưu phiên bản mới").click()
    expect(page.get_by_text("Đã lưu khóa học (phiên bản 2).")).to_be_visible()
    lesson_row = db.session.scalars(select(Lesson).where(Lesson.slug == "chao-hoi")).one()
    db.session.refresh(lesson_row)
    assert "Lời chào của người Tày" in lesson_row.body_html

    page.get_by_role("link", name="Các phiên bản").first.click()
    expect(page.get_by_role("cell", name="Sửa tiêu đề lời chào")).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)
    page.get_by_role("link", name="So với bản trước (2)").click()
    expect(page.get_by_text("+## Lời chào của người Tày")).to_be_visible()
    expect(page.get_by_text("-## Lời chào", exact=True)).to_be_visible()
    accessible(axe, page)

    page.go_back()
    page.get_by_role("button", name="Quay lại bản này (1)").click()
    expect(page.get_by_text("Đã quay lại nội dung của phiên bản 1.")).to_be_visible()
    db.session.expire_all()
    versions = db.session.scalars(select(CourseVersion).order_by(CourseVersion.number)).all()
    assert [version.number for version in versions] == [1, 2, 3]
    assert versions[2].files == versions[0].files
    assert "Lời chào của người Tày" not in db.session.get(Lesson, lesson_row.id).body_html
