"""Open Badges in Chromium: the learner downloads the credential, anyone checks the file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from lms.credentials import keys
from lms.db import db
from lms.learning.models import Certificate
from lms.roles import Role
from tests.browser.conftest import accessible, sign_in, sign_out
from tests.factories import complete_course, make_course, make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def certificate(app) -> int:
    if not keys.all_keys():
        keys.create_key(first=True)
    person = make_person("mai", "Lò Thị Mai", email="mai@example.vn")
    course = make_course(hours="1.5", title="Tiếng Tày giao tiếp")
    complete_course(person, course, datetime(2024, 4, 5, 3, tzinfo=UTC), code="ABCD-EFGH-JKMN")
    db.session.commit()
    return db.session.scalar(db.select(Certificate.id))


def test_learner_downloads_the_credential_and_the_public_page_verifies_it(
    page: Page, certificate, tmp_path
):
    sign_in(page, "mai")
    page.goto(f"/certificates/{certificate}")
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Tải chứng chỉ số (JSON)").click()
    json_file = tmp_path / json_download.value.suggested_filename
    json_download.value.save_as(json_file)
    with page.expect_download() as png_download:
        page.get_by_role("link", name="Tải ảnh huy hiệu có gắn chứng chỉ (PNG)").click()
    png_file = tmp_path / png_download.value.suggested_filename
    png_download.value.save_as(png_file)
    assert json_file.name == "chung-chi-ABCD-EFGH-JKMN.json"
    credential = json.loads(json_file.read_text(encoding="utf-8"))
    assert credential["credentialSubject"]["achievement"]["name"] == "Tiếng Tày giao tiếp"
    sign_out(page)

    # Anyone, signed out: the check by code's page also takes the file.
    page.goto("/verify")
    page.get_by_label("Tệp chứng chỉ số (Open Badges)").set_input_files(png_file)
    page.get_by_role("button", name="Xác minh tệp").click()

    expect(page.get_by_role("heading", name="✓ Chứng chỉ số hợp lệ")).to_be_visible()
    checks = page.get_by_role("table", name="Kết quả từng bước kiểm tra")

    def check(step: str):
        header = page.get_by_role("rowheader", name=step, exact=True)
        return checks.get_by_role("row").filter(has=header)

    for step in ("Chữ ký", "Khóa của đơn vị cấp", "Thời hạn", "Thu hồi"):
        expect(check(step)).to_contain_text("✓ Đạt")
    expect(page.locator("dl.facts")).to_contain_text("Tiếng Tày giao tiếp")

    # A changed file is refused by its signature, and a file that is no badge is named so.
    credential["credentialSubject"]["creditsEarned"] = 40
    tampered = tmp_path / "sua.json"
    tampered.write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
    page.get_by_label("Tệp chứng chỉ số (Open Badges)").set_input_files(tampered)
    page.get_by_role("button", name="Xác minh tệp").click()
    expect(page.get_by_role("heading", name="✗ Chứng chỉ số không hợp lệ")).to_be_visible()
    expect(check("Chữ ký")).to_contain_text("✗ Không đạt")

    other = tmp_path / "ghi-chu.json"
    other.write_text("không phải chứng chỉ", encoding="utf-8")
    page.get_by_label("Tệp chứng chỉ số (Open Badges)").set_input_files(other)
    page.get_by_role("button", name="Xác minh tệp").click()
    expect(page.locator(".field-error")).to_contain_text("Tệp này không phải chứng chỉ Open Badges")


def test_the_check_page_and_the_revocation_list_pass_axe(page: Page, axe, certificate, tmp_path):
    make_person("quantri", "Trần Quản Trị", roles=(Role.ADMIN,))
    db.session.commit()
    sign_in(page, "mai")
    page.goto(f"/certificates/{certificate}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải chứng chỉ số (JSON)").click()
    credential = tmp_path / "chung-chi.json"
    download.value.save_as(credential)
    accessible(axe, page)
    sign_out(page)

    sign_in(page, "quantri")
    page.goto("/admin/credentials")
    accessible(axe, page)
    page.get_by_label("Lý do thu hồi").fill("Cấp nhầm người")
    page.get_by_role("button", name="Thu hồi").click()
    expect(page.get_by_role("table")).to_contain_text("Đã thu hồi: Cấp nhầm người")

    page.goto("/verify")
    accessible(axe, page)
    page.get_by_label("Tệp chứng chỉ số (Open Badges)").set_input_files(credential)
    page.get_by_role("button", name="Xác minh tệp").click()
    expect(page.get_by_role("heading", name="✗ Chứng chỉ số không hợp lệ")).to_be_visible()
    expect(page.locator(".revocation-reason")).to_contain_text("Cấp nhầm người")
    accessible(axe, page)
