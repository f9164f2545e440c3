"""The roster and the summary as documents: letterhead, typed cells per row, notes, signers.

A row holds typed values (numbers, dates, text), each column has a kind. The page, the CSV and
the print turn them into the same text (Document.text_rows); the XLSX writes the values
themselves with a number format that shows the same digits. So page and files cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from lms.agency.queries import AgencyProfile, printed_profile
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import vn_date, vn_long_date
from lms.numbers import decimal_text, two_places
from lms.plans.models import PlanStatus
from lms.plans.states import APPROVED_REVISING
from lms.reports.queries import NOTES, Roster, RosterPlan, RosterRow
from lms.reports.summary import Summary

Cell = str | int | Decimal | date | None


class Kind(StrEnum):
    """What a column holds: how its cells read as text and how a spreadsheet formats them."""

    TEXT = "text"
    INTEGER = "integer"  # a count; None reads "—"
    DECIMAL = "decimal"  # tiết or hours, kept to two places (lms.numbers.decimal_text)
    PERCENT = "percent"  # a whole percentage as an int: 79 reads "79%"
    DATE = "date"  # reads dd/mm/yyyy


@dataclass(frozen=True)
class Document:
    """One table with its Nghị định 30/2020 letterhead, notes under it and signers after it."""

    agency: str
    title: str
    period: str
    place_and_date: str
    headers: list[str]
    # A list, or a generator that reads the rows in batches as a download is written.
    rows: Iterable[list[Cell]]
    widths: list[int]
    # The kind of each column (Kind values); a column without one is text.
    kinds: list[str] = field(default_factory=list)
    parent: str = ""  # the parent body, above the agency's name
    notes: list[str] = field(default_factory=list)
    # (title, name) of each signer, left to right; a blank one is a blank line to write on.
    signers: list[tuple[str, str]] = field(default_factory=list)

    def text_rows(self) -> Iterator[list[str | int]]:
        """The rows as the page, the CSV and the print show them."""
        convert = text_row_function(self.kinds)
        return (convert(row) for row in self.rows)


# How each kind reads as text. A str passes unchanged: a total line's blank number column, or a
# list frozen before its columns had kinds.
@lru_cache(maxsize=1024)
def percent_text(value: int | Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _decimal(value):
    return value if isinstance(value, str) else decimal_text(value)


def _percent(value):
    return value if isinstance(value, str) else percent_text(value)


_birthday = lru_cache(maxsize=32768)(vn_date)  # people share birthdays


def _date(value):
    return value if isinstance(value, str) else _birthday(value)


def _count(value):
    return "—" if value is None else value


TEXT_OF: dict[str, Callable[[Cell], str | int]] = {
    Kind.DECIMAL: _decimal,
    Kind.PERCENT: _percent,
    Kind.DATE: _date,
    Kind.INTEGER: _count,
}


def text_row_function(kinds: Sequence[str]) -> Callable[[Sequence[Cell]], list[str | int]]:
    """A function turning one row of typed cells into the text every reader sees."""
    converters = [(index, TEXT_OF[kind]) for index, kind in enumerate(kinds) if kind in TEXT_OF]

    def convert(row: Sequence[Cell]) -> list[str | int]:
        text = ["" if value is None else value for value in row]
        for index, to_text in converters:
            text[index] = to_text(row[index])
        return text  # type: ignore[return-value]

    return convert


# ---------------------------------------------------------------------------------------------
# Letterhead and signers, from the agency profile


def letterhead(unit_name: str, today: date, profile: AgencyProfile | None = None) -> dict:
    """The Document fields the agency profile decides: parent body and agency (upper case, as
    Nghị định 30 writes them), the date line, the signers. unit_name stands in for an unset
    agency name."""
    profile = profile or printed_profile()
    return {
        "parent": profile.parent_body.upper(),
        "agency": profile.agency_or(unit_name).upper(),
        "place_and_date": f"{profile.place}, {vn_long_date(today)}",
        "signers": signer_lines(profile),
    }


def signer_lines(profile: AgencyProfile) -> list[tuple[str, str]]:
    """(title in capitals, name) of each signer, as Nghị định 30 writes a signature block."""
    return [(title.upper(), name) for title, name in profile.signers]


# ---------------------------------------------------------------------------------------------
# The roster

STATUS_LABELS = {
    PlanStatus.DRAFT: _l("Bản nháp"),
    PlanStatus.SUBMITTED: _l("Chờ duyệt"),
    PlanStatus.RETURNED: _l("Trả lại để sửa"),
    PlanStatus.APPROVED: _l("Đã duyệt"),
    APPROVED_REVISING: _l("Đã duyệt (đang điều chỉnh)"),
}


@dataclass(frozen=True)
class Labels:
    """The words of the roster's cells, translated once per document rather than per row."""

    statuses: dict[str, str]
    none: str
    years: str
    passed: str
    failed: str
    units: dict[str, str]

    @classmethod
    def current(cls) -> Labels:
        return cls(
            statuses={status: str(label) for status, label in STATUS_LABELS.items()},
            none=_("Chưa lập"),
            # Translated unformatted: each row fills in its own figures.
            years=_("%(n)d/%(total)d năm đã duyệt"),
            passed=_("Đạt"),
            failed=_("Chưa đạt"),
            # The unit of a row's target rule; a row without a rule has none.
            units={"tiet": _("tiết"), "hour": _("giờ")},
        )


