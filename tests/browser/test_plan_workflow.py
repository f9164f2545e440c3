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


def test_a_head_finds_an_author_by_name_among_their_people_only(page: Page, division):  # noqa: F811
    sign_in(page, "truongphong")
    page.goto("/awards/initiatives/new")
    page.get_by_label("Tên sáng kiến, giải pháp").fill("Sổ tay tiếng Tày cho cán bộ xã")
    page.get_by_label("Tìm tác giả theo tên").fill("hoa")
    page.get_by_role("button", name="Tìm", exact=True).click()
    # Hoàng Thị Hoa is in the head's team; Lâm Văn Ngoài (another division) is not offered.
    expect(page.get_by_label("Hoàng Thị Hoa — Tổ công tác")).to_be_visible()
    expect(page.get_by_text("Lâm Văn Ngoài")).to_have_count(0)
    fits_the_screen(page)
    page.get_by_label("Hoàng Thị Hoa — Tổ công tác").check()
    page.get_by_label("Đơn vị").select_option(label="Phòng Chính sách dân tộc")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã ghi nhận sáng kiến; chờ duyệt.")).to_be_visible()
    expect(page.get_by_text("Hoàng Thị Hoa")).to_be_visible()
