"""Whole journeys in Chromium: a division head, an administrator, and a learner on a keyboard.

The learner's mouse-and-touch journey is in test_learner.py; the plan round trip started by the
learner is in test_plan_workflow.py.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.accounts.models import Person
from lms.courses.models import Course
from lms.db import db
from lms.i18n import local_today
from lms.plans import evidence, workflow
from lms.plans.models import ActivityKind
from tests.browser.conftest import DESKTOP, PHONE, PNG, accessible, fits_the_screen, sign_in
from tests.factories import START, make_person, make_unit
from tests.learning.content import TAY, TAY_TITLE, course_md, make_tay_course
from tests.plans.conftest import Division, division  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser
both_screens = pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
YEAR = local_today().year


def flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


# The division head ------------------------------------------------------------------------------


@pytest.fixture
def submitted_plan(app, division: Division) -> int:  # noqa: F811
    """Mai's plan for the year: a course and a training with a certificate, sent for approval."""
    with app.test_request_context():
        plan = workflow.plan_for(division.learner, YEAR)
        workflow.add_course(plan, course_id=division.course2.id, planned="q2", expected_hours="")
        workflow.add_external(
            plan,
            kind=ActivityKind.TRAINING,
            title="Lớp bồi dưỡng chữ Tày",
            organiser="Sở Nội vụ",
            starts_on=f"02/03/{YEAR}",
            ends_on=f"03/03/{YEAR}",
            hours="8",
            evidence=evidence.Upload("chung-nhan.png", PNG),
        )
        workflow.submit(plan, actor=division.learner)
    db.session.commit()
    return plan.id