def status_label(row: RosterRow, labels: Labels) -> str:
    if row.plan_status is None:
        return labels.years % {"n": row.approved_years, "total": row.plan_years}
    return labels.statuses.get(row.plan_status, labels.none)


def number(value: Decimal | None) -> str:
    """Write tiết or hours as every page and file does (lms.numbers.decimal_text)."""
    return decimal_text(value)


ROSTER_COLUMNS: list[tuple[object, int, Kind]] = [
    (_l("STT"), 5, Kind.INTEGER),
    (_l("Họ và tên"), 24, Kind.TEXT),
    (_l("Ngày sinh"), 11, Kind.DATE),
    (_l("Chức vụ"), 18, Kind.TEXT),
    (_l("Đơn vị"), 26, Kind.TEXT),
    (_l("Kế hoạch"), 14, Kind.TEXT),
    (_l("Nội dung bắt buộc đã xong"), 10, Kind.INTEGER),
    (_l("Nội dung bắt buộc được giao"), 10, Kind.INTEGER),
    (_l("Đã đạt"), 10, Kind.DECIMAL),
    (_l("Chỉ tiêu"), 10, Kind.DECIMAL),
    (_l("Đơn vị tính"), 8, Kind.TEXT),
    (_l("Mức hoàn thành"), 10, Kind.PERCENT),
    (_l("Chỉ tiêu áp dụng"), 16, Kind.TEXT),
    (_l("Khóa hoàn thành quá nhanh"), 10, Kind.INTEGER),
    (_l("Khóa học năng lực số"), 10, Kind.INTEGER),
    (_l("Khóa học ngoại ngữ"), 10, Kind.INTEGER),
    (_l("Khóa học tiếng dân tộc"), 10, Kind.INTEGER),
    (_l("Sáng kiến được công nhận"), 10, Kind.INTEGER),
    (_l("Kết quả tiêu chí"), 10, Kind.TEXT),
    (_l("Lý do theo từng tiêu chí"), 45, Kind.TEXT),
]
# The columns a phone shows (name, plan, tiết reached and target, level reached); the others
# open under the name on a tap.
PHONE_COLUMNS = frozenset({1, 5, 8, 9, 11})
WIDTHS = [width for _label, width, _kind in ROSTER_COLUMNS]
KINDS = [str(kind) for _label, _width, kind in ROSTER_COLUMNS]


def headers() -> list[str]:
    return [str(label) for label, _width, _kind in ROSTER_COLUMNS]


def result_label(row: RosterRow, labels: Labels) -> str:
    if row.result is None:
        return "—"
    return labels.passed if row.result.passed else labels.failed


@lru_cache(maxsize=8192)  # a roster repeats the same few hundred figures and targets
def _two(value: Decimal | None) -> Decimal | None:
    return None if value is None else two_places(value)


def values(row: RosterRow, labels: Labels) -> list[Cell]:
    """The roster row's cells as typed values, in the order of headers(); labels: the
    words of the cells, translated once for the whole roster (`Labels.current`)."""
    return [
        row.number,
        row.full_name,
        row.date_of_birth,
        row.position or "",
        row.unit_name,
        status_label(row, labels),
        row.required_done,
        row.required_total,
        _two(row.hours_earned),
        _two(row.hours_target),
        labels.units.get(row.target_unit, ""),
        row.percent,
        row.rule_versions,
        row.flagged,
        *row.courses,
        row.initiatives,
        result_label(row, labels),
        row.result.reasons if row.result is not None else "",
    ]


