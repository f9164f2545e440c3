"""Each kind of broken course: `flask courses check` names the exact place, import keeps out."""

from __future__ import annotations

import pytest

from lms.courses.models import Course, Lesson
from lms.db import db
from tests.courses.conftest import BROKEN, snapshot

ERRORS = {
    "bad-front-matter": (
        "course.md:2: lỗi: YAML không hợp lệ ở cột 16: hãy kiểm tra thụt lề, dấu hai chấm và "
        "dấu nháy."
    ),
    "unknown-key": (
        "course.md:10: lỗi: Khóa “author” không có trong định dạng. Có phải là “authors”?"
    ),
    "duplicate-slug": (
        "02-bai-mot.md:1: lỗi: Mã bài “bai-mot” trùng với bài “01-bai-mot.md”; mỗi bài cần một "
        "mã riêng."
    ),
    "missing-media": "01-bai-mot.md:9: lỗi: Không tìm thấy tệp media “media/khong-co.mp3”.",
    "broken-link": (
        "01-bai-mot.md:8: lỗi: Liên kết tới “02-bai-hai.md” nhưng khóa học không có bài này."
    ),
    "bad-quiz": (
        "01-bai-mot.md:15: lỗi: Đáp án “Internet” không trùng với lựa chọn nào trong “choices”."
    ),
    "legacy-font": (
        "01-bai-mot.md:8: lỗi: Ký tự “ƣ” (U+01A3) do phông chữ cũ để lại; hãy thay bằng “ư”."
    ),
    "svg-media": (
        "media/bieu-tuong.svg:1: lỗi: Không nhận tệp SVG (có thể chứa mã chạy được); hãy dùng "
        "PNG hoặc WebP."
    ),
    "fake-media": (
        "media/chao.mp3:1: lỗi: Nội dung tệp không phải âm thanh (mp3, ogg, m4a) hay hình ảnh "
        "(png, jpeg, webp)."
    ),
    "stray-file": (
        "ghi-chu.txt:1: lỗi: Tệp này không thuộc định dạng khóa học: chỉ có course.md, các bài "
        "NN-ten-bai.md và tệp âm thanh, hình ảnh trong thư mục media/."
    ),
    "missing-course-file": "course.md:1: lỗi: Thiếu tệp course.md.",
    "unclosed-block": (
        "01-bai-mot.md:8: lỗi: Khối “audio” mở ở dòng này nhưng không có dòng “```” đóng lại."
    ),
    "bad-callout": (
        "01-bai-mot.md:6: lỗi: Loại hộp chú thích “[!DANGER]” không có; dùng NOTE, TIP, "
        "IMPORTANT hoặc WARNING."
    ),
    "bad-lesson-meta": "01-bai-mot.md:3: lỗi: “minutes” phải là số nguyên từ 1 đến 600.",
    "unsafe-link": (
        "01-bai-mot.md:6: lỗi: Địa chỉ “javascript:alert(1)” không được phép: chỉ dùng http, "
        "https, mailto, bài học hoặc tệp trong media/."
    ),
    "not-utf8": (
        "01-bai-mot.md:8: lỗi: Tệp không phải văn bản UTF-8 (có byte lạ ở dòng này); hãy lưu "
        "lại dạng UTF-8."
    ),
}
WARNINGS = {
    "non-nfc": (
        "01-bai-mot.md:8: cảnh báo: Văn bản chưa ở dạng Unicode NFC (1 dòng, dòng đầu tiên ở "
        "đây); sẽ được chuẩn hóa NFC khi nhập."
    ),
    "mixed-apostrophes": (
        "01-bai-mot.md:8: cảnh báo: Dấu nháy “’” (U+2019) trong “t’ua” khác với dấu “'” "
        "(U+0027) dùng ở 2 chỗ khác trong khóa học; hãy dùng một loại."
    ),
}


def test_every_broken_fixture_has_a_test():
    folders = {path.name for path in BROKEN.iterdir() if path.is_dir()}
    assert folders == set(ERRORS) | set(WARNINGS)


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_check_prints_the_exact_place_and_fails(runner, kind):
    folder = BROKEN / kind

    result = runner.invoke(args=["courses", "check", str(folder)])

    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if ": lỗi: " in line]
    assert problems == [f"{folder}/{ERRORS[kind]}"]


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_import_of_a_broken_course_changes_nothing(app, runner, kind):
    before = snapshot()

    result = runner.invoke(args=["courses", "import", str(BROKEN / kind)])

    assert result.exit_code == 1
    assert f"{BROKEN / kind}/{ERRORS[kind]}" in result.stderr
    assert "Không nhập gì: có 1 lỗi." in result.stderr
    assert snapshot() == before


@pytest.mark.parametrize("kind", sorted(WARNINGS))
def test_warnings_are_printed_but_do_not_fail(runner, kind):
    folder = BROKEN / kind

    result = runner.invoke(args=["courses", "check", str(folder)])

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"{folder}/{WARNINGS[kind]}"]
    assert "0 lỗi, 1 cảnh báo" in result.stdout


def test_text_not_in_nfc_is_stored_in_nfc(app, runner):
    result = runner.invoke(args=["courses", "import", str(BROKEN / "non-nfc")])

    assert result.exit_code == 0, result.output
    lesson = db.session.query(Lesson).one()
    assert "<p>Tiếng Việt viết ở dạng tổ hợp.</p>" in lesson.body_html
    assert "Tie\u0302\u0301ng" not in lesson.body_html


def test_checking_a_folder_of_courses_reports_every_course(runner):
    result = runner.invoke(args=["courses", "check", str(BROKEN)])

    assert result.exit_code == 1
    for kind, message in ERRORS.items():
        assert f"{BROKEN}/{kind}/{message}" in result.stderr
    total = len(ERRORS) + len(WARNINGS)
    assert f"Đã kiểm tra {total} khóa học" in result.stdout


def test_importing_the_broken_collection_adds_no_course(app, runner):
    result = runner.invoke(args=["courses", "import", str(BROKEN)])

    assert result.exit_code == 1
    assert db.session.query(Course).count() == 0
