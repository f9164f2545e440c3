"""Quizzes: the block format with real line numbers, the learner's view, and scoring."""

from __future__ import annotations

import json

import pytest

from lms.courses.quiz import answer_text, public_questions, score_quiz
from tests.courses.conftest import EXAMPLE
from tests.courses.test_format import COURSE, MP3, check, lesson, problems, write


def quiz_lesson(*lines: str) -> str:
    # The lesson's line 6 is the opening fence, so the quiz's first line is line 7.
    return lesson("\n".join(["```quiz", *lines, "```"]))


def example_quizzes():
    report = check(EXAMPLE)
    return {quiz.slug: quiz for lesson in report.courses[0].lessons for quiz in lesson.quizzes}


def test_the_example_quizzes_keep_their_answer_keys_on_the_server(app):
    quizzes = example_quizzes()
    review = quizzes["on-tap-so-dem"]
    assert review.title == "Câu hỏi ôn tập"
    assert review.pass_mark == 60
    short, multiple, matching, listen = review.questions
    assert short == {
        "id": "so-muoi",
        "type": "short",
        "prompt": "Viết số 10 bằng tiếng Tày.",
        "audio": None,
        "feedback": None,
        "answers": ["slíp"],
        "ignore_case": True,
        "ignore_diacritics": True,
    }
    assert multiple["answers"] == [0, 2]
    assert matching["pairs"] == [["slam", "ba"], ["slíp", "mười"], ["kin", "ăn"]]
    assert sorted(matching["options"]) == ["ba", "mười", "ăn"]
    assert matching["options"] != ["ba", "mười", "ăn"]  # never in the written order
    assert listen["answer"] == 1
    assert listen["prompt"] == "Nghe rồi chọn đáp án đúng."
    assert listen["audio"].startswith("/media/mau-tieng-tay/") and listen["audio"].endswith(".ogg")


def test_the_lesson_html_holds_only_a_slot_where_the_quiz_stands(app):
    lesson = check(EXAMPLE).courses[0].lessons[0]
    assert '<div class="quiz-slot" data-quiz="on-tap-chao-hoi"></div>' in lesson.html
    for leak in ("pass_mark", "answer", "“Pây” là đi.", "Ngủ"):
        assert leak not in lesson.html


def test_public_questions_give_no_answer_away(app):
    for quiz in example_quizzes().values():
        shown = public_questions(quiz.questions)
        text = json.dumps(shown, ensure_ascii=False)
        for key in ("answer", "answers", "pairs", "feedback", "ignore_case"):
            assert f'"{key}"' not in text
    review = public_questions(example_quizzes()["on-tap-so-dem"].questions)
    assert review[2]["words"] == ["slam", "slíp", "kin"]
    assert review[2]["options"] == example_quizzes()["on-tap-so-dem"].questions[2]["options"]
    # Choices carry their written index: the form sends it, whatever order they are shown in.
    assert review[1]["choices"] == [[0, "slam"], [1, "kin"], [2, "slíp"], [3, "noọng"]]
    assert review[0] == {
        "id": "so-muoi",
        "type": "short",
        "prompt": "Viết số 10 bằng tiếng Tày.",
        "audio": None,
    }


