"""A batch of people's yearly figures for the roster, summed by the database where it can.

The same rules as `lms.plans.queries.progress_for_years` (tested against it), without building
a progress object and an item list per person and year: at 100,000 people over five years the
roster only needs, per person and year, the tiết and hours earned, the rule they count against,
how many required items were done out of how many, and the courses completed per category.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from lms.courses.format import CATEGORIES as COURSE_CATEGORIES
from lms.courses.models import Course
from lms.db import db
from lms.i18n import agency_zone
from lms.learning.models import CourseProgress
from lms.org.models import Membership
from lms.plans.models import ActivityStatus, AssignmentKind, ExternalActivity, UnitAssignment
from lms.plans.queries import (
    RuleRef,
    below,
    current_rules,
    in_rule_unit,
    rule_for,
    unit_children_in_year,
)
from lms.plans.years import year_days, year_moments

# The roster's three course columns, in the course format's order.
CATEGORIES = tuple(COURSE_CATEGORIES)


@dataclass
class BatchFigures:
    """Per (person, year): earned (in the rule's unit), the rule, required done/total,
    completions per category within the period; and the years each person was a member."""

    earned: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    rules: dict[tuple[int, int], RuleRef | None] = field(default_factory=dict)
    required: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    courses: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    present: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


def _bucket(column, bounds: list[tuple[int, datetime, datetime]]):
    """The year a moment falls in, by the agency's calendar; NULL outside every bound."""
    return case(
        *[(and_(column >= start, column < end), year) for year, start, end in bounds],
        else_=None,
    )


def batch_figures(
    people: dict[int, str], years: list[int], first: date, last: date
) -> BatchFigures:
    """Read the figures of people (id → employment kind) for years, in seven queries."""
    figures = BatchFigures()
    if not people or not years:
        return figures
    ids = list(people)
    rules = current_rules()
    by_kind = {
        (kind, year): rule_for(rules, kind, year) for kind in set(people.values()) for year in years
    }
    for person_id, kind in people.items():
        for year in years:
            figures.rules[(person_id, year)] = by_kind[(kind, year)]
    whole = [(year, *year_moments(year)) for year in years]
    ends = {year: end for year, _start, end in whole}
    # Completions counted for courses per category: the period's days only.
    cut = [
        (
            year,
            _day_starts(max(date(year, 1, 1), first)),
            _day_starts(min(date(year, 12, 31), last) + timedelta(days=1)),
        )
        for year in years
    ]

    tiet: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    completed_in = _bucket(CourseProgress.completed_at, whole)
    for person_id, year, total in db.session.execute(
        select(CourseProgress.person_id, completed_in, func.sum(CourseProgress.hours_credited))
        .where(CourseProgress.person_id.in_(ids), completed_in.is_not(None))
        .group_by(CourseProgress.person_id, completed_in)
    ):
        tiet[(person_id, year)] = Decimal(total or 0)
    in_period = _bucket(CourseProgress.completed_at, cut)
    for person_id, year, category, count in db.session.execute(
        select(CourseProgress.person_id, in_period, Course.category, func.count())
        .join(Course, Course.id == CourseProgress.course_id)
        .where(CourseProgress.person_id.in_(ids), in_period.is_not(None))
        .group_by(CourseProgress.person_id, in_period, Course.category)
    ):
        if category in CATEGORIES:
            counts = figures.courses.setdefault((person_id, year), [0, 0, 0])
            counts[CATEGORIES.index(category)] += count
    external: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for person_id, year, total in db.session.execute(
        select(ExternalActivity.person_id, ExternalActivity.year, func.sum(ExternalActivity.hours))
        .where(
            ExternalActivity.person_id.in_(ids),
            ExternalActivity.year.in_(years),
            ExternalActivity.status == ActivityStatus.VERIFIED,
        )
        .group_by(ExternalActivity.person_id, ExternalActivity.year)
    ):
        external[(person_id, year)] = Decimal(total or 0)
    for key, rule in figures.rules.items():
        if rule is not None:
            figures.earned[key] = in_rule_unit(rule, tiet[key], external[key])

    spans = _spans(ids, years)
    for (person_id, year), person_spans in spans.items():
        if person_spans:
            figures.present[person_id].add(year)
    _required(figures, spans, ids, years, ends)
    return figures


def _day_starts(day: date) -> datetime:
    """The UTC moment the agency's day starts."""
    return datetime.combine(day, time(), tzinfo=agency_zone()).astimezone(UTC)


def _spans(ids: list[int], years: list[int]) -> dict[tuple[int, int], list[tuple[int, date, date]]]:
    """Each person's memberships in each year, cut to the year: (unit, first day, last day)."""
    first_day, last_day = year_days(years[0])[0], year_days(years[-1])[1]
    bounds = [(year, *year_days(year)) for year in years]
    spans: dict[tuple[int, int], list[tuple[int, date, date]]] = defaultdict(list)
    for person_id, unit_id, valid_from, valid_until in db.session.execute(
        select(
            Membership.person_id, Membership.unit_id, Membership.valid_from, Membership.valid_until
        )
        .where(
            Membership.person_id.in_(ids),
            Membership.valid_from <= last_day,
            or_(Membership.valid_until.is_(None), Membership.valid_until >= first_day),
        )
        .order_by(Membership.valid_from)
    ):
        for year, first, last in bounds:
            if valid_from <= last and (valid_until is None or valid_until >= first):
                spans[(person_id, year)].append(
                    (unit_id, max(valid_from, first), min(valid_until or last, last))
                )
    return spans


def _required(figures: BatchFigures, spans, ids, years, ends) -> None:
    """Required items done / counted per person and year, as progress_for_years counts them:
    done when the course was completed before the year ended; counted open when it fell due
    while the person was in a unit it was assigned to; otherwise not theirs."""
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
    if not assignments:
        return
    completed = {
        (person_id, course_id): moment
        for person_id, course_id, moment in db.session.execute(
            select(
                CourseProgress.person_id, CourseProgress.course_id, CourseProgress.completed_at
            ).where(
                CourseProgress.person_id.in_(ids),
                CourseProgress.course_id.in_({row.course_id for row in assignments}),
                CourseProgress.completed_at < max(ends.values()),
            )
        )
    }
    for year in years:
        of_year = [row for row in assignments if row.year == year]
        if not of_year:
            continue
        children = unit_children_in_year(year)
        covered = [
            below([row.unit_id], children) if row.include_subunits else {row.unit_id}
            for row in of_year
        ]
        reaching: dict[int, list[int]] = defaultdict(list)
        for index, units in enumerate(covered):
            for unit_id in units:
                reaching[unit_id].append(index)
        end = ends[year]
        for person_id in ids:
            person_spans = spans.get((person_id, year))
            if not person_spans:
                continue
            done = total = 0
            indexes = {i for unit_id, _f, _l in person_spans for i in reaching.get(unit_id, ())}
            for index in indexes:
                course_id, due_on = of_year[index].course_id, of_year[index].due_on
                moment = completed.get((person_id, course_id))
                if moment is not None and moment < end:
                    done += 1
                    total += 1
                elif any(
                    unit_id in covered[index] and starts <= due_on <= ends_on
                    for unit_id, starts, ends_on in person_spans
                ):
                    total += 1
            if total:
                figures.required[(person_id, year)] = (done, total)
