"""A batch of people's figures for the roster, read in four or five queries, kept per person.

The same rules as `lms.plans.queries.progress_for_years` (tested against it), without building
a progress object and an item list per person and year: at 100,000 people over five years the
roster only needs, per person and year, the tiết and hours earned, the plan's status, how many
required items were done out of how many, and the courses completed per category. Everything is
kept sparse, per person then per year, so a year with nothing in it costs nothing.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from lms.courses.format import CATEGORIES as COURSE_CATEGORIES
from lms.courses.models import Course
from lms.db import among, db
from lms.i18n import agency_zone
from lms.learning.models import CourseProgress
from lms.org.models import Membership
from lms.plans.models import (
    ActivityStatus,
    AssignmentKind,
    ExternalActivity,
    PlanStatus,
    PlanVersion,
    StudyPlan,
    UnitAssignment,
)
from lms.plans.queries import (
    RuleRef,
    below,
    current_rules,
    in_rule_unit,
    rule_for,
    unit_children_in_year,
)
from lms.plans.years import year_moments

# The roster's three course columns, in the course format's order.
CATEGORIES = tuple(COURSE_CATEGORIES)
CATEGORY_INDEX = {category: index for index, category in enumerate(CATEGORIES)}
# Earned figures carry two places (in_rule_unit); a sum over no activity is this zero.
ZERO = Decimal("0.00")
APPROVED = str(PlanStatus.APPROVED)


class Totals(NamedTuple):
    """One person's figures added up over some years."""

    earned: Decimal | None  # None: no rule applied to them in any of the years
    target: Decimal | None
    target_unit: str
    done: int
    total: int
    approved: int
    years: int
    courses: tuple[int, int, int]


@dataclass
class _Reach:
    """The required items of a year that reach one unit (assigned to it or above it)."""

    items: list[tuple[int, int, date]] = field(default_factory=list)  # (index, course, due)
    dues: list[date] = field(default_factory=list)  # sorted, to count those due in a span
    by_course: dict[int, list[date]] = field(default_factory=lambda: defaultdict(list))
    indexes: set[int] = field(default_factory=set)
    # For a whole year in the unit: how many are due in the year, and per course, how many
    # items it is and how many of those are due outside the year.
    whole: int = 0
    per_course: dict[int, tuple[int, int]] = field(default_factory=dict)


# Per kind of employment and years: (year, rule) for the years that have one, the targets
# added up (None: no rule at all), the last rule's unit, the years as bits (year - first year).
_Rules = tuple[tuple[tuple[int, RuleRef], ...], Decimal | None, str, int]


class Context:
    """What every batch of one roster shares: the years, the rules, the required items."""

    def __init__(self, years: list[int], first: date, last: date) -> None:
        self.years = years
        self.first_year, self.last_year = years[0], years[-1]
        self.rules = current_rules()
        self._rules: dict[tuple[str, tuple[int, ...]], _Rules] = {}
        # Moments: the agency's years (tiết count in the year they were earned) and the
        # period's own days (courses counted per category).
        self.starts = {year: year_moments(year)[0] for year in years}
        self.ends = {year: year_moments(year)[1] for year in years}
        self.cut = {
            year: (
                _day_starts(max(date(year, 1, 1), first)),
                _day_starts(min(date(year, 12, 31), last) + timedelta(days=1)),
            )
            for year in years
        }
        self.reach, self.required_courses = _reach(years)
        # The same, per unit: the years it has required items in.
        self.reach_by_unit: dict[int, list[tuple[int, _Reach]]] = defaultdict(list)
        for (year, unit_id), found in sorted(self.reach.items()):
            self.reach_by_unit[unit_id].append((year, found))
        # Each course's column among the three categories (a course of another: none).
        self.category_of = {
            course_id: CATEGORY_INDEX[category]
            for course_id, category in db.session.execute(select(Course.id, Course.category))
            if category in CATEGORY_INDEX
        }

    def years_of(self, valid_from: date, valid_until: date | None) -> range:
        """The context's years a membership from valid_from to valid_until overlaps."""
        since = max(valid_from.year, self.first_year)
        until = min(valid_until.year, self.last_year) if valid_until else self.last_year
        return range(since, until + 1)

    def rules_for(self, kind: str, years: tuple[int, ...]) -> _Rules:
        """The rule of each year that has one, the targets added up, the last rule's unit, and
        the years as bits (year - first year) to count approved plans with."""
        key = (kind, years)
        found = self._rules.get(key)
        if found is None:
            pairs = tuple(
                (year, rule)
                for year in years
                if (rule := rule_for(self.rules, kind, year)) is not None
            )
            target = sum((rule.amount for _year, rule in pairs), Decimal(0)) if pairs else None
            bits = sum(1 << (year - self.first_year) for year in years)
            found = (pairs, target, str(pairs[-1][1].unit) if pairs else "", bits)
            self._rules[key] = found
        return found