# Format errors, at the line inside the block --------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "id: On Tap",
                "pass_mark: 50",
                "questions:",
                "  - type: true-false",
                "    prompt: Đúng?",
                "    answer: true",
            ],
            [
                "01-bai-mot.md:7: lỗi: “id” là “On Tap”: chỉ dùng chữ thường không dấu, số "
                "và dấu gạch ngang (ví dụ on-tap-1)."
            ],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 150",
                "questions:",
                "  - type: true-false",
                "    prompt: Đúng?",
                "    answer: true",
            ],
            ["01-bai-mot.md:8: lỗi: “pass_mark” phải là số nguyên từ 1 đến 100."],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "max_attempts: 0",
                "wait_minutes: mười",
                "questions:",
                "  - type: true-false",
                "    prompt: Đúng?",
                "    answer: true",
            ],
            [
                "01-bai-mot.md:9: lỗi: “max_attempts” phải là số nguyên từ 1 đến 100.",
                "01-bai-mot.md:10: lỗi: “wait_minutes” phải là số nguyên từ 0 đến 10080.",
            ],
        ),
        (
            ["id: on-tap", "pass_mark: 50", "questions: []"],
            [
                "01-bai-mot.md:9: lỗi: “questions” phải là danh sách câu hỏi, mỗi câu bắt "
                "đầu bằng “- ”."
            ],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: essay",
                "    prompt: Viết đi.",
            ],
            [
                "01-bai-mot.md:10: lỗi: “type” là “essay”, phải là một trong: single, "
                "multiple, true-false, short, matching, listen."
            ],
        ),
        (
            ["id: on-tap", "pass_mark: 50", "questions:", "  - prompt: Đúng?", "    answer: true"],
            ["01-bai-mot.md:10: lỗi: Câu hỏi 1 thiếu khóa “type”."],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: true-false",
                "    prompt: Đúng?",
                "    answer: có",
            ],
            ["01-bai-mot.md:12: lỗi: “answer” phải là true hoặc false."],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: single",
                "    prompt: Chọn",
                "    choices: [A, B, A]",
                "    answer: A",
                "    hint: không có",
            ],
            [
                "01-bai-mot.md:12: lỗi: Lựa chọn “A” bị lặp lại.",
                "01-bai-mot.md:14: lỗi: Khóa “hint” không có trong định dạng. Các khóa dùng "
                "được: type, id, prompt, audio, feedback, choices, answer.",
            ],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: single",
                "    prompt: Chọn",
                "    choices: [Một]",
                "    answer: Một",
            ],
            ["01-bai-mot.md:12: lỗi: “choices” cần từ 2 đến 10 lựa chọn."],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: multiple",
                "    prompt: Chọn",
                "    choices: [Tiếng Tày, Tiếng Nùng]",
                "    answers: [tiếng tày, Tiếng Nùng, Tiếng Nùng]",
            ],
            [
                "01-bai-mot.md:13: lỗi: Đáp án “tiếng tày” không trùng với lựa chọn nào "
                "trong “choices”. Có phải là “Tiếng Tày”?",
                "01-bai-mot.md:13: lỗi: Đáp án “Tiếng Nùng” bị lặp lại.",
            ],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: short",
                "    prompt: Viết số 3",
                "    answers: []",
            ],
            ["01-bai-mot.md:12: lỗi: “answers” cần ít nhất một đáp án."],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: matching",
                "    pairs:",
                "      slam: ba",
                "      slam: mười",
                "      kin: ba",
                "      noọng:",
            ],
            [
                "01-bai-mot.md:13: lỗi: Khóa “slam” bị lặp lại (lần đầu ở dòng 12).",
                "01-bai-mot.md:14: lỗi: Nghĩa “ba” bị lặp lại.",
                "01-bai-mot.md:15: lỗi: Từ “noọng” chưa có nghĩa để nối.",
            ],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: listen",
                "    choices: [a, b]",
                "    answer: a",
            ],
            ["01-bai-mot.md:10: lỗi: Thiếu khóa bắt buộc “audio”."],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - id: cau-1",
                "    type: true-false",
                "    prompt: A?",
                "    answer: true",
                "  - id: cau-1",
                "    type: true-false",
                "    prompt: B?",
                "    answer: false",
            ],
            ["01-bai-mot.md:14: lỗi: Mã câu hỏi “cau-1” trùng với câu ở dòng 10."],
        ),
        (
            [
                "id: on-tap",
                "pass_mark: 50",
                "questions:",
                "  - type: true-false",
                "    prompt: A?",
                "    answer: true",
                "    audio: media/khong-co.mp3",
            ],
            ["01-bai-mot.md:13: lỗi: Không tìm thấy tệp media “media/khong-co.mp3”."],
        ),
    ],
)
def test_quiz_problems_are_reported_at_their_line(tmp_path, lines, expected):
    assert problems(tmp_path, {"01-bai-mot.md": quiz_lesson(*lines)}) == expected


def test_two_quizzes_of_a_lesson_need_different_ids(tmp_path):
    quiz = "\n".join(
        ["```quiz", "id: on-tap", "pass_mark: 50", "questions:", "  - type: true-false"]
        + ["    prompt: A?", "    answer: true", "```"]
    )
    found = problems(tmp_path, {"01-bai-mot.md": lesson(f"{quiz}\n\n{quiz}")})
    assert found == ["01-bai-mot.md:15: lỗi: Mã bài kiểm tra “on-tap” trùng với khối ở dòng 6."]


def test_a_listening_question_with_its_audio(tmp_path):
    body = quiz_lesson(
        "id: nghe",
        "pass_mark: 100",
        "questions:",
        "  - type: listen",
        "    audio: media/ba.mp3",
        "    choices: ['1', '3']",
        "    answer: '3'",
    )
    assert problems(tmp_path, {"01-bai-mot.md": body, "media/ba.mp3": MP3}) == []


def test_attempt_limit_and_wait_are_read_and_kept(tmp_path):
    body = quiz_lesson(
        "id: on-tap",
        "pass_mark: 50",
        "max_attempts: 3",
        "wait_minutes: 15",
        "questions:",
        "  - type: true-false",
        "    prompt: A?",
        "    answer: true",
    )
    folder = write(tmp_path / "khoa-thu", {"course.md": COURSE, "01-bai-mot.md": body})
    (quiz,) = check(folder).courses[0].lessons[0].quizzes
    assert (quiz.max_attempts, quiz.wait_minutes) == (3, 15)
    # Without the keys: as many attempts as wanted, no wait.
    (example,) = [q for q in example_quizzes().values() if q.slug == "on-tap-so-dem"]
    assert (example.max_attempts, example.wait_minutes) == (None, None)


