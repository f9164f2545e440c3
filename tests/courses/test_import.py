"""Importing: all or nothing, idempotent, and history-keeping (never delete, retire instead)."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.courses import checker, cli, importer
from lms.courses.models import Course, CourseMedia, Lesson, Quiz
from lms.db import db
from tests.courses.conftest import EXAMPLE, snapshot

ADDED = (
    "Khóa học: thêm 1, thay đổi 0, ngừng dùng 0, không đổi 0. Bài học: thêm 3, thay đổi 0, "
    "ngừng dùng 0, không đổi 0. Tệp media mới: 4."
)
UNCHANGED = (
    "Khóa học: thêm 0, thay đổi 0, ngừng dùng 0, không đổi 1. Bài học: thêm 0, thay đổi 0, "
    "ngừng dùng 0, không đổi 3. Tệp media mới: 0."
)


def import_path(runner, path):
    result = runner.invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def lessons_by_slug() -> dict[str, Lesson]:
    db.session.expire_all()
    return {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}


def test_import_stores_the_course_its_lessons_quizzes_and_media(app, runner, collection):
    assert import_path(runner, collection) == ADDED

    course = db.session.scalars(select(Course)).one()
    assert (course.slug, course.title, course.version, course.is_retired) == (
        "mau-tieng-tay",
        "Tiếng Tày mẫu",
        "1.10",
        False,
    )
    assert str(course.hours) == "1.50"
    assert course.authors == ["Nhóm biên soạn mẫu"]
    assert [(lesson.position, lesson.slug) for lesson in course.lessons] == [
        (1, "chao-hoi"),
        (2, "so-dem"),
        (3, "nghe-them"),
    ]
    quiz = db.session.scalars(select(Quiz).where(Quiz.slug == "on-tap-chao-hoi")).one()
    assert quiz.pass_mark == 50
    assert quiz.questions[0]["answer"] == 0
    assert "answer" not in quiz.public_questions()[0]
    png = db.session.scalars(
        select(CourseMedia).where(CourseMedia.path == "media/ban-phim.png")
    ).one()
    assert png.data == (EXAMPLE / "media" / "ban-phim.png").read_bytes()
    assert png.content_type == "image/png"
    assert f'src="/media/mau-tieng-tay/{png.sha256}.png"' in course.lessons[0].body_html
    assert db.session.scalars(select(AuditEvent.action)).all() == ["course.import"]


def test_reimporting_unchanged_content_changes_nothing(app, runner, collection):
    import_path(runner, collection)
    before = snapshot()

    assert import_path(runner, collection) == UNCHANGED
    assert snapshot() == before


def test_a_changed_lesson_keeps_its_row_and_id(app, runner, collection):
    import_path(runner, collection)
    ids = {slug: lesson.id for slug, lesson in lessons_by_slug().items()}
    quiz_id = db.session.scalars(select(Quiz.id).where(Quiz.slug == "on-tap-chao-hoi")).one()
    lesson_file = collection / "mau-tieng-tay" / "01-chao-hoi.md"
    lesson_file.write_text(
        lesson_file.read_text()
        .replace("Nghe nhiều lần", "Nghe thật nhiều lần")
        .replace("pass_mark: 50", "pass_mark: 100")
    )
    # Renumbering changes the order only; the slug, and so the progress, stays.
    (collection / "mau-tieng-tay" / "03-nghe-them.md").rename(
        collection / "mau-tieng-tay" / "04-nghe-them.md"
    )

    assert import_path(runner, collection) == (
        "Khóa học: thêm 0, thay đổi 1, ngừng dùng 0, không đổi 0. Bài học: thêm 0, thay đổi 2, "
        "ngừng dùng 0, không đổi 1. Tệp media mới: 0."
    )
    lessons = lessons_by_slug()
    assert {slug: lesson.id for slug, lesson in lessons.items()} == ids
    assert "Nghe thật nhiều lần" in lessons["chao-hoi"].body_html
    assert lessons["nghe-them"].position == 4
    quiz = db.session.get(Quiz, quiz_id)
    assert quiz.pass_mark == 100


def test_a_removed_lesson_is_retired_and_comes_back_with_its_id(app, runner, collection):
    import_path(runner, collection)
    old_id = lessons_by_slug()["so-dem"].id
    lesson_file = collection / "mau-tieng-tay" / "02-so-dem.md"
    saved = lesson_file.read_text()
    lesson_file.unlink()
    first = collection / "mau-tieng-tay" / "01-chao-hoi.md"
    first.write_text(first.read_text().replace("Học tiếp [bài số đếm](02-so-dem.md).", ""))

    assert import_path(runner, collection) == (
        "Khóa học: thêm 0, thay đổi 1, ngừng dùng 0, không đổi 0. Bài học: thêm 0, thay đổi 1, "
        "ngừng dùng 1, không đổi 1. Tệp media mới: 0."
    )
    retired = lessons_by_slug()["so-dem"]
    assert (retired.id, retired.is_retired) == (old_id, True)
    assert retired.retired_at is not None
    assert (
        db.session.scalars(select(Quiz.is_retired).where(Quiz.slug == "on-tap-so-dem")).one()
        is False
    )
    assert db.session.query(Lesson).count() == 3

    lesson_file.write_text(saved)
    import_path(runner, collection)
    back = lessons_by_slug()["so-dem"]
    assert (back.id, back.is_retired, back.retired_at) == (old_id, False, None)


def test_a_removed_quiz_is_retired(app, runner, collection):
    import_path(runner, collection)
    lesson_file = collection / "mau-tieng-tay" / "01-chao-hoi.md"
    text = lesson_file.read_text()
    lesson_file.write_text(text[: text.index("```quiz")])

    import_path(runner, collection)

    quiz = db.session.scalars(select(Quiz).where(Quiz.slug == "on-tap-chao-hoi")).one()
    assert quiz.is_retired and quiz.retired_at is not None


def test_a_removed_course_is_retired_only_when_importing_the_whole_folder(app, runner, collection):
    import_path(runner, collection)
    other = collection / "khoa-khac"
    shutil.copytree(collection / "mau-tieng-tay", other)
    assert "Khóa học: thêm 1, thay đổi 0, ngừng dùng 0, không đổi 1." in import_path(
        runner, collection
    )
    shutil.rmtree(collection / "mau-tieng-tay")

    # One course imported on its own leaves the others alone.
    import_path(runner, other)
    assert (
        db.session.scalars(select(Course.is_retired).where(Course.slug == "mau-tieng-tay")).one()
        is False
    )

    summary = import_path(runner, collection)
    assert summary.startswith("Khóa học: thêm 0, thay đổi 0, ngừng dùng 1, không đổi 1.")
    db.session.expire_all()
    course = db.session.scalars(select(Course).where(Course.slug == "mau-tieng-tay")).one()
    assert course.is_retired and course.retired_at is not None
    assert db.session.query(Lesson).filter(Lesson.course_id == course.id).count() == 3


def test_changed_media_is_stored_beside_the_old_file(app, runner, collection):
    import_path(runner, collection)
    old = db.session.scalars(select(CourseMedia).where(CourseMedia.path == "media/chao.mp3")).one()
    audio = collection / "mau-tieng-tay" / "media" / "chao.mp3"
    audio.write_bytes(audio.read_bytes() + b"\x00" * 417)

    summary = import_path(runner, collection)

    assert summary.endswith("Tệp media mới: 1.")
    rows = db.session.scalars(select(CourseMedia).where(CourseMedia.path == "media/chao.mp3")).all()
    assert len(rows) == 2
    new = next(row for row in rows if row.id != old.id)
    html = lessons_by_slug()["chao-hoi"].body_html
    assert new.sha256 in html and old.sha256 not in html


def test_dry_run_saves_nothing(app, runner, collection):
    before = snapshot()
    result = runner.invoke(args=["courses", "import", "--dry-run", str(collection)])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"Chỉ kiểm tra, chưa lưu gì. Nếu nhập: {ADDED}"
    assert snapshot() == before


def test_a_failure_while_writing_leaves_nothing_behind(app, runner, collection, monkeypatch):
    before = snapshot()

    def broken_read():
        raise OSError("disk gone")

    original = checker.check_courses

    def check_then_break(*args, **kwargs):
        report = original(*args, **kwargs)
        report.courses[0].media[-1].read = broken_read
        return report

    monkeypatch.setattr(checker, "check_courses", check_then_break)
    result = runner.invoke(args=["courses", "import", str(collection)])

    assert isinstance(result.exception, OSError)
    assert snapshot() == before


def test_large_imports_show_a_progress_bar(app, runner, collection, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 5)
    result = runner.invoke(args=["courses", "import", str(collection)])
    assert result.exit_code == 0
    assert result.output.startswith("Đang nhập")  # a terminal also sees the bar move


def test_the_import_reports_each_step_to_the_progress_bar(app, collection):
    sources, _ = checker.load_folder(collection)
    report = checker.check_courses(sources)
    steps = []

    importer.import_courses(report, advance=steps.append)

    assert importer.work_count(report) == 7  # 3 lessons and 4 media files
    assert steps == [1] * 7


def test_the_default_folder_is_the_projects_courses_folder(app, runner, collection):
    app.config["COURSES_DIR"] = str(collection)
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 0
    assert result.stdout == "Đã kiểm tra 1 khóa học, 3 bài học: 0 lỗi, 0 cảnh báo.\n"


def test_a_missing_folder_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["courses", "check", str(tmp_path / "khong-co")])
    assert result.exit_code == 2


def test_the_importer_refuses_a_report_with_errors(app):
    report = checker.CheckReport(courses=[], problems=[checker.Problem("a.md", 1, "x")])
    try:
        importer.import_courses(report)
    except importer.CourseImportError as error:
        assert str(error) == "Nội dung còn 1 lỗi; chưa nhập gì."
    else:
        raise AssertionError("an import with errors went ahead")
