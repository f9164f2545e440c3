"""Reads for plans: the rule for a year, who an assignment reaches, progress, the dashboard.

Progress for one person or for a unit of thousands costs the same fixed number of queries:
hours are summed in SQL, and the per-person checks run on rows fetched once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Person
from lms.courses.models import Course
from lms.db import db
from lms.i18n import agency_zone
from lms.learning.models import CourseProgress
from lms.org.models import Membership, UnitVersion
from lms.plans.models import (
    ActivityStatus,
    AssignmentKind,
    ExternalActivity,
    Notification,
    PlanItem,
    PlanStatus,
    PlanVersion,
    StudyPlan,
    TargetRule,
    TargetUnit,
    UnitAssignment,
)
from lms.plans.years import year_days, year_moments
from lms.text import fold

DUE_SOON_DAYS = 14
PER_PAGE = 25
TWO_PLACES = Decimal("0.01")


# The organisation during a year ---------------------------------------------------------------


def _overlaps_year(model, year: int):
    first, last = year_days(year)
    return and_(
        model.valid_from <= last, or_(model.valid_until.is_(None), model.valid_until >= first)
    )


def unit_children_in_year(year: int) -> dict[int, set[int]]:
    """Return, for each unit, the units placed under it on any day of year."""
    children: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(UnitVersion.parent_id, UnitVersion.unit_id).where(
            UnitVersion.parent_id.is_not(None), _overlaps_year(UnitVersion, year)
        )
    )
    for parent_id, unit_id in rows:
        children[parent_id].add(unit_id)
    return children


def below(root_ids: Iterable[int], children: dict[int, set[int]]) -> set[int]:
    """Return the roots and every unit under them in the children map."""
    seen = set(root_ids)
    stack = list(seen)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def unit_names_in_year(unit_ids: Iterable[int], year: int) -> dict[int, str]:
    """Return the name each unit had last during year (the name people saw then)."""
    ids = set(unit_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(UnitVersion.unit_id, UnitVersion.name)
        .where(UnitVersion.unit_id.in_(ids), _overlaps_year(UnitVersion, year))
        .order_by(UnitVersion.valid_from)
    )
    return dict(rows.all())


class Span(NamedTuple):
    unit_id: int
    starts_on: date
    ends_on: date


def memberships_in_year(
    person_ids: Iterable[int] | None, year: int, *, unit_ids=None
) -> dict[int, list[Span]]:
    """Return each person's memberships that touch year, cut to the year."""
    first, last = year_days(year)
    query = select(
        Membership.person_id, Membership.unit_id, Membership.valid_from, Membership.valid_until
    ).where(_overlaps_year(Membership, year))
    if person_ids is not None:
        ids = person_ids if hasattr(person_ids, "subquery") else list(person_ids)
        query = query.where(Membership.person_id.in_(ids))
    if unit_ids is not None:
        query = query.where(Membership.unit_id.in_(list(unit_ids)))
    spans: dict[int, list[Span]] = defaultdict(list)
    for person_id, unit_id, valid_from, valid_until in db.session.execute(
        query.order_by(Membership.valid_from)
    ):
        spans[person_id].append(
            Span(unit_id, max(valid_from, first), min(valid_until or last, last))
        )
    return spans


# The yearly target ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRef:
    """The target a figure was measured against, named so that the figure can say so."""

    id: int
    code: str
    version: int
    amount: Decimal
    unit: TargetUnit
    minutes_per_tiet: int
    legal_basis: str
    employment_kinds: tuple[str, ...]
    effective_from: date
    effective_until: date | None

    def covers_year(self, year: int) -> bool:
        first, last = year_days(year)
        return self.effective_from <= last and (
            self.effective_until is None or self.effective_until >= first
        )


def current_rules() -> list[RuleRef]:
    """Return the latest version of every rule."""
    rows = db.session.scalars(
        select(TargetRule)
        .where(TargetRule.replaced_at.is_(None))
        .order_by(TargetRule.effective_from, TargetRule.code)
    )
    return [_rule_ref(rule) for rule in rows]