@both_screens
def test_division_head_assigns_returns_approves_and_verifies(
    app,
    page: Page,
    division: Division,  # noqa: F811
    submitted_plan: int,
):
    sign_in(page, "truongphong")

    # Assign a course to the whole division.
    page.goto(f"/plans/units/{division.unit.id}/{YEAR}")
    fits_the_screen(page)
    page.get_by_role("link", name="Giao khóa học cho đơn vị").click()
    page.get_by_label("Khóa học", exact=True).select_option(
        label="Kỹ năng số cho công chức (8 tiết)"
    )
    page.get_by_label("Loại", exact=True).select_option(label="Bắt buộc")
    page.get_by_label("Hạn hoàn thành").fill(f"{YEAR}-12-31")
    page.get_by_role("button", name="Giao khóa học").click()
    flash(page, "Đã giao khóa học cho đơn vị.")
    expect(page.get_by_role("row", name="Kỹ năng số cho công chức")).to_contain_text(
        f"31/12/{YEAR}"
    )
    fits_the_screen(page)

    # The submitted plan, from the notice; its training's certificate opens.
    page.get_by_role("link", name="Thông báo").click()
    page.get_by_role("link", name=f"Lò Thị Mai đã gửi kế hoạch năm {YEAR} để duyệt.").click()
    proof = page.get_by_role("link", name="Tải minh chứng (chung-nhan.png)")
    response = page.request.get(proof.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.body() == PNG
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    flash(page, "Đã xác nhận hoạt động.")
    expect(page.locator(".plan-activities")).to_contain_text("Đã xác nhận")

    # Return it with a comment.
    page.get_by_label("Nhận xét (bắt buộc khi trả lại)").fill("Bổ sung lớp tiếng Anh quý 3.")
    page.get_by_role("button", name="Trả lại").click()
    flash(page, "Đã trả lại kế hoạch.")
    fits_the_screen(page)

    # Mai revises the plan and sends it again (her side is in test_plan_workflow.py).
    with app.test_request_context():
        plan = workflow.plan_for(db.session.get(Person, division.learner.id), YEAR)
        workflow.save_note(plan, "Đăng ký lớp tiếng Anh quý 3.")
        workflow.submit(plan, actor=plan.person)
    db.session.commit()

    # Approve the revised version.
    page.reload()
    expect(page.get_by_text("Đăng ký lớp tiếng Anh quý 3.")).to_be_visible()
    expect(page.get_by_text("Bổ sung lớp tiếng Anh quý 3.")).to_be_visible()
    page.get_by_role("button", name="Duyệt", exact=True).click()
    flash(page, "Đã duyệt kế hoạch.")
    expect(page.locator(".badge.status-approved").first).to_have_text("Đã duyệt")
    # The verified training counts (8 hours), and the assigned course is on Mai's list.
    progress = page.locator(".plan-progress")
    expect(progress).to_contain_text("8 giờ hoạt động ngoài đã xác nhận")
    expect(progress).to_contain_text("Chưa xong: 1")


# The administrator ------------------------------------------------------------------------------

STAFF_HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Chức vụ,Mã đơn vị,Email,Tên đăng nhập"
NAM = "1,Hoàng Văn Nam,12/05/1988,Nam,Nùng,Chuyên viên,CSDT,nam@example.vn,nam.hv"


def staff_csv(*rows: str) -> dict:
    text = "\n".join([STAFF_HEADER, *rows]) + "\n"
    return {
        "name": "nhan-su.csv",
        "mimeType": "text/csv",
        "buffer": "\ufeff".encode() + text.encode(),
    }


def course_zip(slug: str, title: str) -> dict:
    """A one-lesson course folder, zipped as an author would upload it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            f"{slug}/course.md",
            course_md(
                title,
                category="ethnic-language",
                language="nut",
                summary="Chào hỏi bằng tiếng Nùng.",
                hours="2",
            ),
        )
        archive.writestr(
            f"{slug}/01-chao-hoi.md",
            "---\ntitle: Chào hỏi\nminutes: 20\n---\n\n## Lời chào\n\n*Pây tàng lăng?*\n",
        )
    return {"name": f"{slug}.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}


@pytest.fixture
def old_unit(division: Division):  # noqa: F811
    """A division that has had a member since 2020, about to be merged into Chính sách dân tộc."""
    unit = make_unit("PTG", "Phòng Tôn giáo", parent=division.agency, valid_from=START)
    make_person("tu.dv", "Đinh Văn Tư", unit=unit, since=START)
    db.session.commit()
    return unit


@both_screens
def test_administrator_imports_staff_and_a_course_and_merges_units(
    page: Page,
    axe,
    division: Division,  # noqa: F811
    old_unit,
):
    sign_in(page, "quantri")

    # A staff list with mistakes: every mistake listed by row, nothing imported.
    page.goto("/admin/staff-import/")
    bad = "2,Vi Thị Lan,31/02/1990,Nữ,Tày,Chuyên viên,PXYZ,,lan.vt"
    page.get_by_label("Tệp danh sách (.xlsx hoặc .csv UTF-8)").set_input_files(staff_csv(NAM, bad))
    page.get_by_role("button", name="Nhập danh sách").click()
    flash(page, "Tệp “nhan-su.csv” có 2 lỗi nên chưa nhập dòng nào.")
    problems = page.locator("ul.errors li")
    expect(problems).to_have_text(
        [
            "Dòng 3, cột “Ngày sinh”: “31/02/1990” không phải ngày hợp lệ (dd/mm/yyyy).",
            "Dòng 3, cột “Mã đơn vị”: không có đơn vị nào mã “PXYZ”.",
        ]
    )
    fits_the_screen(page)
    accessible(axe, page)
    db.session.expire_all()
    assert db.session.scalar(select(Person).where(Person.username == "nam.hv")) is None

    # Fixed, it goes in whole.
    good = "2,Vi Thị Lan,28/02/1990,Nữ,Tày,Chuyên viên,CSDT,,lan.vt"
    page.get_by_label("Tệp danh sách (.xlsx hoặc .csv UTF-8)").set_input_files(staff_csv(NAM, good))
    page.get_by_role("button", name="Nhập danh sách").click()
    flash(page, "Đã nhập tệp “nhan-su.csv”.")
    accessible(axe, page)
    page.goto("/admin/people/")
    expect(page.get_by_role("link", name="Vi Thị Lan")).to_be_visible()
    expect(page.get_by_role("link", name="Hoàng Văn Nam")).to_be_visible()

    # A course packed as a .zip.
    page.goto("/admin/courses/")
    page.get_by_label("Tệp .zip chứa thư mục khóa học").set_input_files(
        course_zip("tieng-nung-co-ban", "Tiếng Nùng cơ bản")
    )
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    flash(page, "Đã nhập tệp “tieng-nung-co-ban.zip”.")
    expect(page.get_by_role("link", name="Tiếng Nùng cơ bản")).to_be_visible()
    fits_the_screen(page)
    db.session.expire_all()
    assert db.session.scalar(select(Course.title).where(Course.slug == "tieng-nung-co-ban")) == (
        "Tiếng Nùng cơ bản"
    )

    # Merge Phòng Tôn giáo into Phòng Chính sách dân tộc from today.
    page.goto(f"/admin/units/{old_unit.id}")
    page.get_by_label("Đơn vị nhận sáp nhập").select_option(label="Phòng Chính sách dân tộc (CSDT)")
    page.get_by_role("button", name="Sáp nhập", exact=True).click()
    # The merge says what it does to manager grants before anything changes.
    expect(page.get_by_role("heading", name="Xác nhận sáp nhập")).to_be_visible()
    page.get_by_role("button", name="Xác nhận sáp nhập").click()
    flash(page, f"Đã sáp nhập vào CSDT từ ngày {local_today():%d/%m/%Y}.")
    expect(page.get_by_role("link", name="Phòng Chính sách dân tộc")).to_be_visible()

    # Last year's roster still shows the unit by the name and place it had then.
    page.goto(f"/reports/roster?period={YEAR - 1}")
    row = page.get_by_role("row", name="Đinh Văn Tư")
    expect(row).to_contain_text("Phòng Tôn giáo")
    expect(row).not_to_contain_text("Phòng Chính sách dân tộc")
    fits_the_screen(page)


# A learner with the keyboard only --------------------------------------------------------------

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    const label = element.getAttribute("aria-label")
        || (element.labels && element.labels.length ? element.labels[0].innerText : "")
        || element.innerText || element.value || "";
    return {
        id: element.id,
        tag: element.tagName.toLowerCase(),
        label: label.trim(),
        outline: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
        onScreen: box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.width > 0,
    };
}"""


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page: Page) -> dict:
    element = focused(page)
    assert element["outline"] != "none" and element["outlineWidth"] > 0, element
    assert element["onScreen"], element
    return element


