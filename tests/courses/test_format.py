"""The course format: every rule reported at the real line of the file, values read as written."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from lms.courses import checker
from tests.courses.conftest import EXAMPLE

COURSE = """---
title: Khóa học thử
category: digital-skills
language: vi
level: beginner
hours: 2
summary: Khóa học để thử định dạng.
authors: [Nhóm kiểm thử]
version: "1"
---
"""
LESSON = """---
title: Bài một
minutes: 10
---

Nội dung bài một.
"""
MP3 = (EXAMPLE / "media" / "chao.mp3").read_bytes()
PNG = (EXAMPLE / "media" / "ban-phim.png").read_bytes()


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def check(folder: Path) -> checker.CheckReport:
    sources, is_collection = checker.load_folder(folder)
    return checker.check_courses(sources, is_collection=is_collection)


def problems(tmp_path: Path, files: dict[str, str | bytes], slug: str = "khoa-thu") -> list[str]:
    """Check a course made of the default files overridden by files; return short problems."""
    folder = write(tmp_path / slug, {"course.md": COURSE, "01-bai-mot.md": LESSON, **files})
    return [str(problem).removeprefix(f"{folder}/") for problem in check(folder).problems]


def lesson(body: str, front: str = "title: Bài một\nminutes: 10\n") -> str:
    return f"---\n{front}---\n\n{body}\n"


def test_the_example_course_is_valid_and_read_as_written(app):
    report = check(EXAMPLE.parent)

    assert report.problems == []
    course = report.courses[0]
    assert course.slug == "mau-tieng-tay"
    assert course.meta.hours == Decimal("1.5")  # written "1,5"
    assert course.meta.version == "1.10"  # a plain 1.10, not the float 1.1
    assert [(lesson.position, lesson.slug, lesson.is_required) for lesson in course.lessons] == [
        (1, "chao-hoi", True),
        (2, "so-dem", True),
        (3, "nghe-them", False),
    ]
    assert sorted(media.path for media in course.media) == [
        "media/ban-phim.png",
        "media/chao.mp3",
        "media/so-dem/slam.ogg",
        "media/so-dem/slip.mp3",
    ]


# Front matter --------------------------------------------------------------------------------


def test_a_file_without_front_matter(tmp_path):
    assert problems(tmp_path, {"01-bai-mot.md": "# Bài một\n"}) == [
        "01-bai-mot.md:1: lỗi: Tệp phải bắt đầu bằng phần đầu (front matter): dòng “---”, các "
        "dòng “khóa: giá trị”, rồi dòng “---”."
    ]


def test_front_matter_that_is_never_closed(tmp_path):
    assert problems(tmp_path, {"01-bai-mot.md": "---\ntitle: Bài một\nminutes: 10\n"}) == [
        "01-bai-mot.md:1: lỗi: Phần đầu (front matter) mở ở dòng 1 nhưng không có dòng “---” "
        "đóng lại."
    ]


def test_missing_and_empty_keys(tmp_path):
    course = COURSE.replace("summary: Khóa học để thử định dạng.\n", "").replace(
        "title: Khóa học thử", "title:"
    )
    assert problems(tmp_path, {"course.md": course}) == [
        "course.md:1: lỗi: Thiếu khóa bắt buộc “summary”.",
        "course.md:2: lỗi: “title” không được để trống.",
    ]


def test_a_repeated_key_names_the_first_line(tmp_path):
    course = COURSE.replace('version: "1"', 'version: "1"\ntitle: Tên khác')
    assert problems(tmp_path, {"course.md": course}) == [
        "course.md:10: lỗi: Khóa “title” bị lặp lại (lần đầu ở dòng 2)."
    ]


def test_an_unknown_key_without_a_close_match_lists_the_keys(tmp_path):
    course = COURSE.replace('version: "1"', 'version: "1"\nprice: 0')
    assert problems(tmp_path, {"course.md": course}) == [
        "course.md:10: lỗi: Khóa “price” không có trong định dạng. Các khóa dùng được: title, "
        "title_en, category, language, level, hours, summary, authors, sources, version, audience, "
        "synthetic_audio."
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "category: tin-hoc",
            "course.md:3: lỗi: “category” là “tin-hoc”, phải là một trong: digital-skills, "
            "foreign-language, ethnic-language.",
        ),
        (
            "language: tay",
            "course.md:4: lỗi: “language” là “tay”, phải là một trong: vi, en, zh, fr, tyz, nut, "
            "hnj, blu, ium, mlc, x-sandiu.",
        ),
        (
            "level: A1",
            "course.md:5: lỗi: “level” là “A1”, phải là một trong: beginner, intermediate, "
            "advanced.",
        ),
        (
            "hours: 0",
            "course.md:6: lỗi: “hours” (số tiết) phải là số dương, tối đa 2 chữ số thập phân, "
            "không quá 500 (ví dụ 8 hoặc 1,5).",
        ),
        (
            "hours: 1.255",
            "course.md:6: lỗi: “hours” (số tiết) phải là số dương, tối đa 2 chữ số thập phân, "
            "không quá 500 (ví dụ 8 hoặc 1,5).",
        ),
        (
            "authors: []",
            "course.md:8: lỗi: “authors” cần ít nhất một tên.",
        ),
        (
            "summary: [một, hai]",
            "course.md:7: lỗi: “summary” phải là một giá trị, không phải danh sách hay bảng.",
        ),
    ],
)
def test_course_values_are_checked_at_their_line(tmp_path, line, message):
    key = line.split(":")[0]
    course = "\n".join(line if row.startswith(f"{key}:") else row for row in COURSE.split("\n"))
    assert problems(tmp_path, {"course.md": course}) == [message]


def test_yaml_aliases_are_refused(tmp_path):
    course = COURSE.replace("title: Khóa học thử", "title: &t Khóa học thử").replace(
        "summary: Khóa học để thử định dạng.", "summary: *t"
    )
    assert problems(tmp_path, {"course.md": course}) == [
        "course.md:7: lỗi: Không dùng bí danh YAML (“&” và “*”)."
    ]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        (
            "title: Bài một\nminutes: 0\n",
            "01-bai-mot.md:3: lỗi: “minutes” phải là số nguyên từ 1 đến 600.",
        ),
        (
            "title: Bài một\nminutes: 10\nrequired: no\n",
            "01-bai-mot.md:4: lỗi: “required” phải là true hoặc false.",
        ),
        (
            "title: Bài một\nminute: 10\n",
            "01-bai-mot.md:3: lỗi: Khóa “minute” không có trong định dạng. Có phải là “minutes”?",
        ),
        (
            "- title\n- minutes\n",
            "01-bai-mot.md:2: lỗi: Phần đầu (front matter) phải gồm các dòng “khóa: giá trị”.",
        ),
    ],
)
def test_lesson_front_matter(tmp_path, front, message):
    found = problems(tmp_path, {"01-bai-mot.md": lesson("Nội dung.", front)})
    assert message in found


# Files and names -----------------------------------------------------------------------------


def test_file_names(tmp_path):
    found = problems(
        tmp_path,
        {"1-bai-hai.md": LESSON, "media/Chao Hoi.mp3": MP3, "ghi-chu/a.md": "x"},
        slug="Tin_Hoc",
    )
    assert found == [
        "1-bai-hai.md:1: lỗi: Tên bài học phải có dạng NN-ten-bai.md (ví dụ 01-chao-hoi.md).",
        "course.md:1: lỗi: Tên thư mục “Tin_Hoc” không dùng được làm mã khóa học: chỉ dùng chữ "
        "thường không dấu, số và dấu gạch ngang (ví dụ tieng-tay-co-ban).",
        "ghi-chu/a.md:1: lỗi: Tệp này không thuộc định dạng khóa học: chỉ có course.md, các bài "
        "NN-ten-bai.md và tệp âm thanh, hình ảnh trong thư mục media/.",
        "media/Chao Hoi.mp3:1: lỗi: Tên tệp media chỉ dùng chữ thường không dấu, số và các dấu "
        "- _ . (ví dụ media/chao-hoi.mp3).",
    ]


def test_duplicate_lesson_numbers_and_no_lessons(tmp_path):
    assert problems(tmp_path, {"01-bai-hai.md": LESSON}) == [
        "01-bai-mot.md:1: lỗi: Số thứ tự 01 trùng với bài “01-bai-hai.md”."
    ]
    folder = write(tmp_path / "trong", {"course.md": COURSE})
    assert [str(p) for p in check(folder).problems] == [
        f"{folder}/course.md:1: lỗi: Khóa học chưa có bài học nào (tệp NN-ten-bai.md)."
    ]


def test_markdown_files_are_limited_to_one_megabyte(tmp_path):
    big = lesson("Chữ. " * 210_000)
    assert problems(tmp_path, {"01-bai-mot.md": big}) == [
        "01-bai-mot.md:1: lỗi: Tệp văn bản lớn quá 1 MB; hãy chia thành nhiều bài."
    ]


def test_an_empty_lesson(tmp_path):
    assert problems(tmp_path, {"01-bai-mot.md": lesson("")}) == [
        "01-bai-mot.md:4: lỗi: Bài học chưa có nội dung."
    ]


def test_hidden_files_are_ignored_and_symlinks_refused(tmp_path):
    outside = write(tmp_path / "ngoai", {"bi-mat.md": LESSON})
    folder = write(tmp_path / "khoa-thu", {"course.md": COURSE, "01-bai-mot.md": LESSON})
    write(folder, {".DS_Store": b"\x00", "__MACOSX/._x": b"\x00"})
    os.symlink(outside / "bi-mat.md", folder / "02-bi-mat.md")
    assert [str(p) for p in check(folder).problems] == [
        f"{folder}/02-bi-mat.md:1: lỗi: Không nhận liên kết tượng trưng (symlink); hãy chép tệp "
        "thật vào thư mục."
    ]


def test_a_folder_of_courses_ignores_files_and_hidden_folders(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "mau-tieng-tay")
    write(tmp_path, {"README.md": "# Nội dung\n", ".git/config": "x", "_nhap/x.md": "x"})
    report = check(tmp_path)
    assert report.problems == []
    assert report.is_collection
    assert [course.slug for course in report.courses] == ["mau-tieng-tay"]


# Links and media -----------------------------------------------------------------------------


def test_links_and_media_references(tmp_path):
    body = "\n".join(
        [
            "[khóa học](course.md) [bài một](01-bai-mot.md#cuoi) [web](https://example.org)",
            "[thư](mailto:a@example.org) [mục](#phan-2)",
            "![ảnh](media/chao.mp3)",
            "![ảnh ngoài](https://example.org/a.png)",
            "[tệp](../khac/01-a.md) [tuyệt đối](/etc/passwd)",
            '<img src="data:image/png;base64,AAAA"> <a href="media/khong-co.png">x</a>',
            "[ref]: 05-khong-co.md",
            "`[trong mã](03-khong-co.md)`",
            "",
            "```",
            "[trong khối mã](04-khong-co.md)",
            "> [!DANGER] trong khối mã",
            "```",
        ]
    )
    found = problems(tmp_path, {"01-bai-mot.md": lesson(body), "media/chao.mp3": MP3})
    assert found == [
        "01-bai-mot.md:8: lỗi: “media/chao.mp3” không phải tệp hình ảnh (png, jpeg, webp).",
        "01-bai-mot.md:9: lỗi: Ảnh “https://example.org/a.png” ở trang web khác sẽ không hiện; "
        "hãy chép ảnh vào media/.",
        "01-bai-mot.md:10: lỗi: Địa chỉ “../khac/01-a.md” không trỏ tới bài học (NN-ten-bai.md), "
        "course.md hay tệp trong media/ của khóa học.",
        "01-bai-mot.md:10: lỗi: Địa chỉ “/etc/passwd” không trỏ tới bài học (NN-ten-bai.md), "
        "course.md hay tệp trong media/ của khóa học.",
        "01-bai-mot.md:11: lỗi: Địa chỉ “data:image/png;base64,AAAA” không được phép: chỉ dùng "
        "http, https, mailto, bài học hoặc tệp trong media/.",
        "01-bai-mot.md:11: lỗi: Không tìm thấy tệp media “media/khong-co.png”.",
        "01-bai-mot.md:12: lỗi: Liên kết tới “05-khong-co.md” nhưng khóa học không có bài này.",
        "media/chao.mp3:1: cảnh báo: Tệp media không được bài nào dùng; tệp này sẽ không "
        "được nhập.",
    ]


def test_audio_and_vocab_blocks(tmp_path):
    body = "\n".join(
        [
            "```audio",
            "src: media/ban-phim.png",
            "caption: Lời chào",
            "```",
            "",
            "```vocab",
            "columns: [Tiếng Tày]",
            "rows:",
            "  - word: slam",
            "    meaning: ba",
            "  - meaning: mười",
            "    audio: https://example.org/a.mp3",
            "```",
            "",
            "```audio",
            "caption: [a, b]",
            "```",
        ]
    )
    found = problems(tmp_path, {"01-bai-mot.md": lesson(body), "media/ban-phim.png": PNG})
    assert found == [
        "01-bai-mot.md:7: lỗi: “media/ban-phim.png” không phải tệp âm thanh (mp3, ogg, m4a).",
        "01-bai-mot.md:12: lỗi: “columns” phải có đúng hai tên cột: cột từ và cột nghĩa.",
        "01-bai-mot.md:14: lỗi: Thiếu khóa bắt buộc “audio”.",
        "01-bai-mot.md:17: lỗi: “https://example.org/a.mp3” phải là đường dẫn tới tệp trong "
        "media/ (ví dụ media/chao-hoi.mp3).",
        "01-bai-mot.md:20: lỗi: Thiếu khóa bắt buộc “src”.",
        "01-bai-mot.md:21: lỗi: “caption” phải là một giá trị, không phải danh sách hay bảng.",
        "media/ban-phim.png:1: cảnh báo: Tệp media không được bài nào dùng; tệp này sẽ không được "
        "nhập.",
    ]


def test_a_spoken_only_lesson_needs_no_text(tmp_path):
    body = "```vocab\nrows:\n  - meaning: ba\n    audio: media/ba.mp3\n```"
    folder = write(
        tmp_path / "san-diu",
        {
            "course.md": COURSE.replace("language: vi", "language: x-sandiu"),
            "01-so-dem.md": lesson(body),
            "media/ba.mp3": MP3,
        },
    )
    report = check(folder)
    assert report.problems == []
    html = report.courses[0].lessons[0].html
    assert '<td lang="x-sandiu">—</td><td>ba</td>' in html
    assert 'aria-label="Nghe “ba”"' in html


def test_media_content_must_match_its_name(tmp_path):
    found = problems(
        tmp_path,
        {"01-bai-mot.md": lesson("![ảnh](media/anh.mp3)"), "media/anh.mp3": PNG},
    )
    assert found == [
        "media/anh.mp3:1: lỗi: Tên tệp có đuôi “.mp3” nhưng nội dung là PNG; hãy đặt lại tên cho "
        "đúng."
    ]


def test_a_block_of_yaml_with_a_syntax_error_names_its_line(tmp_path):
    body = 'Đoạn mở đầu.\n\n```audio\nsrc: media/a.mp3\ncaption: "Lời chào\n```'
    assert problems(tmp_path, {"01-bai-mot.md": lesson(body)}) == [
        "01-bai-mot.md:10: lỗi: YAML không hợp lệ ở cột 19: hãy kiểm tra thụt lề, dấu hai chấm và "
        "dấu nháy."
    ]


def test_quizzes_belong_in_lessons(tmp_path):
    course = COURSE + (
        "\n```quiz\nid: a\npass_mark: 50\nquestions:\n  - type: true-false\n    prompt: "
        "Đúng?\n    answer: true\n```\n"
    )
    assert problems(tmp_path, {"course.md": course}) == [
        "course.md:12: lỗi: Bài kiểm tra phải nằm trong một bài học, không ở course.md."
    ]
