"""Evaluating criteria on hand-computed facts, checking sets, and specs as JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from lms.awards.criteria import (
    CriteriaSpec,
    CriterionSpec,
    Facts,
    IndicatorSpec,
    evaluate,
    evaluator,
    indicator_points,
    problems,
)

D = Decimal


def facts(**changes) -> Facts:
    """A person with an approved plan, 3/3 required items, 38 of 40 tiết, two courses."""
    base = dict(
        plan_years=1,
        approved_years=1,
        required_done=3,
        required_total=3,
        hours_earned=D(38),
        hours_target=D(40),
        target_unit="tiet",
        courses=(1, 0, 1),
        initiatives=1,
        manual_points={},
    )
    return Facts(**{**base, **changes})


def spec(*criteria: CriterionSpec) -> CriteriaSpec:
    return CriteriaSpec(None, "Thử", date(2025, 1, 1), date(2025, 12, 31), tuple(criteria))


def hours(percent: int) -> CriterionSpec:
    return CriterionSpec("hours", percent=percent)


def citizen_scheme(threshold="80") -> CriterionSpec:
    """“Công dân học tập”: 100 points, pass at 80 with no indicator below 5."""
    return CriterionSpec(
        "points",
        threshold=D(threshold),
        indicators=(
            IndicatorSpec(1, "Tự học", D(40), D(5), "hours"),
            IndicatorSpec(2, "Nội dung bắt buộc", D(20), D(5), "required"),
            IndicatorSpec(3, "Ý thức, thái độ", D(30), D(5), "manual"),
            IndicatorSpec(4, "Sáng kiến", D(10), D(5), "initiatives", target=2),
        ),
    )


def test_hours_at_full_target_fail_and_at_95_percent_pass_with_the_fact():
    at_full = evaluate(spec(hours(100)), facts()).outcomes[0]
    at_95 = evaluate(spec(hours(95)), facts()).outcomes[0]
    assert not at_full.passed and at_full.fact == "38/40 tiết"
    assert at_95.passed and at_95.fact == "38/40 tiết"


def test_every_kind_of_criterion_on_one_person():
    result = evaluate(
        spec(
            CriterionSpec("plan_approved"),
            CriterionSpec("required_done"),
            hours(95),
            CriterionSpec("courses", count=2),
            CriterionSpec("courses", count=1, category="foreign-language"),
            CriterionSpec("initiatives", count=1),
        ),
        facts(),
    )
    marks = [(o.passed, o.fact) for o in result.outcomes]
    assert marks == [
        (True, "1/1 năm đã duyệt"),
        (True, "3/3 nội dung"),
        (True, "38/40 tiết"),
        (True, "2 khóa"),
        (False, "0 khóa"),
        (True, "1 sáng kiến"),
    ]
    assert not result.passed  # one criterion short fails the whole set


def test_plan_not_approved_and_required_items_left_fail():
    result = evaluate(
        spec(CriterionSpec("plan_approved"), CriterionSpec("required_done")),
        facts(approved_years=0, required_done=2),
    )
    assert [(o.passed, o.fact) for o in result.outcomes] == [
        (False, "0/1 năm đã duyệt"),
        (False, "2/3 nội dung"),
    ]


def test_points_scheme_passes_at_80_of_100():
    # hours 38/40 of 40 = 38; required 3/3 of 20 = 20; manual 17; initiatives 1/2 of 10 = 5.
    person = facts(manual_points={3: D(17)})
    assert indicator_points(citizen_scheme().indicators[0], person) == D("38.00")
    outcome = evaluate(spec(citizen_scheme()), person).outcomes[0]
    assert outcome.passed
    assert outcome.fact == "80/100 điểm"


def test_points_scheme_fails_when_one_indicator_is_below_its_minimum():
    # 38 + 20 + 30 + 0 = 88 ≥ 80, but initiatives earn 0 < 5.
    outcome = evaluate(
        spec(citizen_scheme()), facts(initiatives=0, manual_points={3: D(30)})
    ).outcomes[0]
    assert not outcome.passed
    assert outcome.fact == "88/100 điểm, “Sáng kiến” 0 < 5"


def test_points_not_yet_entered_say_so_and_count_as_zero():
    outcome = evaluate(spec(citizen_scheme()), facts()).outcomes[0]
    assert not outcome.passed
    assert "chưa chấm: Ý thức, thái độ" in outcome.fact
    assert outcome.fact.startswith("63/100 điểm")


def test_an_empty_set_passes_nobody():
    assert not evaluate(spec(), facts()).passed


def test_a_sound_set_has_no_problems():
    assert problems(spec(hours(100), CriterionSpec("plan_approved"), citizen_scheme())) == []


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        (citizen_scheme(threshold="120"), "điểm đạt 120 lớn hơn tổng điểm tối đa 100"),
        (
            CriterionSpec("points", threshold=None, indicators=citizen_scheme().indicators),
            "cần điểm đạt",
        ),
        (
            CriterionSpec(
                "points",
                threshold=D(5),
                indicators=(IndicatorSpec(None, "A", D(10), D(12), "manual"),),
            ),
            "chỉ số 1: điểm tối thiểu phải từ 0 đến điểm tối đa",
        ),
        (CriterionSpec("hours", percent=None), "cần tỉ lệ phần trăm"),
        (CriterionSpec("courses", count=0), "cần số lượng tối thiểu"),
        (CriterionSpec("points", threshold=D(5)), "thang điểm cần ít nhất một chỉ số"),
    ],
)
def test_each_contradiction_is_named_with_where(criterion, expected):
    found = problems(spec(CriterionSpec("plan_approved"), criterion))
    assert any(message.startswith("Tiêu chí 2:") and expected in message for message in found)


def test_duplicated_criterion_and_bad_period_are_problems():
    broken = CriteriaSpec(None, " ", date(2026, 1, 1), date(2025, 1, 1), (hours(100), hours(90)))
    found = problems(broken)
    assert "Bộ tiêu chí cần có tên." in found
    assert "Ngày kết thúc phải sau ngày bắt đầu." in found
    assert any(m.startswith("Tiêu chí 2: trùng") for m in found)


def test_spec_survives_a_json_round_trip():
    original = spec(
        hours(95), CriterionSpec("courses", count=2, category="ethnic-language"), citizen_scheme()
    )
    text = json.dumps(original.to_json(), ensure_ascii=False)
    assert CriteriaSpec.from_json(json.loads(text)) == original


def test_one_evaluator_for_many_people_judges_each_as_alone():
    """A roster judges people one after another with one evaluator, which remembers outcomes by
    the facts that decide them: every person still gets exactly what judging them alone gives."""
    whole = spec(
        CriterionSpec("plan_approved"),
        CriterionSpec("required_done"),
        hours(90),
        CriterionSpec("courses", count=1, category="foreign-language"),
        CriterionSpec("initiatives", count=1),
        citizen_scheme(),
    )
    people = [
        facts(),
        facts(),  # the same again: outcomes remembered
        facts(manual_points={3: D(30)}),  # same figures, scored: now passes the scheme
        facts(manual_points={3: D(2)}),  # scored below the minimum
        facts(hours_earned=D("38.00")),  # equal to 38: same outcome, same words
        facts(hours_earned=D(35)),
        facts(approved_years=0),
        facts(required_done=2, courses=(1, 1, 1), initiatives=0),
        facts(hours_target=None, hours_earned=None, target_unit=""),
        facts(plan_years=3, approved_years=2, target_unit="hour"),
    ]
    judge = evaluator(whole)
    assert [judge(person) for person in people] == [evaluate(whole, person) for person in people]
    scored = judge(facts(manual_points={3: D(30)}))
    assert scored.outcomes[-1].passed and not judge(facts()).outcomes[-1].passed
