"""Yearly target rules: versions that govern from a day on, corrections in place, defaults.

Plain functions that change the session and never commit; a refused change raises PlanError
before anything is touched.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NotRequired, TypedDict

from sqlalchemy import select

from lms.accounts.models import EmploymentKind
from lms.audit import services as audit
from lms.db import db, utcnow
from lms.i18n import gettext as _
from lms.i18n import parse_day, vn_date
from lms.plans.values import PlanError, parse_hours, text_value
from lms.progress.models import TargetRule, TargetUnit
from lms.progress.rules import governed_versions


def _rule_fields(
    amount: str | Decimal, unit: str, minutes_per_tiet: str | int, legal_basis: str | None
) -> tuple[Decimal, TargetUnit, int, str]:
    """Check the figures of a rule version; return (amount, unit, minutes, basis)."""
    hours = parse_hours(amount, label=_("Chỉ tiêu"), field="amount")
    try:
        target_unit = TargetUnit(unit)
    except ValueError:
        raise PlanError(_("Đơn vị tính phải là tiết hoặc giờ."), field="unit") from None
    try:
        minutes = int(str(minutes_per_tiet).strip())
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 120:
        raise PlanError(_("Số phút mỗi tiết phải từ 1 đến 120."), field="minutes_per_tiet")
    basis = text_value(legal_basis, label=_("căn cứ pháp lý"), required=True, field="legal_basis")
    return hours, target_unit, minutes, basis


def add_rule_version(
    *,
    code: str,
    amount: str | Decimal,
    unit: str,
    minutes_per_tiet: str | int,
    legal_basis: str,
    employment_kinds: list[str],
    effective_from: str | date,
    effective_until: str | date | None = None,
    full_year: bool = False,
    actor_id: int | None = None,
) -> TargetRule:
    """Add a rule, or a new version of the rule with this code from a later day: it governs
    from that day on, and the days before keep the version they had."""
    code = (code or "").strip().upper()
    if not code or len(code) > 40 or not code.replace("_", "").replace("-", "").isalnum():
        raise PlanError(
            _("Mã chỉ tiêu không hợp lệ: 1–40 chữ không dấu, số, gạch dưới."), field="code"
        )
    hours, target_unit, minutes, basis = _rule_fields(amount, unit, minutes_per_tiet, legal_basis)
    kinds = sorted(set(employment_kinds))
    if not kinds or any(kind not in set(EmploymentKind) for kind in kinds):
        raise PlanError(_("Hãy chọn ít nhất một loại cán bộ áp dụng."), field="employment_kinds")
    starts = effective_from if isinstance(effective_from, date) else parse_day(effective_from or "")
    if starts is None:
        raise PlanError(_("Ngày bắt đầu hiệu lực không hợp lệ."), field="effective_from")
    ends: date | None
    if isinstance(effective_until, str):
        ends = parse_day(effective_until) if effective_until.strip() else None
        if effective_until.strip() and ends is None:
            raise PlanError(_("Ngày hết hiệu lực không hợp lệ."), field="effective_until")
    else:
        ends = effective_until
    if ends is not None and ends < starts:
        raise PlanError(
            _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."), field="effective_until"
        )
    versions = db.session.scalars(select(TargetRule).where(TargetRule.code == code)).all()
    previous = max(versions, key=lambda rule: rule.version, default=None)
    if previous is not None and starts <= max(rule.effective_from for rule in versions):
        raise PlanError(
            _(
                "Phiên bản mới của %(code)s phải có hiệu lực sau ngày %(day)s, để không thay đổi "
                "số liệu những ngày trước đó. Muốn sửa sai sót của một phiên bản, hãy dùng "
                "“Đính chính”.",
                code=code,
                day=vn_date(max(rule.effective_from for rule in versions)),
            ),
            field="effective_from",
        )
    others = [
        version
        for version in governed_versions(db.session.scalars(select(TargetRule)))
        if version.code != code
    ]
    for other in others:
        if not set(other.employment_kinds) & set(kinds):
            continue
        if other.starts <= (ends or date.max) and starts <= (other.ends or date.max):
            raise PlanError(
                _(
                    "Chỉ tiêu %(other)s cũng áp dụng cho loại cán bộ này trong cùng thời gian; "
                    "hãy sửa thời gian hiệu lực của một trong hai.",
                    other=other.code,
                )
            )
    rule = TargetRule(
        code=code,
        version=previous.version + 1 if previous else 1,
        amount=hours,
        unit=target_unit,
        minutes_per_tiet=minutes,
        legal_basis=basis,
        employment_kinds=kinds,
        effective_from=starts,
        effective_until=ends,
        full_year=full_year,
        created_by_id=actor_id,
    )
    if previous is not None:
        previous.replaced_at = utcnow()
    db.session.add(rule)
    audit.record(
        "plan_rule.save",
        rule,
        _("Chỉ tiêu %(code)s, phiên bản %(n)d", code=code, n=rule.version),
        actor_id=actor_id,
    )
    return rule


RULE_FIELDS = ("amount", "unit", "minutes_per_tiet", "legal_basis", "full_year")


def years_governed(rule: TargetRule, today: date) -> list[int]:
    """The years whose figures a correction of this version would change."""
    version = next(
        (v for v in governed_versions(db.session.scalars(select(TargetRule))) if v.id == rule.id),
        None,
    )
    if version is None:
        return []
    last = version.ends or date(max(today.year, version.starts.year), 12, 31)
    return list(range(version.starts.year, last.year + 1))


def correct_rule_version(
    rule: TargetRule,
    *,
    amount: str | Decimal,
    unit: str,
    minutes_per_tiet: str | int,
    legal_basis: str,
    full_year: bool,
    confirmed_years: str,
    actor_id: int | None,
    today: date,
) -> list[int]:
    """Correct a mistake in a version in place (a typo, not a new rule): it changes the figures
    of every year the version governs, so the caller must name those years to confirm."""
    hours, target_unit, minutes, basis = _rule_fields(amount, unit, minutes_per_tiet, legal_basis)
    years = years_governed(rule, today)
    expected = ",".join(str(year) for year in years)
    if confirmed_years != expected:
        raise PlanError(
            _(
                "Đính chính phiên bản %(n)d của %(code)s sẽ thay đổi số liệu các năm %(years)s. "
                "Hãy xác nhận các năm này để tiếp tục.",
                n=rule.version,
                code=rule.code,
                years=", ".join(str(year) for year in years) or "—",
            ),
            field="confirmed_years",
        )
    before = audit.snapshot(rule, RULE_FIELDS)
    rule.amount, rule.unit, rule.minutes_per_tiet = hours, target_unit, minutes
    rule.legal_basis, rule.full_year = basis, full_year
    after = audit.snapshot(rule, RULE_FIELDS)
    if before == after:
        raise PlanError(_("Không có gì thay đổi để đính chính."))
    audit.record(
        "plan_rule.correct",
        rule,
        _(
            "Đính chính chỉ tiêu %(code)s, phiên bản %(n)d (thay đổi số liệu các năm %(years)s)",
            code=rule.code,
            n=rule.version,
            years=", ".join(str(year) for year in years),
        ),
        before=before,
        after=after,
        actor_id=actor_id,
    )
    return years


class DefaultRule(TypedDict):
    code: str
    employment_kinds: list[str]
    legal_basis: str
    effective_from: date
    effective_until: NotRequired[date]


DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule(
        code="CBCCVC-2018",
        employment_kinds=[EmploymentKind.CONG_CHUC, EmploymentKind.VIEN_CHUC],
        legal_basis="Nghị định 101/2017/NĐ-CP, sửa đổi bởi Nghị định 89/2021/NĐ-CP "
        "(cách hiểu phổ biến: ít nhất 1 tuần = 40 tiết mỗi năm)",
        effective_from=date(2018, 1, 1),
        effective_until=date(2024, 12, 31),
    ),
    DefaultRule(
        code="CONGCHUC-2025",
        employment_kinds=[EmploymentKind.CONG_CHUC],
        legal_basis="Nghị định 171/2025/NĐ-CP (cách hiểu phổ biến: 40 tiết mỗi năm)",
        effective_from=date(2025, 1, 1),
    ),
    DefaultRule(
        code="VIENCHUC-2025",
        employment_kinds=[EmploymentKind.VIEN_CHUC],
        legal_basis="Nghị định 101/2017/NĐ-CP, sửa đổi bởi Nghị định 89/2021/NĐ-CP "
        "(cách hiểu phổ biến: 40 tiết mỗi năm)",
        effective_from=date(2025, 1, 1),
    ),
)


def seed_default_rules() -> list[TargetRule]:
    """Add the common reading (40 tiết of 45 minutes a year) unless any rule exists."""
    if db.session.scalar(select(TargetRule.id).limit(1)) is not None:
        return []
    return [
        add_rule_version(amount=Decimal(40), unit=TargetUnit.TIET, minutes_per_tiet=45, **fields)
        for fields in DEFAULT_RULES
    ]
