"""Changes to plans: rules, assignments, plan items and workflow, verification, reminders.

Plain functions that change the session and never commit; a refused change raises PlanError
before anything is touched.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lms.accounts.models import EmploymentKind, Person
from lms.audit import services as audit
from lms.courses.models import Course
from lms.db import db, parse_id, utcnow
from lms.errors import UserError
from lms.i18n import local_today, parse_day, vn_date
from lms.numbers import file_size
from lms.org import scope
from lms.org.models import Unit
from lms.plans import evidence as storage
from lms.plans import permissions, queries
from lms.plans.models import (
    ActivityKind,
    ActivityStatus,
    AssignmentKind,
    EvidenceFile,
    ExternalActivity,
    Notification,
    PlanEvent,
    PlanItem,
    PlanStatus,
    PlanVersion,
    StudyPlan,
    TargetRule,
    TargetUnit,
    UnitAssignment,
)
from lms.plans.years import year_days
from lms.progress import ledger
from lms.progress.engine import ItemState, year_figures
from lms.progress.rules import governed_versions
from lms.text import clean_name, nfc

MAX_HOURS = Decimal(400)  # more than a working year's worth of training is a typing mistake
MAX_TEXT = 4000
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
FIRST_YEAR = 2000
# Content types recognised by their first bytes; the file's name never decides.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


class PlanError(UserError):
    """A change that breaks a plan rule; the message is shown to the user."""


# Reading form values --------------------------------------------------------------------------


def parse_hours(text: str | Decimal | None, *, label: str) -> Decimal:
    """Return a positive, plausible number of hours or tiết (1,5 and 1.5 alike)."""
    if isinstance(text, Decimal):
        value = text
    else:
        raw = (text or "").strip().replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise PlanError(
                _("%(label)s “%(value)s” không phải là số.", label=label, value=raw[:20])
            ) from None
    if not value.is_finite() or value <= 0:
        raise PlanError(_("%(label)s phải lớn hơn 0.", label=label))
    if value > MAX_HOURS:
        raise PlanError(
            _(
                "%(label)s %(value)s quá lớn (tối đa %(max)s).",
                label=label,
                value=value,
                max=MAX_HOURS,
            )
        )
    return value.quantize(Decimal("0.01"))


def parse_date_in_year(text: str | date | None, year: int, *, label: str) -> date:
    day = text if isinstance(text, date) else parse_day(text or "")
    if day is None:
        raise PlanError(_("%(label)s không hợp lệ: hãy nhập ngày/tháng/năm.", label=label))
    if day.year != year:
        raise PlanError(
            _(
                "%(label)s %(day)s không thuộc năm %(year)d.",
                label=label,
                day=vn_date(day),
                year=year,
            )
        )
    return day


def parse_planned(text: str | None) -> tuple[int | None, int | None]:
    """Read "m1".."m12" (a month) or "q1".."q4" (a quarter)."""
    text = (text or "").strip().lower()
    if len(text) >= 2 and text[0] in "mq" and text[1:].isascii() and text[1:].isdigit():
        number = int(text[1:])
        if text[0] == "m" and 1 <= number <= 12:
            return number, None
        if text[0] == "q" and 1 <= number <= 4:
            return None, number
    raise PlanError(_("Hãy chọn tháng hoặc quý dự kiến thực hiện."))


def _text(
    value: str | None, *, label: str, required: bool = False, limit: int = MAX_TEXT
) -> str | None:
    value = nfc((value or "").strip())
    if required and not value:
        raise PlanError(_("Chưa nhập %(label)s.", label=label))
    if len(value) > limit:
        raise PlanError(_("%(label)s quá dài (tối đa %(n)d ký tự).", label=label, n=limit))
    return value or None


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= local_today().year + 1:
        raise PlanError(_("Năm %(year)d nằm ngoài khoảng cho phép.", year=year))
    return year


# Yearly target rules --------------------------------------------------------------------------


def _rule_fields(amount, unit, minutes_per_tiet, legal_basis) -> tuple:
    """Check the figures of a rule version; return (amount, unit, minutes, basis)."""
    amount = parse_hours(amount, label=_("Chỉ tiêu"))
    try:
        unit = TargetUnit(unit)
    except ValueError:
        raise PlanError(_("Đơn vị tính phải là tiết hoặc giờ.")) from None
    try:
        minutes = int(str(minutes_per_tiet).strip())
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 120:
        raise PlanError(_("Số phút mỗi tiết phải từ 1 đến 120."))
    basis = _text(legal_basis, label=_("căn cứ pháp lý"), required=True)
    return amount, unit, minutes, basis


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
        raise PlanError(_("Mã chỉ tiêu không hợp lệ: 1–40 chữ không dấu, số, gạch dưới."))
    amount, unit, minutes, basis = _rule_fields(amount, unit, minutes_per_tiet, legal_basis)
    kinds = sorted(set(employment_kinds))
    if not kinds or any(kind not in set(EmploymentKind) for kind in kinds):
        raise PlanError(_("Hãy chọn ít nhất một loại cán bộ áp dụng."))
    starts = effective_from if isinstance(effective_from, date) else parse_day(effective_from or "")
    if starts is None:
        raise PlanError(_("Ngày bắt đầu hiệu lực không hợp lệ."))
    ends = effective_until
    if isinstance(ends, str):
        ends = parse_day(ends) if ends.strip() else None
        if effective_until.strip() and ends is None:
            raise PlanError(_("Ngày hết hiệu lực không hợp lệ."))
    if ends is not None and ends < starts:
        raise PlanError(_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
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
            )
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
        amount=amount,
        unit=unit,
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
    amount, unit, minutes, basis = _rule_fields(amount, unit, minutes_per_tiet, legal_basis)
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
            )
        )
    before = audit.snapshot(rule, RULE_FIELDS)
    rule.amount, rule.unit, rule.minutes_per_tiet = amount, unit, minutes
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


DEFAULT_RULES = (
    dict(
        code="CBCCVC-2018",
        employment_kinds=[EmploymentKind.CONG_CHUC, EmploymentKind.VIEN_CHUC],
        legal_basis="Nghị định 101/2017/NĐ-CP, sửa đổi bởi Nghị định 89/2021/NĐ-CP "
        "(cách hiểu phổ biến: ít nhất 1 tuần = 40 tiết mỗi năm)",
        effective_from=date(2018, 1, 1),
        effective_until=date(2024, 12, 31),
    ),
    dict(
        code="CONGCHUC-2025",
        employment_kinds=[EmploymentKind.CONG_CHUC],
        legal_basis="Nghị định 171/2025/NĐ-CP (cách hiểu phổ biến: 40 tiết mỗi năm)",
        effective_from=date(2025, 1, 1),
    ),
    dict(
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


# Unit assignments -----------------------------------------------------------------------------


def assign_course(
    *,
    unit: Unit,
    course_id: str | int,
    year: int,
    kind: str,
    due_on: str | date,
    include_subunits: bool,
    actor_id: int | None,
) -> UnitAssignment:
    """Assign a course to a unit for a year, with a due date inside that year."""
    check_year(year)
    course_key = parse_id(course_id)
    course = db.session.get(Course, course_key) if course_key else None
    if course is None or course.is_retired:
        raise PlanError(_("Hãy chọn một khóa học đang mở."))
    try:
        kind = AssignmentKind(kind)
    except ValueError:
        raise PlanError(_("Hãy chọn bắt buộc hoặc khuyến khích.")) from None
    due = parse_date_in_year(due_on, year, label=_("Hạn hoàn thành"))
    duplicate = db.session.scalar(
        select(UnitAssignment.id).where(
            UnitAssignment.unit_id == unit.id,
            UnitAssignment.course_id == course.id,
            UnitAssignment.year == year,
            UnitAssignment.withdrawn_at.is_(None),
        )
    )
    if duplicate:
        raise PlanError(
            _(
                "Khóa học “%(title)s” đã được giao cho đơn vị trong năm %(year)d.",
                title=course.title,
                year=year,
            )
        )
    assignment = UnitAssignment(
        unit_id=unit.id,
        course_id=course.id,
        year=year,
        kind=kind,
        due_on=due,
        include_subunits=include_subunits,
        created_by_id=actor_id,
    )
    db.session.add(assignment)
    audit.record(
        "plan_assignment.create",
        assignment,
        _(
            "Giao khóa học %(title)s cho %(unit)s, hạn %(day)s",
            title=course.title,
            unit=unit.code,
            day=vn_date(due),
        ),
        actor_id=actor_id,
    )
    return assignment


def withdraw_assignment(assignment: UnitAssignment, *, actor_id: int | None) -> None:
    """Withdraw an assignment; what people already completed stays theirs."""
    if assignment.withdrawn_at is not None:
        raise PlanError(_("Nhiệm vụ này đã được thu hồi."))
    assignment.withdrawn_at = utcnow()
    assignment.withdrawn_by_id = actor_id
    audit.record(
        "plan_assignment.withdraw",
        assignment,
        _("Thu hồi việc giao khóa học %(title)s", title=assignment.course.title),
        actor_id=actor_id,
    )


# Plans and their versions ---------------------------------------------------------------------


def _log(plan: StudyPlan, action: str, actor_id: int | None, comment: str | None = None) -> None:
    db.session.add(
        PlanEvent(
            plan=plan,
            version_number=plan.latest.number,
            action=action,
            actor_id=actor_id,
            comment=comment,
        )
    )


def plan_for(person: Person, year: int) -> StudyPlan:
    """Return the person's plan for year, starting an empty draft if there is none."""
    check_year(year)
    plan = queries.plan_of(person.id, year)
    if plan is None:
        plan = StudyPlan(person_id=person.id, year=year)
        plan.versions.append(PlanVersion(number=1, status=PlanStatus.DRAFT))
        db.session.add(plan)
        db.session.flush()
        _log(plan, "create", person.id)
    return plan


