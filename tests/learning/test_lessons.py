"""Course and lesson pages: where I am, what is next, quizzes without their answers."""

from __future__ import annotations

import re

import markdown
import pytest

from lms.courses import render
from tests.learning.content import (
    SECRET_FEEDBACK,
    SECRET_SHORT_ANSWER,
    TAY,
    TAY_TITLE,
    import_folder,
    tay_lessons,
    write_course,
    write_tay_course,
)
from tests.learning.steps import answer, finish_lesson, lesson_url


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_course_page_shows_summary_hours_lessons_and_a_start_button(client, learner, tay):
    page = text_of(client.get(f"/courses/{TAY}"))

    assert f"<h1>{TAY_TITLE}</h1>" in page
    assert "Chào hỏi và số đếm bằng tiếng Tày" in page
    assert "<dd>1,5</dd>" in page
    assert "3 bài, 2 bắt buộc" in page
    assert page.count("Chưa học") == 3
    assert re.search(rf'href="/courses/{TAY}/chao-hoi">Bắt đầu học</a>', page)


def test_course_page_continue_button_goes_to_the_first_required_lesson_not_done(
    client, learner, tay
):
    finish_lesson(client, "chao-hoi")

    page = text_of(client.get(f"/courses/{TAY}"))

    assert re.search(rf'href="/courses/{TAY}/so-dem">Tiếp tục: Số đếm</a>', page)
    assert "Đã xong 1/2 bài bắt buộc" in page
    assert page.count("Hoàn thành</span>") == 1


def test_lesson_page_shows_where_i_am_and_its_neighbours(client, learner, tay):
    page = text_of(client.get(lesson_url("so-dem")))

    assert "Bài 2/3" in page
    assert f'rel="prev" href="/courses/{TAY}/chao-hoi"' in page
    assert f'rel="next" href="/courses/{TAY}/doc-them"' in page
    assert '<strong aria-current="page">Số đếm</strong>' in page
    first = text_of(client.get(lesson_url("chao-hoi")))
    assert 'rel="prev"' not in first
    last = text_of(client.get(lesson_url("doc-them")))
    assert 'rel="next"' not in last
    assert f'href="/courses/{TAY}">Về trang khóa học →</a>' in last


def test_quiz_appears_where_its_block_stands_without_answers(client, learner, tay):
    page = text_of(client.get(lesson_url("chao-hoi")))

    body = page[page.index('<article class="lesson-body"') : page.index("</article>")]
    assert body.index("Lời chào") < body.index('id="quiz-on-tap-chao-hoi"')
    assert body.index('id="quiz-on-tap-chao-hoi"') < body.index("học tiếp bài số đếm")
    assert 'name="q:pay"' in body and 'name="q:noong"' in body and 'name="q:muoi"' in body
    # Nothing that tells the right choice from the wrong ones reaches the browser.
    assert SECRET_FEEDBACK not in page
    assert SECRET_SHORT_ANSWER not in page
    assert "answer" not in body.lower()
    assert "checked" not in body


def test_matching_offers_meanings_in_a_shuffled_order(client, learner, tay):
    page = text_of(client.get(lesson_url("so-dem")))

    first_select = page[page.index('name="q:noi:0"') :].split("</select>")[0]
    offered = re.findall(r'<option value="([^"]+)">', first_select)
    assert sorted(offered) == sorted(["ba", "mười", "ăn"])
    assert offered != ["ba", "mười", "ăn"]


def test_lesson_page_does_not_render_markdown(client, learner, tay, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr(markdown.Markdown, "convert", refuse)
    monkeypatch.setattr(render, "quiz_slot_html", refuse)

    response = client.get(lesson_url("chao-hoi"))

    assert response.status_code == 200
    assert "<h2>Lời chào</h2>" in text_of(response)


def test_a_lesson_changed_by_an_import_shows_at_once(client, learner, tay, tmp_path):
    before = text_of(client.get(lesson_url("chao-hoi")))  # its content now kept (lms.reference)
    assert "Người Tày chào nhau" in before
    lessons = tay_lessons()
    lessons["01-chao-hoi.md"] = (
        lessons["01-chao-hoi.md"]
        .replace("Người Tày chào nhau", "Người Tày hỏi thăm nhau")
        .replace("title: Ôn tập bài chào hỏi", "title: Kiểm tra lời chào")
    )
    import_folder(write_tay_course(tmp_path / "courses", lessons))

    after = text_of(client.get(lesson_url("chao-hoi")))

    assert "Người Tày hỏi thăm nhau" in after
    assert "Kiểm tra lời chào" in after
    assert "Người Tày chào nhau" not in after
    assert "Ôn tập bài chào hỏi" not in after


def test_a_lesson_or_quiz_changed_alone_shows_at_once(client, learner, tay):
    from lms.courses.models import Lesson, Quiz
    from lms.db import db

    assert "Số đếm" in text_of(client.get(lesson_url("so-dem")))  # its content now kept
    lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "so-dem"))
    lesson.title = "Đếm số"  # no course row written with it
    db.session.commit()
    assert "<h1>Đếm số</h1>" in text_of(client.get(lesson_url("so-dem")))

    text_of(client.get(lesson_url("chao-hoi")))
    quiz = db.session.scalar(db.select(Quiz).where(Quiz.slug == "on-tap-chao-hoi"))
    quiz.title = "Kiểm tra lời chào"
    db.session.commit()
    assert "Kiểm tra lời chào" in text_of(client.get(lesson_url("chao-hoi")))


