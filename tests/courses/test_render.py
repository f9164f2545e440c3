"""Rendering: our syntax becomes accessible HTML, and hostile markup never survives."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from lms.courses.format import AudioBlock, VocabBlock, VocabRow
from lms.courses.render import Links, audio_html, quiz_slot_html, render_markdown, vocab_html

LINKS = Links(
    course_slug="khoa",
    lessons={"01-bai-mot.md": "bai-mot"},
    media={"media/anh.png": "/media/khoa/aaa.png", "media/chao.mp3": "/media/khoa/bbb.mp3"},
)


def render(text: str) -> str:
    return render_markdown([text], LINKS)


HOSTILE = [
    ("<script>alert(1)</script>Chữ", "<p>Chữ</p>"),
    ('<img src="media/anh.png" onerror="alert(1)">', '<p><img src="/media/khoa/aaa.png"></p>'),
    ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
    ("[x](JaVaScRiPt:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', '<p><a rel="noopener noreferrer">x</a></p>'),
    (
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<p><a rel="noopener noreferrer">x</a></p>',
    ),
    ("![x](data:image/png;base64,AAAA)", '<p><img alt="x"></p>'),
    ('<svg><script>alert(1)</script><circle onload="x"/></svg>sau', "<p>sau</p>"),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "<p></p>"),
    ('<math href="javascript:alert(1)">CLICK</math>', ""),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
    ('<p style="background:url(javascript:alert(1))">css</p>', "<p>css</p>"),
    ('<div style="width: expression(alert(1))">ie</div>', "<div>ie</div>"),
    ("<style>body{display:none}</style>sau style", "<p>sau style</p>"),
    ("<b><i>mis</b>nested</i>", "<p><b><i>mis</i></b><i>nested</i></p>"),
    ('<iframe src="https://evil.example"></iframe>', ""),
    ('<form action="/admin"><input name=x></form>', ""),
    ('<object data="x.swf"></object><embed src="x.swf">', "<p></p>"),
    ('<base href="https://evil.example/"><meta http-equiv="refresh" content="0">', "<p></p>"),
    ('<link rel=stylesheet href="https://evil.example/x.css">', "<p></p>"),
    ('<a href="//evil.example/x">proto</a>', '<p><a rel="noopener noreferrer">proto</a></p>'),
    ('<a href="/admin/people">abs</a>', '<p><a rel="noopener noreferrer">abs</a></p>'),
    ('<img src="https://evil.example/track.png">', "<p><img></p>"),
    (
        '<div class="callout flash-error" data-x="1" id="main" role="alert">c</div>',
        '<div class="callout">c</div>',
    ),
    (
        '<a href="https://example.org" target="_blank" onclick="x()">ok</a>',
        '<p><a href="https://example.org" rel="noopener noreferrer">ok</a></p>',
    ),
    (
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        '<img>"&gt;',
    ),
    (
        '<details open ontoggle="alert(1)"><summary>s</summary>d</details>',
        "<details><summary>s</summary>d</details>",
    ),
    (
        '<audio src="media/chao.mp3" autoplay onplay="x"></audio>',
        '<p><audio src="/media/khoa/bbb.mp3"></audio></p>',
    ),
    ("<!-- <script>x</script> --><p>x</p>", "<p>x</p>"),
]


@pytest.mark.parametrize(("source", "expected"), HOSTILE, ids=[case[0][:40] for case in HOSTILE])
def test_hostile_markup_is_sanitised(source, expected):
    html = render(source)

    assert html == expected
    assert not re.search(
        r"<(script|style|svg|math|iframe|object|embed|form|base|meta|link)\b", html
    )
    assert not re.search(r"\son\w+=|style=|javascript:|data:", html, re.I)


def test_relative_addresses_become_course_urls_and_others_are_dropped():
    html = render(
        "[bài](01-bai-mot.md#cuoi) [khóa](course.md) [tệp](media/chao.mp3) [thư](mailto:a@b.vn) "
        "[mục](#y) [không có](02-khong.md) [ngoài](../x.md)"
    )
    assert html == (
        '<p><a href="/courses/khoa/bai-mot#cuoi" rel="noopener noreferrer">bài</a> '
        '<a href="/courses/khoa" rel="noopener noreferrer">khóa</a> '
        '<a href="/media/khoa/bbb.mp3" rel="noopener noreferrer">tệp</a> '
        '<a href="mailto:a@b.vn" rel="noopener noreferrer">thư</a> '
        '<a href="#y" rel="noopener noreferrer">mục</a> '
        '<a rel="noopener noreferrer">không có</a> <a rel="noopener noreferrer">ngoài</a></p>'
    )


def test_tables_align_without_style_attributes():
    html = render("| Tày | Việt |\n|:--|--:|\n| slam | ba |")
    assert '<th align="left">Tày</th>' in html
    assert '<td align="right">ba</td>' in html
    assert "style" not in html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "> [!NOTE]\n> Tiếng Tày có 6 thanh.",
            '<div class="callout callout-note" role="note">\n<p class="callout-title">Ghi chú</p>\n'
            "<p>Tiếng Tày có 6 thanh.</p>\n</div>",
        ),
        (
            "> [!tip] Mẹo *nhớ*\n> Đếm trên ngón tay.",
            '<div class="callout callout-tip" role="note">\n<p class="callout-title">Mẹo '
            "<em>nhớ</em></p>\n"
            "<p>Đếm trên ngón tay.</p>\n</div>",
        ),
        (
            "> [!WARNING]\n>\n> Đoạn sau.",
            '<div class="callout callout-warning" role="note">\n<p '
            'class="callout-title">Cảnh báo</p>\n'
            "<p>Đoạn sau.</p>\n</div>",
        ),
        (
            "> [!IMPORTANT] Chú ý",
            '<div class="callout callout-important" role="note">\n<p '
            'class="callout-title">Chú ý</p>\n</div>',
        ),
        ("> [!DANGER]\n> x", "<blockquote>\n<p>[!DANGER]\nx</p>\n</blockquote>"),
        ("> Trích dẫn thường.", "<blockquote>\n<p>Trích dẫn thường.</p>\n</blockquote>"),
    ],
)
def test_callouts(source, expected):
    assert render(source) == expected


def test_audio_block_has_player_caption_transcript_and_fallback_link():
    block = AudioBlock(
        src="media/chao.mp3", caption="Lời <chào>", transcript="Pây lăng?\n(Đi đâu?)"
    )

    html = render_markdown(["Trước.", audio_html(block), "Sau."], LINKS)

    assert html == (
        "<p>Trước.</p>\n"
        '<figure class="audio">\n'
        '<audio controls="" preload="none" src="/media/khoa/bbb.mp3">'
        '<a href="/media/khoa/bbb.mp3" rel="noopener noreferrer">Tải tệp âm thanh</a></audio>\n'
        "<figcaption>Lời &lt;chào&gt;</figcaption>\n"
        "<details><summary>Lời thoại</summary><p>Pây lăng?<br>(Đi đâu?)</p></details>\n"
        "</figure>\n"
        "<p>Sau.</p>"
    )


def test_vocabulary_rows_each_carry_audio_and_the_word_its_language():
    block = VocabBlock(
        caption="Số đếm",
        columns=("Tiếng Tày", "Tiếng Việt"),
        rows=[
            VocabRow(word="slam", meaning="ba", audio="media/chao.mp3", note=None),
            VocabRow(word=None, meaning="mười", audio="media/chao.mp3", note="chỉ có tiếng"),
        ],
    )

    html = render_markdown([vocab_html(block, "tyz")], LINKS)

    player = (
        '<audio controls="" preload="none" src="/media/khoa/bbb.mp3" aria-label="Nghe “{}”">'
        '<a href="/media/khoa/bbb.mp3" rel="noopener noreferrer">Tải tệp âm thanh</a></audio>'
    )
    assert html == (
        '<div class="table-wrap"><table class="vocab"><caption>Số đếm</caption>'
        '<thead><tr><th scope="col">Tiếng Tày</th><th scope="col">Tiếng Việt</th>'
        '<th scope="col">Nghe</th></tr></thead><tbody>'
        f'<tr><td lang="tyz">slam</td><td>ba</td><td>{player.format("slam")}</td></tr>'
        '<tr><td lang="tyz">—</td><td>mười<br><small class="vocab-note">chỉ có tiếng</small></td>'
        f"<td>{player.format('mười')}</td></tr>"
        "</tbody></table></div>"
    )


def test_block_text_is_escaped_not_interpreted():
    block = AudioBlock(
        src="media/chao.mp3", caption='<img src=x onerror="alert(1)">', transcript=None
    )
    html = render_markdown([audio_html(block)], LINKS)
    assert '<figcaption>&lt;img src=x onerror="alert(1)"&gt;</figcaption>' in html


def test_the_quiz_slot_marks_where_the_quiz_goes_and_nothing_else():
    html = render_markdown(["Đọc xong thì làm bài:", quiz_slot_html("on-tap")], LINKS)
    assert html == '<p>Đọc xong thì làm bài:</p>\n<div class="quiz-slot" data-quiz="on-tap"></div>'


def test_a_marker_typed_by_an_author_is_just_text():
    assert render("course-block-0123456789abcdef-0") == "<p>course-block-0123456789abcdef-0</p>"
    assert isinstance(quiz_slot_html("x"), Markup)


def test_two_callouts_separated_by_a_blank_line_stay_two_boxes():
    html = render("> [!NOTE]\n> Một.\n\n> [!TIP] Mẹo\n> Hai.")
    assert html.count('class="callout ') == 2
    assert '<p class="callout-title">Ghi chú</p>' in html
    assert '<p class="callout-title">Mẹo</p>' in html
    assert "[!TIP]" not in html