def _day_starts(day: date) -> datetime:
    """The UTC moment the agency's day starts."""
    return datetime.combine(day, time(), tzinfo=agency_zone()).astimezone(UTC)


def _reach(years: list[int]) -> tuple[dict[tuple[int, int], _Reach], set[int]]:
    """For each year and unit, the required items that reach it through the unit tree."""
    assignments = db.session.execute(
        select(
            UnitAssignment.year,
            UnitAssignment.course_id,
            UnitAssignment.unit_id,
            UnitAssignment.include_subunits,
            UnitAssignment.due_on,
        ).where(
            UnitAssignment.year.in_(years),
            UnitAssignment.withdrawn_at.is_(None),
            UnitAssignment.kind == AssignmentKind.REQUIRED,
        )
    ).all()
    reach: dict[tuple[int, int], _Reach] = {}
    for year in sorted({row.year for row in assignments}):
        children = unit_children_in_year(year)
        for index, row in enumerate(assignments):
            if row.year != year:
                continue
            units = below([row.unit_id], children) if row.include_subunits else {row.unit_id}
            for unit_id in units:
                found = reach.setdefault((year, unit_id), _Reach())
                found.items.append((index, row.course_id, row.due_on))
                found.by_course[row.course_id].append(row.due_on)
                found.indexes.add(index)
    for (year, _unit_id), found in reach.items():
        found.dues = sorted(due for _index, _course, due in found.items)
        first, last = date(year, 1, 1), date(year, 12, 31)
        found.whole = sum(1 for due in found.dues if first <= due <= last)
        found.per_course = {
            course_id: (len(dues), sum(1 for due in dues if not first <= due <= last))
            for course_id, dues in found.by_course.items()
        }
    return reach, {row.course_id for row in assignments}


@dataclass
class BatchFigures:
    """A batch of people's figures, per person then per year; absent means nothing."""

    context: Context
    # person → year → [course tiết, verified external hours]
    activity: dict[int, dict[int, list[Decimal]]] = field(default_factory=dict)
    # person → year → courses completed in the period, per category
    courses: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    # person → the years whose plan is approved, as bits (year - first year)
    approved: dict[int, int] = field(default_factory=dict)
    # person → year → status of the plan's latest version, for the people asked for
    statuses: dict[int, dict[int, str]] = field(default_factory=dict)
    # person → year → (required items done, required items that were theirs)
    required: dict[int, Mapping[int, tuple[int, int]]] = field(default_factory=dict)
    # person → years they were a member of some unit
    present: dict[int, Collection[int]] = field(default_factory=dict)

    def totals(self, person_id: int, kind: str, years: tuple[int, ...]) -> Totals:
        """The person's figures added up over years."""
        pairs, target, target_unit, bits = self.context.rules_for(kind, years)
        earned = None
        if pairs:
            earned = ZERO
            activity = self.activity.get(person_id)
            if activity:
                for year, rule in pairs:
                    got = activity.get(year)
                    if got:
                        earned += in_rule_unit(rule, got[0], got[1])
        done = total = 0
        required = self.required.get(person_id)
        if required:
            for year, (year_done, year_total) in required.items():
                if year in years:
                    done += year_done
                    total += year_total
        digital = foreign = ethnic = 0
        courses = self.courses.get(person_id)
        if courses:
            for year, counts in courses.items():
                if year in years:
                    digital += counts[0]
                    foreign += counts[1]
                    ethnic += counts[2]
        approved = (self.approved.get(person_id, 0) & bits).bit_count()
        return Totals(
            earned, target, target_unit, done, total, approved, len(years),
            (digital, foreign, ethnic),
        )  # fmt: skip


