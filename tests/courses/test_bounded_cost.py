"""Markdown whose rendering would cost far more than its size is refused, with its place."""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import pytest

from lms.courses.checker import check_courses, load_folder
from tests.courses.conftest import snapshot, zip_bytes
from tests.courses.test_views import text, upload

COURSE_MD = """---
title: Khóa thử
category: digital-skills
language: vi
level: beginner
hours: 1
summary: Khóa học thử.
authors:
  - Nhóm thử
sources:
  - Nguồn thử
version: "1.0"
---

Giới thiệu.

"""
FIRST_BODY_LINE = 17
LESSON_MD = "---\ntitle: Bài một\nminutes: 5\n---\n\nNội dung.\n"
REAL_COURSES = Path(__file__).resolve().parents[2] / "courses"


def _paragraph(unit: str, count: int, width: int = 2000) -> str:
    """unit repeated count times, wrapped in lines of width characters: one paragraph."""
    text = unit * count
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) + "\n"


def course_zip(body: str) -> bytes:
    # Stored, so the archive's compression check does not refuse it before its text is read.
    files = {"khoa-thu/course.md": COURSE_MD + body, "khoa-thu/01-bai-mot.md": LESSON_MD}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        pytest.param(
            _paragraph("[", 12_000),
            FIRST_BODY_LINE,
            "Dấu ngoặc “[” hoặc “(” của liên kết lồng nhau quá 4 lớp",
            id="12000-open-brackets",
        ),
        pytest.param(
            "Xem [mục 1 và [mục 2\n\nĐoạn khác.\n",
            FIRST_BODY_LINE,
            "Dấu “[” không có dấu “]” đóng trong cùng đoạn văn (2 dấu như vậy",
            id="open-brackets",
        ),
        pytest.param(
            "Đoạn một.\n\n" + "[a](" * 3 + "\n",
            FIRST_BODY_LINE + 2,
            "Liên kết “](” không có dấu “)” đóng trong cùng đoạn văn (3 chỗ như vậy",
            id="open-link-parens",
        ),
        pytest.param(
            _paragraph("[a](", 10_000) + _paragraph(")", 10_000),
            FIRST_BODY_LINE,
            "Dấu ngoặc “[” hoặc “(” của liên kết lồng nhau quá 4 lớp",
            id="link-parens-closed-late",
        ),
        pytest.param(
            "Đoạn.\n" + "<a \n" * 3,
            FIRST_BODY_LINE + 1,
            "Dấu “<” mở một thẻ HTML nhưng không có dấu “>” đóng trên cùng dòng (3 chỗ",
            id="open-tags",
        ),
        pytest.param(
            "".join(">" * depth + " x\n" for depth in range(1, 20)),
            FIRST_BODY_LINE + 10,
            "Trích dẫn, danh sách hoặc thụt lề lồng nhau quá 10 lớp (9 dòng như vậy",
            id="nested-quotes",
        ),
        pytest.param(
            "".join("    " * depth + "- x\n" for depth in range(400)),
            FIRST_BODY_LINE + 10,
            "Trích dẫn, danh sách hoặc thụt lề lồng nhau quá 10 lớp",
            id="nested-lists",
        ),
        pytest.param(
            "- " * 20 + "x\n",
            FIRST_BODY_LINE,
            "Trích dẫn, danh sách hoặc thụt lề lồng nhau quá 10 lớp",
            id="nested-lists-on-one-line",
        ),
        pytest.param(
            "~~~a\n" * 20_000,  # each unclosed fence looked for its end in every later line
            14 + 10_000,  # the Markdown starts on line 14, after the front matter
            "Tệp có quá 10000 dòng; dòng này vượt quá giới hạn.",
            id="unclosed-fences",
        ),
        pytest.param(
            "Đoạn.\n" + "chữ " * 1300 + "\n",
            FIRST_BODY_LINE + 1,
            "Dòng dài quá 5000 ký tự (1 dòng như vậy",
            id="long-line",
        ),
        pytest.param(
            _paragraph("*a* ", 12_000, width=400),  # 200 marks a line
            FIRST_BODY_LINE + 100,
            "Tệp có quá 20000 dấu định dạng Markdown",
            id="many-marks",
        ),
    ],
)
def test_costly_markdown_is_refused_with_its_place(client, editor, body, line, message):
    before = snapshot()

    response = upload(client, course_zip(body), "khoa-thu.zip", check_only="1")

    page = html.unescape(text(response))
    assert response.status_code == 400
    assert f"khoa-thu/course.md:{line}" in page or f"course.md</a>:{line}" in page, page
    assert message in page
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        "`" * 1000 + "\n",  # the search for code spans was cubic: 14 s
        "[a](https://example.vn)\n" * 400 + "\n" + "Xem \\[chú thích và `a[0` ở đây.\n",
        "> [!NOTE]\n> Ghi chú với [liên kết](01-bai-mot.md).\n",
    ],
    ids=["backticks", "links-and-escapes", "callout"],
)
def test_ordinary_markdown_of_any_length_passes(client, editor, body):
    response = upload(client, course_zip(body), "khoa-thu.zip", check_only="1")

    assert response.status_code == 200, html.unescape(text(response))


def test_the_real_courses_pass_the_bounds(app):
    sources, _is_collection = load_folder(REAL_COURSES)

    report = check_courses(sources, is_collection=True)

    assert report.errors == []
    assert len(report.courses) == 4


def test_a_compressed_bomb_is_refused_before_it_is_read(client, editor):
    data = zip_bytes({"khoa-thu/course.md": COURSE_MD + "x\n" * 500_000, "khoa-thu/01-a.md": ""})

    response = upload(client, data, "khoa-thu.zip", check_only="1")

    assert response.status_code == 400
    assert "tỉ lệ nén quá cao" in text(response)
