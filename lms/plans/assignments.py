"""Courses assigned to a unit for a year, and their withdrawal.

Plain functions that change the session and never commit; a refused change raises PlanError
before anything is touched.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import Person
from lms.audit import services as audit
from lms.courses.models import Course
from lms.courses.render import COURSE_PATH
from lms.db import db, parse_id, utcnow, valid_on
from lms.i18n import gettext as _
from lms.i18n import local_today, vn_date
from lms.org.models import Membership, Unit
from lms.org.queries import subtree_unit_ids
from lms.org.roster import Period, overlaps
from lms.plans.reminders import notify_many
from lms.plans.values import PlanError, check_year, parse_date_in_year
from lms.plans.years import year_days
from lms.progress.engine import ItemState, year_figures
from lms.progress.models import AssignmentKind, UnitAssignment

DUE_DAYS = 30  # a new assignment is due this many days from today unless another day is typed


def due_default(year: int, today: date) -> date:
    """The due day a new assignment for the year is offered: a month from today within the
    year, else the year's last day."""
    last = date(year, 12, 31)
    if year != today.year:
        return last
    return min(today + timedelta(days=DUE_DAYS), last)


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
    notify_assigned(assignment, course, local_today())
    return assignment


def assignment_warnings(assignment: UnitAssignment, today: date) -> list[str]:
    """What would surprise in an assignment just made (flushed, not committed): a due date
    already past, and the people it makes overdue at once when more than
    ASSIGNMENT_OVERDUE_WARNING (read by the engine, as their pages will show it)."""
    if assignment.due_on >= today:
        return []
    warnings = [
        _(
            "Hạn hoàn thành %(due)s đã qua (hôm nay là %(today)s).",
            due=vn_date(assignment.due_on),
            today=vn_date(today),
        )
    ]
    overdue = len(overdue_at_once(assignment, today))
    limit = current_app.config["ASSIGNMENT_OVERDUE_WARNING"]
    if overdue > limit:
        warnings.append(
            _(
                "%(n)d người chưa học khóa này sẽ bị tính quá hạn ngay khi giao.",
                n=overdue,
            )
        )
    return warnings


def assigned_people(
    assignment: UnitAssignment, today: date, *, on_the_day: bool = False
) -> dict[int, str]:
    """The people an assignment reaches (members of its unit, and of the units under it when
    it includes them, some day of its year; with on_the_day, on today, or the year's nearest
    day), with their kind of employment."""
    first, last = year_days(assignment.year)
    day = min(max(today, first), last)
    member = valid_on(Membership, day) if on_the_day else overlaps(Membership, Period(first, last))
    units = (
        subtree_unit_ids([assignment.unit_id], day)
        if assignment.include_subunits
        else {assignment.unit_id}
    )
    return {
        person_id: kind
        for person_id, kind in db.session.execute(
            select(Person.id, Person.employment_kind)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.unit_id.in_(units), member)
            .distinct()
        )
    }


def notify_assigned(assignment: UnitAssignment, course: Course, today: date) -> int:
    """Tell the people the assignment reaches as of the day it is made (in the app, and by
    e-mail when SMTP is set): not those who left the unit earlier in the year."""
    db.session.flush()
    text = _(
        "Đơn vị giao khóa học “%(title)s” (%(kind)s), hạn %(day)s.",
        title=course.title,
        kind=_("bắt buộc") if assignment.kind == AssignmentKind.REQUIRED else _("khuyến khích"),
        day=vn_date(assignment.due_on),
    )
    return notify_many(
        assigned_people(assignment, today, on_the_day=True),
        "assigned",
        text,
        COURSE_PATH.format(course=course.slug),
        key=f"assigned:{assignment.id}",
    )


def overdue_at_once(assignment: UnitAssignment, today: date) -> set[int]:
    """The people for whom the assignment (flushed) is overdue today: the engine's items."""
    db.session.flush()
    people = assigned_people(assignment, today)
    return {
        person_id
        for person_id, figures in year_figures(people, assignment.year, today, items=True).items()
        for item in figures.items or ()
        if item.assignment_id == assignment.id and item.state == ItemState.OVERDUE
    }


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