def _rule_ref(rule: TargetRule) -> RuleRef:
    return RuleRef(
        rule.id,
        rule.code,
        rule.version,
        rule.amount,
        TargetUnit(rule.unit),
        rule.minutes_per_tiet,
        rule.legal_basis,
        tuple(rule.employment_kinds),
        rule.effective_from,
        rule.effective_until,
    )


def rule_history() -> list[TargetRule]:
    """Return every version of every rule, newest first within each rule."""
    return list(
        db.session.scalars(select(TargetRule).order_by(TargetRule.code, TargetRule.version.desc()))
    )


def rule_for(rules: list[RuleRef], employment_kind: str, year: int) -> RuleRef | None:
    """Return the rule in force for year for this kind of employment: the latest to start."""
    matching = [
        rule
        for rule in rules
        if employment_kind in rule.employment_kinds and rule.covers_year(year)
    ]
    return max(matching, key=lambda rule: rule.effective_from, default=None)


def in_rule_unit(rule: RuleRef, course_tiet: Decimal, external_hours: Decimal) -> Decimal:
    """Add course tiết and clock hours of external activities, in the rule's unit."""
    minutes = Decimal(rule.minutes_per_tiet)
    if rule.unit == TargetUnit.TIET:
        total = course_tiet + external_hours * 60 / minutes
    else:
        total = course_tiet * minutes / 60 + external_hours
    return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# Progress -------------------------------------------------------------------------------------


class ItemState:
    DONE = "done"
    PENDING = "pending"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "not_applicable"


class AssignedItem(NamedTuple):
    assignment_id: int
    course_id: int
    course_slug: str
    course_title: str
    course_hours: Decimal
    kind: AssignmentKind
    due_on: date
    unit_id: int
    unit_name: str
    state: str
    completed_on: date | None

    @property
    def is_required(self) -> bool:
        return self.kind == AssignmentKind.REQUIRED


@dataclass
class Progress:
    person_id: int
    year: int
    rule: RuleRef | None
    course_tiet: Decimal = Decimal(0)
    external_hours: Decimal = Decimal(0)
    items: list[AssignedItem] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    @cached_property
    def earned(self) -> Decimal | None:
        return in_rule_unit(self.rule, self.course_tiet, self.external_hours) if self.rule else None

    @cached_property
    def percent(self) -> int | None:
        if self.rule is None:
            return None
        return int(self.earned * 100 / self.rule.amount)

    def _count(self, *states: str) -> int:
        return sum(1 for item in self.items if item.is_required and item.state in states)

    @property
    def required_done(self) -> int:
        return self._count(ItemState.DONE)

    @property
    def required_pending(self) -> int:
        return self._count(ItemState.PENDING, ItemState.DUE_SOON)

    @property
    def required_overdue(self) -> int:
        return self._count(ItemState.OVERDUE)

    @property
    def next_steps(self) -> list[AssignedItem]:
        """Open items, overdue first, then by due date."""
        open_items = [
            item
            for item in self.items
            if item.state in (ItemState.OVERDUE, ItemState.DUE_SOON, ItemState.PENDING)
        ]
        return sorted(open_items, key=lambda item: (item.state != ItemState.OVERDUE, item.due_on))


def _item_state(due_on: date, completed_on: date | None, today: date) -> str:
    if completed_on is not None:
        return ItemState.DONE
    if due_on < today:
        return ItemState.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return ItemState.DUE_SOON
    return ItemState.PENDING


