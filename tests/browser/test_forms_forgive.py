"""Forms that forgive, in Chromium at phone and desktop size: a refused form keeps what was
typed and the file it was sent with; surprises are said before they happen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.db import db
from lms.i18n import local_today
from lms.plans.models import ExternalActivity
from tests.browser.conftest import DESKTOP, Screen, accessible, fits_the_screen, sign_in
from tests.factories import make_person, make_unit

PHONE = Screen("phone", 390, 844, is_mobile=True)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name),
]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_a_refused_activity_keeps_every_value_and_the_certificate(page: Page, axe, tmp_path):
    unit = make_unit("PCS", "Phòng Chính sách")
    make_person("mai", "Lò Thị Mai", unit=unit)
    db.session.commit()
    certificate = tmp_path / "giấy chứng nhận.png"
    certificate.write_bytes(PNG)
    day = local_today().replace(month=3, day=10).isoformat()

    sign_in(page, "mai")
    page.goto(f"/plans/{local_today().year}")
    form = page.locator("form", has=page.get_by_role("button", name="Thêm hoạt động"))
    form.get_by_label("Tên lớp, hội thảo").fill("Tập huấn chuyển đổi số")
    form.get_by_label("Đơn vị tổ chức").fill("Sở Khoa học và Công nghệ")
    form.get_by_label("Từ ngày").fill(day)
    form.get_by_label("Đến ngày").fill(day)
    form.get_by_label("Số giờ").fill("30")  # more than a day holds
    form.get_by_label("Minh chứng (PDF, ảnh; tối đa 10 MB)").set_input_files(str(certificate))
    form.get_by_role("button", name="Thêm hoạt động").click()

    form = page.locator("form", has=page.get_by_role("button", name="Thêm hoạt động"))
    expect(form.locator("#f-hours-error")).to_contain_text("trong 1 ngày là không thể")
    expect(form.get_by_label("Tên lớp, hội thảo")).to_have_value("Tập huấn chuyển đổi số")
    expect(form.get_by_label("Đơn vị tổ chức")).to_have_value("Sở Khoa học và Công nghệ")
    expect(form.get_by_label("Từ ngày")).to_have_value(day)
    expect(form.get_by_text("Đã đính kèm: giấy chứng nhận.png")).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)

    form.get_by_label("Số giờ").fill("4")
    form.get_by_role("button", name="Thêm hoạt động").click()
    expect(page.get_by_text("Đã thêm hoạt động ngoài nền tảng")).to_be_visible()
    expect(page.get_by_role("link", name="Tải minh chứng (giấy chứng nhận.png)")).to_be_visible()
    activity = db.session.scalars(select(ExternalActivity)).one()
    assert activity.evidence is not None and activity.evidence.data == PNG
