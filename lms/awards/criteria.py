"""Award criteria as plain values, their checks, and the evaluation of one person's facts.

`evaluate` is a pure function: the roster gives it a person's figures (`Facts`) and a set read
from the database (`CriteriaSpec`), and gets back, for each criterion, whether it passed and the
fact that decided it ("38/40 tiết"). A spec turns into JSON and back, so a frozen nomination list
keeps the rules it was built with.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache, partial
from types import MappingProxyType
from typing import Any, NamedTuple

from lms.awards.models import CriteriaSet, CriterionKind, IndicatorSource
from lms.courses.format import CATEGORIES
from lms.i18n import gettext as _

CATEGORY_ORDER = tuple(CATEGORIES)
MAX_YEARS = 10
CENT = Decimal("0.01")
NONE, ALL = Decimal(0), Decimal(1)  # shares of an indicator's points


@dataclass(frozen=True)
class IndicatorSpec:
    id: int | None
    name: str
    max_points: Decimal
    min_points: Decimal
    source: str
    target: int | None = None
    category: str | None = None


@dataclass(frozen=True)
class CriterionSpec:
    kind: str
    percent: int | None = None
    count: int | None = None
    category: str | None = None
    threshold: Decimal | None = None
    indicators: tuple[IndicatorSpec, ...] = ()


@dataclass(frozen=True)
class CriteriaSpec:
    id: int | None
    name: str
    first: date
    last: date
    criteria: tuple[CriterionSpec, ...]

    def to_json(self) -> dict:
        return _jsonable(asdict(self))

    @classmethod
    def from_json(cls, data: dict) -> CriteriaSpec:
        return cls(
            id=data["id"],
            name=data["name"],
            first=date.fromisoformat(data["first"]),
            last=date.fromisoformat(data["last"]),
            criteria=tuple(
                CriterionSpec(
                    kind=c["kind"],
                    percent=c["percent"],
                    count=c["count"],
                    category=c["category"],
                    threshold=None if c["threshold"] is None else Decimal(c["threshold"]),
                    indicators=tuple(
                        IndicatorSpec(
                            id=i["id"],
                            name=i["name"],
                            max_points=Decimal(i["max_points"]),
                            min_points=Decimal(i["min_points"]),
                            source=i["source"],
                            target=i["target"],
                            category=i["category"],
                        )
                        for i in c["indicators"]
                    ),
                )
                for c in data["criteria"]
            ),
        )


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def spec_of(criteria_set: CriteriaSet) -> CriteriaSpec:
    """Read a stored set (with its criteria and indicators loaded) as plain values."""
    return CriteriaSpec(
        id=criteria_set.id,
        name=criteria_set.name,
        first=criteria_set.first_day,
        last=criteria_set.last_day,
        criteria=tuple(
            CriterionSpec(
                kind=criterion.kind,
                percent=criterion.percent,
                count=criterion.count,
                category=criterion.category,
                threshold=criterion.threshold,
                indicators=tuple(
                    IndicatorSpec(
                        id=indicator.id,
                        name=indicator.name,
                        max_points=indicator.max_points,
                        min_points=indicator.min_points,
                        source=indicator.source,
                        target=indicator.target,
                        category=indicator.category,
                    )
                    for indicator in criterion.indicators
                ),
            )
            for criterion in criteria_set.criteria
        ),
    )


# ---------------------------------------------------------------------------------------------
# Checking a set someone defined


def problems(spec: CriteriaSpec) -> list[str]:
    """Return every reason this set cannot be used, in Vietnamese; empty when it is sound."""
    found: list[str] = []
    if not spec.name.strip():
        found.append(_("Bộ tiêu chí cần có tên."))
    if spec.last < spec.first:
        found.append(_("Ngày kết thúc phải sau ngày bắt đầu."))
    elif spec.last.year - spec.first.year >= MAX_YEARS:
        found.append(_("Kỳ báo cáo dài tối đa %(n)d năm.", n=MAX_YEARS))
    if not spec.criteria:
        found.append(_("Bộ tiêu chí cần ít nhất một tiêu chí."))
    seen: set[tuple[str, str | None]] = set()
    for number, criterion in enumerate(spec.criteria, start=1):
        where = _("Tiêu chí %(n)d", n=number)
        key = (criterion.kind, criterion.category)
        if key in seen:
            found.append(_("%(where)s: trùng với một tiêu chí cùng loại ở trên.", where=where))
        seen.add(key)
        found.extend(f"{where}: {message}" for message in _criterion_problems(criterion))
    return found


def _criterion_problems(criterion: CriterionSpec) -> list[str]:
    kind = criterion.kind
    if kind not in set(CriterionKind):
        return [_("loại tiêu chí không hợp lệ.")]
    if kind == CriterionKind.HOURS and not (criterion.percent and 1 <= criterion.percent <= 1000):
        return [_("cần tỉ lệ phần trăm chỉ tiêu giờ học, từ 1 đến 1000.")]
    if kind in (CriterionKind.COURSES, CriterionKind.INITIATIVES):
        if not (criterion.count and criterion.count >= 1):
            return [_("cần số lượng tối thiểu, ít nhất là 1.")]
        if criterion.category is not None and criterion.category not in CATEGORIES:
            return [_("lĩnh vực khóa học không hợp lệ.")]
    if kind == CriterionKind.POINTS:
        return _points_problems(criterion)
    return []


def _points_problems(criterion: CriterionSpec) -> list[str]:
    found: list[str] = []
    if not criterion.indicators:
        found.append(_("thang điểm cần ít nhất một chỉ số."))
    total = sum((i.max_points for i in criterion.indicators), Decimal(0))
    if criterion.threshold is None or criterion.threshold <= 0:
        found.append(_("cần điểm đạt (lớn hơn 0)."))
    elif criterion.indicators and criterion.threshold > total:
        found.append(
            _(
                "điểm đạt %(threshold)s lớn hơn tổng điểm tối đa %(total)s: không ai có thể đạt.",
                threshold=points_text(criterion.threshold),
                total=points_text(total),
            )
        )
    for number, indicator in enumerate(criterion.indicators, start=1):
        where = _("chỉ số %(n)d", n=number)
        if not indicator.name.strip():
            found.append(_("%(where)s cần có tên.", where=where))
        if indicator.source not in set(IndicatorSource):
            found.append(_("%(where)s: nguồn điểm không hợp lệ.", where=where))
        if indicator.max_points <= 0:
            found.append(_("%(where)s: điểm tối đa phải lớn hơn 0.", where=where))
        if indicator.min_points < 0 or indicator.min_points > indicator.max_points:
            found.append(_("%(where)s: điểm tối thiểu phải từ 0 đến điểm tối đa.", where=where))
        if indicator.source in (IndicatorSource.COURSES, IndicatorSource.INITIATIVES) and not (
            indicator.target and indicator.target >= 1
        ):
            found.append(_("%(where)s: cần số lượng để đạt điểm tối đa.", where=where))
    return found


# ---------------------------------------------------------------------------------------------
# Evaluating one person


class Facts(NamedTuple):
    """What the roster knows of one person in one unit for the period.

    Tuples, like Outcome and Result: a roster makes one of each per person judged."""

    plan_years: int
    approved_years: int
    required_done: int
    required_total: int
    hours_earned: Decimal | None
    hours_target: Decimal | None
    target_unit: str
    courses: tuple[int, int, int]
    initiatives: int
    manual_points: Mapping[int, Decimal] = MappingProxyType({})

    def courses_in(self, category: str | None) -> int:
        if category is None:
            return sum(self.courses)
        return self.courses[CATEGORY_ORDER.index(category)]


class Outcome(NamedTuple):
    label: str
    passed: bool
    fact: str


class Result(NamedTuple):
    passed: bool
    outcomes: tuple[Outcome, ...]

    @property
    def reasons(self) -> str:
        """One line for a spreadsheet cell: each criterion, its mark and its fact."""
        return "; ".join(
            f"{'✓' if outcome.passed else '✗'} {outcome.label}: {outcome.fact}"
            for outcome in self.outcomes
        )


def evaluate(spec: CriteriaSpec, facts: Facts) -> Result:
    return evaluator(spec)(facts)


@dataclass(frozen=True)
class _Words:
    """The words of the facts, translated once and filled in per person: translating them for
    each of a hundred thousand people cost more than judging them."""

    years: str
    no_required: str
    items: str
    no_target: str
    tiet: str
    hour: str
    courses: str
    initiatives: str
    below: str
    points: str
    unscored: str

    @classmethod
    def current(cls) -> _Words:
        # Unformatted: gettext without variables returns the template as translated.
        return cls(
            years=_("%(n)d/%(total)d năm đã duyệt"),
            no_required=_("không có nội dung bắt buộc"),
            items=_("%(done)d/%(total)d nội dung"),
            no_target=_("chưa có chỉ tiêu giờ học"),
            tiet=unit_label("tiet"),
            hour=unit_label("hour"),
            courses=_("%(n)d khóa"),
            initiatives=_("%(n)d sáng kiến"),
            below=_("“%(name)s” %(points)s < %(least)s"),
            points=_("%(total)s/%(top)s điểm"),
            unscored=_("chưa chấm: %(names)s"),
        )


def evaluator(spec: CriteriaSpec) -> Callable[[Facts], Result]:
    """Judge people against spec, one after another: the labels and words are translated once,
    and each outcome is worked out once per set of the facts that decide it (most people share
    their plan years, required items, course counts; a points scheme, its points)."""
    words = _Words.current()
    checks: list[
        tuple[Callable[[Facts], Hashable], Callable[[Any, Facts], Outcome], dict[Hashable, Outcome]]
    ] = [(*_check(criterion, words), {}) for criterion in spec.criteria]

    def judge(facts: Facts) -> Result:
        outcomes = []
        for deciding, outcome_of, seen in checks:
            key = deciding(facts)
            outcome = seen.get(key)
            if outcome is None:
                outcome = seen[key] = outcome_of(key, facts)
            outcomes.append(outcome)
        return Result(all(o.passed for o in outcomes) and bool(outcomes), tuple(outcomes))

    return judge


def _check(
    criterion: CriterionSpec, words: _Words
) -> tuple[Callable[[Facts], Hashable], Callable[[Any, Facts], Outcome]]:
    # Any: each kind's outcome reads the key its own deciding function made.
    """What decides a criterion's outcome (a function of the facts), and how to work it out."""
    label = criterion_label(criterion)
    if criterion.kind == CriterionKind.POINTS:

        def from_points(points: tuple[Decimal | None, ...], _facts: Facts) -> Outcome:
            return _points_outcome(label, criterion, points, words)

        return _points_of(criterion), from_points

    def from_facts(_key: Hashable, facts: Facts) -> Outcome:
        return _outcome(criterion, label, facts, words)

    return _deciding(criterion), from_facts


