"""Quizzes: the ```quiz block's format, the learner's view without answers, and scoring.

A stored question is a dict; answer keys are kept apart from what a learner may see:

    single, listen  choices: [text], answer: index of the correct choice
    multiple        choices: [text], answers: [indexes], sorted
    true-false      answer: true or false
    short           answers: [accepted texts], ignore_case, ignore_diacritics
    matching        pairs: [[word, meaning]], options: the meanings in a fixed shuffled order

Every question also has id, type, prompt, audio (a media URL or None) and feedback.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from lms.courses.format import (
    SLUG_RE,
    Block,
    Entries,
    FileReport,
    MediaRef,
    YamlReader,
    block_yaml,
    is_null,
)
from lms.i18n import gettext as _
from lms.text import fold, nfc, search_normal

QUIZ_KEYS = ("id", "title", "pass_mark", "max_attempts", "wait_minutes", "questions")
QUESTION_TYPES = ("single", "multiple", "true-false", "short", "matching", "listen")
COMMON_KEYS = ("type", "id", "prompt", "audio", "feedback")
TYPE_KEYS = {
    "single": ("choices", "answer"),
    "multiple": ("choices", "answers"),
    "true-false": ("answer",),
    "short": ("answers", "ignore_case", "ignore_diacritics"),
    "matching": ("pairs",),
    "listen": ("choices", "answer"),
}
REQUIRED_KEYS = {
    "single": ("prompt", "choices", "answer"),
    "multiple": ("prompt", "choices", "answers"),
    "true-false": ("prompt", "answer"),
    "short": ("prompt", "answers"),
    "matching": ("pairs",),
    "listen": ("audio", "choices", "answer"),
}
# Keys that give the answer away; a learner sees a question without them.
ANSWER_KEYS = ("answer", "answers", "pairs", "feedback", "ignore_case", "ignore_diacritics")
MIN_CHOICES, MAX_CHOICES = 2, 10
MIN_PAIRS, MAX_PAIRS = 2, 12
MAX_QUESTIONS = 100
MAX_ATTEMPTS = 100
MAX_WAIT_MINUTES = 7 * 24 * 60
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def default_title() -> str:
    return _("Câu hỏi ôn tập")


def default_prompt(kind: str) -> str:
    if kind == "listen":
        return _("Nghe rồi chọn đáp án đúng.")
    return _("Nối mỗi từ với nghĩa của nó.")


# Reading the block ---------------------------------------------------------------------------


@dataclass
class QuizSpec:
    """A quiz as written in a lesson, checked; audio still holds media paths."""

    slug: str
    title: str
    pass_mark: int
    questions: list[dict[str, Any]]
    line: int
    max_attempts: int | None = None  # None: as many attempts as the learner likes
    wait_minutes: int | None = None  # after a failed attempt, before the next one


def read_quiz_block(block: Block, report: FileReport, refs: list[MediaRef]) -> QuizSpec | None:
    """Check a ```quiz block; return the quiz with its answer keys when all is valid."""
    parsed = block_yaml(block, report)
    if parsed is None:
        return None
    reader, entries = parsed
    before = len(report.problems)
    reader.check_keys(entries, QUIZ_KEYS, ("id", "pass_mark", "questions"), block.fence_line)
    slug = _slug(reader, entries, "id")
    title = reader.text(entries, "title", max_length=200) or default_title()
    pass_mark = reader.integer(entries, "pass_mark", 1, 100)
    max_attempts = reader.integer(entries, "max_attempts", 1, MAX_ATTEMPTS)
    wait_minutes = reader.integer(entries, "wait_minutes", 0, MAX_WAIT_MINUTES)
    questions: list[dict[str, Any]] = []
    questions_node = entries.get("questions", (None, None))[1]
    if isinstance(questions_node, yaml.SequenceNode) and questions_node.value:
        if len(questions_node.value) > MAX_QUESTIONS:
            reader.error(
                questions_node, _("Một bài kiểm tra có tối đa %(n)d câu hỏi.", n=MAX_QUESTIONS)
            )
        seen: dict[str, int] = {}
        for number, node in enumerate(questions_node.value, start=1):
            question = _read_question(reader, node, number, slug or "", refs)
            if question is None:
                continue
            if question["id"] in seen:
                reader.error(
                    node,
                    _(
                        "Mã câu hỏi “%(id)s” trùng với câu ở dòng %(line)d.",
                        id=question["id"],
                        line=seen[question["id"]],
                    ),
                )
                continue
            seen[question["id"]] = reader.line(node)
            questions.append(question)
    elif questions_node is not None:
        reader.error(
            questions_node, _("“questions” phải là danh sách câu hỏi, mỗi câu bắt đầu bằng “- ”.")
        )
    if len(report.problems) > before or slug is None or pass_mark is None or not questions:
        return None
    return QuizSpec(
        slug=slug,
        title=title,
        pass_mark=pass_mark,
        questions=questions,
        line=block.fence_line,
        max_attempts=max_attempts,
        wait_minutes=wait_minutes or None,
    )


def _slug(reader: YamlReader, entries: Entries, key: str) -> str | None:
    value = reader.text(entries, key, max_length=80)
    if value is not None and not SLUG_RE.match(value):
        reader.error(
            entries[key][1],
            _(
                "“%(key)s” là “%(value)s”: chỉ dùng chữ thường không dấu, số và dấu gạch ngang "
                "(ví dụ on-tap-1).",
                key=key,
                value=value,
            ),
        )
        return None
    return value


def _read_question(
    reader: YamlReader, node: yaml.Node, number: int, quiz_slug: str, refs: list[MediaRef]
) -> dict[str, Any] | None:
    line = reader.line(node)
    entries = reader.mapping(node, line, _("Câu hỏi %(n)d", n=number))
    if entries is None:
        return None
    before = len(reader.report.problems)
    kind = reader.choice(entries, "type", QUESTION_TYPES)
    if "type" not in entries:
        reader.report.error(line, _("Câu hỏi %(n)d thiếu khóa “type”.", n=number))
    if kind is None:
        return None
    reader.check_keys(entries, COMMON_KEYS + TYPE_KEYS[kind], REQUIRED_KEYS[kind], line)
    question: dict[str, Any] = {
        "id": _slug(reader, entries, "id") or f"q{number}",
        "type": kind,
        "prompt": reader.text(entries, "prompt", max_length=1000) or None,
        "audio": reader.text(entries, "audio", max_length=255),
        "feedback": reader.text(entries, "feedback", max_length=2000),
    }
    if question["audio"] is not None:
        refs.append(MediaRef(question["audio"], reader.line(entries["audio"][1]), "audio"))
    if question["prompt"] is None and kind in ("listen", "matching"):
        question["prompt"] = default_prompt(kind)
    if kind in ("single", "listen", "multiple"):
        choices = _choices(reader, entries)
        question["choices"] = choices
        if choices is not None and kind == "multiple":
            question["answers"] = _multiple_answers(reader, entries, choices)
        elif choices is not None:
            question["answer"] = _single_answer(reader, entries, choices)
    elif kind == "true-false":
        question["answer"] = reader.boolean(
            entries, "answer", extra_true=("đúng", "Đúng"), extra_false=("sai", "Sai")
        )
    elif kind == "short":
        answers = reader.text_list(entries, "answers", allow_single=True)
        if (
            answers is not None
            and not answers
            and isinstance(entries["answers"][1], yaml.SequenceNode)
        ):
            reader.error(entries["answers"][1], _("“answers” cần ít nhất một đáp án."))
        question["answers"] = [text for text, _node in answers or []]
        ignore_case = reader.boolean(entries, "ignore_case")
        question["ignore_case"] = ignore_case is not False
        question["ignore_diacritics"] = reader.boolean(entries, "ignore_diacritics") is True
    else:
        pairs = _pairs(reader, entries)
        if pairs is not None:
            question["pairs"] = pairs
            question["options"] = _shuffled(
                [right for _left, right in pairs], quiz_slug, question["id"]
            )
    if len(reader.report.problems) > before:
        return None
    return question


def _choices(reader: YamlReader, entries: Entries) -> list[str] | None:
    items = reader.text_list(entries, "choices", max_length=500)
    if items is None:
        return None
    seen: set[str] = set()
    for text, node in items:
        if text in seen:
            reader.error(node, _("Lựa chọn “%(text)s” bị lặp lại.", text=text))
        seen.add(text)
    if not MIN_CHOICES <= len(items) <= MAX_CHOICES:
        reader.error(
            entries["choices"][1],
            _("“choices” cần từ %(low)d đến %(high)d lựa chọn.", low=MIN_CHOICES, high=MAX_CHOICES),
        )
        return None
    return [text for text, _node in items]


def _match_choice(reader: YamlReader, node: yaml.Node, text: str, choices: list[str]) -> int | None:
    if text in choices:
        return choices.index(text)
    close = [choice for choice in choices if search_normal(choice) == search_normal(text)]
    hint = _(" Có phải là “%(choice)s”?", choice=close[0]) if close else ""
    reader.error(
        node,
        _("Đáp án “%(text)s” không trùng với lựa chọn nào trong “choices”.", text=text) + hint,
    )
    return None


def _single_answer(reader: YamlReader, entries: Entries, choices: list[str]) -> int | None:
    text, node = reader.scalar(entries, "answer")
    if text is None or node is None:
        return None
    return _match_choice(reader, node, text.strip(), choices)


def _multiple_answers(reader: YamlReader, entries: Entries, choices: list[str]) -> list[int]:
    items = reader.text_list(entries, "answers", allow_single=True)
    if items is not None and not items and isinstance(entries["answers"][1], yaml.SequenceNode):
        reader.error(entries["answers"][1], _("“answers” cần ít nhất một đáp án."))
    indexes: set[int] = set()
    for text, node in items or []:
        index = _match_choice(reader, node, text, choices)
        if index in indexes:
            reader.error(node, _("Đáp án “%(text)s” bị lặp lại.", text=text))
        elif index is not None:
            indexes.add(index)
    return sorted(indexes)


def _pairs(reader: YamlReader, entries: Entries) -> list[list[str]] | None:
    if "pairs" not in entries:
        return None
    node = entries["pairs"][1]
    mapping = reader.mapping(node, reader.line(node), "“pairs”")
    if mapping is None:
        return None
    pairs: list[list[str]] = []
    meanings: set[str] = set()
    for left, (key_node, value_node) in mapping.items():
        if is_null(value_node):
            reader.error(key_node, _("Từ “%(word)s” chưa có nghĩa để nối.", word=left))
            continue
        right = reader.text(mapping, left, max_length=500)
        if right is None:
            continue
        if right in meanings:
            reader.error(value_node, _("Nghĩa “%(text)s” bị lặp lại.", text=right))
            continue
        meanings.add(right)
        pairs.append([left.strip(), right])
    if not MIN_PAIRS <= len(mapping) <= MAX_PAIRS:
        reader.error(
            node, _("“pairs” cần từ %(low)d đến %(high)d cặp.", low=MIN_PAIRS, high=MAX_PAIRS)
        )
        return None
    return pairs


def _shuffled(items: list[str], quiz_slug: str, question_id: str) -> list[str]:
    """Return items in an order that is fixed for the question and never the written one."""
    order = list(items)
    random.Random(f"{quiz_slug}/{question_id}").shuffle(order)
    if order == items and len(items) > 1:
        order = order[1:] + order[:1]
    return order


# What a learner sees -------------------------------------------------------------------------


def public_questions(
    questions: list[dict[str, Any]], shuffle_seed: str | None = None
) -> list[dict[str, Any]]:
    """Return the questions without anything that gives an answer away.

    Choices become [index, text] pairs: the form sends the index, so the choices can be shown
    in any order. With shuffle_seed, choices and matching meanings are shuffled by it (one
    order per learner and attempt).
    """
    shown = []
    for question in questions:
        public = {key: value for key, value in question.items() if key not in ANSWER_KEYS}
        if "choices" in question:
            public["choices"] = [[index, text] for index, text in enumerate(question["choices"])]
        if question["type"] == "matching":
            public["words"] = [left for left, _right in question["pairs"]]
        if shuffle_seed is not None:
            order = random.Random(f"{shuffle_seed}/{question['id']}")
            if "choices" in public:
                order.shuffle(public["choices"])
            if "options" in public:
                public["options"] = list(public["options"])
                order.shuffle(public["options"])
        shown.append(public)
    return shown


def answer_text(question: dict[str, Any]) -> str:
    """Return the right answer to a question as a learner reads it, once answers may be shown."""
    kind = question["type"]
    if kind in ("single", "listen"):
        return question["choices"][question["answer"]]
    if kind == "multiple":
        return "; ".join(question["choices"][index] for index in question["answers"])
    if kind == "true-false":
        return _("Đúng") if question["answer"] else _("Sai")
    if kind == "short":
        return " / ".join(question["answers"])
    return "; ".join(f"{word} → {meaning}" for word, meaning in question["pairs"])


# Scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    id: str
    is_answered: bool
    is_correct: bool
    feedback: str | None


@dataclass(frozen=True)
class QuizResult:
    questions: list[QuestionResult]
    correct: int
    total: int
    passed: bool | None

    @property
    def percent(self) -> int:
        """The share of questions answered right, rounded down to a whole percent."""
        return self.correct * 100 // self.total if self.total else 0

    def for_question(self, question_id: str) -> QuestionResult | None:
        return next((result for result in self.questions if result.id == question_id), None)


def score_quiz(
    quiz_questions: list[dict[str, Any]], submitted: Mapping[str, Any], pass_mark: int | None = None
) -> QuizResult:
    """Score submitted answers (by question id) against the stored questions.

    Values as a form would send them: single and listen a choice index; multiple a list of
    indexes; true-false a bool or "true"/"false"; short the text; matching a list of chosen
    meanings in the order of `words` (or a dict from word index to meaning). Anything missing
    or malformed counts as not answered, hence wrong.
    """
    results = []
    for question in quiz_questions:
        value = submitted.get(question["id"])
        answered = _is_answered(value)
        correct = answered and _is_correct(question, value)
        results.append(
            QuestionResult(
                id=question["id"],
                is_answered=answered,
                is_correct=correct,
                feedback=question.get("feedback"),
            )
        )
    correct_count = sum(result.is_correct for result in results)
    total = len(results)
    passed = None if pass_mark is None else total > 0 and correct_count * 100 >= pass_mark * total
    return QuizResult(questions=results, correct=correct_count, total=total, passed=passed)


def _is_answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | set | dict):
        return bool(value)
    return True


def _index(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _is_correct(question: dict[str, Any], value: Any) -> bool:
    kind = question["type"]
    if kind in ("single", "listen"):
        return _index(value) == question["answer"]
    if kind == "multiple":
        if isinstance(value, str | int):
            value = [value]
        if not isinstance(value, list | tuple | set):
            return False
        chosen = {_index(item) for item in value}
        return chosen == set(question["answers"])
    if kind == "true-false":
        return _truth(value) is question["answer"]
    if kind == "short":
        if not isinstance(value, str):
            return False
        given = _normal_answer(value, question["ignore_case"], question["ignore_diacritics"])
        return any(
            given
            == _normal_answer(accepted, question["ignore_case"], question["ignore_diacritics"])
            for accepted in question["answers"]
        )
    if kind == "matching":
        return _matching_correct(question["pairs"], value)
    return False


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in ("true", "đúng", "1"):
            return True
        if text in ("false", "sai", "0"):
            return False
    return None


def _normal_answer(text: str, ignore_case: bool, ignore_diacritics: bool) -> str:
    if ignore_diacritics:
        return fold(text)
    if ignore_case:
        return search_normal(text)
    return " ".join(nfc(text.translate(_APOSTROPHES)).split())


def _matching_correct(pairs: list[list[str]], value: Any) -> bool:
    if isinstance(value, dict):
        chosen = {_index(key): item for key, item in value.items()}
        value = [chosen.get(index) for index in range(len(pairs))]
    if not isinstance(value, list | tuple) or len(value) != len(pairs):
        return False
    return all(
        isinstance(item, str) and nfc(item.strip()) == right
        for item, (_left, right) in zip(value, pairs, strict=True)
    )
