"""The catalogue: three categories, and search that ignores diacritics when asked."""

from __future__ import annotations

import re
import unicodedata

import pytest

from lms.learning.queries import matches
from tests.learning.content import TAY, TAY_TITLE, import_folder, make_other_courses, write_course
from tests.learning.steps import finish_lesson

NFD = "NFD"


def titles(response) -> list[str]:
    """Return the course titles listed on a catalogue page, in order."""
    return re.findall(
        r'<h3><a href="/courses/[^"]+">([^<]+)</a></h3>', response.get_data(as_text=True)
    )


@pytest.mark.parametrize(
    ("query", "text", "ignore", "found"),
    [
        ("tieng tay", "Tiếng Tày giao tiếp", True, True),
        ("TIENG TAY", "Tiếng Tày giao tiếp", True, True),
        ("tay tieng", "Tiếng Tày giao tiếp", True, True),
        (unicodedata.normalize(NFD, "Tiếng Tày"), "Tiếng Tày giao tiếp", True, True),
        (unicodedata.normalize(NFD, "tiếng tày"), "Tiếng Tày giao tiếp", False, True),
        ("dang ky", "Đăng ký tài khoản", True, True),
        ("đăng", "dang ky", True, True),
        ("t\u2019ua", "chữ t'ua", True, True),
        ("t\u02bcua", "chữ t'ua", True, True),
        ("t'ua", "chữ t\u2019ua", False, True),
        ("t\u02bcua", "chữ t\u2019ua", False, True),
        ("tieng tay", "Tiếng Tày giao tiếp", False, False),
        ("tiếng tây", "Tiếng Tày giao tiếp", False, False),
        ("TIẾNG TÀY", "Tiếng Tày giao tiếp", False, True),
        ("tieng nung", "Tiếng Tày giao tiếp", True, False),
    ],
)
def test_search_matching_rules(query, text, ignore, found):
    assert matches(query, text, ignore_diacritics=ignore) is found


def test_catalogue_groups_courses_by_the_three_categories(client, learner, catalogue_courses):
    page = client.get("/courses/").get_data(as_text=True)

    headings = re.findall(r'<h2 id="group-([a-z-]+)">([^<]+)', page)
    assert [(key, label.strip()) for key, label in headings] == [
        ("digital-skills", "Năng lực số"),
        ("foreign-language", "Ngoại ngữ"),
        ("ethnic-language", "Tiếng dân tộc"),
    ]
    sections = re.split(r'<h2 id="group-', page)[1:]
    assert "Kỹ năng số cho công chức" in sections[0]
    assert "Tiếng Anh giao tiếp" in sections[1]
    assert TAY_TITLE in sections[2]
    assert "1,5 tiết" in sections[2]


def test_search_without_diacritics_is_on_by_default(client, learner, catalogue_courses):
    first_visit = client.get("/courses/").get_data(as_text=True)
    assert re.search(r'name="bo_dau" value="1"\s+checked', first_visit)

    response = client.get("/courses/?q=tieng+tay&bo_dau=1")

    assert titles(response) == [TAY_TITLE]
    assert "1 khóa học phù hợp với “tieng tay”" in response.get_data(as_text=True)


def test_search_in_the_summary_treats_d_and_apostrophes_alike(client, learner, catalogue_courses):
    assert titles(client.get("/courses/?q=dang+ky+dinh+danh&bo_dau=1")) == [
        "Kỹ năng số cho công chức"
    ]
    # The Tày summary is written with U+0027; the learner types U+2019 or U+02BC.
    for typed in ("chữ t\u2019ua", "chu t\u02bcua"):
        assert titles(client.get("/courses/", query_string={"q": typed, "bo_dau": "1"})) == [
            TAY_TITLE
        ]


def test_search_with_diacritics_respects_them_and_accepts_nfd(client, learner, catalogue_courses):
    # Unticking the box sends q without bo_dau.
    off = client.get("/courses/?q=tieng+tay")
    assert titles(off) == []
    assert not re.search(r'name="bo_dau" value="1"\s+checked', off.get_data(as_text=True))

    nfd = unicodedata.normalize(NFD, "tiếng tày")
    assert titles(client.get("/courses/", query_string={"q": nfd})) == [TAY_TITLE]
    assert titles(client.get("/courses/", query_string={"q": "Tiếng Tây"})) == []


def test_empty_search_lists_every_current_course_in_vietnamese_order(
    client, learner, catalogue_courses, tmp_path
):
    import_folder(
        write_course(
            tmp_path / "more",
            "dan-ca",
            "Đàn tính và dân ca Tày",
            {"01-mot.md": "---\ntitle: Một\nminutes: 5\n---\n\nBài.\n"},
        )
    )
    # Vietnamese order puts "Đ" after "D" and before "T", whatever the code points say.
    assert titles(client.get("/courses/?q=")) == [
        "Kỹ năng số cho công chức",
        "Tiếng Anh giao tiếp",
        "Đàn tính và dân ca Tày",
        TAY_TITLE,
    ]


def test_retired_courses_leave_the_catalogue(client, learner, tay, tmp_path):
    root = tmp_path / "all"
    make_other_courses(root)
    # Importing the whole folder, where the Tày course is missing, retires it.
    import_folder(root)

    assert TAY_TITLE not in titles(client.get("/courses/"))
    assert client.get(f"/courses/{TAY}").status_code == 404
    assert client.get(f"/courses/{TAY}/chao-hoi").status_code == 404


def test_catalogue_shows_my_progress(client, learner, tay):
    finish_lesson(client, "chao-hoi")

    page = client.get("/courses/").get_data(as_text=True)

    assert "Đang học: 1/2 bài" in page


def test_catalogue_needs_a_fixed_number_of_queries(client, learner, tay, tmp_path, count_queries):
    def load():
        assert client.get("/courses/?q=tieng&bo_dau=1").status_code == 200

    finish_lesson(client, "chao-hoi")
    load()
    few = count_queries(load)
    for number in range(8):
        import_folder(
            write_course(
                tmp_path / "many",
                f"tieng-tay-{number}",
                f"Tiếng Tày nâng cao {number}",
                {
                    "01-mot.md": "---\ntitle: Một\nminutes: 5\n---\n\nBài.\n",
                    "02-hai.md": "---\ntitle: Hai\nminutes: 5\n---\n\nBài.\n",
                },
            )
        )
    for number in range(8):
        response = client.post(
            f"/courses/tieng-tay-{number}/mot/complete",
            data={"event_id": f"00000000-0000-4000-8000-{number:012d}"},
        )
        assert response.status_code == 302
    load()  # new courses: the reference data is read anew, once (lms.reference)
    many = count_queries(load)

    assert len(titles(client.get("/courses/?q=tieng&bo_dau=1"))) == 9
    assert many == few