def test_lessons_not_found_do_not_push_the_kept_ones_out(
    client, learner, tay, sql_statements, monkeypatch
):
    from lms.learning import queries

    monkeypatch.setattr(queries, "LESSONS_KEPT", 2)
    client.get(lesson_url("so-dem"))
    for number in range(5):  # URLs anyone may type
        assert client.get(lesson_url(f"khong-co-{number}")).status_code == 404
    again = sql_statements(lambda: client.get(lesson_url("so-dem")))
    assert not any("FROM lesson JOIN course" in " ".join(s.split()) for s in again)


def test_a_lessons_content_is_read_once_while_unchanged(client, learner, tay, sql_statements):
    def reads_the_lesson(statements: list[str]) -> bool:
        return any(
            re.search(r"\bFROM lesson JOIN course\b", " ".join(s.split())) for s in statements
        )

    assert reads_the_lesson(sql_statements(lambda: client.get(lesson_url("so-dem"))))
    # Later views read the learner's states only, not the lesson, its course and quizzes.
    again = sql_statements(lambda: client.get(lesson_url("so-dem")))
    assert again and not reads_the_lesson(again)
    assert "Số đếm" in text_of(client.get(lesson_url("so-dem")))


def test_unknown_course_or_lesson_is_not_found(client, learner, tay):
    assert client.get("/courses/khong-co").status_code == 404
    assert client.get(f"/courses/{TAY}/khong-co").status_code == 404
    assert client.get("/courses/khong-co/chao-hoi").status_code == 404


def test_a_retired_lesson_can_be_read_but_offers_no_forms(client, learner, tay, tmp_path):
    lessons = tay_lessons()
    del lessons["02-so-dem.md"]
    import_folder(write_tay_course(tmp_path / "courses", lessons))

    page = text_of(client.get(lesson_url("so-dem")))

    assert "Bài học này đã ngừng sử dụng" in page
    assert '<form method="post" action="/courses/' not in page
    assert "learning-beacon" not in page
    assert "Bài 2/" not in page
    course_page = text_of(client.get(f"/courses/{TAY}"))
    assert "Số đếm" not in course_page
    assert "2 bài, 1 bắt buộc" in course_page


def test_someone_elses_attempt_is_not_shown(client, login, learner, tay):
    response = answer(client, "chao-hoi", {"q:pay": "0"})
    attempt_url = response.headers["Location"]
    from tests.factories import make_person

    make_person("ban", "Hà Văn Bạn")
    from lms.db import db

    db.session.commit()
    login("ban")

    page = text_of(client.get(attempt_url))

    assert "Chưa đạt" not in page
    assert "Chưa đúng." not in page


def test_healthz_answers_ok_to_anyone(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Content-Type"].startswith("text/plain")


def _many_lessons(count: int) -> dict[str, str]:
    lessons = {}
    for number in range(1, count + 1):
        lessons[f"{number:02d}-bai-{number}.md"] = f"""---
title: Bài {number}
minutes: 5
---

Nội dung bài {number}.

```quiz
id: kiem-tra-{number}
pass_mark: 50
questions:
  - type: true-false
    prompt: Câu {number} đúng không?
    answer: true
  - type: single
    prompt: Chọn A.
    choices: [A, B]
    answer: A
```
"""
    return lessons


@pytest.mark.parametrize("with_attempt", [False, True], ids=["plain", "after-submitting"])
def test_lesson_page_needs_a_fixed_number_of_queries(
    client, learner, tmp_path, count_queries, with_attempt
):
    root = tmp_path / "courses"
    import_folder(write_course(root, "dai", "Khóa học dài", _many_lessons(3)))

    def load_for(url):
        def load():
            assert client.get(url).status_code == 200

        return load

    def study(numbers) -> str:
        url = "/courses/dai/bai-2"
        for number in numbers:
            response = client.post(
                f"/courses/dai/bai-{number}/quiz",
                data={
                    "quiz": f"kiem-tra-{number}",
                    "event_id": f"00000000-0000-4000-8000-{number:012d}",
                    "q:q1": "true",
                    "q:q2": "0",
                },
            )
            if number == 2:
                url = response.headers["Location"] if with_attempt else url
            client.post(
                f"/courses/dai/bai-{number}/complete",
                data={"event_id": f"00000000-0000-4000-9000-{number:012d}"},
            )
        return url

    url = study([1, 2])
    load_for(url)()
    few = count_queries(load_for(url))
    import_folder(write_course(root, "dai", "Khóa học dài", _many_lessons(20)))
    study(range(3, 15))
    load_for(url)()  # a course imported: the reference data is read anew, once
    many = count_queries(load_for(url))

    assert "Bài 2/20" in text_of(client.get(url))
    assert many == few
    # The sign-in, the course's lessons and quizzes with the learner's standing (one statement:
    # each is a round trip on PostgreSQL), and the attempt shown when there is one.
    assert few == (3 if with_attempt else 2)
