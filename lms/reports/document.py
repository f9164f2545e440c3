"""The roster as a document: title lines, column labels and one list of cells per row.

The page, every download and the command line read the same cells, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.i18n import vn_date, vn_long_date
from lms.plans.models import PlanStatus
from lms.reports.queries import Roster, RosterPlan, RosterRow
from lms.reports.summary import Summary

Cell = str | int


@dataclass(frozen=True)
class Document:
    agency: str
    title: str
    period: str
    place_and_date: str
    headers: list[str]
    # A list, or a generator that reads the rows in batches as a download is written.
    rows: Iterable[list[Cell]]
    widths: list[int]


STATUS_LABELS = {
    PlanStatus.DRAFT: _l("Bản nháp"),
    PlanStatus.SUBMITTED: _l("Chờ duyệt"),
    PlanStatus.RETURNED: _l("Trả lại để sửa"),
    PlanStatus.APPROVED: _l("Đã duyệt"),
}


@dataclass(frozen=True)
class Labels:
    """The words of the roster's cells, translated once per document rather than per row."""

    statuses: dict[str, str]
    none: str
    years: str
    passed: str
    failed: str

    @classmethod
    def current(cls) -> Labels:
        return cls(
            statuses={status: str(label) for status, label in STATUS_LABELS.items()},
            none=_("Chưa lập"),
            # Translated unformatted: each row fills in its own figures.
            years=_("%(n)d/%(total)d năm đã duyệt"),
            passed=_("Đạt"),
            failed=_("Chưa đạt"),
        )


def status_label(row: RosterRow, labels: Labels | None = None) -> str:
    labels = labels or Labels.current()
    if row.plan_status is None:
        return labels.years % {"n": row.approved_years, "total": row.plan_years}
    return labels.statuses.get(row.plan_status, labels.none)


@lru_cache(maxsize=8192)  # a roster repeats the same few hundred figures and targets
def number(value: Decimal | None) -> str:
    """Write hours the Vietnamese way: comma for decimals, no trailing zeros."""
    if value is None:
        return "—"
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def headers() -> list[str]:
    return [
        _("STT"),
        _("Họ và tên"),
        _("Ngày sinh"),
        _("Chức vụ"),
        _("Đơn vị"),
        _("Kế hoạch"),
        _("Nội dung bắt buộc đã xong"),
        _("Giờ đạt / chỉ tiêu"),
        _("Mức hoàn thành"),
        _("Năng lực số"),
        _("Ngoại ngữ"),
        _("Tiếng dân tộc"),
        _("Sáng kiến được công nhận"),
        _("Kết quả tiêu chí"),
        _("Lý do theo từng tiêu chí"),
    ]


# People share birthdays: each is written once per process, not once per row.
_birthday = lru_cache(maxsize=32768)(vn_date)

WIDTHS = [6, 28, 12, 22, 32, 18, 14, 16, 12, 12, 12, 12, 12, 12, 60]


def result_label(row: RosterRow, labels: Labels | None = None) -> str:
    if row.result is None:
        return "—"
    labels = labels or Labels.current()
    return labels.passed if row.result.passed else labels.failed


def cells(row: RosterRow, labels: Labels | None = None) -> list[Cell]:
    labels = labels or Labels.current()
    return [
        row.number,
        row.full_name,
        _birthday(row.date_of_birth),
        row.position or "",
        row.unit_name,
        status_label(row, labels),
        f"{row.required_done}/{row.required_total}",
        f"{number(row.hours_earned)} / {number(row.hours_target)}",
        "—" if row.percent is None else f"{row.percent}%",
        *row.courses,
        row.initiatives,
        result_label(row, labels),
        row.result.reasons if row.result is not None else "",
    ]


def period_label(first: date, last: date) -> str:
    return _("Từ %(first)s đến %(last)s", first=vn_date(first), last=vn_date(last))


def document(roster: Roster | RosterPlan, today: date) -> Document:
    """The roster as cells; from a plan, the rows are read lazily, a batch at a time."""
    place = current_app.config.get("REPORT_PLACE", "Bắc Giang")
    if isinstance(roster, RosterPlan):
        labels = Labels.current()
        rows: Iterable[list[Cell]] = (cells(row, labels) for row in roster.rows())
    else:
        rows = [cells(row) for row in roster.rows]
    period = period_label(roster.period.first, roster.period.last)
    if roster.criteria is not None:
        period += " · " + _("Bộ tiêu chí: %(name)s", name=roster.criteria.name)
    return Document(
        agency=roster.agency_name.upper(),
        title=_("DANH SÁCH TỔNG HỢP KẾT QUẢ TỰ HỌC, TỰ BỒI DƯỠNG"),
        period=period,
        place_and_date=f"{place}, {vn_long_date(today)}",
        headers=headers(),
        rows=rows,
        widths=WIDTHS,
    )


def summary_headers() -> list[str]:
    return [
        _("Năm"),
        _("Đơn vị"),
        _("Số người"),
        _("Kế hoạch đã duyệt"),
        _("Tỷ lệ hoàn thành chỉ tiêu"),
        _("Tổng giờ đạt"),
        _("Số người đạt tiêu chí"),
        _("Sáng kiến được công nhận"),
    ]


def percent_text(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def summary_cells(summary: Summary) -> list[list[Cell]]:
    """One line per unit and year, then the year's line for the whole scope."""
    lines: list[list[Cell]] = []
    for total in summary.years:
        for row in (r for r in summary.rows if r.year == total.year):
            lines.append(
                [
                    row.year,
                    row.unit_name,
                    row.members,
                    row.approved,
                    percent_text(row.completion_percent),
                    number(row.hours),
                    row.passing if row.judged else "—",
                    row.initiatives,
                ]
            )
        lines.append(
            [
                total.year,
                _("Cộng năm %(year)d", year=total.year),
                total.members,
                total.approved,
                percent_text(total.completion_percent),
                number(total.hours),
                "—" if total.passing is None else total.passing,
                total.initiatives,
            ]
        )
    return lines


def summary_document(summary: Summary, today: date) -> Document:
    place = current_app.config.get("REPORT_PLACE", "Bắc Giang")
    return Document(
        agency=summary.agency_name.upper(),
        title=_("BÁO CÁO SƠ KẾT, TỔNG KẾT PHONG TRÀO HỌC TẬP SUỐT ĐỜI"),
        period=period_label(summary.period.first, summary.period.last),
        place_and_date=f"{place}, {vn_long_date(today)}",
        headers=summary_headers(),
        rows=summary_cells(summary),
        widths=[8, 40, 10, 14, 16, 14, 16, 14],
    )
