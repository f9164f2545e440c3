"""A nomination list as data: the cells of its two sheets, its summaries, its canonical JSON.

A draft list's data is assembled from its entries and the live roster; a frozen list's data is
its snapshot. The page, the downloads and the comparison all read this one shape, so a frozen
list prints the same cells as on the day it was frozen. The shape (schema 2):

    {"schema": 2,
     "list": {"id", "name", "unit_id", "unit_code"},
     "criteria": CriteriaSpec.to_json(),
     "people": Document fields (agency, parent, title, period, place_and_date, headers, kinds,
               rows, widths, notes, signers),
     "units": Document fields,
     "entries": [{"person_id", "unit_id", "form", "facts": [[label, text], ...]}],
     "removed": [{"person_id", "full_name", "reason", "removed_at"}],
     "frozen_at": ISO time in UTC or null, "frozen_by": {"id", "name"} or null}

Cells are JSON: a date is its ISO text in a column of kind "date", a percentage a whole number
in a column of kind "percent", no figure null. Schema 1 (before 12/2026) had no kinds, parent,
notes or signers: its cells are text and print as they were, signed by today's signers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from lms.agency.queries import printed_profile
from lms.awards.criteria import CriteriaSpec, CriterionKind, Result, unit_label
from lms.courses.format import CATEGORIES
from lms.i18n import gettext as _
from lms.numbers import decimal_text, percent
from lms.reports.document import Document, Kind, letterhead, period_label, signer_lines
from lms.reports.queries import RosterRow

SCHEMA = 2
PEOPLE_WIDTHS = [6, 26, 12, 10, 22, 28, 26, 50, 44, 18]
PEOPLE_KINDS: list[str] = [Kind.INTEGER, Kind.TEXT, Kind.DATE, *[Kind.TEXT] * 7]
UNIT_WIDTHS = [6, 40, 14, 14, 12, 14]
UNIT_KINDS: list[str] = [
    Kind.INTEGER,
    Kind.TEXT,
    Kind.INTEGER,
    Kind.INTEGER,
    Kind.PERCENT,
    Kind.INTEGER,
]


def canonical(data: dict) -> str:
    """The one text of data: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def checksum(data: dict) -> str:
    return hashlib.sha256(canonical(data).encode("utf-8")).hexdigest()


def as_document(part: dict) -> Document:
    """The Document of one sheet of a list's data: ISO dates read back as dates; a list frozen
    before signers were stored is signed by today's."""
    fields = dict(part)
    kinds = fields.get("kinds") or []
    dates = [index for index, kind in enumerate(kinds) if kind == Kind.DATE]
    if dates:
        rows = [list(row) for row in fields["rows"]]
        for row in rows:
            for index in dates:
                if isinstance(row[index], str) and row[index]:
                    row[index] = date.fromisoformat(row[index])
        fields["rows"] = rows
    if "signers" not in fields:
        fields["signers"] = signer_lines(printed_profile())
    fields["signers"] = [tuple(signer) for signer in fields["signers"]]
    return Document(**fields)


def part_of(doc: Document) -> dict:
    return asdict(doc)


# ---------------------------------------------------------------------------------------------
# What an entry says of a person


def achievements(row: RosterRow, spec: CriteriaSpec) -> str:
    """The summary of achievements, from the roster's figures and the points criteria."""
    parts: list[str] = []
    if row.hours_target:
        parts.append(
            _(
                "hoàn thành %(earned)s/%(target)s %(unit)s (%(percent)d%%)",
                earned=decimal_text(row.hours_earned),
                target=decimal_text(row.hours_target),
                unit=unit_label(row.target_unit),
                percent=row.percent or 0,
            )
        )
    if row.required_total:
        parts.append(
            _(
                "hoàn thành %(done)d/%(total)d nội dung bắt buộc",
                done=row.required_done,
                total=row.required_total,
            )
        )
    if sum(row.courses):
        by_category = ", ".join(
            f"{label} {n}" for label, n in zip(CATEGORIES.values(), row.courses, strict=True) if n
        )
        parts.append(
            _("%(n)d khóa học hoàn thành (%(detail)s)", n=sum(row.courses), detail=by_category)
        )
    if row.initiatives:
        parts.append(_("%(n)d sáng kiến được công nhận", n=row.initiatives))
    if row.plan_years:
        parts.append(
            _(
                "kế hoạch được duyệt %(n)d/%(total)d năm",
                n=row.approved_years,
                total=row.plan_years,
            )
        )
    if row.result is not None:
        for criterion, outcome in zip(spec.criteria, row.result.outcomes, strict=False):
            if criterion.kind == CriterionKind.POINTS:
                parts.append(_("tổng điểm %(fact)s", fact=outcome.fact))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def facts(row: RosterRow) -> list[list[str]]:
    """The figures an entry stands on, as (column, text): what the comparison looks at."""
    found = [
        [_("Họ và tên"), row.full_name],
        [_("Đơn vị"), row.unit_name],
        [
            _("Đã đạt / chỉ tiêu"),
            f"{decimal_text(row.hours_earned)} / {decimal_text(row.hours_target)}"
            + (f" {unit_label(row.target_unit)}" if row.target_unit else ""),
        ],
        [_("Mức hoàn thành"), "—" if row.percent is None else f"{row.percent}%"],
        [_("Nội dung bắt buộc đã xong"), f"{row.required_done}/{row.required_total}"],
        [_("Số năm kế hoạch được duyệt"), f"{row.approved_years}/{row.plan_years}"],
        *[[str(label), str(n)] for label, n in zip(CATEGORIES.values(), row.courses, strict=True)],
        [_("Sáng kiến được công nhận"), str(row.initiatives)],
    ]
    found.extend(outcome_facts(row.result))
    return found