def _deciding(criterion: CriterionSpec) -> Callable[[Facts], Hashable]:
    """The facts a criterion's outcome depends on, and nothing else."""
    kind = criterion.kind
    if kind == CriterionKind.PLAN_APPROVED:
        return lambda facts: (facts.plan_years, facts.approved_years)
    if kind == CriterionKind.REQUIRED_DONE:
        return lambda facts: (facts.required_done, facts.required_total)
    if kind == CriterionKind.HOURS:
        return lambda facts: (facts.hours_earned, facts.hours_target, facts.target_unit)
    if kind == CriterionKind.COURSES:
        return lambda facts: facts.courses_in(criterion.category)
    return lambda facts: facts.initiatives


def _points_of(criterion: CriterionSpec) -> Callable[[Facts], tuple[Decimal | None, ...]]:
    """A points scheme's points per indicator, each worked out once per the facts it reads."""
    indicators: list[
        tuple[IndicatorSpec, Callable[[Facts], Hashable], dict[Hashable, Decimal | None]]
    ] = []
    for indicator in criterion.indicators:
        source = indicator.source
        deciding: Callable[[Facts], Hashable]
        if source == IndicatorSource.MANUAL:
            deciding = partial(_manual, indicator.id)
        elif source == IndicatorSource.HOURS:
            deciding = _deciding(CriterionSpec(CriterionKind.HOURS))
        elif source == IndicatorSource.REQUIRED:
            deciding = _deciding(CriterionSpec(CriterionKind.REQUIRED_DONE))
        elif source == IndicatorSource.PLAN:
            deciding = _deciding(CriterionSpec(CriterionKind.PLAN_APPROVED))
        elif source == IndicatorSource.COURSES:
            deciding = _deciding(CriterionSpec(CriterionKind.COURSES, category=indicator.category))
        else:
            deciding = _deciding(CriterionSpec(CriterionKind.INITIATIVES))
        indicators.append((indicator, deciding, {}))

    def points(facts: Facts) -> tuple[Decimal | None, ...]:
        found = []
        for indicator, deciding, seen in indicators:
            key = deciding(facts)
            if key in seen:
                found.append(seen[key])
            else:
                found.append(seen.setdefault(key, indicator_points(indicator, facts)))
        return tuple(found)

    return points


