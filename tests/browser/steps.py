"""What a learner does in the browser on the Tày sample course's quizzes (tests.learning.content),
shared by the journeys that study it: the right answers, filled in as a person would."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from lms.db import db
from lms.plans import rules
from tests.factories import make_person, make_unit
from tests.learning.content import make_tay_course


def tay_course_and_learner(root) -> None:
    """The Tày course and Lò Thị Mai ("mai"), a member of a unit, with this year's rules."""
    make_tay_course(root)
    make_person("mai", "Lò Thị Mai", unit=make_unit("CSDT", "Phòng Chính sách dân tộc"))
    rules.seed_default_rules()
    db.session.commit()


def answer_greetings(page: Page) -> None:
    """Fill in and send the first lesson's quiz (Chào hỏi), all right."""
    quiz = page.locator("#quiz-on-tap-chao-hoi")
    quiz.get_by_role("radio", name="Đi", exact=True).check()
    quiz.get_by_role("radio", name="Đúng", exact=True).check()
    quiz.get_by_label("Câu trả lời").fill("slip-dap-an")
    quiz.get_by_role("button", name="Nộp bài").click()


def answer_numbers(page: Page) -> None:
    """Fill in and send the second lesson's quiz (Số đếm), all right."""
    quiz = page.locator("#quiz-on-tap-so-dem")
    quiz.get_by_role("checkbox", name="slam").check()
    quiz.get_by_role("checkbox", name="slíp").check()
    quiz.get_by_role("combobox", name="slam").select_option("ba")
    quiz.get_by_role("combobox", name="slíp").select_option("mười")
    quiz.get_by_role("combobox", name="kin").select_option("ăn")
    quiz.get_by_role("radio", name="3", exact=True).check()
    quiz.get_by_role("button", name="Nộp bài").click()


def pass_both_lessons(page: Page) -> None:
    """From the first lesson: pass each quiz and mark each lesson complete."""
    for answer in (answer_greetings, answer_numbers):
        answer(page)
        expect(page.locator(".quiz-result")).to_contain_text("Đạt: đúng 3/3 câu (100%)")
        page.get_by_role("button", name="Đánh dấu hoàn thành").click()
