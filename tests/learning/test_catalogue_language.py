"""Search in the learner's words: a search that names a language lists that language first."""

from __future__ import annotations

import re

import pytest

from lms.learning.queries import matches, names_language, understood_language
from tests.learning.content import TAY_TITLE, import_folder, write_course
from tests.learning.test_catalogue import titles

SIMPLE = {"01-bat-dau.md": "---\ntitle: Bắt đầu\nminutes: 10\n---\n\nNội dung.\n"}
DAO_TITLE = "Tiếng Dao nhập môn"
PHISHING_TITLE = "An toàn thông tin cho công chức"
NEIGHBOURS_TITLE = "Văn hóa các dân tộc vùng cao"


@pytest.mark.parametrize(
    ("query", "ignore", "code"),
    [
        ("dao", True, "ium"),
        ("Dao", True, "ium"),
        ("tiếng Dao", True, "ium"),
        ("TIENG  DAO", True, "ium"),
        ("tay", True, "tyz"),
        ("Tày", True, "tyz"),
        ("tiếng tày", False, "tyz"),
        ("nung", True, "nut"),
        ("mông", True, "hnj"),
        ("hmong", True, "hnj"),
        ("H\u2019Mông", True, "hnj"),
        ("Hmông Njua", True, "blu"),
        ("cao lan", True, "mlc"),
        ("san diu", True, "x-sandiu"),
        # Việt, Anh, Trung (Hoa), Pháp are everyday words too: left to the word search.
        ("hoa", True, None),
        ("anh", True, None),
        ("tiếng Việt", True, None),
        # Not a language's name as a whole, or only one when diacritics are ignored.
        ("tieng", True, None),
        ("", True, None),
        ("dao tao", True, None),
        ("lua dao", True, None),
        ("tiếng tày cơ bản", True, None),
        ("tay", False, None),
        ("đào", False, None),
        ("Tây", False, None),
    ],
)
def test_which_language_a_search_names(query, ignore, code):
    assert understood_language(query, ignore_diacritics=ignore) == code


@pytest.mark.parametrize(
    ("text", "code", "named"),
    [
        ("Ghi chép phong tục của người Dao ở Lạng Sơn.", "ium", True),
        ("Khóa đào tạo kỹ năng số.", "ium", False),
        ("Nhận biết tin nhắn lừa đảo.", "ium", False),
        ("Chữ Tày - Nùng năm 1961.", "tyz", True),
        ("Đi công tác phía Tây.", "tyz", False),
        ("Người Hmông ở vùng cao.", "hnj", True),
    ],
)
def test_a_text_names_a_language_only_as_written(text, code, named):
    assert names_language(text, code) is named


@pytest.mark.parametrize(
    ("query", "text", "found"),
    [
        ("an", "An toàn thông tin", True),
        ("an", "Đăng ký tài khoản", False),
        ("toan", "An toàn thông tin", True),
        ("dao", "Nhận biết lừa đảo", True),
        ("dao", "Phòng chống lừa đảo qua mạng", True),
        ("ao", "Nhận biết lừa đảo", False),
    ],
)
def test_short_query_words_must_start_a_word(query, text, found):
    assert matches(query, text, ignore_diacritics=True) is found


@pytest.fixture
def language_courses(app, tmp_path, tay):
    """The Tày course, a Dao course, a phishing course and one that names the Dao people."""
    root = tmp_path / "courses"
    import_folder(
        write_course(
            root,
            "tieng-dao",
            DAO_TITLE,
            SIMPLE,
            language="ium",
            summary="Những câu chào hỏi đầu tiên.",
        )
    )
    import_folder(
        write_course(
            root,
            "an-toan-thong-tin",
            PHISHING_TITLE,
            SIMPLE,
            category="digital-skills",
            language="vi",
            summary="Nhận biết tin nhắn lừa đảo; khóa đào tạo bắt buộc.",
        )
    )
    import_folder(
        write_course(
            root,
            "van-hoa-vung-cao",
            NEIGHBOURS_TITLE,
            SIMPLE,
            category="digital-skills",
            language="vi",
            summary="Phong tục của người Dao, người Tày và người Nùng.",
        )
    )
    return tay


def test_dao_finds_the_dao_language_and_its_courses_first(client, learner, language_courses):
    response = client.get("/courses/?q=dao&bo_dau=1")
    page = response.get_data(as_text=True)

    # The Dao course first; then the course that names the Dao people; never "lừa đảo".
    assert titles(response) == [DAO_TITLE, NEIGHBOURS_TITLE]
    assert re.search(r"Ngôn ngữ: Tiếng Dao\s*<span class=\"muted\">\(1 khóa học\)", page)
    assert "2 khóa học phù hợp với “dao”" in page


def test_a_language_without_courses_is_still_shown(client, learner, language_courses):
    page = client.get("/courses/", query_string={"q": "tiếng Sán Dìu", "bo_dau": "1"})
    text = page.get_data(as_text=True)

    assert "Ngôn ngữ: Tiếng Sán Dìu" in text
    assert "(0 khóa học)" in text
    assert "Chưa có khóa học nào về Tiếng Sán Dìu." in text
    assert titles(page) == []


def test_tay_ranks_the_tay_courses_before_courses_that_name_the_tay(
    client, learner, language_courses
):
    for query in ("tay", "Tày", "tieng tay"):
        response = client.get("/courses/", query_string={"q": query, "bo_dau": "1"})
        assert titles(response) == [TAY_TITLE, NEIGHBOURS_TITLE], query
        assert "Ngôn ngữ: Tiếng Tày" in response.get_data(as_text=True)


def test_a_search_that_names_no_language_matches_words_as_before(client, learner, language_courses):
    response = client.get("/courses/?q=lua+dao&bo_dau=1")

    assert titles(response) == [PHISHING_TITLE]
    assert "Ngôn ngữ:" not in response.get_data(as_text=True)


def test_a_language_search_costs_one_query_more(client, learner, language_courses, count_queries):
    def search(query: str):
        return lambda: client.get("/courses/", query_string={"q": query, "bo_dau": "1"})

    search("x")()
    # One more for a language: its dictionary's count.
    assert count_queries(search("dao")) == count_queries(search("tieng")) + 1


def test_a_language_search_links_the_language_s_dictionary(client, learner, language_courses):
    from lms.db import db
    from lms.dictionary import services as dictionary
    from tests.dictionary.files import dictionary_csv, entry_line

    dictionary.import_file(
        "tay.csv", dictionary_csv(entry_line("kin", "kin", "ăn"), entry_line("ma", "mà", "về"))
    )
    db.session.commit()
    page = client.get("/courses/", query_string={"q": "tay", "bo_dau": "1"}).text
    assert 'href="/dictionary/tyz"' in page and "2 mục từ" in page
    nung = client.get("/courses/", query_string={"q": "nung", "bo_dau": "1"}).text
    assert "/dictionary/nut" not in nung  # no entries yet: no link
