"""Courses open to everyone (`audience: public`): listed and readable without signing in, their
media too; staff courses stay behind sign-in; a visitor's reading keeps nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.courses import checker
from lms.courses.models import Course, CourseMedia
from lms.db import db
from lms.learning.models import LessonProgress
from tests.factories import make_person
from tests.learning.content import OPEN, TAY, make_open_course, write_course


@pytest.fixture
def courses(app, tmp_path):
    make_open_course(tmp_path / "courses")


def media_path(slug: str) -> str:
    stored = db.session.scalars(select(CourseMedia).join(Course).where(Course.slug == slug)).first()
    return f"/media/{slug}/{stored.sha256}.ogg"


def test_the_front_matter_says_who_a_course_is_for(courses):
    audiences = dict(db.session.execute(select(Course.slug, Course.audience)).all())
    assert audiences == {TAY: "staff", OPEN: "public"}


def test_an_unknown_audience_is_an_error_on_its_line(app, tmp_path):
    folder = write_course(
        tmp_path,
        OPEN,
        "Tin học",
        {"01-bat-dau.md": "---\ntitle: Bắt đầu\nminutes: 10\n---\n\nNội dung.\n"},
        audience="everyone",
    )
    report = checker.check_courses(checker.load_folder(folder)[0])
    assert [str(problem).rsplit("/", 1)[1] for problem in report.errors] == [
        "course.md:11: lỗi: “audience” là “everyone”, phải là một trong: staff, public."
    ]


def test_a_visitor_lists_and_reads_open_courses_only(client, courses):
    catalogue = client.get("/courses/")
    assert catalogue.status_code == 200
    assert "Tin học cho mọi người" in catalogue.text
    assert "Tiếng Tày giao tiếp" not in catalogue.text

    course = client.get(f"/courses/{OPEN}")
    assert course.status_code == 200
    assert "Đăng nhập để lưu tiến độ" in course.text

    lesson = client.get(f"/courses/{OPEN}/chao-hoi")
    assert lesson.status_code == 200
    assert "Người Tày chào nhau" in lesson.text
    # The quiz is there to read, not to send; nothing is offered to complete or record.
    assert "Đăng nhập để làm bài kiểm tra" in lesson.text
    assert "/quiz" not in lesson.text and "/complete" not in lesson.text
    assert "learning-beacon" not in lesson.text
    assert re.search(r"<fieldset[^>]*disabled", lesson.text)

    assert client.get(media_path(OPEN)).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


@pytest.mark.parametrize(
    "path",
    [
        f"/courses/{TAY}",
        f"/courses/{TAY}/chao-hoi",
        "TAY_MEDIA",
        "/courses/khong-co",
        f"/courses/{OPEN}/khong-co",
        "/media/khong-co/" + "a" * 64 + ".ogg",
    ],
)
def test_staff_courses_send_a_visitor_to_sign_in(client, courses, path):
    if path == "TAY_MEDIA":
        path = media_path(TAY)
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_signed_in_staff_see_every_course(client, login, courses):
    make_person("mai", "Lò Thị Mai")
    db.session.commit()
    login("mai")
    catalogue = client.get("/courses/").text
    assert "Tin học cho mọi người" in catalogue and "Tiếng Tày giao tiếp" in catalogue
    lesson = client.get(f"/courses/{OPEN}/chao-hoi").text
    assert "Đăng nhập để làm bài kiểm tra" not in lesson
    assert f"/courses/{OPEN}/chao-hoi/quiz" in lesson


def test_the_welcome_page_shows_the_open_courses(client, courses):
    page = client.get("/").text
    assert "Khóa học mở cho mọi người" in page
    assert f'href="/courses/{OPEN}"' in page
    assert TAY not in page