def batch_figures(
    people: dict[int, str], context: Context, statuses_of: Collection[int] = ()
) -> BatchFigures:
    """Read the figures of people (id → employment kind) for the context's years, in four
    queries, five with statuses_of: the plan status of each year for them (one-year rows).

    A roster reads many batches over the same period: they all share one context.
    """
    figures = BatchFigures(context)
    if not people:
        return figures
    ids = list(people)
    connection = db.session.connection()
    finished = _read_completions(figures, connection, ids)
    _read_external(figures, connection, ids)
    _read_approved(figures, connection, ids)
    if statuses_of:
        _read_statuses(figures, connection, list(statuses_of))
    _read_memberships(figures, connection, ids, finished)
    return figures


def _bucket(column, bounds: dict[int, tuple[datetime, datetime]], outside):
    return case(
        *[(and_(column >= start, column < end), year) for year, (start, end) in bounds.items()],
        else_=outside,
    )


def _read_completions(
    figures: BatchFigures, connection, ids: list[int]
) -> dict[int, list[tuple[int, int]]]:
    """Course tiết per year and courses per category within the period; return each person's
    completed required courses with the year they were completed in (0: before the first)."""
    context = figures.context
    whole = {year: (context.starts[year], context.ends[year]) for year in context.years}
    # Earlier than the first year: tiết of no year shown, but a required item done.
    year = _bucket(CourseProgress.completed_at, whole, literal(0))
    # Courses count within the period's days: its years unless it starts or ends inside a
    # year, where the moment is bucketed again (-1: the same as the year).
    in_cut = (
        literal(-1)
        if context.cut == whole
        else _bucket(CourseProgress.completed_at, context.cut, literal(0))
    )
    wanted = CourseProgress.completed_at >= context.starts[context.first_year]
    if context.required_courses:
        wanted = or_(wanted, CourseProgress.course_id.in_(context.required_courses))
    rows = connection.execute(
        select(
            CourseProgress.person_id,
            CourseProgress.course_id,
            year,
            in_cut,
            CourseProgress.hours_credited,
        ).where(
            among(CourseProgress.person_id, ids),
            CourseProgress.completed_at < context.ends[context.last_year],
            wanted,
        )
    ).all()
    activity, courses = figures.activity, figures.courses
    finished: dict[int, list[tuple[int, int]]] = {}
    required_courses, category_of = context.required_courses, context.category_of
    # A person's rows mostly come together: their dicts are looked up once per run of rows.
    last_id = None
    for person_id, course_id, in_year, counted_in, hours in rows:
        if counted_in < 0:
            counted_in = in_year
        if person_id != last_id:
            last_id = person_id
            of_person = activity.get(person_id)
            if of_person is None:
                of_person = activity[person_id] = {}
            counts = courses.get(person_id)
            done = finished.get(person_id)
        if in_year:
            got = of_person.get(in_year)
            if got is None:
                of_person[in_year] = [Decimal(hours or 0), ZERO]
            elif hours:
                got[0] += hours
            index = category_of.get(course_id) if counted_in else None
            if index is not None:
                if counts is None:
                    counts = courses[person_id] = {}
                counted = counts.get(counted_in)
                if counted is None:
                    counted = counts[counted_in] = [0, 0, 0]
                counted[index] += 1
        if course_id in required_courses:
            if done is None:
                done = finished[person_id] = []
            done.append((course_id, in_year))
    return finished