_roster_text = text_row_function(KINDS)


def cells(row: RosterRow, labels: Labels) -> list[str | int]:
    """The roster row as the page shows it: the same text as the CSV and the print."""
    return _roster_text(values(row, labels))


def period_label(first: date, last: date) -> str:
    return _("Từ %(first)s đến %(last)s", first=vn_date(first), last=vn_date(last))


def document(roster: Roster | RosterPlan, today: date, *, notes: Sequence[str] = ()) -> Document:
    """The roster as a document, with the counting note and then notes under its table; from a
    plan, the rows are read lazily, a batch at a time."""
    labels = Labels.current()
    if isinstance(roster, RosterPlan):
        rows: Iterable[list[Cell]] = (values(row, labels) for row in roster.rows())
    else:
        rows = [values(row, labels) for row in roster.rows]
    period = period_label(roster.period.first, roster.period.last)
    if roster.criteria is not None:
        period += " · " + _("Bộ tiêu chí: %(name)s", name=roster.criteria.name)
    return Document(
        title=_("DANH SÁCH TỔNG HỢP KẾT QUẢ TỰ HỌC, TỰ BỒI DƯỠNG"),
        period=period,
        headers=headers(),
        rows=rows,
        widths=WIDTHS,
        kinds=KINDS,
        notes=[*(str(note) for note in NOTES), *notes],
        **letterhead(roster.agency_name, today),
    )


# ---------------------------------------------------------------------------------------------
# The summary

SUMMARY_COLUMNS: list[tuple[object, int, Kind]] = [
    (_l("Năm"), 8, Kind.INTEGER),
    (_l("Đơn vị"), 40, Kind.TEXT),
    (_l("Số người"), 10, Kind.INTEGER),
    (_l("Kế hoạch đã duyệt"), 14, Kind.INTEGER),
    (_l("Tỷ lệ hoàn thành chỉ tiêu"), 16, Kind.PERCENT),
    # Each person's figure is in the unit of their own target rule (tiết or giờ).
    (_l("Tổng số tiết đạt"), 18, Kind.DECIMAL),
    (_l("Số người đạt tiêu chí"), 16, Kind.INTEGER),
    (_l("Sáng kiến được công nhận"), 14, Kind.INTEGER),
]
SUMMARY_KINDS = [str(kind) for _label, _width, kind in SUMMARY_COLUMNS]


def summary_headers() -> list[str]:
    return [str(label) for label, _width, _kind in SUMMARY_COLUMNS]


def summary_values(summary: Summary) -> list[list[Cell]]:
    """One line per unit and year, then the year's line for the whole scope, as typed values."""
    lines: list[list[Cell]] = []
    for total in summary.years:
        for row in (r for r in summary.rows if r.year == total.year):
            lines.append(
                [
                    row.year,
                    row.unit_name,
                    row.members,
                    row.approved,
                    row.completion_percent,
                    _two(row.hours),
                    row.passing if row.judged else None,
                    row.initiatives,
                ]
            )
        lines.append(
            [
                total.year,
                _("Cộng năm %(year)d", year=total.year),
                total.members,
                total.approved,
                total.completion_percent,
                _two(total.hours),
                total.passing,
                total.initiatives,
            ]
        )
    return lines


def summary_cells(summary: Summary) -> list[list[str | int]]:
    """The summary's lines as the page shows them: the same text as the CSV and the print."""
    convert = text_row_function(SUMMARY_KINDS)
    return [convert(line) for line in summary_values(summary)]


def summary_document(summary: Summary, today: date, *, notes: Sequence[str] = ()) -> Document:
    return Document(
        title=_("BÁO CÁO SƠ KẾT, TỔNG KẾT PHONG TRÀO HỌC TẬP SUỐT ĐỜI"),
        period=period_label(summary.period.first, summary.period.last),
        headers=summary_headers(),
        rows=summary_values(summary),
        widths=[width for _label, width, _kind in SUMMARY_COLUMNS],
        kinds=SUMMARY_KINDS,
        notes=list(notes),
        **letterhead(summary.agency_name, today),
    )
