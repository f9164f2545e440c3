"""Reads for plans: rules, who an assignment reaches, plans, notifications, the dashboard.

Every figure (tiết, targets, required items, approval) comes from `lms.progress.engine`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased, joinedload, selectinload

from lms.accounts.models import Person
from lms.accounts.queries import positions_on
from lms.courses.models import Course
from lms.db import among, contains, db, id_list, overlapping, read, unparsed
from lms.learning.queries import flagged_completions
from lms.org.models import Membership, UnitVersion
from lms.org.roster import Period, unit_names_over
from lms.org.scope import Scope, scope_of
from lms.plans.models import (
    ExternalActivity,
    Notification,
    PlanItem,
    PlanStatus,
    PlanVersion,
    StudyPlan,
)
from lms.plans.states import NO_PLAN_STATE, PlanStates
from lms.plans.years import year_days
from lms.progress.engine import Engine, Figures, people_figures
from lms.progress.engine import Span as EngineSpan
from lms.progress.models import TargetRule, UnitAssignment
from lms.progress.rules import RuleBook, RuleVersion
from lms.text import fold

PER_PAGE = 25
# Each version of a plan, compared with the others to find its latest.
_Version = aliased(PlanVersion)


# The organisation during a year ---------------------------------------------------------------


def _overlaps_year(model: type[Membership] | type[UnitVersion], year: int) -> ColumnElement[bool]:
    return overlapping(model, *year_days(year))


def unit_names_in_year(unit_ids: Iterable[int], year: int) -> dict[int, str]:
    """Return the name each unit had last during year (the name people saw then), from the
    units' names over the year, read once per reference stamp (`unit_names_over`)."""
    names = unit_names_over(Period(*year_days(year)))[0]
    return {
        unit_id: found[max(found)]  # the version that took effect last
        for unit_id in set(unit_ids)
        if (found := names.get(unit_id))
    }


class Span(NamedTuple):
    unit_id: int
    starts_on: date
    ends_on: date


def memberships_in_year(
    person_ids: Iterable[int] | Select | None, year: int, *, unit_ids: Iterable[int] | None = None
) -> dict[int, list[Span]]:
    """Return each person's memberships that touch year, cut to the year."""
    first, last = year_days(year)
    query = select(
        Membership.person_id, Membership.unit_id, Membership.valid_from, Membership.valid_until
    ).where(_overlaps_year(Membership, year))
    if person_ids is not None:
        ids = person_ids if isinstance(person_ids, Select) else list(person_ids)
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


def rule_history() -> list[TargetRule]:
    """Return every version of every rule, newest first within each rule."""
    return list(
        db.session.scalars(select(TargetRule).order_by(TargetRule.code, TargetRule.version.desc()))
    )


def governed_rule_versions() -> dict[int, RuleVersion]:
    """Each rule version by id, with the days it governs (shown on the rules page)."""
    return {version.id: version for version in RuleBook.load().versions}


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
    """Return (year, status of the latest version, version number) of each of the person's plans.

    The latest version is found per plan through the (plan, number) index: the person's few
    plans, never a grouping of every plan version in the table (20 ms at 10,000 people)."""
    latest = (
        select(func.max(_Version.number)).where(_Version.plan_id == StudyPlan.id).scalar_subquery()
    )
    rows = db.session.execute(
        select(StudyPlan.year, PlanVersion.status, PlanVersion.number)
        .join(PlanVersion, PlanVersion.plan_id == StudyPlan.id)
        .where(StudyPlan.person_id == person_id, PlanVersion.number == latest)
        .order_by(StudyPlan.year.desc())
    )
    return [(year, PlanStatus(status), number) for year, status, number in rows]


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
    return [(row.id, row.title, row.hours) for row in rows]


def assignments_of_unit(unit_id: int, year: int) -> list[UnitAssignment]:
    return list(
        db.session.scalars(
            select(UnitAssignment)
            .options(joinedload(UnitAssignment.course))
            .where(UnitAssignment.unit_id == unit_id, UnitAssignment.year == year)
            .order_by(UnitAssignment.withdrawn_at.is_not(None), UnitAssignment.due_on)
        )
    )