def _read_external(figures: BatchFigures, connection, ids: list[int]) -> None:
    """Verified hours of external activities per person and year."""
    rows = connection.execute(
        select(ExternalActivity.person_id, ExternalActivity.year, func.sum(ExternalActivity.hours))
        .where(
            among(ExternalActivity.person_id, ids),
            ExternalActivity.year.in_(figures.context.years),
            ExternalActivity.status == ActivityStatus.VERIFIED,
        )
        .group_by(ExternalActivity.person_id, ExternalActivity.year)
    ).all()
    activity = figures.activity
    for person_id, year, total in rows:
        of_person = activity.get(person_id)
        if of_person is None:
            of_person = activity[person_id] = {}
        got = of_person.get(year)
        if got is None:
            of_person[year] = [ZERO, Decimal(total or 0)]
        else:
            got[1] = Decimal(total or 0)


def _latest(figures: BatchFigures, ids: list[int]):
    """The batch's plans joined to their latest version: one with no later version, probed in
    the (plan, number) index, where a subquery of the latest version per plan would group the
    whole table again for every batch."""
    later = aliased(PlanVersion)
    return (
        select(StudyPlan.person_id)
        .join(PlanVersion, PlanVersion.plan_id == StudyPlan.id)
        .where(
            among(StudyPlan.person_id, ids),
            StudyPlan.year.in_(figures.context.years),
            ~exists().where(
                later.plan_id == PlanVersion.plan_id, later.number > PlanVersion.number
            ),
        )
    )


def _read_approved(figures: BatchFigures, connection, ids: list[int]) -> None:
    """The years each person's plan is approved in, one row per person: the years as bits,
    summed by the database (each year is one plan, so the sum is the bits together)."""
    bit = literal(1).op("<<")((StudyPlan.year - figures.context.first_year).self_group())
    rows = connection.execute(
        _latest(figures, ids)
        .add_columns(func.sum(bit))
        .where(PlanVersion.status == APPROVED)
        .group_by(StudyPlan.person_id)
    ).all()
    figures.approved.update((person_id, int(bits)) for person_id, bits in rows)


def _read_statuses(figures: BatchFigures, connection, ids: list[int]) -> None:
    """Each person's plan status per year: that of the plan's latest version."""
    rows = connection.execute(
        _latest(figures, ids).add_columns(StudyPlan.year, PlanVersion.status)
    ).all()
    statuses = figures.statuses
    for person_id, year, status in rows:
        statuses.setdefault(person_id, {})[year] = status


