"""A plan in Chromium, on a phone: submit, returned with a comment, resubmit, approved."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, fits_the_screen, sign_in, sign_out
from tests.plans.conftest import division  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser
YEAR = 2026


@pytest.fixture
def screen():
    return PHONE


def test_submit_return_resubmit_approve(page: Page, division):  # noqa: F811
    sign_in(page, "mai")
    page.goto(f"/plans/{YEAR}")
    expect(
        page.get_by_role("heading", name=f"Kế hoạch tự học, tự bồi dưỡng năm {YEAR}")
    ).to_be_visible()
    page.get_by_label("Khóa học", exact=True).select_option(label="Tiếng Tày giao tiếp (12 tiết)")
    page.get_by_label("Tháng/quý dự kiến").first.select_option("q2")
    page.get_by_role("button", name="Thêm vào kế hoạch").click()
    expect(page.get_by_text("Đã thêm khóa học vào kế hoạch.")).to_be_visible()
    fits_the_screen(page)
    page.get_by_role("button", name="Gửi duyệt").click()
    expect(page.get_by_text("Đã gửi kế hoạch để duyệt.")).to_be_visible()
    sign_out(page)

    sign_in(page, "truongphong")
    page.get_by_role("link", name="Thông báo").click()
    page.get_by_role("link", name=f"Lò Thị Mai đã gửi kế hoạch năm {YEAR} để duyệt.").click()
    page.get_by_label("Nhận xét (bắt buộc khi trả lại)").fill("Bổ sung một lớp ngoại ngữ.")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_text("Đã trả lại kế hoạch.")).to_be_visible()
    sign_out(page)

    sign_in(page, "mai")
    page.goto(f"/plans/{YEAR}")
    expect(page.get_by_text("Bổ sung một lớp ngoại ngữ.").first).to_be_visible()
    page.get_by_label("Ghi chú của kế hoạch").fill("Đăng ký lớp tiếng Anh quý 3.")
    page.get_by_role("button", name="Lưu ghi chú").click()
    page.get_by_role("button", name="Gửi lại").click()
    expect(page.get_by_text("Đã gửi kế hoạch để duyệt.")).to_be_visible()
    sign_out(page)

    sign_in(page, "truongphong")
    page.goto(f"/plans/units/{division.unit.id}/{YEAR}")
    fits_the_screen(page)
    page.get_by_label("Chọn kế hoạch của Lò Thị Mai").check()
    page.get_by_role("button", name="Duyệt các kế hoạch đã chọn").click()
    expect(page.get_by_text("Đã duyệt 1 kế hoạch.")).to_be_visible()
    sign_out(page)

    sign_in(page, "mai")
    page.goto(f"/plans/{YEAR}")
    expect(page.locator(".badge.status-approved").first).to_have_text("Đã duyệt")
    expect(page.get_by_role("button", name="Điều chỉnh kế hoạch")).to_be_visible()