# Counted for the header of every signed-in page: built once, with a parameter.
_UNREAD = select(func.count(Notification.id)).where(
    Notification.person_id == bindparam("person_id"), Notification.read_at.is_(None)
)
# The same count read by the sign-in query (`lms.auth.services.read_at_sign_in`), of its person.
UNREAD_AT_SIGN_IN = "unread_notifications"


def unread_of_signed_in() -> ColumnElement[int]:
    """SQL: the unread count of the sign-in query's person, by the query's own person_id (not
    correlated to its rows: there is one per role grant, and each would count again)."""
    return _UNREAD.scalar_subquery()


def unread_count(person_id: int) -> int:
    return read(_UNREAD, {"person_id": person_id}).scalar() or 0


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
    progress: Figures  # without the items, nor the courses per category
    spans_here: list[EngineSpan]
    # Course completions of the year far below their nominal time, for the manager to check.
    flagged: int = 0


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


def _reach_values(reach: Scope, year: int) -> tuple[tuple[int, ...], dict[str, Any]]:
    """The units reach reaches during year, as the values of `_people_queries`' statements:
    the units reached all year ("units"), and each unit reached on some days only ("unit<i>",
    with its spans "from<i>_<j>".."to<i>_<j>"). Returns the number of spans of each such unit
    (the statements' shape) and the values."""
    first, last = year_days(year)
    whole: list[int] = []
    shape: list[int] = []
    values: dict[str, Any] = {}
    for unit_id, days in (reach.units or {}).items():
        cut = [(max(a, first), min(b, last)) for a, b in days if a <= last and b >= first]
        if cut == [(first, last)]:
            whole.append(unit_id)
        elif cut:
            index = len(shape)
            shape.append(len(cut))
            values[f"unit{index}"] = unit_id
            for span, (a, b) in enumerate(cut):
                values[f"from{index}_{span}"], values[f"to{index}_{span}"] = a, b
    values["units"] = whole
    return tuple(shape), values


class _PeopleQueries(NamedTuple):
    """The dashboard's statements over everyone reached (`_people_queries`)."""

    reached: Select  # id, full name, sort key, employment kind, plan status
    # reached's rows with each membership in the year (unit, first and last day): one row per
    # membership, a person's together, by first day (`Engine.spans`).
    with_spans: Select
    status: ColumnElement[str]  # the plan status of reached's rows, to filter by
    counts: Select  # everyone reached, counted by status
    by_name: tuple[Select, Select]  # a page by name, ascending and descending ("start", "size")