def outcome_facts(result: Result | None) -> list[list[str]]:
    if result is None:
        return []
    return [
        [
            _("Tiêu chí: %(label)s", label=outcome.label),
            f"{'✓' if outcome.passed else '✗'} {outcome.fact}",
        ]
        for outcome in result.outcomes
    ]


# ---------------------------------------------------------------------------------------------
# The two sheets


def people_headers() -> list[str]:
    return [
        _("STT"),
        _("Họ và tên"),
        _("Ngày sinh"),
        _("Dân tộc"),
        _("Chức vụ"),
        _("Đơn vị công tác"),
        _("Hình thức đề nghị khen thưởng"),
        _("Tóm tắt thành tích"),
        _("Căn cứ, minh chứng"),
        _("Ghi chú"),
    ]


def unit_headers() -> list[str]:
    return [
        _("STT"),
        _("Đơn vị"),
        _("Số người trong kỳ"),
        _("Số người đạt tiêu chí"),
        _("Tỷ lệ đạt"),
        _("Số người được đề nghị"),
    ]


def heading(unit_name: str, spec: CriteriaSpec, today: date) -> tuple[dict, dict]:
    """The letterhead, title and period of the people sheet and of the unit sheet; unit_name
    is the agency's while the agency profile names none."""
    period = _(
        "%(period)s · Bộ tiêu chí: %(name)s",
        period=period_label(spec.first, spec.last),
        name=spec.name,
    )
    common = {**letterhead(unit_name, today), "period": period}
    return (
        {**common, "title": _("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG")},
        {**common, "title": _("TỔNG HỢP KẾT QUẢ THEO ĐƠN VỊ")},
    )


def people_sheet(head: dict, rows: list[list]) -> dict:
    """The people sheet's part of a list's data (JSON-ready Document fields)."""
    return part_of(
        Document(
            **head, headers=people_headers(), rows=rows, widths=PEOPLE_WIDTHS, kinds=PEOPLE_KINDS
        )
    )


def units_sheet(head: dict, rows: list[list]) -> dict:
    """The unit sheet's part of a list's data (JSON-ready Document fields)."""
    return part_of(
        Document(**head, headers=unit_headers(), rows=rows, widths=UNIT_WIDTHS, kinds=UNIT_KINDS)
    )


def person_cells(
    number_: int,
    *,
    full_name: str,
    date_of_birth: date | None,
    ethnicity: str | None,
    position: str | None,
    unit_name: str,
    form: str,
    summary: str,
    evidence: str,
    note: str,
) -> list[str | int | None]:
    """One row of the people sheet, JSON-ready: the birth date as ISO text."""
    return [
        number_,
        full_name,
        date_of_birth.isoformat() if date_of_birth else None,
        ethnicity or "",
        position or "",
        unit_name,
        form,
        summary,
        evidence,
        note,
    ]


def unit_rows(
    units: Sequence[tuple[str, int, int, int]], total: tuple[int, int, int]
) -> list[list[str | int | None]]:
    """Rows of the unit sheet from (unit name, members, passing, nominated), then the total;
    the share passing is a whole percentage rounded half up (None without members).

    The total counts people, not rows: someone who moved between units counts once.
    """
    rows: list[list[str | int | None]] = [
        [n, name, members, passing, percent(passing, members), nominated]
        for n, (name, members, passing, nominated) in enumerate(units, start=1)
    ]
    members, passing, nominated = total
    rows.append(["", _("Tổng cộng"), members, passing, percent(passing, members), nominated])
    return rows
