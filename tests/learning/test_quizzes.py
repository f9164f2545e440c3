"""Quizzes: scored on the server, every attempt kept, feedback after submitting, no replays."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.db import db
from lms.learning.models import EventKind, LearningEvent, QuizAttempt
from tests.factories import make_person
from tests.learning.conftest import learning_rows, new_id
from tests.learning.content import (
    CHAO_HOI,
    SECRET_FEEDBACK,
    SECRET_SHORT_ANSWER,
    import_folder,
    tay_lessons,
    write_tay_course,
)
from tests.learning.steps import CHAO_HOI_RIGHT, SO_DEM_RIGHT, answer, lesson_url


def attempts() -> list[QuizAttempt]:
    db.session.expire_all()
    return list(db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id)))


def events(kind: EventKind | None = None) -> list[LearningEvent]:
    db.session.expire_all()
    query = select(LearningEvent).order_by(LearningEvent.id)
    if kind is not None:
        query = query.where(LearningEvent.kind == kind)
    return list(db.session.scalars(query))


def follow(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_right_answers_pass_and_each_question_gets_its_feedback(client, learner, tay):
    response = answer(client, "chao-hoi", CHAO_HOI_RIGHT)

    (attempt,) = attempts()
    assert (attempt.correct, attempt.total, attempt.percent, attempt.is_passed) == (3, 3, 100, True)
    assert response.headers["Location"].endswith(f"?attempt={attempt.id}#quiz-on-tap-chao-hoi")
    page = follow(client, response)
    assert "Đạt:</strong>" in page
    assert "đúng 3/3 câu (100%), cần 60%." in page
    assert page.count("✓ Đúng.") == 3
    assert SECRET_FEEDBACK in page
    assert "Đã đạt" in page
    # The form comes back filled in with what was answered.
    assert 'value="1" checked' in page and 'value="SLIP-DAP-AN"' in page


def test_wrong_and_missing_answers_fail_with_feedback(client, learner, tay):
    response = answer(client, "chao-hoi", {"q:pay": "0", "q:noong": "true"})

    (attempt,) = attempts()
    assert (attempt.correct, attempt.percent, attempt.is_passed) == (1, 33, False)
    page = follow(client, response)
    assert "Chưa đạt:</strong>" in page
    assert "✗ Chưa đúng." in page
    assert "✗ Chưa trả lời." in page
    assert "✓ Đúng." in page


def test_a_failed_attempt_says_which_questions_were_wrong_but_not_their_answers(
    client, learner, tay
):
    # The defect: the feedback after a failed quiz gave the right answer, so a retry was trivial.
    page = follow(client, answer(client, "chao-hoi", {"q:pay": "0", "q:noong": "true"}))

    assert "✗ Chưa đúng." in page
    assert SECRET_FEEDBACK not in page
    assert SECRET_SHORT_ANSWER not in page
    assert "Đáp án đúng:" not in page
    # Nor when the lesson is opened again later.
    again = client.get(lesson_url("chao-hoi")).get_data(as_text=True)
    assert SECRET_FEEDBACK not in again and "Đáp án đúng:" not in again


def test_every_attempt_is_recorded(client, learner, tay):
    answer(client, "chao-hoi", {"q:pay": "0"})
    answer(client, "chao-hoi", {"q:pay": "1"})
    page = follow(client, answer(client, "chao-hoi", CHAO_HOI_RIGHT))

    assert [attempt.percent for attempt in attempts()] == [0, 33, 100]
    assert len(events(EventKind.ANSWERED)) == 3
    assert [event.kind for event in events() if event.kind in ("passed", "failed")] == [
        "failed",
        "failed",
        "passed",
    ]
    assert "Bạn đã làm 3 lần, cao nhất 100%." in page


@pytest.mark.parametrize(
    ("lesson", "answers", "correct"),
    [
        pytest.param("chao-hoi", {"q:muoi": "slip-dap-an"}, {"muoi"}, id="short-without-marks"),
        pytest.param("chao-hoi", {"q:muoi": "  SLÍP-ĐÁP-ÁN "}, {"muoi"}, id="short-case-spaces"),
        pytest.param("chao-hoi", {"q:muoi": "slam"}, set(), id="short-wrong"),
        pytest.param("chao-hoi", {"q:noong": "false"}, set(), id="true-false-wrong"),
        pytest.param("chao-hoi", {"q:noong": "true"}, {"noong"}, id="true-false-right"),
        pytest.param("so-dem", {"q:so": ["0", "2"]}, {"so"}, id="multiple-right"),
        pytest.param("so-dem", {"q:so": ["0"]}, set(), id="multiple-partial"),
        pytest.param("so-dem", {"q:so": ["0", "1", "2"]}, set(), id="multiple-extra"),
        pytest.param(
            "so-dem",
            {"q:noi:0": "ba", "q:noi:1": "mười", "q:noi:2": "ăn"},
            {"noi"},
            id="matching-right",
        ),
        pytest.param(
            "so-dem",
            {"q:noi:0": "mười", "q:noi:1": "ba", "q:noi:2": "ăn"},
            set(),
            id="matching-swapped",
        ),
        pytest.param("so-dem", {"q:noi:0": "ba"}, set(), id="matching-partial"),
        pytest.param("so-dem", {"q:nghe": "1"}, {"nghe"}, id="listen-right"),
        pytest.param("so-dem", {"q:nghe": "2"}, set(), id="listen-wrong"),
    ],
)
def test_each_question_type_is_scored_on_the_server(client, learner, tay, lesson, answers, correct):
    answer(client, lesson, answers)

    (attempt,) = attempts()
    assert {item["id"] for item in attempt.results if item["is_correct"]} == correct


def test_a_pass_mark_of_100_needs_every_question(client, learner, tay):
    answer(client, "so-dem", {**SO_DEM_RIGHT, "q:nghe": "0"})
    answer(client, "so-dem", SO_DEM_RIGHT)

    assert [(a.percent, a.is_passed) for a in attempts()] == [(66, False), (100, True)]


def test_a_replayed_submission_returns_the_first_outcome_without_counting(client, learner, tay):
    event_id = new_id()
    first = answer(client, "chao-hoi", {"q:pay": "0"}, event_id=event_id)
    follow(client, first)
    before = learning_rows()

    # The same form sent again, even with other answers, is the same submission.
    again = answer(client, "chao-hoi", CHAO_HOI_RIGHT, event_id=event_id)

    assert again.headers["Location"] == first.headers["Location"]
    assert learning_rows() == before
    page = follow(client, again)
    assert "Bài làm này đã được nộp trước đó" in page
    assert "Chưa đạt:</strong>" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"q:khong-co": "1"},
            "Câu hỏi “khong-co” không có trong bài kiểm tra “Ôn tập bài chào hỏi”.",
            id="unknown-question",
        ),
        pytest.param(
            {"q:pay:3": "1"},
            "Câu hỏi “pay:3” không có trong bài kiểm tra “Ôn tập bài chào hỏi”.",
            id="index-on-a-plain-question",
        ),
        pytest.param(
            {"q:muoi": "x" * 1001}, "Câu trả lời dài quá 1000 ký tự.", id="answer-too-long"
        ),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_recorded(client, learner, tay, fields, message):
    answer(client, "chao-hoi", {"q:pay": "1"})
    before = learning_rows()

    response = answer(client, "chao-hoi", {**CHAO_HOI_RIGHT, **fields})

    # The quiz may still be sent: it is shown again (400) with the answers as chosen.
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="1" checked' in page and 'value="true" checked' in page
    assert learning_rows() == before


def test_a_refused_quiz_keeps_every_answer_and_says_which_question(client, learner, tay):
    before = learning_rows()

    response = answer(
        client,
        "so-dem",
        {"q:so": ["0", "2"], "q:noi:0": "ba", "q:noi:1": "x" * 1001, "q:nghe": "1"},
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # The message is under the matching question, which each of its controls names.
    error = 'id="f-on-tap-so-dem-noi-error">Câu trả lời dài quá 1000 ký tự.</p>'
    assert error in page
    assert 'aria-invalid="true" aria-describedby="f-on-tap-so-dem-noi-error"' in page
    assert page.count('aria-invalid="true"') == 3  # the question's three words, no other
    # Every answer is still chosen or typed as it was sent.
    assert 'name="q:so" value="0" checked' in page and 'name="q:so" value="2" checked' in page
    assert 'name="q:so" value="1" checked' not in page
    assert '<option value="ba" selected>' in page
    assert 'name="q:nghe" value="1" checked' in page
    assert learning_rows() == before


def test_a_refused_answer_is_shown_again_as_typed(client, learner, tay):
    response = answer(client, "chao-hoi", {"q:pay": "2", "q:muoi": "slíp " * 201})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="f-on-tap-chao-hoi-muoi-error"' in page
    assert f'value="{"slíp " * 201}"' in page and 'name="q:pay" value="2" checked' in page


def test_a_matching_word_that_does_not_exist_is_refused(client, learner, tay):
    before = learning_rows()

    response = answer(client, "so-dem", {**SO_DEM_RIGHT, "q:noi:7": "ba"})

    assert response.status_code == 400
    assert "Câu hỏi “noi” không có từ số 7." in response.get_data(as_text=True)
    assert learning_rows() == before


def test_an_unknown_quiz_is_refused(client, learner, tay):
    before = learning_rows()

    answer(client, "chao-hoi", CHAO_HOI_RIGHT, quiz="on-tap-so-dem")

    page = client.get(lesson_url("chao-hoi")).get_data(as_text=True)
    assert "Bài học này không có bài kiểm tra “on-tap-so-dem”." in page
    assert learning_rows() == before


@pytest.mark.parametrize("event_id", ["", "khong-phai-uuid", "1234"])
def test_a_form_without_a_valid_event_id_is_refused(client, learner, tay, event_id):
    before = learning_rows()

    response = client.post(
        lesson_url("chao-hoi") + "/quiz",
        data={"quiz": "on-tap-chao-hoi", "event_id": event_id, **CHAO_HOI_RIGHT},
    )

    # Shown again with the answers as chosen, and a new event id to send them with.
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Biểu mẫu thiếu mã sự kiện hoặc mã không hợp lệ." in page
    assert 'value="SLIP-DAP-AN"' in page
    assert learning_rows() == before


def test_a_quiz_of_a_retired_lesson_is_refused(client, learner, tay, tmp_path):
    answer(client, "so-dem", {"q:so": ["0"]})
    lessons = tay_lessons()
    del lessons["02-so-dem.md"]
    import_folder(write_tay_course(tmp_path / "courses", lessons))
    before = learning_rows()

    answer(client, "so-dem", SO_DEM_RIGHT)

    page = client.get(lesson_url("so-dem")).get_data(as_text=True)
    assert "Bài học “Số đếm” đã ngừng sử dụng" in page
    assert learning_rows() == before


def test_a_retired_quiz_is_refused(client, learner, tay, tmp_path):
    without_quiz = CHAO_HOI[: CHAO_HOI.index("```quiz")]
    import_folder(
        write_tay_course(tmp_path / "courses", {**tay_lessons(), "01-chao-hoi.md": without_quiz})
    )
    before = learning_rows()

    answer(client, "chao-hoi", CHAO_HOI_RIGHT)

    page = client.get(lesson_url("chao-hoi")).get_data(as_text=True)
    assert "Bài kiểm tra “Ôn tập bài chào hỏi” đã ngừng sử dụng" in page
    assert learning_rows() == before
    assert 'id="quiz-on-tap-chao-hoi"' not in page


def test_an_event_id_of_someone_else_is_refused(client, login, learner, tay):
    event_id = new_id()
    answer(client, "chao-hoi", {"q:pay": "0"}, event_id=event_id)
    make_person("ban", "Hà Văn Bạn")
    db.session.commit()
    login("ban")
    before = learning_rows()

    response = answer(client, "chao-hoi", CHAO_HOI_RIGHT, event_id=event_id)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Mã sự kiện này đã được dùng cho một việc khác." in page
    assert event_id not in page  # sent again, the answers go with a new event id
    assert learning_rows() == before


def test_attempts_count_once_per_person(client, login, learner, tay):
    answer(client, "chao-hoi", CHAO_HOI_RIGHT)
    make_person("ban", "Hà Văn Bạn")
    db.session.commit()
    login("ban")

    page = client.get(lesson_url("chao-hoi")).get_data(as_text=True)

    assert "Bạn đã làm" not in page
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


# Answers, attempt limits, waits and shuffled choices ------------------------------------------


def limit_chao_hoi(tmp_path, *, max_attempts: int | None = None, wait: int | None = None) -> None:
    keys = "pass_mark: 60"
    if max_attempts is not None:
        keys += f"\nmax_attempts: {max_attempts}"
    if wait is not None:
        keys += f"\nwait_minutes: {wait}"
    lessons = {**tay_lessons(), "01-chao-hoi.md": CHAO_HOI.replace("pass_mark: 60", keys)}
    import_folder(write_tay_course(tmp_path / "courses", lessons))


def test_answers_are_shown_after_a_pass(client, learner, tay):
    page = follow(client, answer(client, "chao-hoi", {**CHAO_HOI_RIGHT, "q:noong": "false"}))

    assert "Đạt:</strong>" in page
    assert SECRET_FEEDBACK in page
    assert "Đáp án đúng: Đúng" in page  # the true-false question answered wrong
    assert f"Đáp án đúng: {SECRET_SHORT_ANSWER}" in page
    # The quiz is closed once passed: the answers are no use for another attempt.
    assert "Làm lại và nộp bài" not in page and "Nộp bài" not in page


def test_a_passed_quiz_cannot_be_taken_again(client, learner, tay):
    answer(client, "chao-hoi", CHAO_HOI_RIGHT)
    before = learning_rows()

    response = answer(client, "chao-hoi", CHAO_HOI_RIGHT)

    assert response.headers["Location"] == lesson_url("chao-hoi")
    page = client.get(lesson_url("chao-hoi")).get_data(as_text=True)
    assert "Bạn đã đạt bài kiểm tra “Ôn tập bài chào hỏi”; không cần làm lại." in page
    assert learning_rows() == before


def test_attempts_are_limited_and_the_last_one_shows_the_answers(client, learner, tay, tmp_path):
    limit_chao_hoi(tmp_path, max_attempts=2)
    first = follow(client, answer(client, "chao-hoi", {"q:pay": "0"}))
    assert "Còn 1 lần làm bài." in first and "Đáp án đúng:" not in first

    last = follow(client, answer(client, "chao-hoi", {"q:pay": "2"}))

    assert "Bạn đã làm hết 2 lần được phép; đáp án đúng hiện dưới mỗi câu." in last
    assert "Đáp án đúng: Đi" in last and SECRET_FEEDBACK in last
    assert "Nộp bài" not in last
    before = learning_rows()
    response = answer(client, "chao-hoi", CHAO_HOI_RIGHT)
    assert response.headers["Location"] == lesson_url("chao-hoi")
    assert "Bạn đã làm hết 2 lần được phép của bài kiểm tra “Ôn tập bài chào hỏi”." in (
        client.get(lesson_url("chao-hoi")).get_data(as_text=True)
    )
    assert learning_rows() == before


def test_a_wait_is_required_between_attempts(client, learner, tay, tmp_path):
    limit_chao_hoi(tmp_path, wait=30)
    answer(client, "chao-hoi", {"q:pay": "0"})
    before = learning_rows()

    answer(client, "chao-hoi", CHAO_HOI_RIGHT)

    page = client.get(lesson_url("chao-hoi")).get_data(as_text=True)
    assert "Bài kiểm tra “Ôn tập bài chào hỏi” cho làm lại sau 30 phút: hãy quay lại từ" in page
    assert "Bạn có thể làm lại từ" in page
    assert learning_rows() == before

    (attempt,) = attempts()
    attempt.submitted_at -= timedelta(minutes=30)
    db.session.commit()
    answer(client, "chao-hoi", CHAO_HOI_RIGHT)
    assert [attempt.is_passed for attempt in attempts()] == [False, True]


def choice_order(page: str, question: str) -> list[str]:
    return re.findall(rf'id="f-on-tap-chao-hoi-{question}-(\d+)"', page)


def test_choices_are_shuffled_per_attempt(client, learner, tay):
    orders = set()
    page = client.get(lesson_url("chao-hoi")).get_data(as_text=True)
    # The same attempt keeps its order when the page is loaded again.
    assert choice_order(page, "pay") == choice_order(
        client.get(lesson_url("chao-hoi")).get_data(as_text=True), "pay"
    )
    orders.add(tuple(choice_order(page, "pay")))
    for _ in range(5):
        page = follow(client, answer(client, "chao-hoi", {"q:pay": "0"}))
        orders.add(tuple(choice_order(page, "pay")))

    assert all(sorted(order) == ["0", "1", "2"] for order in orders)
    assert len(orders) > 1
    # The form still sends the written index: a right answer scores whatever the order.
    answer(client, "chao-hoi", CHAO_HOI_RIGHT)
    assert attempts()[-1].is_passed