def _changed(plan: StudyPlan) -> None:
    """Move the plan to its next revision, unless another request moved it first.

    A compare-and-set in the database, so two managers deciding at once cannot both succeed.
    """
    seen = plan.revision
    moved = db.session.execute(
        update(StudyPlan)
        .where(StudyPlan.id == plan.id, StudyPlan.revision == seen)
        .values(revision=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise PlanError(_("Kế hoạch vừa được người khác thay đổi; hãy tải lại trang rồi thử lại."))
    set_committed_value(plan, "revision", seen + 1)


def _editable(plan: StudyPlan) -> PlanVersion:
    version = plan.latest
    if version.status == PlanStatus.SUBMITTED:
        raise PlanError(_("Kế hoạch đang chờ duyệt; không thể sửa lúc này."))
    if version.status == PlanStatus.APPROVED:
        raise PlanError(
            _("Kế hoạch đã được duyệt. Hãy bấm “Điều chỉnh kế hoạch” để tạo phiên bản mới.")
        )
    return version


def add_course(
    plan: StudyPlan, *, course_id: str | int, planned: str, expected_hours: str
) -> PlanItem:
    """Add a course of the learner's choice to the plan."""
    version = _editable(plan)
    course_key = parse_id(course_id)
    course = db.session.get(Course, course_key) if course_key else None
    if course is None or course.is_retired:
        raise PlanError(_("Hãy chọn một khóa học đang mở."))
    if any(item.course_id == course.id for item in version.items):
        raise PlanError(_("Khóa học “%(title)s” đã có trong kế hoạch.", title=course.title))
    month, quarter = parse_planned(planned)
    hours = parse_hours(expected_hours or course.hours, label=_("Số tiết dự kiến"))
    item = PlanItem(
        course_id=course.id, planned_month=month, planned_quarter=quarter, expected_hours=hours
    )
    version.items.append(item)
    _changed(plan)
    return item


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


# Markup a browser or PDF reader would run: a "polyglot" image or PDF that carries a web page.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|meta|!doctype)\b|<svg[\s>]|/JavaScript\b",
    re.IGNORECASE,
)


def _looks_like_markup(data: bytes) -> bool:
    return _MARKUP.search(data) is not None


def store_evidence(owner: Person, upload: Upload) -> EvidenceFile:
    """Keep an uploaded certificate if its content is a PDF, PNG, JPEG or WebP image."""
    data = upload.data
    if not data:
        raise PlanError(_("Tệp minh chứng trống."))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise PlanError(
            _("Tệp minh chứng quá lớn (tối đa %(n)d MB).", n=MAX_EVIDENCE_BYTES // (1024 * 1024))
        )
    content_type = next((kind for magic, kind, _ext in SIGNATURES if data.startswith(magic)), None)
    if content_type is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        content_type = "image/webp"
    if content_type is None:
        raise PlanError(
            _(
                "Tệp “%(name)s” không phải PDF, PNG, JPEG hay WebP "
                "(đã kiểm tra nội dung tệp, không chỉ tên).",
                name=clean_name(upload.filename)[:100],
            )
        )
    if _looks_like_markup(data):
        raise PlanError(
            _(
                "Tệp “%(name)s” có chứa mã HTML hoặc mã chạy được (script); "
                "hãy tải lên bản PDF hoặc ảnh gốc.",
                name=clean_name(upload.filename)[:100],
            )
        )
    if content_type == "application/pdf":
        _refuse_running_pdf(data, upload.filename)
    evidence = EvidenceFile(
        token=secrets.token_urlsafe(32),
        owner_id=owner.id,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=clean_name(upload.filename)[:200] or "minh-chung",
        data=data,
    )
    db.session.add(evidence)
    return evidence


def _refuse_running_pdf(data: bytes, filename: str) -> None:
    risk = storage.pdf_risk(data)
    if risk is None:
        return
    name = clean_name(filename)[:100]
    again = _("Hãy tải lên bản in lại thành PDF (“Print to PDF”) hoặc ảnh chụp giấy chứng nhận.")
    if risk.name is None:
        raise PlanError(
            _(
                "Tệp PDF “%(name)s” có phần nén không đọc được hoặc quá lớn để kiểm tra mã chạy "
                "được, nên không được nhận làm minh chứng.",
                name=name,
            )
            + " "
            + again
        )
    raise PlanError(
        _(
            "Tệp PDF “%(name)s” chứa thành phần có thể tự chạy khi mở (%(found)s): mã "
            "JavaScript, lệnh mở chương trình, hành động tự động hoặc tệp đính kèm, nên không "
            "được nhận làm minh chứng.",
            name=name,
            found=risk.name,
        )
        + " "
        + again
    )


def _within_quota(owner_id: int, upload: Upload) -> None:
    """Refuse the change if the owner's files, this upload included, exceed the quota.

    Checked after the new file is flushed and shown, and the one it replaces released, inside
    the transaction: the count is of what would be committed.
    """
    used = storage.live_bytes(owner_id)
    limit = storage.quota_bytes()
    if used > limit:
        size = len(upload.data)
        raise PlanError(
            _(
                "Không lưu được tệp “%(name)s” (%(size)s): bạn đã dùng %(used)s cho tệp minh "
                "chứng, hạn mức mỗi người là %(limit)s. Hãy thay minh chứng cũ bằng tệp nhỏ hơn "
                "(ảnh chụp, PDF nén) hoặc bỏ hoạt động không còn cần.",
                name=clean_name(upload.filename)[:100],
                size=file_size(size),
                used=file_size(used - size),
                limit=file_size(limit),
            )
        )


def add_external(
    plan: StudyPlan,
    *,
    kind: str,
    title: str,
    organiser: str,
    starts_on: str,
    ends_on: str,
    hours: str,
    planned: str | None = None,
    evidence: Upload | None = None,
) -> PlanItem:
    """Add a training outside the platform; its hours count once a manager verifies them."""
    version = _editable(plan)
    try:
        kind = ActivityKind(kind)
    except ValueError:
        raise PlanError(_("Hãy chọn loại hoạt động.")) from None
    title = _text(title, label=_("tên hoạt động"), required=True, limit=200)
    organiser = _text(organiser, label=_("đơn vị tổ chức"), required=True, limit=200)
    starts = parse_date_in_year(starts_on, plan.year, label=_("Ngày bắt đầu"))
    ends = parse_date_in_year(ends_on, plan.year, label=_("Ngày kết thúc"))
    if ends < starts:
        raise PlanError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
    amount = parse_hours(hours, label=_("Số giờ"))
    days = (ends - starts).days + 1
    if amount > 24 * days:
        raise PlanError(
            _(
                "%(hours)s giờ trong %(days)d ngày là không thể; hãy kiểm tra số giờ.",
                hours=amount,
                days=days,
            )
        )
    month, quarter = parse_planned(planned) if planned else (starts.month, None)
    stored = store_evidence(plan.person, evidence) if evidence and evidence.data else None
    activity = ExternalActivity(
        person_id=plan.person_id,
        year=plan.year,
        kind=kind,
        title=title,
        organiser=organiser,
        starts_on=starts,
        ends_on=ends,
        hours=amount,
        evidence=stored,
    )
    db.session.add(activity)
    item = PlanItem(
        activity=activity, planned_month=month, planned_quarter=quarter, expected_hours=amount
    )
    version.items.append(item)
    _changed(plan)
    if stored is not None:
        _within_quota(plan.person_id, evidence)
    return item


def attach_evidence(activity: ExternalActivity, owner: Person, upload: Upload) -> None:
    """Attach (or replace) the evidence of an activity not yet verified.

    The replaced file goes in the same transaction unless another activity still shows it.
    """
    if activity.status == ActivityStatus.VERIFIED:
        raise PlanError(_("Hoạt động đã được xác nhận; không thay minh chứng được nữa."))
    replaced = activity.evidence
    activity.evidence = store_evidence(owner, upload)
    storage.release(replaced)
    _within_quota(owner.id, upload)
    if activity.status == ActivityStatus.REJECTED:
        activity.status = ActivityStatus.PENDING


def remove_item(plan: StudyPlan, item_id: int) -> None:
    version = _editable(plan)
    item = next((item for item in version.items if item.id == item_id), None)
    if item is None:
        raise PlanError(_("Không tìm thấy mục này trong kế hoạch."))
    version.items.remove(item)
    _changed(plan)
    _release_removed_activity(item.activity)


def _release_removed_activity(activity: ExternalActivity | None) -> None:
    """Let go of the evidence of an activity no plan version lists any more.

    The activity row stays (nothing in plans is deleted); its file, which now explains no
    hours, would otherwise fill the database. A verified activity keeps its proof.
    """
    if activity is None or activity.status == ActivityStatus.VERIFIED:
        return
    db.session.flush()
    listed = db.session.scalar(
        select(func.count(PlanItem.id)).where(PlanItem.activity_id == activity.id)
    )
    if listed == 0 and activity.evidence is not None:
        released = activity.evidence
        activity.evidence = None
        storage.release(released)


def save_note(plan: StudyPlan, note: str) -> None:
    version = _editable(plan)
    version.note = _text(note, label=_("ghi chú"))
    _changed(plan)


def submit(plan: StudyPlan, *, actor: Person) -> None:
    """Send the latest version for approval."""
    version = plan.latest
    if version.status == PlanStatus.SUBMITTED:
        raise PlanError(_("Kế hoạch đã được gửi và đang chờ duyệt."))
    if version.status == PlanStatus.APPROVED:
        raise PlanError(_("Kế hoạch đã được duyệt; không cần gửi lại."))
    was_returned = version.status == PlanStatus.RETURNED
    version.status = PlanStatus.SUBMITTED
    version.submitted_at = utcnow()
    _changed(plan)
    _log(plan, "resubmit" if was_returned else "submit", actor.id)
    link = url_for("plans.show", plan_id=plan.id)
    for manager_id in managers_of(plan.person_id, plan.year):
        if manager_id != plan.person_id:
            notify(
                manager_id,
                "submitted",
                _(
                    "%(name)s đã gửi kế hoạch năm %(year)d để duyệt.",
                    name=plan.person.full_name,
                    year=plan.year,
                ),
                link,
            )


def decide(
    plan: StudyPlan,
    *,
    actor: Person,
    approve: bool,
    version_number: int | None,
    revision: int | None,
    comment: str | None,
) -> None:
    """Approve or return the submitted version the manager looked at, unless it changed since."""
    if not permissions.can_decide(actor, plan.person_id, plan.year):
        raise PlanError(_("Bạn không được duyệt kế hoạch này."))
    version = plan.latest
    if version_number != version.number or revision != plan.revision:
        raise PlanError(
            _(
                "Kế hoạch của %(name)s đã thay đổi kể từ khi bạn mở trang; "
                "hãy xem lại trước khi quyết định.",
                name=plan.person.full_name,
            )
        )
    if version.status != PlanStatus.SUBMITTED:
        raise PlanError(
            _("Kế hoạch của %(name)s không ở trạng thái chờ duyệt.", name=plan.person.full_name)
        )
    comment = _text(comment, label=_("nhận xét"))
    if not approve and not comment:
        raise PlanError(_("Khi trả lại kế hoạch, hãy ghi nhận xét để người học biết cần sửa gì."))
    version.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    version.decided_at = utcnow()
    version.decided_by_id = actor.id
    _changed(plan)
    _log(plan, "approve" if approve else "return", actor.id, comment)
    link = url_for("plans.year", year=plan.year)
    if approve:
        notify(
            plan.person_id,
            "approved",
            _("Kế hoạch năm %(year)d của bạn đã được duyệt.", year=plan.year),
            link,
        )
    else:
        notify(
            plan.person_id,
            "returned",
            _("Kế hoạch năm %(year)d được trả lại: %(comment)s", year=plan.year, comment=comment),
            link,
        )


def revise(plan: StudyPlan, *, actor: Person) -> PlanVersion:
    """Start a new draft version from the approved one; the approved version stays readable."""
    current = plan.latest
    if current.status != PlanStatus.APPROVED:
        raise PlanError(_("Chỉ điều chỉnh được kế hoạch đã duyệt; kế hoạch này vẫn đang sửa được."))
    version = PlanVersion(number=current.number + 1, status=PlanStatus.DRAFT, note=current.note)
    version.items = [_copy_item(item) for item in current.items]
    plan.versions.append(version)
    _changed(plan)
    db.session.flush()
    _log(plan, "revise", actor.id)
    return version


def _copy_item(item: PlanItem) -> PlanItem:
    return PlanItem(
        course_id=item.course_id,
        activity_id=item.activity_id,
        planned_month=item.planned_month,
        planned_quarter=item.planned_quarter,
        expected_hours=item.expected_hours,
    )


def copy_last_year(person: Person, year: int) -> StudyPlan:
    """Start this year's plan as a draft with last year's courses (external ones are dated)."""
    check_year(year)
    if queries.plan_of(person.id, year) is not None:
        raise PlanError(_("Bạn đã có kế hoạch năm %(year)d.", year=year))
    previous = queries.plan_of(person.id, year - 1)
    if previous is None:
        raise PlanError(_("Không có kế hoạch năm %(year)d để sao chép.", year=year - 1))
    plan = plan_for(person, year)
    version = plan.latest
    version.note = previous.latest.note
    for item in previous.latest.items:
        if item.course_id is not None:
            version.items.append(_copy_item(item))
    _log(plan, "copy", person.id, str(year - 1))
    return plan


def self_assess(plan: StudyPlan, text: str, *, actor: Person) -> None:
    plan.self_assessment = _text(text, label=_("tự đánh giá"), required=True)
    plan.self_assessed_at = utcnow()
    _changed(plan)
    _log(plan, "self_assess", actor.id)


def manager_assess(plan: StudyPlan, text: str, *, actor: Person) -> None:
    if not permissions.can_decide(actor, plan.person_id, plan.year):
        raise PlanError(_("Bạn không được đánh giá kế hoạch này."))
    plan.manager_assessment = _text(text, label=_("đánh giá của lãnh đạo"), required=True)
    plan.manager_assessed_at = utcnow()
    plan.manager_assessed_by_id = actor.id
    _changed(plan)
    _log(plan, "manager_assess", actor.id)


# External activities --------------------------------------------------------------------------


def verify_activity(
    activity: ExternalActivity, *, actor: Person, verified: bool, reason: str | None
) -> None:
    """Verify an activity (its hours then count) or reject it with a reason."""
    if not permissions.can_decide(actor, activity.person_id, activity.year):
        raise PlanError(_("Bạn không được xác nhận hoạt động này."))
    if activity.status != ActivityStatus.PENDING:
        raise PlanError(_("Hoạt động này đã được xử lý."))
    if verified and activity.evidence_id is None:
        raise PlanError(_("Chưa có minh chứng; chưa thể xác nhận hoạt động."))
    reason = _text(reason, label=_("lý do"))
    if not verified and not reason:
        raise PlanError(_("Hãy ghi lý do từ chối."))
    decided = db.session.execute(
        update(ExternalActivity)
        .where(
            ExternalActivity.id == activity.id, ExternalActivity.status == ActivityStatus.PENDING
        )
        .values(
            status=ActivityStatus.VERIFIED if verified else ActivityStatus.REJECTED,
            rejection_reason=None if verified else reason,
            decided_by_id=actor.id,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise PlanError(_("Hoạt động này đã được xử lý."))  # by another manager, a moment ago
    db.session.refresh(activity)
    if verified:
        ledger.credit_activity(activity)
    notify(
        activity.person_id,
        "verified" if verified else "rejected",
        _("Hoạt động “%(title)s” đã được xác nhận.", title=activity.title)
        if verified
        else _("Hoạt động “%(title)s” bị từ chối: %(reason)s", title=activity.title, reason=reason),
        url_for("plans.year", year=activity.year),
    )


# Notifications and reminders ------------------------------------------------------------------


def managers_of(person_id: int, year: int) -> set[int]:
    """The managers who reach the person now (or on their last day in year): see lms.org.scope."""
    return scope.managers_of(person_id, *year_days(year), local_today())


def notify(
    person_id: int, kind: str, text: str, link: str | None, *, key: str | None = None
) -> bool:
    """Add an in-app notification; with a key, only once (returns whether it was new)."""
    notification = Notification(person_id=person_id, kind=kind, text=text[:500], link=link, key=key)
    if key is None:
        db.session.add(notification)
        return True
    if db.session.scalar(select(Notification.id).where(Notification.key == key)):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return False  # another server sent the same reminder a moment ago
    return True


def mark_all_read(person: Person) -> None:
    """Mark every unread notification read, not only those on the page."""
    db.session.execute(
        update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


@dataclass(frozen=True)
class Reminder:
    person_id: int
    email: str | None
    text: str


def daily_reminders(day: date) -> list[Reminder]:
    """Add today's due-soon and overdue reminders (once per person, item and day)."""
    year = day.year
    spans = queries.memberships_in_year(None, year)
    people = dict(
        db.session.execute(
            select(Person.id, Person.employment_kind).where(
                Person.id.in_(list(spans)), Person.is_active.is_(True)
            )
        ).all()
    )
    emails = dict(
        db.session.execute(select(Person.id, Person.email).where(Person.id.in_(list(people)))).all()
    )
    sent: list[Reminder] = []
    link = url_for("plans.year", year=year)
    for person_id, progress in year_figures(people, year, day, items=True).items():
        for item in progress.items or ():
            if not item.is_required or item.state not in (ItemState.DUE_SOON, ItemState.OVERDUE):
                continue
            overdue = item.state == ItemState.OVERDUE
            kind = "overdue" if overdue else "due_soon"
            text = (
                _(
                    "Quá hạn: khóa học “%(title)s” (hạn %(day)s).",
                    title=item.course_title,
                    day=vn_date(item.due_on),
                )
                if overdue
                else _(
                    "Sắp đến hạn: khóa học “%(title)s” (hạn %(day)s).",
                    title=item.course_title,
                    day=vn_date(item.due_on),
                )
            )
            key = f"{person_id}:{kind}:{item.assignment_id}:{day.isoformat()}"
            if notify(person_id, kind, text, link, key=key):
                sent.append(Reminder(person_id, emails.get(person_id), text))
    return sent


def send_emails(reminders: list[Reminder]) -> int:
    """E-mail the reminders when SMTP is configured; return how many were sent."""
    config = current_app.config
    host = config.get("SMTP_HOST")
    targets = [reminder for reminder in reminders if reminder.email]
    if not host or not targets:
        return 0
    with smtplib.SMTP(host, int(config.get("SMTP_PORT") or 25), timeout=30) as smtp:
        if config.get("SMTP_USER"):
            smtp.starttls()
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        for reminder in targets:
            message = EmailMessage()
            message["From"] = config.get("SMTP_FROM") or "no-reply@localhost"
            message["To"] = reminder.email
            message["Subject"] = _("Nhắc việc học tập")
            message.set_content(reminder.text)
            smtp.send_message(message)
    return len(targets)
