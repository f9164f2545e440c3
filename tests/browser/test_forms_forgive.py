"""Forms that forgive, in Chromium at phone and desktop size: a refused form keeps what was
typed and the file it was sent with; surprises are said before they happen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.db import db
from lms.i18n import local_today
from lms.plans.models import ExternalActivity
from lms.progress.models import UnitAssignment
from tests.browser.conftest import DESKTOP, PHONE, accessible, fits_the_screen, sign_in
from tests.factories import make_course, make_person, make_unit

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


def test_an_assignment_already_due_is_said_and_saved_once_confirmed(page: Page, axe):
    unit = make_unit("PCS", "Phòng Chính sách")
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit)
    make_person("mai", "Lò Thị Mai", unit=unit)
    make_course("digital-skills", "8", title="Kỹ năng số cho công chức")
    db.session.commit()
    last_year = local_today().year - 1

    sign_in(page, "truongphong")
    page.goto(f"/plans/units/{unit.id}/{last_year}/assignments")
    page.get_by_label("Hạn hoàn thành").fill(f"{last_year}-03-31")
    page.get_by_role("button", name="Giao khóa học").click()
    box = page.locator("#confirm-box")
    expect(box).to_contain_text(f"Hạn hoàn thành 31/03/{last_year} đã qua")
    expect(page.get_by_label("Hạn hoàn thành")).to_have_value(f"{last_year}-03-31")
    fits_the_screen(page)
    accessible(axe, page)
    assert db.session.scalars(select(UnitAssignment)).first() is None

    box.get_by_role("button", name="Vẫn giao khóa học").click()
    expect(page.get_by_text("Đã giao khóa học cho đơn vị.")).to_be_visible()
    expect(page.get_by_role("cell", name=f"31/03/{last_year}")).to_be_visible()


def test_an_end_day_before_the_start_is_said_before_sending(page: Page):
    unit = make_unit("PCS", "Phòng Chính sách")
    make_person("mai", "Lò Thị Mai", unit=unit)
    db.session.commit()
    year = local_today().year

    sign_in(page, "mai")
    page.goto(f"/plans/{year}")
    form = page.locator("form", has=page.get_by_role("button", name="Thêm hoạt động"))
    form.get_by_label("Từ ngày").fill(f"{year}-05-10")
    form.get_by_label("Đến ngày").fill(f"{year}-05-08")
    message = "Ngày kết thúc phải từ ngày bắt đầu trở đi."
    expect(form.locator("#f-ends_on-order")).to_have_text(message)
    expect(form.get_by_label("Đến ngày")).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Tên lớp, hội thảo").fill("Tập huấn")
    form.get_by_label("Đơn vị tổ chức").fill("Sở Nội vụ")
    form.get_by_label("Số giờ").fill("4")
    form.get_by_role("button", name="Thêm hoạt động").click()  # the browser keeps it back
    assert db.session.scalars(select(ExternalActivity)).first() is None
    form.get_by_label("Đến ngày").fill(f"{year}-05-12")
    expect(form.locator("#f-ends_on-order")).to_have_text("")
    form.get_by_role("button", name="Thêm hoạt động").click()
    expect(page.get_by_text("Đã thêm hoạt động ngoài nền tảng")).to_be_visible()