@lru_cache(maxsize=64)
def _people_queries(plans: Select, year: int, shape: tuple[int, ...], few: bool) -> _PeopleQueries:
    """The statements over the people reached during year, for reaches of one shape
    (`_reach_values`, whose values they are executed with), with their plans' states (plans:
    `PlanStates.rows()`, itself kept per end moment and years: here, per year and time zone).
    Built once per year, time zone and shape, and kept (64 at most): composing them and working
    out their cache keys cost a dashboard about 1.5 ms. The people are read from the
    memberships of the units (indexed by unit); only their plans are summed, never the states
    of the whole table. When they are few (a reach of `few_units`), they and their plans are
    looked up by id on PostgreSQL rather than by a scan of everyone (`among`)."""
    parts = [
        and_(
            Membership.unit_id == bindparam(f"unit{index}"),
            or_(
                *[
                    overlapping(
                        Membership,
                        bindparam(f"from{index}_{span}", type_=Date),
                        bindparam(f"to{index}_{span}", type_=Date),
                    )
                    for span in range(spans)
                ]
            ),
        )
        for index, spans in enumerate(shape)
    ]
    people_here = (
        select(Membership.person_id)
        .where(
            _overlaps_year(Membership, year),
            or_(Membership.unit_id.in_(bindparam("units", expanding=True)), *parts),
        )
        .correlate(None)  # never tied to with_spans' memberships
    )

    def chosen(column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        return among(column, people_here) if few else column.in_(people_here)

    state = plans.where(chosen(StudyPlan.person_id)).subquery()
    status = PlanStates.label(state.c.latest, state.c.ever)
    reached = (
        select(
            Person.id,
            Person.full_name,
            Person.sort_key,
            Person.employment_kind,
            status.label("status"),
        )
        .outerjoin(state, state.c.person_id == Person.id)
        .where(chosen(Person.id))
    )
    # Each person's memberships as `Engine.memberships` reads them (any unit, some day of the
    # year; their own valid from and until, the until empty while open), in the same statement:
    # a figure sort needs everyone's. Joined, not outer-joined: everyone reached holds some
    # membership in the year (people_here's), so no one is left out.
    with_spans = (
        reached.add_columns(
            Membership.unit_id, unparsed(Membership.valid_from), unparsed(Membership.valid_until)
        )
        .join(Membership, and_(Membership.person_id == Person.id, _overlaps_year(Membership, year)))
        .order_by(Person.id, Membership.valid_from)
    )
    everyone = reached.subquery()
    counts = select(everyone.c.status, func.count()).group_by(everyone.c.status)
    by_name = (_page_by_name(everyone, False), _page_by_name(everyone, True))
    return _PeopleQueries(reached, with_spans, status, counts, by_name)


def _page_by_name(people: Subquery, descending: bool) -> Select:
    """SQL: a page of people (the rows of `_PeopleQueries.reached`, maybe filtered) by name,
    equal names by id, from row "start", "size" of them."""
    key = people.c.sort_key.desc() if descending else people.c.sort_key
    return (
        select(people)
        .order_by(key, people.c.id)
        .offset(bindparam("start", type_=Integer))
        .limit(bindparam("size", type_=Integer))
    )


def _completed(ranked: Figures, rest: Figures) -> Figures:
    """A row's figures: those it was ranked by (its credits, or its required items) with the
    rest, read for the page's rows only. The engine works out the two halves apart (a span's
    credits, then its items), and adds figures up half by half: together, they are what one
    read of both gives. The target is the ranking's (`Figures.add` leaves it): it depends on
    the person's memberships only, the same in both reads."""
    whole = replace(ranked, courses=list(ranked.courses))
    whole.add(rest)
    return whole


def _sort_figure(found: Figures, sort: str) -> Decimal | int:
    """The figure a dashboard sorts by: overdue required items, percent of the target (-1
    without a target, below any percent), or tiết earned."""
    if sort == "overdue":
        return found.required_overdue
    if sort == "percent":
        share = found.percent  # worked out from the exact figures: once
        return -1 if share is None else share
    return found.earned_tiet


def _ranked(
    people: list[tuple[int, str]], figures: dict[int, Figures], sort: str, descending: bool
) -> list[int]:
    """The ids of people (id, sort key) by figure, ties by name the same way, then by id.

    Ordered here, not by the database: the figures are the engine's, and handing 20,000 of them
    back as a VALUES list to join and sort cost more than the sort. Sort keys are ASCII
    (`lms.text.collation_key`), so Python orders them as the database does byte by byte."""
    # Python's sort is stable, reversed too: equal figures and names keep the ids ascending.
    ranked = sorted(
        sorted(people),
        key=lambda pair: (_sort_figure(figures[pair[0]], sort), pair[1]),
        reverse=descending,
    )
    return [person_id for person_id, _key in ranked]


# Each row's plan of the year: its latest version's number, and the plan's revision (what a
# bulk decision names). Built once: each page binds the year and its rows' people.
_ROW_PLANS = (
    select(StudyPlan.person_id, StudyPlan.id, func.max(PlanVersion.number), StudyPlan.revision)
    .join(PlanVersion, PlanVersion.plan_id == StudyPlan.id)
    .where(StudyPlan.year == bindparam("year"), among(StudyPlan.person_id, id_list("ids")))
    .group_by(StudyPlan.person_id, StudyPlan.id, StudyPlan.revision)
)


def dashboard(
    unit_id: int,
    year: int,
    today: date,
    *,
    viewer: Person | None = None,
    status: str = "",
    search: str = "",
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Dashboard:
    """Return one page of everyone who belonged to the unit (or below) during year, on days
    the unit stood over theirs and viewer reached them (`lms.org.scope`; None: everyone).

    By name, the database counts the statuses, filters (status, search), sorts and pages. By a
    figure, everyone the search finds is read once (the statuses counted from them, unless a
    search leaves some out) and filtered by status here; the engine works out their figures
    (overdue items counted, not listed) and they are ranked here (`_ranked`). The rest of the
    page is read for its rows only; their items are counted, not listed, either way.
    """
    reach = scope_of(viewer, *year_days(year), today, reading=True, unit_id=unit_id)
    engine = Engine(*year_days(year), today)
    shape, values = _reach_values(reach, year)
    people = _people_queries(PlanStates(engine).rows(), year, shape, reach.few_units)
    reached, label = people.reached, people.status
    folded = fold(search)
    sort = sort if sort in SORTS else "name"

    def paged(total: int) -> tuple[int, int, int]:
        pages = max(1, -(-total // per_page))
        at = max(1, min(page, pages))
        return pages, at, (at - 1) * per_page

    def counted() -> dict[str, int]:
        """Everyone reached, counted by status (whatever the filters)."""
        return {found: count for found, count in read(people.counts, values)}

    if sort == "name":
        counts = counted()
        if status or folded:
            if status:
                reached = reached.where(label == status)
            if folded:
                reached = reached.where(contains(Person.search_name, folded))
            filtered = reached.subquery()
            total = read(select(func.count()).select_from(filtered), values).scalar() or 0
            by_name = _page_by_name(filtered, descending)
        else:
            total = sum(counts.values())  # nobody filtered out: everyone counted by status
            by_name = people.by_name[descending]
        pages, page, start = paged(total)
        window = list(read(by_name, {**values, "start": start, "size": per_page}))
        memberships = engine.memberships([row.id for row in window])
    else:
        # The figures come from the engine (rule versions prorated by days, required items
        # through the tree as it stood), for everyone filtered; ranked by them, ties by name
        # (the same way), then by id. Everyone the search finds is read once: without a
        # search, their statuses are the counts; the status filter and the page's rows are
        # taken from them, not read again.
        counts = counted() if folded else {}
        kept = {}  # id → row, of the people the filters keep
        found = people.with_spans
        if folded:
            found = found.where(contains(Person.search_name, folded))
        # Unpacked by position: a row's attribute is looked up by name, several times slower,
        # and this reads every person found (in one fetch: row by row cost a driver call each).
        # A row per membership: a person's come together, their first row counts.
        read_rows = read(found, values).all()
        last_id = None
        for row in read_rows:
            person_id, _name, _key, _kind, row_status, *_span = row
            if person_id == last_id:
                continue
            last_id = person_id
            if not folded:
                counts[row_status] = counts.get(row_status, 0) + 1
            if not status or row_status == status:
                kept[person_id] = row
        total = len(kept)
        pages, page, start = paged(total)
        # Read with them: the page's rows take theirs from here.
        everyone = engine.spans((row[0], *row[5:]) for row in read_rows)
        figures = people_figures(
            {person_id: row[3] for person_id, row in kept.items()},
            *year_days(year),
            today,
            engine=engine,
            memberships=everyone,
            required=sort == "overdue",  # tiết and percent need no required items
            courses=False,  # nor courses per category
            earned=sort != "overdue",  # and overdue items no credits
        )
        sort_keys = [(person_id, row[2]) for person_id, row in kept.items()]  # (id, sort key)
        ranked = _ranked(sort_keys, figures, sort, descending)
        window = [kept[person_id] for person_id in ranked[start : start + per_page]]
        memberships = {row.id: everyone.get(row.id, []) for row in window}
    ids = [row.id for row in window]
    # Without the items: a row shows how many are done and overdue, not the items themselves
    # (25 rows of 20 required courses: 500 items, each named with its unit on its due day).
    # Counted from the completions, read in one query: the rows may come from many units. Nor
    # the courses completed per category, which no row shows. Ranked by a figure, the rows
    # have half their figures already, and only the other half is read here (`_completed`):
    # ranked by overdue items, their counts are the ranking's (counted per unit by the
    # database for people in one unit all year).
    progress = people_figures(
        {row.id: row.employment_kind for row in window},
        *year_days(year),
        today,
        engine=engine,
        memberships=memberships,
        tallies=False,
        courses=False,
        required=sort != "overdue",
        earned=sort in ("name", "overdue"),
    )
    if sort != "name":
        progress = {
            person_id: _completed(figures[person_id], progress[person_id]) for person_id in ids
        }

    def here(span: EngineSpan) -> list[EngineSpan]:
        if span.unit_id is None:
            return []
        return [
            span._replace(first=first, last=last)
            for first, last in reach.days_in(span.unit_id, span.first, span.last)
        ]

    plans = {
        person_id: (plan_id, number, revision)
        for person_id, plan_id, number, revision in read(_ROW_PLANS, {"year": year, "ids": ids})
    }
    flagged = flagged_completions(ids, *year_days(year))
    # The position held then: at the end of a past year, today in this one.
    held = positions_on(ids, min(today, year_days(year)[1]))
    rows = []
    for row in window:
        plan_id, number, revision = plans.get(row.id, (None, None, None))
        rows.append(
            DashboardRow(
                row.id,
                row.full_name,
                row.sort_key,
                held[row.id],
                plan_id,
                row.status,
                number,
                revision,
                progress[row.id],
                [part for span in memberships.get(row.id, []) for part in here(span)],
                flagged.get(row.id, 0),
            )
        )
    # The unit's own name too: its page's heading reads it here, not by a query of its own.
    names = unit_names_in_year(
        {unit_id}
        | {span.unit_id for row in rows for span in row.spans_here if span.unit_id is not None},
        year,
    )
    return Dashboard(rows, total, page, pages, per_page, counts, names)


@dataclass(frozen=True)
class PlanSummary:
    """This year's plan in a few figures, for the home page."""

    year: int
    status: str
    progress: Figures
    # The unit of the person's membership today (None: in none), from the memberships the
    # figures were read with: the home page names it without a statement of its own.
    unit_today: int | None = None


def person_year(
    person_id: int,
    employment_kind: str,
    year: int,
    today: date,
    *,
    engine: Engine | None = None,
    memberships: Mapping[int, list[EngineSpan]] | None = None,
) -> Figures:
    """One person's figures for a year, with their assigned items (memberships: theirs in the
    year, `Engine.memberships`, when the caller has read them)."""
    first, last = year_days(year)
    return people_figures(
        {person_id: employment_kind},
        first,
        last,
        today,
        items=True,
        engine=engine,
        memberships=memberships,
    )[person_id]


def plan_summary(person_id: int, employment_kind: str, today: date) -> PlanSummary:
    year = today.year
    engine = Engine(*year_days(year), today)
    state = PlanStates(engine).of([person_id]).get(person_id, {}).get(year, NO_PLAN_STATE)
    memberships = engine.memberships([person_id])
    figures = person_year(
        person_id, employment_kind, year, today, engine=engine, memberships=memberships
    )
    # In order of their first day: the latest begun, should two hold on the same day.
    holding = [
        span.unit_id
        for span in memberships.get(person_id, [])
        if span.first <= today <= span.last and span.unit_id is not None
    ]
    return PlanSummary(year, state.label_key, figures, holding[-1] if holding else None)
