"""A course's sources are shown to learners: on the course page, and linked from each lesson."""

from __future__ import annotations

from tests.learning.content import TAY, import_folder, write_course

SOURCES_MD = """---
title: Tiếng Nùng thử
category: ethnic-language
language: nut
level: beginner
hours: 1
summary: Khóa học có nguồn.
authors:
  - Nhóm biên soạn thử
sources:
  - Sách học tiếng Tày Nùng, Hoàng Văn Ma và cộng sự, 2002
  - "Slon phuối Tày - Nùng, bài 5, http://tay-nung.blogspot.com/2018/05/slon-phuoi-tay-nung-bai-5.html"
  - "Nguồn có <b>thẻ</b> lạ"
version: "1.0"
---

Giới thiệu.
"""


def make_sourced_course(root):
    folder = write_course(
        root,
        "tieng-nung-thu",
        "Tiếng Nùng thử",
        {"01-chao-hoi.md": "---\ntitle: Chào hỏi\nminutes: 5\n---\n\nBài.\n"},
    )
    (folder / "course.md").write_text(SOURCES_MD, encoding="utf-8")
    import_folder(folder)


def test_the_course_page_lists_its_sources(app, client, learner, tmp_path):
    make_sourced_course(tmp_path / "courses")

    page = client.get("/courses/tieng-nung-thu").get_data(as_text=True)

    assert 'id="nguon-tham-khao"' in page
    assert "Nguồn tham khảo" in page
    assert "Sách học tiếng Tày Nùng, Hoàng Văn Ma và cộng sự, 2002" in page
    # An address becomes a link that does not hand the page to the other site.
    assert (
        '<a href="http://tay-nung.blogspot.com/2018/05/slon-phuoi-tay-nung-bai-5.html"'
        ' rel="noopener noreferrer">'
    ) in page
    # Source text is text, never markup.
    assert "Nguồn có &lt;b&gt;thẻ&lt;/b&gt; lạ" in page
    assert "<b>thẻ</b>" not in page


def test_each_lesson_links_to_the_course_sources(app, client, learner, tmp_path):
    make_sourced_course(tmp_path / "courses")

    page = client.get("/courses/tieng-nung-thu/chao-hoi").get_data(as_text=True)

    assert 'href="/courses/tieng-nung-thu#nguon-tham-khao"' in page
    assert "Nguồn tham khảo của khóa học (3)" in page


def test_a_course_without_sources_shows_no_empty_section(app, client, learner, tay):
    course = client.get(f"/courses/{TAY}").get_data(as_text=True)
    lesson = client.get(f"/courses/{TAY}/chao-hoi").get_data(as_text=True)

    assert "nguon-tham-khao" not in course
    assert "nguon-tham-khao" not in lesson