def _hour_totals(ids, year: int) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Return, per person, course tiết completed in year and verified external hours of year."""
    start, end = year_moments(year)
    course_tiet = {
        person_id: Decimal(total or 0)
        for person_id, total in db.session.execute(
            select(CourseProgress.person_id, func.sum(CourseProgress.hours_credited))
            .where(
                CourseProgress.person_id.in_(ids),
                CourseProgress.completed_at >= start,
                CourseProgress.completed_at < end,
            )
            .group_by(CourseProgress.person_id)
        )
    }
    external_hours = {
        person_id: Decimal(total or 0)
        for person_id, total in db.session.execute(
            select(ExternalActivity.person_id, func.sum(ExternalActivity.hours))
            .where(
                ExternalActivity.person_id.in_(ids),
                ExternalActivity.year == year,
                ExternalActivity.status == ActivityStatus.VERIFIED,
            )
            .group_by(ExternalActivity.person_id)
        )
    }
    return course_tiet, external_hours


def progress_for(
    people: dict[int, str], year: int, today: date, *, people_query=None
) -> dict[int, Progress]:
    """Return progress in year for people (id → employment kind), in seven queries.

    people_query, a select of the same ids, keeps a long id list out of every query.
    """
    return progress_for_years(people, [year], today, people_query=people_query)[year]


def progress_for_years(
    people: dict[int, str],
    years: Iterable[int],
    today: date,
    *,
    people_query=None,
) -> dict[int, dict[int, Progress]]:
    """Return progress in each of years for people, reading each table once for all years:
    one query per table, and assignments looked up by unit rather than tried one by one for
    every person. (The roster sums the same figures in SQL: lms.reports.figures.)"""
    years = sorted(set(years))
    result: dict[int, dict[int, Progress]] = {year: {} for year in years}
    if not people or not years:
        return result
    ids = people_query if people_query is not None else list(people)
    rules = current_rules()
    rule_cache = {
        (kind, year): rule_for(rules, kind, year) for kind in set(people.values()) for year in years
    }
    for year in years:
        result[year] = {
            person_id: Progress(person_id, year, rule_cache[(kind, year)])
            for person_id, kind in people.items()
        }
    bounds = {year: year_moments(year) for year in years}
    starts = [bounds[year][0] for year in years]
    overall_start, overall_end = bounds[years[0]][0], bounds[years[-1]][1]

    def year_of(moment) -> int | None:
        index = bisect_right(starts, moment) - 1
        if index < 0 or moment >= bounds[years[index]][1]:
            return None
        return years[index]

    for person_id, moment, hours in db.session.execute(
        select(
            CourseProgress.person_id, CourseProgress.completed_at, CourseProgress.hours_credited
        ).where(
            CourseProgress.person_id.in_(ids),
            CourseProgress.completed_at >= overall_start,
            CourseProgress.completed_at < overall_end,
        )
    ):
        year = year_of(moment)
        if year is not None and person_id in result[year]:
            result[year][person_id].course_tiet += Decimal(hours or 0)
    for person_id, year, total in db.session.execute(
        select(ExternalActivity.person_id, ExternalActivity.year, func.sum(ExternalActivity.hours))
        .where(
            ExternalActivity.person_id.in_(ids),
            ExternalActivity.year.in_(years),
            ExternalActivity.status == ActivityStatus.VERIFIED,
        )
        .group_by(ExternalActivity.person_id, ExternalActivity.year)
    ):
        if person_id in result[year]:
            result[year][person_id].external_hours = Decimal(total or 0)

    first_day, last_day = year_days(years[0])[0], year_days(years[-1])[1]
    memberships = db.session.execute(
        select(
            Membership.person_id, Membership.unit_id, Membership.valid_from, Membership.valid_until
        )
        .where(
            Membership.person_id.in_(ids),
            Membership.valid_from <= last_day,
            or_(Membership.valid_until.is_(None), Membership.valid_until >= first_day),
        )
        .order_by(Membership.valid_from)
    ).all()
    for year in years:
        first, last = year_days(year)
        for person_id, unit_id, valid_from, valid_until in memberships:
            if valid_from <= last and (valid_until is None or valid_until >= first):
                found = result[year].get(person_id)
                if found is not None:
                    found.spans.append(
                        Span(unit_id, max(valid_from, first), min(valid_until or last, last))
                    )
    del memberships

    assignments = db.session.execute(
        select(
            UnitAssignment.id,
            UnitAssignment.year,
            UnitAssignment.course_id,
            UnitAssignment.unit_id,
            UnitAssignment.include_subunits,
            UnitAssignment.kind,
            UnitAssignment.due_on,
            Course.slug,
            Course.title,
            Course.hours,
        )
        .join(Course, Course.id == UnitAssignment.course_id)
        .where(
            UnitAssignment.year.in_(years),
            UnitAssignment.withdrawn_at.is_(None),
        )
        .order_by(UnitAssignment.due_on, UnitAssignment.id)
    ).all()
    if not assignments:
        return result
    # The one completion of each assigned course by each person, whenever it happened.
    completed_at = {
        (person_id, course_id): moment
        for person_id, course_id, moment in db.session.execute(
            select(
                CourseProgress.person_id, CourseProgress.course_id, CourseProgress.completed_at
            ).where(
                CourseProgress.person_id.in_(ids),
                CourseProgress.course_id.in_({row.course_id for row in assignments}),
                CourseProgress.completed_at < overall_end,
            )
        )
    }
    zone = agency_zone()
    for year in years:
        _assign_items(
            result[year],
            [row for row in assignments if row.year == year],
            completed_at,
            bounds[year][1],
            year,
            today,
            zone,
        )
    return result


def _assign_items(progress, assignments, completed_at, end, year, today, zone) -> None:
    """Give each person the year's assignments of the units they were in, with their state."""
    if not assignments:
        return
    children = unit_children_in_year(year)
    names = unit_names_in_year({row.unit_id for row in assignments}, year)
    # Plain tuples, and for each unit the assignments that reach it (in due order).
    plain = []
    reaching: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(assignments):
        units = below([row.unit_id], children) if row.include_subunits else {row.unit_id}
        plain.append(
            (
                row.id,
                row.course_id,
                row.unit_id,
                units,
                AssignmentKind(row.kind),
                row.due_on,
                row.slug,
                row.title,
                row.hours,
                names.get(row.unit_id, ""),
                _item_state(row.due_on, None, today),
            )
        )
        for unit_id in units:
            reaching[unit_id].append(index)
    local_days: dict = {}
    for person_id, found in progress.items():
        person_spans = found.spans
        if not person_spans:
            continue
        indexes = sorted({i for span in person_spans for i in reaching.get(span.unit_id, ())})
        for index in indexes:
            (
                assignment_id,
                course_id,
                unit_id,
                units,
                kind,
                due_on,
                slug,
                title,
                hours,
                unit_name,
                open_state,
            ) = plain[index]
            here = [span for span in person_spans if span.unit_id in units]
            moment = completed_at.get((person_id, course_id))
            completed_on = None
            if moment is not None and moment < end:
                completed_on = local_days.get(moment)
                if completed_on is None:
                    completed_on = local_days[moment] = moment.astimezone(zone).date()
            # Due while the person was there: theirs; due before they came or after they left: not.
            if completed_on is not None:
                state = ItemState.DONE
            elif any(span.starts_on <= due_on <= span.ends_on for span in here):
                state = open_state
            else:
                state = ItemState.NOT_APPLICABLE
            found.items.append(
                AssignedItem(
                    assignment_id,
                    course_id,
                    slug,
                    title,
                    hours,
                    kind,
                    due_on,
                    unit_id,
                    unit_name,
                    state,
                    completed_on,
                )
            )


