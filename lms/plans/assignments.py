"""Courses assigned to a unit for a year, and their withdrawal.

Plain functions that change the session and never commit; a refused change raises PlanError
before anything is touched.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit import services as audit
from lms.courses.models import Course
from lms.db import db, parse_id, utcnow
from lms.i18n import vn_date
from lms.org.models import Unit
from lms.plans.values import PlanError, check_year, parse_date_in_year
from lms.progress.models import AssignmentKind, UnitAssignment


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
        raise PlanError(_("Hãy chọn một khóa học đang mở."), field="course")
    try:
        kind = AssignmentKind(kind)
    except ValueError:
        raise PlanError(_("Hãy chọn bắt buộc hoặc khuyến khích."), field="kind") from None
    due = parse_date_in_year(due_on, year, label=_("Hạn hoàn thành"), field="due_on")
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
            ),
            field="course",
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