def tab_to(page: Page, label: str, *, back: bool = False, limit: int = 60) -> None:
    """Press Tab (Shift+Tab if back) until the focused element is named label; focus stays seen."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        element = assert_focus_visible(page)
        if element["label"] == label:
            return
    raise AssertionError(f"Tab never reached “{label}”")


@pytest.fixture
def tay_course(app, tmp_path):
    make_tay_course(tmp_path / "courses")
    make_person("mai", "Lò Thị Mai")
    db.session.commit()


@both_screens
def test_learner_uses_only_the_keyboard(page: Page, axe, tay_course):
    # Signing in: the name field has focus on arrival (autofocus applies a moment after load on
    # a loaded machine: wait for it; a page without it times out here).
    page.goto("/login")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'username'")
    assert focused(page)["id"] == "username"
    page.keyboard.type("mai")
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["id"] == "password"
    page.keyboard.type("Mat-khau-2024")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Xin chào, Mai")).to_be_visible()

    # The first Tab shows the skip link; it jumps past the header to the content.
    page.keyboard.press("Tab")
    skip = assert_focus_visible(page)
    assert skip["label"] == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    # Following the link moves focus once the browser has scrolled to it: wait for that (a
    # loaded CI machine once read the focus a moment before it moved), then check it.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    first = assert_focus_visible(page)
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert first["label"] != skip["label"]

    # Shift+Tab walks back into the header, to the main navigation.
    tab_to(page, "Khóa học", back=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Khóa học", level=1)).to_be_visible()

    # Search without diacritics, open the course and its first lesson.
    tab_to(page, "Tìm theo tên hoặc giới thiệu")
    page.keyboard.type("tieng tay")
    page.keyboard.press("Enter")
    expect(page.locator(".course-card h3")).to_have_text([TAY_TITLE])
    tab_to(page, TAY_TITLE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(TAY_TITLE)
    tab_to(page, "Bắt đầu học")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chào hỏi")

    # The quiz: arrows move within a radio group, Space picks, Enter submits. The choices come
    # in an order shuffled for each attempt: Tab reaches the first one shown.
    shown = page.locator("#quiz-on-tap-chao-hoi fieldset").first.locator("label").all_inner_texts()
    tab_to(page, shown[0])
    for _ in range(shown.index("Đi")):
        page.keyboard.press("ArrowDown")
    assert focused(page)["label"] == "Đi"
    page.keyboard.press("Space")
    tab_to(page, "Đúng")
    page.keyboard.press("Space")
    tab_to(page, "Câu trả lời")
    page.keyboard.type("slip-dap-an")
    tab_to(page, "Nộp bài")
    page.keyboard.press("Enter")
    expect(page.locator(".quiz-result")).to_contain_text("Đạt: đúng 3/3 câu (100%)")
    accessible(axe, page)
    tab_to(page, "Đánh dấu hoàn thành")
    page.keyboard.press("Space")
    expect(page.get_by_text("Đã ghi nhận hoàn thành bài “Chào hỏi”.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Số đếm")
    assert page.url.endswith(f"/courses/{TAY}/so-dem")
