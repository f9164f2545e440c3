"""A person's yearly plan: its versions and items, submit/approve/return/revise, assessments,
and the verification of training outside the platform.

Plain functions that change the session and never commit; a refused change raises PlanError
before anything is touched.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from flask import url_for
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from lms.accounts.models import Person
from lms.courses.models import Course
from lms.db import db, parse_id, utcnow
from lms.i18n import gettext as _
from lms.plans import permissions, queries
from lms.plans.evidence import Upload, check_quota, release, store_evidence
from lms.plans.models import (
    ActivityKind,
    ActivityStatus,
    ExternalActivity,
    PlanEvent,
    PlanItem,
    PlanStatus,
    PlanVersion,
    StudyPlan,
)
from lms.plans.reminders import managers_of, notify
from lms.plans.values import (
    PlanError,
    check_year,
    parse_date_in_year,
    parse_hours,
    parse_planned,
    text_value,
)
from lms.progress import ledger


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
    moved = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(StudyPlan)
            .where(StudyPlan.id == plan.id, StudyPlan.revision == seen)
            .values(revision=seen + 1)
            .execution_options(synchronize_session=False)
        ),
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
    plan: StudyPlan, *, course_id: str | int, planned: str, expected_hours: str | Decimal | None
) -> PlanItem:
    """Add a course of the learner's choice to the plan."""
    version = _editable(plan)
    course_key = parse_id(course_id)
    course = db.session.get(Course, course_key) if course_key else None
    if course is None or course.is_retired:
        raise PlanError(_("Hãy chọn một khóa học đang mở."), field="course")
    if any(item.course_id == course.id for item in version.items):
        raise PlanError(
            _("Khóa học “%(title)s” đã có trong kế hoạch.", title=course.title), field="course"
        )
    month, quarter = parse_planned(planned, field="planned")
    hours = parse_hours(
        expected_hours or course.hours, label=_("Số tiết dự kiến"), field="expected_hours"
    )
    item = PlanItem(
        course_id=course.id, planned_month=month, planned_quarter=quarter, expected_hours=hours
    )
    version.items.append(item)
    _changed(plan)
    return item


def add_external(
    plan: StudyPlan,
    *,
    kind: str,
    title: str,
    organiser: str,
    starts_on: str,
    ends_on: str,
    hours: str | Decimal,
    planned: str | None = None,
    evidence: Upload | None = None,
) -> PlanItem:
    """Add a training outside the platform; its hours count once a manager verifies them."""
    version = _editable(plan)
    try:
        kind = ActivityKind(kind)
    except ValueError:
        raise PlanError(_("Hãy chọn loại hoạt động."), field="kind") from None
    title = text_value(title, label=_("tên hoạt động"), required=True, limit=200, field="title")
    organiser = text_value(
        organiser, label=_("đơn vị tổ chức"), required=True, limit=200, field="organiser"
    )
    starts = parse_date_in_year(starts_on, plan.year, label=_("Ngày bắt đầu"), field="starts_on")
    ends = parse_date_in_year(ends_on, plan.year, label=_("Ngày kết thúc"), field="ends_on")
    if ends < starts:
        raise PlanError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."), field="ends_on")
    amount = parse_hours(hours, label=_("Số giờ"), field="hours")
    days = (ends - starts).days + 1
    if amount > 24 * days:
        raise PlanError(
            _(
                "%(hours)s giờ trong %(days)d ngày là không thể; hãy kiểm tra số giờ.",
                hours=amount,
                days=days,
            ),
            field="hours",
        )
    month, quarter = parse_planned(planned, field="planned") if planned else (starts.month, None)
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
    if evidence is not None and stored is not None:
        check_quota(plan.person_id, evidence)
    return item


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
        release(released)


def save_note(plan: StudyPlan, note: str) -> None:
    version = _editable(plan)
    version.note = text_value(note, label=_("ghi chú"), field="note")
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
    comment = text_value(comment, label=_("nhận xét"), field="comment")
    if not approve and not comment:
        raise PlanError(
            _("Khi trả lại kế hoạch, hãy ghi nhận xét để người học biết cần sửa gì."),
            field="comment",
        )
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
    plan.self_assessment = text_value(text, label=_("tự đánh giá"), required=True, field="text")
    plan.self_assessed_at = utcnow()
    _changed(plan)
    _log(plan, "self_assess", actor.id)


def manager_assess(plan: StudyPlan, text: str, *, actor: Person) -> None:
    if not permissions.can_decide(actor, plan.person_id, plan.year):
        raise PlanError(_("Bạn không được đánh giá kế hoạch này."))
    plan.manager_assessment = text_value(
        text, label=_("đánh giá của lãnh đạo"), required=True, field="text"
    )
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
    reason = text_value(reason, label=_("lý do"), field="reason")
    if not verified and not reason:
        raise PlanError(_("Hãy ghi lý do từ chối."), field="reason")
    decided = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(ExternalActivity)
            .where(
                ExternalActivity.id == activity.id,
                ExternalActivity.status == ActivityStatus.PENDING,
            )
            .values(
                status=ActivityStatus.VERIFIED if verified else ActivityStatus.REJECTED,
                rejection_reason=None if verified else reason,
                decided_by_id=actor.id,
                decided_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ),
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