# Plans ----------------------------------------------------------------------------------------


def plan_of(person_id: int, year: int) -> StudyPlan | None:
    return db.session.scalars(
        select(StudyPlan)
        .where(StudyPlan.person_id == person_id, StudyPlan.year == year)
        # The plan page shows every version's items with their courses: load them together.
        .options(
            selectinload(StudyPlan.versions)
            .selectinload(PlanVersion.items)
            .joinedload(PlanItem.course)
        )
    ).first()


def plan_years(person_id: int) -> list[tuple[int, PlanStatus, int]]:
    """Return (year, status of the latest version, version number) of each of the person's plans."""
    latest = _latest_versions()
    rows = db.session.execute(
        select(StudyPlan.year, PlanVersion.status, PlanVersion.number)
        .join(latest, latest.c.plan_id == StudyPlan.id)
        .join(
            PlanVersion,
            and_(PlanVersion.plan_id == StudyPlan.id, PlanVersion.number == latest.c.number),
        )
        .where(StudyPlan.person_id == person_id)
        .order_by(StudyPlan.year.desc())
    )
    return [(year, PlanStatus(status), number) for year, status, number in rows]


def _latest_versions():
    return (
        select(PlanVersion.plan_id, func.max(PlanVersion.number).label("number"))
        .group_by(PlanVersion.plan_id)
        .subquery()
    )


