"""The criteria-set form (Flask-WTF): numbered rows of criteria and indicators, as typed.

Each row is a sub-form in a FieldList (posted as `c-0-kind`, `i-2-max`, ...). Its fields check
what they can alone (a number where a number goes, a choice from the list) and keep the message
by the field; the form then puts the rows in the order typed in their "Thứ tự" boxes, numbers
them 1, 2, ... and lists every problem above the form with its row ("Tiêu chí 2: ..."), so a
refused form comes back exactly as sent. What concerns several rows (a kind used twice, points
that do not add up) is criteria.problems(), raised by the service with these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from wtforms import (
    Field,
    FieldList,
    FormField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as RowForm
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from lms.awards.criteria import (
    CriteriaSpec,
    CriterionSpec,
    IndicatorSpec,
    parse_points,
    points_text,
)
from lms.awards.models import CriteriaSet, CriterionKind, IndicatorSource
from lms.awards.services import MAX_EVIDENCE, MAX_NOTE, MAX_SUMMARY, InitiativeInput
from lms.courses.format import CATEGORIES
from lms.db import parse_count, parse_id
from lms.forms import ConfirmForm, Form, cut
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import parse_day, vn_date

CRITERION_ROWS = 6
INDICATOR_ROWS = 8
EXTRA_ROWS = 3  # blank rows offered beyond the filled ones when a set is edited
MAX_ROWS = 40

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


class Whole:
    """A whole number, if anything is typed (what is missing, criteria.problems() names)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, _form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if text and parse_count(text, limit=100000) is None:
            raise ValidationError(
                _("%(what)s “%(text)s” phải là số nguyên.", what=self.what, text=text)
            )