def test_shuffled_questions_keep_every_choice_and_depend_on_the_seed(app):
    questions = example_quizzes()["on-tap-so-dem"].questions
    orders = {
        tuple(index for index, _text in public_questions(questions, f"seed-{n}")[1]["choices"])
        for n in range(10)
    }
    assert len(orders) > 1 and all(sorted(order) == [0, 1, 2, 3] for order in orders)
    again = public_questions(questions, "seed-1")
    assert again == public_questions(questions, "seed-1")
    assert sorted(again[2]["options"]) == sorted(questions[2]["options"])


def test_answer_texts_for_each_kind():
    assert [answer_text(question) for question in QUESTIONS[:4]] == [
        "Đi",
        "slam; slíp",
        "Đúng",
        "slíp",
    ]
    assert answer_text({"type": "matching", "pairs": [["slam", "ba"], ["kin", "ăn"]]}) == (
        "slam → ba; kin → ăn"
    )


# Scoring -------------------------------------------------------------------------------------

QUESTIONS = [
    {"id": "a", "type": "single", "choices": ["Đi", "Ăn"], "answer": 0, "feedback": "“Pây” là đi."},
    {
        "id": "b",
        "type": "multiple",
        "choices": ["slam", "kin", "slíp"],
        "answers": [0, 2],
        "feedback": None,
    },
    {"id": "c", "type": "true-false", "answer": True, "feedback": None},
    {
        "id": "d",
        "type": "short",
        "answers": ["slíp"],
        "ignore_case": True,
        "ignore_diacritics": False,
        "feedback": None,
    },
    {
        "id": "e",
        "type": "matching",
        "pairs": [["slam", "ba"], ["kin", "ăn"]],
        "options": ["ăn", "ba"],
        "feedback": None,
    },
    {"id": "f", "type": "listen", "choices": ["1", "3"], "answer": 1, "feedback": None},
]


def test_all_right_passes():
    submitted = {"a": "0", "b": ["0", "2"], "c": "true", "d": "  SLÍP ", "e": ["ba", "ăn"], "f": 1}

    result = score_quiz(QUESTIONS, submitted, pass_mark=100)

    assert (result.correct, result.total, result.percent, result.passed) == (6, 6, 100, True)
    assert result.for_question("a").feedback == "“Pây” là đi."
    assert all(question.is_correct and question.is_answered for question in result.questions)


def test_wrong_missing_and_malformed_answers_count_as_wrong():
    submitted = {
        "a": "1",
        "b": ["0"],  # one correct choice of two is not enough
        "c": "maybe",
        "d": "slip",  # diacritics matter unless the question says otherwise
        "e": {"0": "ăn", "1": "ba"},
        "x": "0",  # not a question of this quiz
    }

    result = score_quiz(QUESTIONS, submitted, pass_mark=50)

    assert [question.is_correct for question in result.questions] == [False] * 6
    assert result.for_question("f").is_answered is False
    assert (result.correct, result.percent, result.passed) == (0, 0, False)


def test_pass_mark_is_a_percentage_of_questions():
    submitted = {"a": 0, "b": [2, 0], "c": True, "d": "slíp"}  # 4 of 6 = 66.7 %

    assert score_quiz(QUESTIONS, submitted, pass_mark=66).passed is True
    assert score_quiz(QUESTIONS, submitted, pass_mark=67).passed is False
    assert score_quiz(QUESTIONS, submitted).passed is None
    assert score_quiz(QUESTIONS, submitted).percent == 66


@pytest.mark.parametrize(
    ("given", "ignore_case", "ignore_diacritics", "accepted"),
    [
        ("Slíp", True, False, True),
        ("Slíp", False, False, False),
        ("sli\u0301p", False, False, True),  # typed in NFD
        ("slip", False, True, True),
        ("SLIP", False, True, True),
        ("đi", True, True, True),  # đ folds to d
        ("t’ua", False, False, True),  # apostrophes are alike
        ("t ua", False, False, False),
    ],
)
def test_short_answers(given, ignore_case, ignore_diacritics, accepted):
    question = {
        "id": "q",
        "type": "short",
        "answers": ["slíp", "di", "t'ua"],
        "ignore_case": ignore_case,
        "ignore_diacritics": ignore_diacritics,
        "feedback": None,
    }
    assert score_quiz([question], {"q": given}).for_question("q").is_correct is accepted


def test_true_false_in_vietnamese_and_matching_by_index():
    result = score_quiz(QUESTIONS, {"c": "Đúng", "e": {0: "ba", 1: "ăn"}})
    assert result.for_question("c").is_correct
    assert result.for_question("e").is_correct
    assert not score_quiz(QUESTIONS, {"e": ["ba"]}).for_question("e").is_correct
    assert not score_quiz(QUESTIONS, {"a": True}).for_question("a").is_correct
