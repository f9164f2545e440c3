"""Reads for reports: the roster of people per unit over a period, in a fixed number of queries.

A row is one person in one unit for the part of the period they were a member there. Hours,
required items and plans belong to the person and are counted for the plan years that overlap
that membership. A multi-year period shows plan status as "n/N years approved".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from lms.accounts.models import Person
from lms.courses.models import Course
from lms.db import contains, db
from lms.i18n import agency_zone
from lms.learning.models import CourseProgress
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import unit_tree
from lms.plans.models import PlanStatus, PlanVersion, StudyPlan
from lms.plans.queries import ItemState, below, progress_for
from lms.plans.years import year_moments
from lms.text import fold

CATEGORIES = ("digital-skills", "foreign-language", "ethnic-language")
MAX_YEARS = 10


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))


@dataclass(frozen=True)
class RosterRow:
    number: int
    person_id: int
    full_name: str
    date_of_birth: date | None
    position: str | None
    is_active: bool
    unit_id: int
    unit_code: str
    unit_name: str
    since: date
    until: date
    plan_status: str | None
    approved_years: int
    plan_years: int
    required_done: int
    required_total: int
    hours_earned: Decimal | None
    hours_target: Decimal | None
    percent: int | None
    courses: tuple[int, int, int]


@dataclass(frozen=True)
class UnitSubtotal:
    unit_id: int
    unit_code: str
    unit_name: str
    people: int
    hours: Decimal
    approved_percent: int


@dataclass(frozen=True)
class Roster:
    period: Period
    agency_name: str
    unit_code: str
    rows: list[RosterRow]
    subtotals: list[UnitSubtotal]


def _overlaps(model, period: Period):
    return and_(
        model.valid_from <= period.last,
        or_(model.valid_until.is_(None), model.valid_until >= period.first),
    )


def _tree_order(period: Period) -> dict[int, int]:
    order: dict[int, int] = {}

    def walk(nodes) -> None:
        for node in nodes:
            order.setdefault(node.unit_id, len(order))
            walk(node.children)

    walk(unit_tree(period.last, include_closed=True))
    return order


def roster(period: Period, today: date, *, unit_id: int | None = None, search: str = "") -> Roster:
    """Return the roster of the unit (with sub-units) or the whole organisation for period."""
    versions: dict[int, list[tuple[date, date | None, str, int | None]]] = defaultdict(list)
    codes: dict[int, str] = {}
    children: dict[int, set[int]] = defaultdict(set)
    for uid, code, name, parent_id, valid_from, valid_until in db.session.execute(
        select(
            UnitVersion.unit_id,
            Unit.code,
            UnitVersion.name,
            UnitVersion.parent_id,
            UnitVersion.valid_from,
            UnitVersion.valid_until,
        )
        .join(Unit, Unit.id == UnitVersion.unit_id)
        .where(_overlaps(UnitVersion, period))
        .order_by(UnitVersion.valid_from)
    ):
        versions[uid].append((valid_from, valid_until, name, parent_id))
        codes[uid] = code
        if parent_id is not None:
            children[parent_id].add(uid)

    def name_on(uid: int, day: date) -> str:
        found = [name for start, _end, name, _p in versions.get(uid, []) if start <= day]
        return found[-1] if found else codes.get(uid, "")

    if unit_id is not None:
        scope = below([unit_id], children)
        top = unit_id
    else:
        scope = set(versions)
        top = next(
            (uid for uid, spans in versions.items() if spans[-1][3] is None),
            None,
        )
    agency_name = name_on(top, period.last) if top is not None else ""
    order = _tree_order(period)

    query = (
        select(
            Person.id,
            Person.full_name,
            Person.sort_key,
            Person.date_of_birth,
            Person.position,
            Person.is_active,
            Person.employment_kind,
            Membership.unit_id,
            Membership.valid_from,
            Membership.valid_until,
        )
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.unit_id.in_(scope), _overlaps(Membership, period))
    )
    folded = fold(search)
    if folded:
        query = query.where(contains(Person.search_name, folded))
    members = db.session.execute(query).all()
    people = {row.id: row.employment_kind for row in members}
    years = period.years

    progress = {year: progress_for(people, year, today) for year in years} if people else {}
    statuses = _plan_statuses(list(people), years) if people else {}
    completions = _completions(list(people), period) if people else {}

    raw = []
    for member in members:
        since = max(member.valid_from, period.first)
        until = min(member.valid_until or period.last, period.last)
        row_years = list(range(since.year, until.year + 1))
        earned = target = None
        done = total = 0
        for year in row_years:
            found = progress[year][member.id]
            if found.rule is not None:
                earned = (earned or Decimal(0)) + found.earned
                target = (target or Decimal(0)) + found.rule.amount
            for item in found.items:
                if item.is_required and item.state != ItemState.NOT_APPLICABLE:
                    total += 1
                    done += item.state == ItemState.DONE
        person_statuses = statuses.get(member.id, {})
        approved = sum(1 for y in row_years if person_statuses.get(y) == PlanStatus.APPROVED)
        status = person_statuses.get(row_years[-1], "none") if len(row_years) == 1 else None
        counts = [0, 0, 0]
        for day, category in completions.get(member.id, []):
            if day.year in row_years and category in CATEGORIES:
                counts[CATEGORIES.index(category)] += 1
        percent = int(earned * 100 / target) if earned is not None and target else None
        raw.append(
            (
                (order.get(member.unit_id, len(order)), codes.get(member.unit_id, "")),
                member.sort_key,
                member.id,
                since,
                dict(
                    person_id=member.id,
                    full_name=member.full_name,
                    date_of_birth=member.date_of_birth,
                    position=member.position,
                    is_active=member.is_active,
                    unit_id=member.unit_id,
                    unit_code=codes.get(member.unit_id, ""),
                    unit_name=name_on(member.unit_id, until),
                    since=since,
                    until=until,
                    plan_status=status,
                    approved_years=approved,
                    plan_years=len(row_years),
                    required_done=done,
                    required_total=total,
                    hours_earned=earned,
                    hours_target=target,
                    percent=percent,
                    courses=tuple(counts),
                ),
            )
        )
    raw.sort(key=lambda item: item[:4])
    rows = [RosterRow(number=n, **item[4]) for n, item in enumerate(raw, start=1)]
    return Roster(
        period,
        agency_name,
        codes.get(unit_id, "") if unit_id else codes.get(top, "") if top else "",
        rows,
        _subtotals(rows),
    )


def _subtotals(rows: list[RosterRow]) -> list[UnitSubtotal]:
    groups: dict[int, list[RosterRow]] = {}
    for row in rows:
        groups.setdefault(row.unit_id, []).append(row)
    result = []
    for uid, group in groups.items():
        approved = sum(1 for row in group if row.approved_years == row.plan_years)
        result.append(
            UnitSubtotal(
                uid,
                group[0].unit_code,
                group[-1].unit_name,
                len(group),
                sum((row.hours_earned or Decimal(0) for row in group), Decimal(0)),
                int(approved * 100 / len(group)),
            )
        )
    return result


def _plan_statuses(ids: list[int], years: list[int]) -> dict[int, dict[int, str]]:
    latest = (
        select(PlanVersion.plan_id, func.max(PlanVersion.number).label("number"))
        .group_by(PlanVersion.plan_id)
        .subquery()
    )
    rows = db.session.execute(
        select(StudyPlan.person_id, StudyPlan.year, PlanVersion.status)
        .join(latest, latest.c.plan_id == StudyPlan.id)
        .join(
            PlanVersion,
            and_(PlanVersion.plan_id == StudyPlan.id, PlanVersion.number == latest.c.number),
        )
        .where(StudyPlan.person_id.in_(ids), StudyPlan.year.in_(years))
    )
    result: dict[int, dict[int, str]] = defaultdict(dict)
    for person_id, year, status in rows:
        result[person_id][year] = PlanStatus(status)
    return result


def _completions(ids: list[int], period: Period) -> dict[int, list[tuple[date, str]]]:
    """Return each person's course completions in period, as (local day, category)."""
    start, _ = year_moments(period.first.year)
    _, end = year_moments(period.last.year)
    zone = agency_zone()
    result: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for person_id, moment, category in db.session.execute(
        select(CourseProgress.person_id, CourseProgress.completed_at, Course.category)
        .join(Course, Course.id == CourseProgress.course_id)
        .where(
            CourseProgress.person_id.in_(ids),
            CourseProgress.completed_at >= start,
            CourseProgress.completed_at < end,
        )
    ):
        day = moment.astimezone(zone).date()
        if period.first <= day <= period.last:
            result[person_id].append((day, category))
    return result


class ReportError(Exception):
    """Report parameters that make no sense; the message is shown to the user."""


def make_period(first: date | None, last: date | None) -> Period:
    """Check a period typed by someone: both days given, in order, at most MAX_YEARS years."""
    from flask_babel import gettext as _

    if first is None or last is None:
        raise ReportError(_("Ngày bắt đầu và ngày kết thúc phải có dạng dd/mm/yyyy."))
    if last < first:
        raise ReportError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if last.year - first.year >= MAX_YEARS:
        raise ReportError(_("Kỳ báo cáo dài tối đa %(n)d năm.", n=MAX_YEARS))
    return Period(first, last)


def unit_by_code(code: str) -> int | None:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))
