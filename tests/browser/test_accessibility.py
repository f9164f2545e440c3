"""axe-core (WCAG 2.1 A and AA) on every main page, for each role, on a desktop and a phone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from lms.courses.models import Course, Lesson
from lms.db import db
from lms.dictionary import services as dictionary
from lms.i18n import local_today
from lms.learning import services as learning
from lms.org import services as org
from lms.org.models import UnitKind
from lms.plans import evidence, workflow
from lms.plans.models import ActivityKind
from lms.roles import Role
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    PNG,
    accessible,
    control_style_problems,
    sign_in,
    sign_out,
)
from tests.dictionary.files import dictionary_csv, entry_line
from tests.factories import make_person, make_unit
from tests.learning.content import TAY, make_other_courses, make_tay_course

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class World:
    year: int
    unit_id: int
    learner_id: int
    plan_id: int
    certificate_id: int
    certificate_code: str


@pytest.fixture
def world(app, tmp_path) -> World:
    """An agency with a division, its head, a learner with a certificate and a submitted plan."""
    year = local_today().year
    agency = make_unit("SO", "Sở Dân tộc và Tôn giáo", kind=UnitKind.AGENCY)
    unit = make_unit("CSDT", "Phòng Chính sách dân tộc", parent=agency)
    other = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=agency)
    org.rename_unit(unit, "Phòng Chính sách và Dân tộc", date(year, 1, 1))
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit)
    learner = make_person("mai", "Lò Thị Mai", unit=unit, email="mai@example.vn")
    make_person("tonghop", "Lương Thị Hợp", unit=other, roles=(Role.HCTH,))
    make_person("quantri", "Triệu Thị Trị", unit=other, roles=(Role.ADMIN,))
    make_tay_course(tmp_path / "courses")
    make_other_courses(tmp_path / "courses")
    digital = db.session.scalar(db.select(Course).where(Course.slug == "ky-nang-so"))
    lesson = db.session.scalar(db.select(Lesson).where(Lesson.course_id == digital.id))
    outcome = learning.complete_lesson(learner, lesson, event_id=str(uuid.uuid4()), seconds=600)
    certificate = outcome.certificate
    with app.test_request_context():
        plan = workflow.plan_for(learner, year)
        workflow.add_course(plan, course_id=digital.id, planned="q1", expected_hours="")
        workflow.add_external(
            plan,
            kind=ActivityKind.TRAINING,
            title="Bồi dưỡng kỹ năng số",
            organiser="Sở Nội vụ",
            starts_on=f"02/03/{year}",
            ends_on=f"03/03/{year}",
            hours="8",
            evidence=evidence.Upload("giay-chung-nhan.png", PNG),
        )
        workflow.submit(plan, actor=learner)
    dictionary.import_file(
        "tyz.csv",
        dictionary_csv(
            entry_line(
                "kin", "kin", "ăn", pos="động từ", examples="Kin khẩu", translations="Ăn cơm"
            ),
            entry_line("pi-noong", "pì noọng", "anh em"),
        ),
    )
    db.session.commit()
    return World(year, unit.id, learner.id, plan.id, certificate.id, certificate.code)


def pages_for(role: str, w: World) -> list[str]:
    """The pages each role reaches; pages that look alike for every role are checked once."""
    unit, year = w.unit_id, w.year
    return {
        "public": [
            "/",
            "/login",
            "/verify",
            f"/verify/{w.certificate_code}",
            "/dictionary/",
            "/dictionary/tyz?q=an",
            "/dictionary/tyz/kin",
            "/khong-co-trang-nay",
        ],
        "learner": [
            "/",
            "/courses/",
            "/courses/?q=tieng+tay",
            f"/courses/{TAY}",
            f"/courses/{TAY}/chao-hoi",
            f"/courses/{TAY}/so-dem",
            f"/certificates/{w.certificate_id}",
            "/plans/",
            f"/plans/view/{w.plan_id}",
            "/plans/notifications",
            "/account/password",
            "/khong-co-trang-nay",
        ],
        "manager": [
            "/",
            "/plans/notifications",
            f"/plans/units/{unit}/{year}",
            f"/plans/view/{w.plan_id}",
            f"/plans/units/{unit}/{year}/assignments",
            f"/admin/units/{unit}/members",
            f"/reports/units/{unit}/roster",
        ],
        "hcth": [
            "/",
            "/plans/units",
            f"/reports/roster?period={year - 1}",
            f"/reports/summary?period={year - 1}",
            "/awards/",
            "/awards/sets/new",
            "/awards/initiatives",
            "/nominations/",
            "/honours/boards",
            "/account/api-tokens",
        ],
        "admin": [
            "/",
            "/admin/people/",
            f"/admin/people/{w.learner_id}",
            f"/admin/people/{w.learner_id}/edit",
            "/admin/people/new",
            "/admin/staff-import/",
            "/admin/units/",
            f"/admin/units/{unit}",
            "/admin/units/new",
            "/admin/audit/",
            "/admin/courses/",
            f"/admin/courses/{TAY}/",
            f"/admin/courses/{TAY}/so-dem",
            "/admin/dictionary/",
            "/admin/dictionary/tyz",
            "/admin/dictionary/tyz/kin",
            "/admin/dictionary/tyz/new",
            "/plans/rules",
        ],
    }[role]


USERS = {"learner": "mai", "manager": "truongphong", "hcth": "tonghop", "admin": "quantri"}


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
@pytest.mark.parametrize("role", ["public", "learner", "manager", "hcth", "admin"])
def test_main_pages_pass_axe_and_share_one_control_style(page: Page, world: World, axe, role):
    if role != "public":
        sign_in(page, USERS[role])
    violations, unlike = [], []
    for path in pages_for(role, world):
        response = page.goto(path)
        assert response.status == (404 if "khong-co" in path else 200), path
        violations += axe(page)
        unlike += control_style_problems(page)
    if violations:
        pytest.fail("axe found:\n" + "\n".join(map(str, violations)), pytrace=False)
    if unlike:
        pytest.fail("controls unlike the app's:\n" + "\n".join(unlike), pytrace=False)


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_messages_and_a_refused_sign_in_pass_axe(page: Page, axe):
    make_person("mai", "Lò Thị Mai")
    db.session.commit()
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill("mai")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".flash-error")).to_be_visible()
    accessible(axe, page)
    sign_in(page, "mai")
    sign_out(page)
    expect(page.locator(".flash-info")).to_be_visible()
    accessible(axe, page)


def test_axe_runs_under_the_strict_csp_and_reports_what_it_finds(page: Page, axe):
    response = page.goto("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert axe(page) == []
    page.evaluate("() => document.querySelector('label[for]').remove()")
    found = axe(page)
    assert [violation.rule for violation in found] == ["label"]
    assert "label" in str(found[0]) and "#" in str(found[0])


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_the_unread_count_in_the_header_is_readable(page: Page, axe):
    from lms.plans.reminders import notify

    learner = make_person("mai", "Lò Thị Mai")
    db.session.flush()
    for number in range(3):
        notify(learner.id, "info", f"Thông báo {number}", None)
    db.session.commit()
    sign_in(page, "mai")
    badge = page.locator(".site-header .badge")
    expect(badge).to_have_text("3")
    accessible(axe, page)  # colour contrast included (WCAG AA)
    color, background = badge.evaluate(
        "(el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    assert (color, background) == ("rgb(11, 93, 59)", "rgb(255, 255, 255)")


@pytest.mark.parametrize("screen", [PHONE], ids=lambda screen: screen.name)
def test_a_manager_reads_the_dashboard_and_roster_on_a_phone(page: Page, world: World, axe):
    sign_in(page, USERS["manager"])
    for path, table in (
        (f"/plans/units/{world.unit_id}/{world.year}", "table.plan-board"),
        (f"/reports/units/{world.unit_id}/roster", "table.report-roster"),
    ):
        page.goto(path)
        wrap = page.locator(f"div.table-wrap:has({table})")
        # The key columns fit the phone: the table needs no sideways scrolling.
        assert wrap.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1"), path
        headers = page.locator(f"{table} thead th:visible").all_inner_texts()
        assert "Họ và tên" in headers, headers
        assert not any("Thời gian ở đơn vị" in text or "Ngày sinh" in text for text in headers)
        # The rest opens under the name on a tap.
        details = page.locator(f"{table} tbody details").first
        details.locator("summary").click()
        expect(details.locator("summary")).to_have_text("Chi tiết")
        assert details.evaluate("(el) => el.open")
        accessible(axe, page)
