"""Award criteria as plain values, their checks, and the evaluation of one person's facts.

`evaluate` is a pure function: the roster gives it a person's figures (`Facts`) and a set read
from the database (`CriteriaSpec`), and gets back, for each criterion, whether it passed and the
fact that decided it ("38/40 tiết"). A spec turns into JSON and back, so a frozen nomination list
keeps the rules it was built with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from lms.awards.models import CriteriaSet, CriterionKind, IndicatorSource
from lms.courses.format import CATEGORIES

CATEGORY_ORDER = tuple(CATEGORIES)
MAX_YEARS = 10
CENT = Decimal("0.01")


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


@dataclass(frozen=True)
class Facts:
    """What the roster knows of one person in one unit for the period."""

    plan_years: int
    approved_years: int
    required_done: int
    required_total: int
    hours_earned: Decimal | None
    hours_target: Decimal | None
    target_unit: str
    courses: tuple[int, int, int]
    initiatives: int
    manual_points: Mapping[int, Decimal] = field(default_factory=dict)

    def courses_in(self, category: str | None) -> int:
        if category is None:
            return sum(self.courses)
        return self.courses[CATEGORY_ORDER.index(category)]


@dataclass(frozen=True)
class Outcome:
    label: str
    passed: bool
    fact: str


@dataclass(frozen=True)
class Result:
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
    outcomes = tuple(_outcome(criterion, facts) for criterion in spec.criteria)
    return Result(all(o.passed for o in outcomes) and bool(outcomes), outcomes)


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


def _outcome(criterion: CriterionSpec, facts: Facts) -> Outcome:
    label = criterion_label(criterion)
    kind = criterion.kind
    if kind == CriterionKind.PLAN_APPROVED:
        passed = facts.plan_years > 0 and facts.approved_years == facts.plan_years
        fact = _("%(n)d/%(total)d năm đã duyệt", n=facts.approved_years, total=facts.plan_years)
        return Outcome(label, passed, fact)
    if kind == CriterionKind.REQUIRED_DONE:
        if facts.required_total == 0:
            return Outcome(label, True, _("không có nội dung bắt buộc"))
        fact = _(
            "%(done)d/%(total)d nội dung", done=facts.required_done, total=facts.required_total
        )
        return Outcome(label, facts.required_done >= facts.required_total, fact)
    if kind == CriterionKind.HOURS:
        if not facts.hours_target:
            return Outcome(label, False, _("chưa có chỉ tiêu giờ học"))
        earned = facts.hours_earned or Decimal(0)
        passed = earned * 100 >= facts.hours_target * (criterion.percent or 100)
        fact = f"{points_text(earned)}/{points_text(facts.hours_target)} " + unit_label(
            facts.target_unit
        )
        return Outcome(label, passed, fact)
    if kind == CriterionKind.COURSES:
        n = facts.courses_in(criterion.category)
        return Outcome(label, n >= (criterion.count or 0), _("%(n)d khóa", n=n))
    if kind == CriterionKind.INITIATIVES:
        n = facts.initiatives
        return Outcome(label, n >= (criterion.count or 0), _("%(n)d sáng kiến", n=n))
    return _points_outcome(label, criterion, facts)


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
            share = Decimal(0)
        else:
            share = (facts.hours_earned or Decimal(0)) / facts.hours_target
    elif source == IndicatorSource.REQUIRED:
        share = (
            Decimal(1)
            if facts.required_total == 0
            else Decimal(facts.required_done) / facts.required_total
        )
    elif source == IndicatorSource.PLAN:
        share = Decimal(facts.approved_years) / facts.plan_years if facts.plan_years else Decimal(0)
    elif source == IndicatorSource.COURSES:
        share = Decimal(facts.courses_in(indicator.category)) / (indicator.target or 1)
    else:
        share = Decimal(facts.initiatives) / (indicator.target or 1)
    return (top * min(share, Decimal(1))).quantize(CENT, rounding=ROUND_HALF_UP)


def _points_outcome(label: str, criterion: CriterionSpec, facts: Facts) -> Outcome:
    total = Decimal(0)
    top = Decimal(0)
    short: list[str] = []
    unscored: list[str] = []
    for indicator in criterion.indicators:
        points = indicator_points(indicator, facts)
        top += indicator.max_points
        if points is None:
            unscored.append(indicator.name)
            points = Decimal(0)
        total += points
        if points < indicator.min_points:
            short.append(
                _(
                    "“%(name)s” %(points)s < %(least)s",
                    name=indicator.name,
                    points=points_text(points),
                    least=points_text(indicator.min_points),
                )
            )
    threshold = criterion.threshold or Decimal(0)
    passed = total >= threshold and not short
    parts = [_("%(total)s/%(top)s điểm", total=points_text(total), top=points_text(top))]
    parts.extend(short)
    if unscored:
        parts.append(_("chưa chấm: %(names)s", names=", ".join(unscored)))
    return Outcome(label, passed, ", ".join(parts))