class Points:
    """Points typed with a decimal comma or point ("7,5"), if anything is typed."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, _form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if text and parse_points(text) is None:
            raise ValidationError(
                _(
                    "%(what)s “%(text)s” không phải là số (ví dụ 7,5).",
                    what=self.what,
                    text=text[:20],
                )
            )


def one_of(choices: Iterable[str], message: str) -> list[Any]:
    """One of the choices offered, or nothing (the rows leave blank what they do not use)."""
    return [Optional(), AnyOf([str(choice) for choice in choices], message=message)]


class Order:
    def __call__(self, _form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if text and parse_count(text, limit=1000) is None:
            raise ValidationError(_("thứ tự “%(text)s” phải là số nguyên.", text=text))


class CriterionRow(RowForm):
    order = StringField(filters=[cut(10)], validators=[Order()])
    kind = StringField(
        filters=[cut(20)], validators=one_of(KIND_LABELS, _l("loại tiêu chí không hợp lệ."))
    )
    percent = StringField(filters=[cut(20)], validators=[Whole(_l("tỉ lệ phần trăm"))])
    count = StringField(filters=[cut(20)], validators=[Whole(_l("số lượng"))])
    category = StringField(
        filters=[cut(40)], validators=one_of(CATEGORIES, _l("lĩnh vực khóa học không hợp lệ."))
    )
    threshold = StringField(filters=[cut(20)], validators=[Points(_l("điểm đạt"))])

    @property
    def is_blank(self) -> bool:
        return not self.kind.data


class IndicatorRow(RowForm):
    id = HiddenField(filters=[cut(12)])
    order = StringField(filters=[cut(10)], validators=[Order()])
    name = StringField(filters=[cut(400)], validators=[Length(max=300)])
    max = StringField(filters=[cut(20)], validators=[Points(_l("điểm tối đa"))])
    min = StringField(filters=[cut(20)], validators=[Points(_l("điểm tối thiểu"))])
    source = StringField(
        filters=[cut(20)], validators=one_of(SOURCE_LABELS, _l("nguồn điểm không hợp lệ."))
    )
    target = StringField(filters=[cut(20)], validators=[Whole(_l("số lượng để đạt điểm tối đa"))])
    category = StringField(
        filters=[cut(40)], validators=one_of(CATEGORIES, _l("lĩnh vực khóa học không hợp lệ."))
    )

    @property
    def is_blank(self) -> bool:
        return not (
            (self.name.data or "").strip() or (self.max.data or "").strip() or self.source.data
        )


class SetForm(ConfirmForm):
    # An empty or long name, like every rule over several rows, is criteria.problems()'s.
    name = StringField(filters=[cut(400)])
    description = TextAreaField(filters=[cut(5000)])
    preset = StringField(filters=[cut(10)])
    first = StringField(filters=[cut(20)])
    last = StringField(filters=[cut(20)])
    criteria = FieldList(FormField(CriterionRow), name="c", max_entries=MAX_ROWS)
    indicators = FieldList(FormField(IndicatorRow), name="i", max_entries=MAX_ROWS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pad(CRITERION_ROWS, INDICATOR_ROWS)

    @classmethod
    def of(cls, criteria_set: CriteriaSet) -> SetForm:
        """The form showing a stored set, with a few blank rows to add more."""
        criteria = [
            {
                "order": str(number),
                "kind": criterion.kind,
                "percent": str(criterion.percent or ""),
                "count": str(criterion.count or ""),
                "category": criterion.category or "",
                "threshold": points_text(criterion.threshold) if criterion.threshold else "",
            }
            for number, criterion in enumerate(criteria_set.criteria, start=1)
        ]
        indicators = [
            {
                "id": str(indicator.id),
                "order": str(number),
                "name": indicator.name,
                "max": points_text(indicator.max_points),
                "min": points_text(indicator.min_points),
                "source": indicator.source,
                "target": str(indicator.target or ""),
                "category": indicator.category or "",
            }
            for criterion in criteria_set.criteria
            for number, indicator in enumerate(criterion.indicators, start=1)
        ]
        form = cls(
            formdata=None,
            name=criteria_set.name,
            description=criteria_set.description,
            first=vn_date(criteria_set.first_day),
            last=vn_date(criteria_set.last_day),
            criteria=criteria,
            indicators=indicators,
        )
        form.pad(len(criteria) + EXTRA_ROWS, len(indicators) + EXTRA_ROWS)
        return form

    def pad(self, criteria: int, indicators: int) -> None:
        """Offer at least this many rows of each kind (blank ones at the end)."""
        for rows, least in ((self.criteria, criteria), (self.indicators, indicators)):
            while len(rows) < min(least, MAX_ROWS):
                rows.append_entry()

    def add_rows(self) -> None:
        self.pad(len(self.criteria) + EXTRA_ROWS, len(self.indicators) + EXTRA_ROWS)

    def to_spec(self, set_id: int | None) -> tuple[CriteriaSpec, list[str]]:
        """Check the form and read it into a spec; list every problem found, with its row.

        The filled rows are first put in the order asked for and numbered 1, 2, ... so that
        the numbers in every message (these and those of criteria.problems) match the form
        shown again; each field's own message also stays by the field.
        """
        self.validate()
        found: list[str] = []
        criteria_rows = _ordered(self.criteria)
        indicator_rows = _ordered(self.indicators)
        for label, rows in (
            (_("Tiêu chí %(n)d"), criteria_rows),
            (_("Chỉ số %(n)d"), indicator_rows),
        ):
            for number, row in enumerate(rows, start=1):
                for field in row:
                    found += [f"{label % {'n': number}}: {message}" for message in field.errors]
        first, last = self._period(found)
        indicators = tuple(
            self._indicator(row, number, found) for number, row in enumerate(indicator_rows, 1)
        )
        criteria: list[CriterionSpec] = []
        for row in criteria_rows:
            kind = row.kind.data
            criteria.append(
                CriterionSpec(
                    kind=kind,
                    percent=_whole(row.percent) if kind == CriterionKind.HOURS else None,
                    count=(
                        _whole(row.count)
                        if kind in (CriterionKind.COURSES, CriterionKind.INITIATIVES)
                        else None
                    ),
                    category=(row.category.data or None) if kind == CriterionKind.COURSES else None,
                    threshold=_points(row.threshold) if kind == CriterionKind.POINTS else None,
                    indicators=indicators if kind == CriterionKind.POINTS else (),
                )
            )
        if indicators and not any(c.kind == CriterionKind.POINTS for c in criteria):
            found.append(
                _("Có chỉ số điểm nhưng chưa có tiêu chí loại “Thang điểm” để dùng chúng.")
            )
        spec = CriteriaSpec(
            id=set_id,
            name=(self.name.data or "").strip(),
            first=first,
            last=last,
            criteria=tuple(criteria),
        )
        return spec, found

    def _period(self, found: list[str]) -> tuple[date, date]:
        preset = self.preset.data or ""
        if preset in PRESETS:
            first, last, _label = PRESETS[preset]
            return first, last
        if preset.isdigit() and len(preset) == 4:
            year = int(preset)
            return date(year, 1, 1), date(year, 12, 31)
        days = []
        for field, message in (
            (self.first, _l("Ngày bắt đầu “%(text)s” không đúng dạng dd/mm/yyyy.")),
            (self.last, _l("Ngày kết thúc “%(text)s” không đúng dạng dd/mm/yyyy.")),
        ):
            day = parse_day(field.data or "")
            if day is None:
                field.errors = [*field.errors, str(message) % {"text": (field.data or "").strip()}]
                found.append(field.errors[-1])
            days.append(day)
        first_day, last_day = days
        if first_day is None or last_day is None:
            return _UNREAD_DAY, _UNREAD_DAY
        return first_day, last_day

    @staticmethod
    def _indicator(row: IndicatorRow, number: int, found: list[str]) -> IndicatorSpec:
        source = row.source.data or ""
        if not source:
            row.source.errors = [*row.source.errors, _("chưa chọn nguồn điểm.")]
            found.append(_("%(where)s: chưa chọn nguồn điểm.", where=_("Chỉ số %(n)d", n=number)))
        category = row.category.data or None
        return IndicatorSpec(
            id=parse_id(row.id.data or ""),
            name=(row.name.data or "").strip(),
            max_points=_points(row.max) or Decimal(0),
            min_points=_points(row.min) or Decimal(0),
            source=source,
            target=(
                _whole(row.target)
                if source in (IndicatorSource.COURSES, IndicatorSource.INITIATIVES)
                else None
            ),
            category=category if source == IndicatorSource.COURSES else None,
        )


def _ordered(rows: FieldList) -> list[Any]:
    """The filled rows in the order typed in their "Thứ tự" boxes, renumbered 1, 2, ...; the
    blank rows follow (so the form shown again lists the rows in that order)."""
    keyed = []
    for index, entry in enumerate(rows.entries):
        row = entry.form
        if row.is_blank:
            continue
        order = (
            parse_count(row.order.data or "", limit=1000)
            if (row.order.data or "").strip()
            else None
        )
        keyed.append((order if order is not None else index + 1, index, entry))
    keyed.sort(key=lambda item: item[:2])
    filled = [entry for _order, _index, entry in keyed]
    rows.entries = filled + [entry for entry in rows.entries if entry not in filled]
    for number, entry in enumerate(filled, start=1):
        entry.form.order.data = str(number)
    return [entry.form for entry in filled]


def _whole(field: Field) -> int | None:
    return parse_count((field.data or "").strip(), limit=100000)


def _points(field: Field) -> Decimal | None:
    return parse_points((field.data or "").strip())


class InitiativeForm(Form):
    """An initiative as typed, cut to its columns. Every check (the title, authors within the
    user's reach for the year, the unit, the year, the day of recognition) is the service's,
    which raises every problem together, the same for this page and any other caller; "find"
    searches authors without saving."""

    title = TextAreaField(filters=[cut(2000)])
    authors = SelectMultipleField(validate_choice=False)
    unit = StringField(filters=[cut(12)])
    year = StringField(filters=[cut(10)])
    summary = TextAreaField(filters=[cut(MAX_SUMMARY + 1)])
    evidence = TextAreaField(filters=[cut(MAX_EVIDENCE + 1)])
    level = StringField(filters=[cut(20)])
    recognised_on = StringField(filters=[cut(20)])
    author_q = StringField(filters=[cut(100), lambda value: (value or "").strip()])

    def input(self) -> InitiativeInput:
        return InitiativeInput(
            title=self.title.data or "",
            author_ids=tuple(str(value)[:12] for value in (self.authors.data or [])[:40]),
            unit_id=self.unit.data or "",
            year=self.year.data or "",
            summary=self.summary.data or "",
            evidence=self.evidence.data or "",
            recognition_level=self.level.data or "",
            recognised_on=self.recognised_on.data or "",
        )


def typed_points(formdata: Mapping[str, str]) -> dict[tuple[int, int], str]:
    """The points grid as typed: one cell per person and manual indicator, posted as
    pt-<person id>-<indicator id>. A grid of any size is not a fixed form: its cells are read by
    name, and every check (whose cell, a number within the indicator's range) is the
    service's, which names the person and the indicator of each problem."""
    typed: dict[tuple[int, int], str] = {}
    for key, value in formdata.items():
        if not key.startswith("pt-"):
            continue
        parts = key.split("-")
        person_id = parse_id(parts[1]) if len(parts) == 3 else None
        indicator_id = parse_id(parts[2]) if len(parts) == 3 else None
        typed[(person_id or 0, indicator_id or 0)] = value[:30]
    return typed


class DecisionForm(Form):
    """A decision on an initiative: the button pressed (approve or reject) and the note; that a
    rejection needs a reason, and the note's length, are the service's rules (by field)."""

    decision = StringField()
    note = StringField(filters=[cut(MAX_NOTE + 1)])