def activities_of(person_id: int, year: int) -> list[ExternalActivity]:
    return list(
        db.session.scalars(
            select(ExternalActivity)
            .where(ExternalActivity.person_id == person_id, ExternalActivity.year == year)
            .order_by(ExternalActivity.starts_on, ExternalActivity.id)
        )
    )


def course_choices() -> list[tuple[int, str, Decimal]]:
    """Return (id, title, tiết) of the courses open to learners."""
    rows = db.session.execute(
        select(Course.id, Course.title, Course.hours)
        .where(Course.is_retired.is_(False))
        .order_by(Course.title)
    )
    return [tuple(row) for row in rows]


def assignments_of_unit(unit_id: int, year: int) -> list[UnitAssignment]:
    return list(
        db.session.scalars(
            select(UnitAssignment)
            .options(joinedload(UnitAssignment.course))
            .where(UnitAssignment.unit_id == unit_id, UnitAssignment.year == year)
            .order_by(UnitAssignment.withdrawn_at.is_not(None), UnitAssignment.due_on)
        )
    )


def unread_count(person_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.person_id == person_id, Notification.read_at.is_(None)
        )
    )


def notifications_of(person_id: int, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.person_id == person_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


# The manager's dashboard ----------------------------------------------------------------------

SORTS = ("name", "percent", "hours", "overdue")
NO_PLAN = "none"


@dataclass(frozen=True)
class DashboardRow:
    person_id: int
    full_name: str
    sort_key: str
    position: str | None
    plan_id: int | None
    status: str
    version: int | None
    revision: int | None
    progress: Progress
    spans_here: list[Span]

    @property
    def percent_key(self) -> int:
        return -1 if self.progress.percent is None else self.progress.percent

    @property
    def hours_key(self) -> Decimal:
        earned = self.progress.earned
        return Decimal(-1) if earned is None else earned


@dataclass(frozen=True)
class Dashboard:
    rows: list[DashboardRow]
    total: int
    page: int
    pages: int
    per_page: int
    status_counts: dict[str, int]
    unit_names: dict[int, str]

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def number(self) -> int:
        return self.page


def dashboard(
    unit_id: int,
    year: int,
    today: date,
    *,
    status: str = "",
    search: str = "",
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Dashboard:
    """Return one page of everyone who belonged to the unit (or below) during year.

    Filters, status counts and sorting by name or by hours need a few plain columns and two
    SQL sums per person; the assigned items (the costly part) are worked out only for the page,
    unless the page is sorted by overdue items, which needs them for everyone filtered.
    """
    units = below([unit_id], unit_children_in_year(year))
    member_ids = select(Membership.person_id).where(
        Membership.unit_id.in_(units), _overlaps_year(Membership, year)
    )
    people_rows = db.session.execute(
        select(
            Person.id,
            Person.full_name,
            Person.sort_key,
            Person.search_name,
            Person.position,
            Person.employment_kind,
        ).where(Person.id.in_(member_ids))
    ).all()
    latest = _latest_versions()
    plans = {
        person_id: (plan_id, PlanStatus(state), number, revision)
        for person_id, plan_id, state, number, revision in db.session.execute(
            select(
                StudyPlan.person_id,
                StudyPlan.id,
                PlanVersion.status,
                PlanVersion.number,
                StudyPlan.revision,
            )
            .join(latest, latest.c.plan_id == StudyPlan.id)
            .join(
                PlanVersion,
                and_(PlanVersion.plan_id == StudyPlan.id, PlanVersion.number == latest.c.number),
            )
            .where(StudyPlan.year == year, StudyPlan.person_id.in_(member_ids))
        )
    }
    no_plan = (None, NO_PLAN, None, None)
    counts: dict[str, int] = defaultdict(int)
    for row in people_rows:
        counts[str(plans.get(row.id, no_plan)[1])] += 1
    folded = fold(search)
    chosen = [
        row
        for row in people_rows
        if (not status or str(plans.get(row.id, no_plan)[1]) == status)
        and (not folded or folded in row.search_name)
    ]
    sort = sort if sort in SORTS else "name"
    if sort == "name":
        chosen.sort(key=lambda row: row.sort_key, reverse=descending)
        everyone = None
    elif sort == "overdue":
        everyone = progress_for(
            {row.id: row.employment_kind for row in people_rows},
            year,
            today,
            people_query=member_ids,
        )
        chosen.sort(
            key=lambda row: (everyone[row.id].required_overdue, row.sort_key), reverse=descending
        )
    else:
        # Hours and percent come from two sums per person; the items are not needed for them.
        everyone = None
        rules = current_rules()
        rule_of_kind = {
            kind: rule_for(rules, kind, year) for kind in {row.employment_kind for row in chosen}
        }
        course_tiet, external_hours = _hour_totals(member_ids, year)
        # Few people differ in (rule, tiết, hours): work each combination out once.
        figures: dict[tuple, Progress] = {}

        def figures_of(row) -> Progress:
            combination = (
                row.employment_kind,
                course_tiet.get(row.id, Decimal(0)),
                external_hours.get(row.id, Decimal(0)),
            )
            known = figures.get(combination)
            if known is None:
                known = figures[combination] = Progress(
                    row.id, year, rule_of_kind[combination[0]], combination[1], combination[2]
                )
            return known

        if sort == "percent":

            def key(row):
                percent = figures_of(row).percent
                return (-1 if percent is None else percent, row.sort_key)

        else:

            def key(row):
                earned = figures_of(row).earned
                return (Decimal(-1) if earned is None else earned, row.sort_key)

        chosen.sort(key=key, reverse=descending)
    total = len(chosen)
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    window = chosen[(page - 1) * per_page : page * per_page]
    if everyone is None:
        progress = progress_for(
            {row.id: row.employment_kind for row in window},
            year,
            today,
        )
    else:
        progress = everyone
    rows = []
    for row in window:
        plan_id, state, number, revision = plans.get(row.id, no_plan)
        rows.append(
            DashboardRow(
                row.id,
                row.full_name,
                row.sort_key,
                row.position,
                plan_id,
                str(state),
                number,
                revision,
                progress[row.id],
                [span for span in progress[row.id].spans if span.unit_id in units],
            )
        )
    names = unit_names_in_year({span.unit_id for row in rows for span in row.spans_here}, year)
    return Dashboard(rows, total, page, pages, per_page, dict(counts), names)


@dataclass(frozen=True)
class PlanSummary:
    """This year's plan in a few figures, for the home page."""

    year: int
    status: str
    progress: Progress


def plan_summary(person_id: int, employment_kind: str, today: date) -> PlanSummary:
    year = today.year
    plan = plan_of(person_id, year)
    status = str(plan.latest.status) if plan else NO_PLAN
    return PlanSummary(
        year, status, progress_for({person_id: employment_kind}, year, today)[person_id]
    )
