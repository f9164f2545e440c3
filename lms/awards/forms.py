"""The criteria-set form: numbered rows read as typed, checked, and turned into a spec.

The form keeps every value as the person typed it, so a refused form comes back exactly as it
was sent, with the list of problems above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.awards.criteria import CriteriaSpec, CriterionSpec, IndicatorSpec, points_text
from lms.awards.models import CriteriaSet, CriterionKind, IndicatorSource
from lms.courses.format import CATEGORIES
from lms.db import parse_count, parse_id
from lms.i18n import parse_day, vn_date

CRITERION_ROWS = 6
INDICATOR_ROWS = 8
EXTRA_ROWS = 3  # blank rows offered beyond the filled ones when a set is edited
MAX_ROWS = 40
MAX_POINTS = Decimal("99999.99")  # what Numeric(7, 2) holds

PRESETS = {
    "gd1": (date(2024, 1, 1), date(2025, 12, 31), _l("Giai đoạn 1 (2024–2025)")),
    "gd2": (date(2026, 1, 1), date(2030, 12, 31), _l("Giai đoạn 2 (2026–2030)")),
}
KIND_LABELS = {
    CriterionKind.PLAN_APPROVED: _l("Kế hoạch tự học được duyệt"),
    CriterionKind.REQUIRED_DONE: _l("Hoàn thành mọi nội dung bắt buộc"),
    CriterionKind.HOURS: _l("Đạt chỉ tiêu giờ học (theo %)"),
    CriterionKind.COURSES: _l("Số khóa học hoàn thành"),
    CriterionKind.INITIATIVES: _l("Số sáng kiến được công nhận"),
    CriterionKind.POINTS: _l("Thang điểm (các chỉ số bên dưới)"),
}
SOURCE_LABELS = {
    IndicatorSource.MANUAL: _l("Lãnh đạo chấm"),
    IndicatorSource.HOURS: _l("Theo giờ học"),
    IndicatorSource.REQUIRED: _l("Theo nội dung bắt buộc"),
    IndicatorSource.PLAN: _l("Theo kế hoạch được duyệt"),
    IndicatorSource.COURSES: _l("Theo số khóa học"),
    IndicatorSource.INITIATIVES: _l("Theo số sáng kiến"),
}
# Placeholder dates for a spec whose typed dates could not be read: in order, so that the
# period check adds nothing to the "not a date" problem already listed.
_UNREAD_DAY = date(2000, 1, 1)


class _Row(Protocol):
    order: str

    @property
    def is_blank(self) -> bool: ...


Row = TypeVar("Row", bound=_Row)


@dataclass
class CriterionRow:
    order: str = ""
    kind: str = ""
    percent: str = ""
    count: str = ""
    category: str = ""
    threshold: str = ""

    @property
    def is_blank(self) -> bool:
        return not self.kind


@dataclass
class IndicatorRow:
    id: str = ""
    order: str = ""
    name: str = ""
    max_points: str = ""
    min_points: str = ""
    source: str = ""
    target: str = ""
    category: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.name.strip() or self.max_points.strip() or self.source)


@dataclass
class SetForm:
    name: str = ""
    description: str = ""
    preset: str = ""
    first: str = ""
    last: str = ""
    criteria: list[CriterionRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)

    @classmethod
    def blank(cls) -> SetForm:
        return cls(
            criteria=[CriterionRow() for _n in range(CRITERION_ROWS)],
            indicators=[IndicatorRow() for _n in range(INDICATOR_ROWS)],
        )

    @classmethod
    def of(cls, criteria_set: CriteriaSet) -> SetForm:
        """The form showing a stored set, with a few blank rows to add more."""
        criteria = [
            CriterionRow(
                order=str(number),
                kind=criterion.kind,
                percent=str(criterion.percent or ""),
                count=str(criterion.count or ""),
                category=criterion.category or "",
                threshold=points_text(criterion.threshold) if criterion.threshold else "",
            )
            for number, criterion in enumerate(criteria_set.criteria, start=1)
        ]
        indicators = [
            IndicatorRow(
                id=str(indicator.id),
                order=str(number),
                name=indicator.name,
                max_points=points_text(indicator.max_points),
                min_points=points_text(indicator.min_points),
                source=indicator.source,
                target=str(indicator.target or ""),
                category=indicator.category or "",
            )
            for criterion in criteria_set.criteria
            for number, indicator in enumerate(criterion.indicators, start=1)
        ]
        return cls(
            name=criteria_set.name,
            description=criteria_set.description,
            first=vn_date(criteria_set.first_day),
            last=vn_date(criteria_set.last_day),
            criteria=_padded(criteria, CriterionRow, CRITERION_ROWS),
            indicators=_padded(indicators, IndicatorRow, INDICATOR_ROWS),
        )

    @classmethod
    def read(cls, form: Mapping[str, str], *, add_rows: bool = False) -> SetForm:
        """The form as sent; with add_rows, a few more blank rows of each kind."""

        def value(name: str, limit: int = 300) -> str:
            return str(form.get(name, ""))[:limit]

        criteria = []
        for n in range(min(parse_count(form.get("criterion_rows", "")) or 0, MAX_ROWS)):
            criteria.append(
                CriterionRow(
                    order=value(f"c{n}-order", 10),
                    kind=value(f"c{n}-kind", 20),
                    percent=value(f"c{n}-percent", 20),
                    count=value(f"c{n}-count", 20),
                    category=value(f"c{n}-category", 40),
                    threshold=value(f"c{n}-threshold", 20),
                )
            )
        indicators = []
        for n in range(min(parse_count(form.get("indicator_rows", "")) or 0, MAX_ROWS)):
            indicators.append(
                IndicatorRow(
                    id=value(f"i{n}-id", 12),
                    order=value(f"i{n}-order", 10),
                    name=value(f"i{n}-name", 400),
                    max_points=value(f"i{n}-max", 20),
                    min_points=value(f"i{n}-min", 20),
                    source=value(f"i{n}-source", 20),
                    target=value(f"i{n}-target", 20),
                    category=value(f"i{n}-category", 40),
                )
            )
        if add_rows:
            criteria += [CriterionRow() for _n in range(EXTRA_ROWS)]
            indicators += [IndicatorRow() for _n in range(EXTRA_ROWS)]
        return cls(
            name=value("name", 400),
            description=value("description", 5000),
            preset=value("preset", 10),
            first=value("first", 20),
            last=value("last", 20),
            criteria=criteria[:MAX_ROWS],
            indicators=indicators[:MAX_ROWS],
        )

    def to_spec(self, set_id: int | None) -> tuple[CriteriaSpec, list[str]]:
        """Read the typed values into a spec; list what could not be read, with where.

        The rows are first put in the order asked for and numbered 1, 2, … so that the
        numbers in every message (these and those of criteria.problems) match the form
        shown again.
        """
        found: list[str] = []
        self.criteria = _sorted_rows(self.criteria, _("Tiêu chí %(n)d"), found, CriterionRow)
        self.indicators = _sorted_rows(self.indicators, _("Chỉ số %(n)d"), found, IndicatorRow)
        first, last = self._period(found)
        indicators = self._indicators(found)
        criteria: list[CriterionSpec] = []
        has_points = False
        for number, row in enumerate(self.criteria, start=1):
            if row.is_blank:
                continue
            where = _("Tiêu chí %(n)d", n=number)
            kind = row.kind
            percent = count = threshold = None
            category = None
            if kind == CriterionKind.HOURS:
                percent = _whole(row.percent, where, _("tỉ lệ phần trăm"), found)
            elif kind in (CriterionKind.COURSES, CriterionKind.INITIATIVES):
                count = _whole(row.count, where, _("số lượng"), found)
                if kind == CriterionKind.COURSES:
                    category = row.category or None
            elif kind == CriterionKind.POINTS:
                threshold = _points(row.threshold, where, _("điểm đạt"), found)
                has_points = True
            criteria.append(
                CriterionSpec(
                    kind=kind,
                    percent=percent,
                    count=count,
                    category=category,
                    threshold=threshold,
                    indicators=indicators if kind == CriterionKind.POINTS else (),
                )
            )
        if indicators and not has_points:
            found.append(
                _("Có chỉ số điểm nhưng chưa có tiêu chí loại “Thang điểm” để dùng chúng.")
            )
        spec = CriteriaSpec(
            id=set_id, name=self.name.strip(), first=first, last=last, criteria=tuple(criteria)
        )
        return spec, found

    def _period(self, found: list[str]) -> tuple[date, date]:
        if self.preset in PRESETS:
            first, last, _label = PRESETS[self.preset]
            return first, last
        if self.preset.isdigit() and len(self.preset) == 4:
            year = int(self.preset)
            return date(year, 1, 1), date(year, 12, 31)
        first_day, last_day = parse_day(self.first), parse_day(self.last)
        if first_day is None:
            found.append(
                _("Ngày bắt đầu “%(text)s” không đúng dạng dd/mm/yyyy.", text=self.first.strip())
            )
        if last_day is None:
            found.append(
                _("Ngày kết thúc “%(text)s” không đúng dạng dd/mm/yyyy.", text=self.last.strip())
            )
        if first_day is None or last_day is None:
            return _UNREAD_DAY, _UNREAD_DAY
        return first_day, last_day

    def _indicators(self, found: list[str]) -> tuple[IndicatorSpec, ...]:
        read: list[IndicatorSpec] = []
        for number, row in enumerate(self.indicators, start=1):
            if row.is_blank:
                continue
            where = _("Chỉ số %(n)d", n=number)
            max_points = _points(row.max_points, where, _("điểm tối đa"), found)
            min_points = (
                _points(row.min_points, where, _("điểm tối thiểu"), found)
                if row.min_points.strip()
                else Decimal(0)
            )
            target = None
            if row.source in (IndicatorSource.COURSES, IndicatorSource.INITIATIVES):
                target = _whole(row.target, where, _("số lượng để đạt điểm tối đa"), found)
            category = row.category or None
            if row.source != IndicatorSource.COURSES:
                category = None
            elif category is not None and category not in CATEGORIES:
                found.append(_("%(where)s: lĩnh vực khóa học không hợp lệ.", where=where))
            if not row.source:
                found.append(_("%(where)s: chưa chọn nguồn điểm.", where=where))
            read.append(
                IndicatorSpec(
                    id=parse_id(row.id),
                    name=row.name.strip(),
                    max_points=max_points if max_points is not None else Decimal(0),
                    min_points=min_points if min_points is not None else Decimal(0),
                    source=row.source,
                    target=target,
                    category=category,
                )
            )
        return tuple(read)


def _sorted_rows(
    rows: list[Row], label: str, found: list[str], make: Callable[[], Row]
) -> list[Row]:
    """The filled rows in the order typed in their "Thứ tự" boxes, renumbered, then blanks."""
    keyed = []
    for index, row in enumerate(rows):
        if row.is_blank:
            continue
        order = parse_count(row.order, limit=1000) if row.order.strip() else index + 1
        keyed.append((order if order is not None else index + 1, index, row, order is None))
    keyed.sort(key=lambda item: item[:2])
    result = []
    for number, (_order, _index, row, unreadable) in enumerate(keyed, start=1):
        if unreadable:
            found.append(
                _(
                    "%(where)s: thứ tự “%(text)s” phải là số nguyên.",
                    where=label % {"n": number},
                    text=row.order.strip(),
                )
            )
        row.order = str(number)
        result.append(row)
    blanks = len(rows) - len(result)
    return result + [make() for _n in range(blanks)]


def _padded(rows: list[Row], make: Callable[[], Row], least: int) -> list[Row]:
    return rows + [make() for _n in range(max(EXTRA_ROWS, least - len(rows)))]


def _whole(text: str, where: str, what: str, found: list[str]) -> int | None:
    if not text.strip():
        return None  # criteria.problems() names what is missing
    number = parse_count(text, limit=100000)
    if number is None:
        found.append(
            _(
                "%(where)s: %(what)s “%(text)s” phải là số nguyên.",
                where=where,
                what=what,
                text=text.strip(),
            )
        )
    return number


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


def _points(text: str, where: str, what: str, found: list[str]) -> Decimal | None:
    if not text.strip():
        return None
    value = parse_points(text)
    if value is None:
        found.append(
            _(
                "%(where)s: %(what)s “%(text)s” không phải là số (ví dụ 7,5).",
                where=where,
                what=what,
                text=text.strip()[:20],
            )
        )
    return value