def _read_memberships(
    figures: BatchFigures, connection, ids: list[int], finished: dict[int, list[tuple[int, int]]]
) -> None:
    """The years each person was a member somewhere, and their required items per year:
    done when the course was completed before the year ended; counted open when it fell due
    while the person was in a unit it was assigned to; otherwise not theirs."""
    context = figures.context
    first_day, last_day = date(context.first_year, 1, 1), date(context.last_year, 12, 31)
    spans: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for person_id, unit_id, valid_from, valid_until in connection.execute(
        select(
            Membership.person_id, Membership.unit_id, Membership.valid_from, Membership.valid_until
        ).where(
            among(Membership.person_id, ids),
            Membership.valid_from <= last_day,
            or_(Membership.valid_until.is_(None), Membership.valid_until >= first_day),
        )
    ).all():
        spans[person_id].append((unit_id, valid_from, valid_until))
    reach, by_unit = context.reach, context.reach_by_unit
    present, required = figures.present, figures.required
    bounds = {year: (date(year, 1, 1), date(year, 12, 31)) for year in context.years}
    # People in the same unit over the same days share all but what they finished.
    shapes: dict[tuple[int, date, date | None], tuple] = {}
    for person_id, memberships in spans.items():
        done_courses = finished.get(person_id, ())
        if len(memberships) == 1:  # most people: one unit all along, no year to split
            shape = shapes.get(memberships[0])
            if shape is None:
                shape = shapes[memberships[0]] = _shape(context, by_unit, *memberships[0])
            present[person_id], entries, alone = shape
            if not done_courses:
                if alone:
                    required[person_id] = alone  # shared by everyone alike; never changed
                continue
            counted = {}
            for year, found, whole, starts, ends in entries:
                if whole:
                    # The whole year in the unit (most person-years): counts known in advance.
                    done, total = 0, found.whole
                    per_course = found.per_course
                    for course_id, done_in in done_courses:
                        if done_in <= year and course_id in per_course:
                            items, outside = per_course[course_id]
                            done += items
                            total += outside
                else:
                    done, total = _required_in(found, starts, ends, year, done_courses)
                if total:
                    counted[year] = (done, total)
            if counted:
                required[person_id] = counted
            continue
        years: dict[int, list[tuple[int, date, date]]] = defaultdict(list)
        for unit_id, valid_from, valid_until in memberships:
            for year in context.years_of(valid_from, valid_until):
                first, last = bounds[year]
                years[year].append(
                    (
                        unit_id,
                        max(valid_from, first),
                        min(valid_until, last) if valid_until else last,
                    )
                )
        present[person_id] = set(years)
        for year, year_spans in years.items() if reach else ():
            if len(year_spans) == 1:
                unit_id, starts, ends = year_spans[0]
                found = reach.get((year, unit_id))
                if found is None:
                    continue
                counted = _required_in(found, starts, ends, year, done_courses)
            else:
                counted = _required_moved(reach, year, year_spans, done_courses)
            if counted[1]:
                required.setdefault(person_id, {})[year] = counted


def _shape(context: Context, by_unit, unit_id: int, valid_from: date, valid_until: date | None):
    """For one membership: the years it covers, its required items per year (year, reach,
    whole year?, first day, last day), and the counts of someone who finished none of them."""
    years = context.years_of(valid_from, valid_until)
    entries = []
    alone = {}
    for year, found in by_unit.get(unit_id, ()):
        if year in years:
            first, last = date(year, 1, 1), date(year, 12, 31)
            starts = valid_from if valid_from > first else first
            ends = valid_until if valid_until is not None and valid_until < last else last
            whole = starts == first and ends == last
            entries.append((year, found, whole, starts, ends))
            counted = (0, found.whole) if whole else _required_in(found, starts, ends, year, ())
            if counted[1]:
                alone[year] = counted
    # Shared by everyone of this shape who finished nothing: read-only.
    return years, entries, MappingProxyType(alone)


def _required_in(found: _Reach, starts: date, ends: date, year: int, done_courses):
    """Required items of a year spent in one unit from starts to ends: (done, counted).

    Those due in the span count; a done one counts wherever its due day fell."""
    dues = found.dues
    total = bisect_right(dues, ends) - bisect_left(dues, starts)
    done = 0
    for course_id, done_in in done_courses:
        if done_in <= year:
            for due in found.by_course.get(course_id, ()):
                done += 1
                if not starts <= due <= ends:
                    total += 1
    return done, total


def _required_moved(reach, year, year_spans, done_courses) -> tuple[int, int]:
    """Required items of a year in which the person was in several units (or came back)."""
    items: dict[int, tuple[int, date]] = {}
    for unit_id, _starts, _ends in year_spans:
        found = reach.get((year, unit_id))
        if found is not None:
            for index, course_id, due in found.items:
                items[index] = (course_id, due)
    finished = {course_id for course_id, done_in in done_courses if done_in <= year}
    done = total = 0
    for index, (course_id, due) in items.items():
        if course_id in finished:
            done += 1
            total += 1
        elif any(
            (found := reach.get((year, unit_id))) is not None
            and index in found.indexes
            and starts <= due <= ends
            for unit_id, starts, ends in year_spans
        ):
            total += 1
    return done, total