def _manual(indicator_id: int | None, facts: Facts) -> Decimal | None:
    return facts.manual_points.get(indicator_id) if indicator_id is not None else None


MAX_POINTS = Decimal("99999.99")  # what Numeric(7, 2) holds


def parse_points(text: str) -> Decimal | None:
    """Read points typed with a decimal comma or point ("7,5", "7.5"); None if not a number."""
    text = text.strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not text or not text.isascii() or not all(c.isdigit() or c in ".-" for c in text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > MAX_POINTS:
        return None
    return value.quantize(Decimal("0.01"))


@lru_cache(maxsize=8192)  # a roster repeats the same points and targets over and over
def points_text(value: Decimal) -> str:
    """Points the Vietnamese way: decimal comma, no trailing zeros."""
    text = f"{value.quantize(CENT).normalize():f}"
    return text.replace(".", ",")


def unit_label(unit: str) -> str:
    return _("tiết") if unit == "tiet" else _("giờ")


def category_label(category: str | None) -> str:
    return str(CATEGORIES[category]) if category else _("mọi lĩnh vực")


def criterion_label(criterion: CriterionSpec) -> str:
    kind = criterion.kind
    if kind == CriterionKind.PLAN_APPROVED:
        return _("Kế hoạch được duyệt")
    if kind == CriterionKind.REQUIRED_DONE:
        return _("Hoàn thành nội dung bắt buộc")
    if kind == CriterionKind.HOURS:
        if criterion.percent == 100:
            return _("Đạt chỉ tiêu giờ học")
        return _("Đạt %(percent)d%% chỉ tiêu giờ học", percent=criterion.percent or 0)
    if kind == CriterionKind.COURSES:
        return _(
            "Ít nhất %(n)d khóa học hoàn thành (%(category)s)",
            n=criterion.count or 0,
            category=category_label(criterion.category),
        )
    if kind == CriterionKind.INITIATIVES:
        return _("Ít nhất %(n)d sáng kiến được công nhận", n=criterion.count or 0)
    return _(
        "Tổng điểm từ %(threshold)s, không chỉ số nào dưới mức tối thiểu",
        threshold=points_text(criterion.threshold or Decimal(0)),
    )


def _outcome(criterion: CriterionSpec, label: str, facts: Facts, words: _Words) -> Outcome:
    kind = criterion.kind
    if kind == CriterionKind.PLAN_APPROVED:
        passed = facts.plan_years > 0 and facts.approved_years == facts.plan_years
        fact = words.years % {"n": facts.approved_years, "total": facts.plan_years}
        return Outcome(label, passed, fact)
    if kind == CriterionKind.REQUIRED_DONE:
        if facts.required_total == 0:
            return Outcome(label, True, words.no_required)
        fact = words.items % {"done": facts.required_done, "total": facts.required_total}
        return Outcome(label, facts.required_done >= facts.required_total, fact)
    if kind == CriterionKind.HOURS:
        if not facts.hours_target:
            return Outcome(label, False, words.no_target)
        earned = facts.hours_earned or Decimal(0)
        passed = earned * 100 >= facts.hours_target * (criterion.percent or 100)
        unit = words.tiet if facts.target_unit == "tiet" else words.hour
        fact = f"{points_text(earned)}/{points_text(facts.hours_target)} {unit}"
        return Outcome(label, passed, fact)
    if kind == CriterionKind.COURSES:
        n = facts.courses_in(criterion.category)
        return Outcome(label, n >= (criterion.count or 0), words.courses % {"n": n})
    if kind == CriterionKind.INITIATIVES:
        n = facts.initiatives
        return Outcome(label, n >= (criterion.count or 0), words.initiatives % {"n": n})
    points = tuple(indicator_points(indicator, facts) for indicator in criterion.indicators)
    return _points_outcome(label, criterion, points, words)


def indicator_points(indicator: IndicatorSpec, facts: Facts) -> Decimal | None:
    """Points earned on one indicator; None when a manager has not scored it yet."""
    top = indicator.max_points
    source = indicator.source
    if source == IndicatorSource.MANUAL:
        if indicator.id is None or indicator.id not in facts.manual_points:
            return None
        return min(facts.manual_points[indicator.id], top)
    if source == IndicatorSource.HOURS:
        if not facts.hours_target:
            share = NONE
        else:
            share = (facts.hours_earned or NONE) / facts.hours_target
    elif source == IndicatorSource.REQUIRED:
        share = (
            ALL
            if facts.required_total == 0
            else Decimal(facts.required_done) / facts.required_total
        )
    elif source == IndicatorSource.PLAN:
        share = Decimal(facts.approved_years) / facts.plan_years if facts.plan_years else NONE
    elif source == IndicatorSource.COURSES:
        share = Decimal(facts.courses_in(indicator.category)) / (indicator.target or 1)
    else:
        share = Decimal(facts.initiatives) / (indicator.target or 1)
    if share >= ALL:
        return top.quantize(CENT, rounding=ROUND_HALF_UP)
    return (top * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _points_outcome(
    label: str, criterion: CriterionSpec, earned: tuple[Decimal | None, ...], words: _Words
) -> Outcome:
    """A points scheme's outcome from the points earned on each indicator (None: not scored)."""
    total = NONE
    top = NONE
    short: list[str] = []
    unscored: list[str] = []
    for indicator, points in zip(criterion.indicators, earned, strict=True):
        top += indicator.max_points
        if points is None:
            unscored.append(indicator.name)
            points = NONE
        total += points
        if points < indicator.min_points:
            short.append(
                words.below
                % {
                    "name": indicator.name,
                    "points": points_text(points),
                    "least": points_text(indicator.min_points),
                }
            )
    threshold = criterion.threshold or NONE
    passed = total >= threshold and not short
    parts = [words.points % {"total": points_text(total), "top": points_text(top)}]
    parts.extend(short)
    if unscored:
        parts.append(words.unscored % {"names": ", ".join(unscored)})
    return Outcome(label, passed, ", ".join(parts))
