"""The HCTH officer's journey in Chromium: criteria set, preview, roster files, nomination list.

The data (people, courses finished, an initiative recognised) is built in the test process;
everything the officer does goes through the real pages.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from lms.accounts.models import Person
from lms.awards import services as awards
from lms.awards.services import InitiativeInput
from lms.db import db
from lms.nominations import services as nominations
from lms.plans import rules
from lms.roles import Role
from tests.browser.conftest import DESKTOP, PHONE, accessible, fits_the_screen, sign_in
from tests.factories import make_person, make_unit
from tests.reports.conftest import complete, make_course

pytestmark = pytest.mark.browser
both_screens = pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
SET_NAME = "Học tập suốt đời 2024"
LIST_NAME = "Đề nghị khen thưởng năm 2024"
RESULT = "Kết quả tiêu chí"


@dataclass
class Office:
    mai: Person
    an: Person
    binh: Person


@pytest.fixture
def office(app) -> Office:
    """2024, a 40-tiết target. Mai: 12 tiết and a recognised initiative, so she passes
    “hours ≥ 25% and at least one initiative”; An has the hours only; Bình the initiative only."""
    rules.seed_default_rules()
    nominations.seed_default_forms()
    root = make_unit("SDT", "Sở Dân tộc và Tôn giáo")
    policy = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=root)
    admin_office = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=root)
    mai = make_person("mai", "Lò Thị Mai", unit=policy, position="Chuyên viên")
    an = make_person("nongan", "Nông Văn An", unit=policy)
    binh = make_person("binh", "Hoàng Văn Bình", unit=admin_office, position="Trưởng phòng")
    hcth = make_person("tonghop", "Lương Thị Hợp", roles=(Role.HCTH,))
    digital = make_course("digital-skills", "12")
    short = make_course("ethnic-language", "4")
    complete(mai, digital, datetime(2024, 3, 1, 3, 0, tzinfo=UTC))
    complete(an, digital, datetime(2024, 4, 1, 3, 0, tzinfo=UTC))
    complete(binh, short, datetime(2024, 5, 1, 3, 0, tzinfo=UTC))
    db.session.flush()
    with app.test_request_context():
        for author, title in ((mai, "Số hóa từ điển Tày - Việt"), (binh, "Sổ tay văn thư")):
            initiative = awards.record_initiative(
                InitiativeInput(
                    title=title,
                    author_ids=(str(author.id),),
                    unit_id=str(author.memberships[0].unit_id),
                    year="2024",
                    summary="Áp dụng tại cơ quan.",
                    recognition_level="agency",
                    recognised_on="20/11/2024",
                ),
                latest_year=date.today().year + 1,
                allowed_units=None,
                actor_id=hcth.id,
            )
            awards.decide_initiative(initiative, approve=True, note="", actor_id=hcth.id)
    db.session.commit()
    return Office(mai, an, binh)


def flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def download(page: Page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.locator(".report-downloads").get_by_role("link", name=link_name, exact=True).click()
    path = info.value.path()
    with open(path, "rb") as file:
        return file.read()


@both_screens
def test_hcth_defines_criteria_downloads_roster_and_freezes_a_list(page: Page, axe, office: Office):
    sign_in(page, "tonghop")

    # A criteria set on the plain form: a quarter of the hours target and one initiative.
    page.goto("/awards/sets/new")
    fits_the_screen(page)
    accessible(axe, page)
    page.get_by_label("Tên bộ tiêu chí").fill(SET_NAME)
    page.get_by_label("Mô tả, căn cứ").fill("Kế hoạch phong trào năm 2024.")
    page.get_by_label("Chọn nhanh").select_option(label="Năm 2024")
    page.get_by_label("Loại tiêu chí 1", exact=True).select_option(
        label="Đạt chỉ tiêu giờ học (theo %)"
    )
    page.get_by_label("Tỉ lệ phần trăm, tiêu chí 1", exact=True).fill("25")
    page.get_by_label("Loại tiêu chí 2", exact=True).select_option(
        label="Số sáng kiến được công nhận"
    )
    page.get_by_label("Số lượng tối thiểu, tiêu chí 2", exact=True).fill("1")
    page.get_by_role("button", name="Lưu bộ tiêu chí").click()

    # The preview: who passes, with the fact behind each mark.
    flash(page, f"Đã lưu bộ tiêu chí “{SET_NAME}”.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kết quả xét: {SET_NAME}")
    expect(page.locator("#passing-count")).to_have_text("Đạt: 1 / 3 người")
    expect(page.get_by_role("row", name="Lò Thị Mai")).to_contain_text("Đạt")
    expect(page.get_by_role("row", name="Nông Văn An")).to_contain_text("Chưa đạt")
    expect(page.get_by_role("row", name="Hoàng Văn Bình")).to_contain_text("Chưa đạt")
    accessible(axe, page)
    page.get_by_label("Chỉ người đạt").check()
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("table.award-preview tbody tr")).to_have_count(1)
    expect(page.get_by_role("row", name="Lò Thị Mai")).to_be_visible()

    # The roster for 2024 judged by the set, downloaded as the links offer it.
    page.goto("/reports/roster")
    page.get_by_label("Kỳ báo cáo").select_option(label="Năm 2024")
    page.get_by_label("Bộ tiêu chí").select_option(label=SET_NAME)
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_role("row", name="Lò Thị Mai")).to_contain_text("Đạt")
    fits_the_screen(page)

    data = download(page, "CSV")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    column = rows[0].index(RESULT)
    results = {row[1]: row[column] for row in rows[1:]}
    assert results == {"Lò Thị Mai": "Đạt", "Nông Văn An": "Chưa đạt", "Hoàng Văn Bình": "Chưa đạt"}

    book = load_workbook(io.BytesIO(download(page, "XLSX")), read_only=True)
    sheet = [list(row) for row in book.active.iter_rows(values_only=True)]
    book.close()
    assert sheet[0][0] == "SỞ DÂN TỘC VÀ TÔN GIÁO"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in sheet[0]
    assert "Độc lập - Tự do - Hạnh phúc" in sheet[1]
    assert sheet[3][0] == "DANH SÁCH TỔNG HỢP KẾT QUẢ TỰ HỌC, TỰ BỒI DƯỠNG"
    assert sheet[4][0] == f"Từ 01/01/2024 đến 31/12/2024 · Bộ tiêu chí: {SET_NAME}"
    header = sheet[5]
    assert header[:2] == ["STT", "Họ và tên"] and RESULT in header
    mai = next(row for row in sheet[6:] if row[1] == "Lò Thị Mai")
    assert mai[header.index("Chức vụ")] == "Chuyên viên"
    assert mai[header.index("Sáng kiến được công nhận")] == 1
    assert mai[header.index(RESULT)] == "Đạt"

    # A nomination list from the set: Mai alone; frozen, it shows its checksum matches.
    page.goto("/nominations/")
    page.get_by_label("Tên danh sách").fill(LIST_NAME)
    page.get_by_label("Bộ tiêu chí (kỳ xét là kỳ của bộ tiêu chí)").select_option(
        label=f"{SET_NAME} (01/01/2024–31/12/2024)"
    )
    page.get_by_role("button", name="Lập danh sách").click()
    flash(page, "Đã lập danh sách với 1 người.")
    expect(page.get_by_role("heading", level=1)).to_have_text(LIST_NAME)
    people = page.locator("table.nomination-people tbody tr")
    expect(people).to_have_count(1)
    expect(people.first).to_contain_text("Lò Thị Mai")
    expect(page.get_by_text("Bản nháp", exact=True)).to_be_visible()
    page.get_by_role("button", name="Chốt danh sách").click()
    flash(page, "Đã chốt danh sách. Số liệu được lưu cố định.")
    integrity = page.locator(".nomination-integrity")
    expect(integrity).to_contain_text("Đã chốt lúc")
    expect(integrity.locator(".badge")).to_have_text("Toàn vẹn: khớp")
    expect(integrity).to_contain_text("SHA-256")
    expect(page.get_by_role("button", name="Chốt danh sách")).to_have_count(0)
    fits_the_screen(page)
    accessible(axe, page)
    page.goto("/nominations/")
    expect(page.get_by_role("row", name=LIST_NAME)).to_contain_text("Đã chốt")

    # The campaign summary for the year counts Mai among those who pass.
    page.goto("/reports/summary?period=2024")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)
