"""Reads for reports: the roster of people per unit over a period, in a fixed number of queries.

A row is one person in one unit for the part of the period they were a member there. Hours,
required items and plans belong to the person and are counted for the plan years that overlap
that membership. A multi-year period shows plan status as "n/N years approved".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, and_, case, func, literal, or_, select

from lms.accounts.models import Person
from lms.awards.criteria import CriteriaSpec, Facts, Result, evaluator
from lms.awards.queries import approved_initiatives, manual_points
from lms.bulk import collector_paused
from lms.db import contains, db, parse_count
from lms.i18n import parse_day
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import unit_tree
from lms.plans.queries import below
from lms.reports.figures import Context, Totals, batch_figures
from lms.text import fold

MAX_YEARS = 10
# People whose figures are read together: bounds memory, keeps queries per batch fixed.
BATCH = 2500
# Above this many rows, the units on a page are not added up on every page view (a second or
# more at a thousand people): the page says so and the downloads and the summary carry them.
SUBTOTAL_LIMIT = 400


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))


class RosterRow(NamedTuple):
    # A tuple, not a frozen dataclass: a download makes a hundred thousand of them, and a
    # frozen dataclass sets each of its 23 fields through object.__setattr__.
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
    target_unit: str
    percent: int | None
    courses: tuple[int, int, int]
    initiatives: int
    result: Result | None


@dataclass(frozen=True)
class UnitSubtotal:
    unit_id: int
    unit_code: str
    unit_name: str
    people: int
    hours: Decimal
    approved_percent: int
    passing: int | None


class Member(NamedTuple):
    """One membership row of the roster, before its figures are read: small, so that a
    page's or a batch's members are cheap to hold while their figures are read."""

    unit_order: int
    unit_code: str
    person_id: int
    since: date
    until: date
    unit_id: int
    full_name: str
    date_of_birth: date | None
    position: str | None
    is_active: bool
    employment_kind: str


@dataclass(frozen=True)
class RosterPlan:
    """Who is on a roster and in which order; `rows()` reads their figures in batches."""

    period: Period
    today: date
    agency_name: str
    unit_code: str
    members: list[Member]
    unit_names: dict[int, dict[date, str]]
    criteria: CriteriaSpec | None
    # A plan read for one page holds only the whole units on it: the roster's length, and the
    # number (STT) of its first member.
    total: int = 0
    first_number: int = 1
    # A streamed plan (a whole download) holds no members: it reads them from this ordered
    # query a batch at a time, so memory does not grow with the organisation.
    source: Select | None = None
    member_of: Callable[[Row], Member] | None = None
    # False when a page's units were too large to read whole: its members are the page only.
    whole_units: bool = True

    def rows(self, start: int = 0, stop: int | None = None, batch: int = BATCH):
        """Yield the rows from start to stop, reading figures for `batch` people at a time."""
        context = Context(self.period.years, self.period.first, self.period.last)
        # Each batch is read with the garbage collector paused (see lms.bulk), never across a
        # yield: a download abandoned half-way leaves the collector as it found it.
        if self.source is not None:
            number = self.first_number
            result = db.session.connection().execute(self.source.execution_options(yield_per=batch))
            # Closed however the walk ends: a download abandoned half-way must not leave a
            # server-side cursor open on PostgreSQL.
            with result:
                partitions = result.partitions()
                while True:
                    with collector_paused():
                        partition = next(partitions, None)
                        if partition is None:
                            return
                        chunk = [self.member_of(row) for row in partition]
                        rows = _rows(self, chunk, number, context)
                    yield from rows
                    number += len(chunk)
        stop = len(self.members) if stop is None else min(stop, len(self.members))
        for first in range(start, stop, batch):
            chunk = self.members[first : min(first + batch, stop)]
            with collector_paused():
                rows = _rows(self, chunk, self.first_number + first, context)
            yield from rows


@dataclass(frozen=True)
class Roster:
    period: Period
    agency_name: str
    unit_code: str
    rows: list[RosterRow]
    subtotals: list[UnitSubtotal]
    criteria: CriteriaSpec | None = None


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

    walk(unit_tree(period.last, include_closed=True, count_members=False))
    return order


def roster(
    period: Period,
    today: date,
    *,
    unit_id: int | None = None,
    search: str = "",
    criteria: CriteriaSpec | None = None,
) -> Roster:
    """Return the whole roster of the unit (with sub-units) or the organisation for period."""
    plan = roster_plan(period, today, unit_id=unit_id, search=search, criteria=criteria)
    rows = list(plan.rows())
    return Roster(
        period, plan.agency_name, plan.unit_code, rows, subtotals(rows), criteria=criteria
    )


def roster_plan(
    period: Period,
    today: date,
    *,
    unit_id: int | None = None,
    search: str = "",
    criteria: CriteriaSpec | None = None,
    window: tuple[int, int] | None = None,
    stream: bool = False,
) -> RosterPlan:
    """Return who is on the roster, in order (units in tree order, then Vietnamese name order).

    With window (start, stop), only the whole units that the rows start..stop fall in are read:
    a page of a 100,000-person roster does not load everybody. With stream, nobody is read
    until rows() is walked, once, in order (downloads).
    """
    names: dict[int, dict[date, str]] = defaultdict(dict)
    codes: dict[int, str] = {}
    children: dict[int, set[int]] = defaultdict(set)
    last_parent: dict[int, int | None] = {}
    for uid, code, name, parent_id, valid_from in db.session.execute(
        select(
            UnitVersion.unit_id,
            Unit.code,
            UnitVersion.name,
            UnitVersion.parent_id,
            UnitVersion.valid_from,
        )
        .join(Unit, Unit.id == UnitVersion.unit_id)
        .where(_overlaps(UnitVersion, period))
        .order_by(UnitVersion.valid_from)
    ):
        names[uid][valid_from] = name
        codes[uid] = code
        last_parent[uid] = parent_id
        if parent_id is not None:
            children[parent_id].add(uid)

    if unit_id is not None:
        scope = below([unit_id], children)
        top = unit_id
    else:
        scope = set(names)
        top = next((uid for uid, parent in last_parent.items() if parent is None), None)
    agency_name = name_on(names, codes, top, period.last) if top is not None else ""
    order = _tree_order(period)

    # One rank per unit (tree order, then code), so that the database sorts the roster itself.
    ranked = sorted(scope, key=lambda uid: (order.get(uid, len(order)), codes.get(uid, "")))
    ranks = {uid: rank for rank, uid in enumerate(ranked)}
    rank = case(ranks, value=Membership.unit_id, else_=len(ranks)) if ranks else literal(0)
    query = (
        select(
            Person.id,
            Person.full_name,
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
    ordering = (rank, Person.sort_key, Person.id, Membership.valid_from)
    first_number = 1

    def member_of(row) -> Member:
        (person_id, full_name, born, position, active, kind, uid, since, until) = row
        return Member(  # positional: called for every row of a whole-organisation download
            ranks.get(uid, len(ranks)),
            codes.get(uid, ""),
            person_id,
            since if since > period.first else period.first,
            until if until is not None and until < period.last else period.last,
            uid,
            full_name,
            born,
            position,
            active,
            kind,
        )

    code = codes.get(unit_id, "") if unit_id else codes.get(top, "") if top else ""
    if stream:
        return RosterPlan(
            period,
            today,
            agency_name,
            code,
            [],
            dict(names),
            criteria,
            source=query.order_by(*ordering),
            member_of=member_of,
        )
    whole_units = True
    if window is None:
        found = db.session.execute(query.order_by(*ordering))
    else:
        # A page: count each unit's rows, find the units the page falls in, and read those
        # units whole for their subtotals; a unit too large to add up on every page view is
        # read for the page's rows only (the summary and downloads carry its figures).
        counted = select(Membership.unit_id, func.count()).where(
            Membership.unit_id.in_(scope), _overlaps(Membership, period)
        )
        if folded:
            counted = counted.join(Person, Person.id == Membership.person_id).where(
                contains(Person.search_name, folded)
            )
        sizes = dict(db.session.execute(counted.group_by(Membership.unit_id)).all())
        total = sum(sizes.values())
        start, stop = window
        before = 0
        units: list[int] = []
        units_before = 0
        for uid in sorted(sizes, key=lambda uid: ranks.get(uid, len(ranks))):
            size = sizes[uid]
            if before + size > start and before < stop:
                if not units:
                    units_before = before
                units.append(uid)
            before += size
        found = []
        if units:
            in_units = query.where(Membership.unit_id.in_(units)).order_by(*ordering)
            if sum(sizes[uid] for uid in units) <= SUBTOTAL_LIMIT:
                first_number += units_before
                found = db.session.execute(in_units)
            else:
                whole_units = False
                first_number += start
                found = db.session.execute(
                    in_units.offset(start - units_before).limit(stop - start)
                )
    members = [member_of(row) for row in found]
    return RosterPlan(
        period,
        today,
        agency_name,
        code,
        members,
        dict(names),
        criteria,
        total=len(members) if window is None else total,
        first_number=first_number,
        whole_units=whole_units,
    )


def name_on(names: dict[int, dict[date, str]], codes: dict[int, str], uid: int, day: date) -> str:
    """The unit's name on day, from its versions that overlap the period."""
    found = [name for start, name in sorted(names.get(uid, {}).items()) if start <= day]
    return found[-1] if found else codes.get(uid, "")


def _rows(
    plan: RosterPlan, members: list[Member], number: int, context: Context
) -> list[RosterRow]:
    """Read the figures of a batch of members in a fixed number of queries.

    A row's figures cover the years of that membership. The criteria judge the person, once,
    over every year of the period they were a member anywhere: someone who moved units mid-way
    passes or fails as one person, on all of their figures, in each of their rows.
    """
    if not members:
        return []
    period = plan.period
    people = {member.person_id: member.employment_kind for member in members}
    ids = list(people)
    one_year = {m.person_id for m in members if m.since.year == m.until.year}
    batch = batch_figures(people, context, one_year)
    initiatives = approved_initiatives(ids, period.first.year, period.last.year)
    points = manual_points(plan.criteria, ids) if plan.criteria else {}
    judge_facts = evaluator(plan.criteria) if plan.criteria else None
    judged: dict[int, Result] = {}

    def count_initiatives(person_id: int, years) -> int:
        return sum(1 for year, _id in initiatives.get(person_id, ()) if year in years)

    def judge(person_id: int, row_years: tuple[int, ...], row_totals: Totals) -> Result:
        if person_id not in judged:
            present = batch.present.get(person_id, ())
            if present == range(row_years[0], row_years[-1] + 1):
                # The row covers every year they were a member (most people): its figures.
                years, whole = row_years, row_totals
            else:
                years = tuple(sorted(present))
                whole = batch.totals(person_id, people[person_id], years)
            judged[person_id] = judge_facts(
                Facts(
                    plan_years=whole.years,
                    approved_years=whole.approved,
                    required_done=whole.done,
                    required_total=whole.total,
                    hours_earned=whole.earned,
                    hours_target=whole.target,
                    target_unit=whole.target_unit,
                    courses=whole.courses,
                    initiatives=count_initiatives(person_id, years),
                    manual_points=points.get(person_id, {}),
                ),
            )
        return judged[person_id]

    unit_names: dict[tuple[int, date], str] = {}
    rows = []
    spans: dict[tuple[int, int], tuple[int, ...]] = {}
    for offset, member in enumerate(members):
        first, last = member.since.year, member.until.year
        years = spans.get((first, last))
        if years is None:
            years = spans[(first, last)] = tuple(range(first, last + 1))
        person_id = member.person_id
        totals = batch.totals(person_id, member.employment_kind, years)
        status = None
        if first == last:
            status = batch.statuses.get(person_id, {}).get(last, "none")
        earned, target = totals.earned, totals.target
        unit_name = unit_names.get((member.unit_id, member.until))
        if unit_name is None:
            unit_name = unit_names[(member.unit_id, member.until)] = name_on(
                plan.unit_names, {member.unit_id: member.unit_code}, member.unit_id, member.until
            )
        rows.append(
            RosterRow(
                number=number + offset,
                person_id=person_id,
                full_name=member.full_name,
                date_of_birth=member.date_of_birth,
                position=member.position,
                is_active=member.is_active,
                unit_id=member.unit_id,
                unit_code=member.unit_code,
                unit_name=unit_name,
                since=member.since,
                until=member.until,
                plan_status=status,
                approved_years=totals.approved,
                plan_years=totals.years,
                required_done=totals.done,
                required_total=totals.total,
                hours_earned=earned,
                hours_target=target,
                target_unit=totals.target_unit,
                percent=int(earned * 100 / target) if earned is not None and target else None,
                courses=totals.courses,
                initiatives=count_initiatives(person_id, years),
                result=judge(person_id, years, totals) if judge_facts is not None else None,
            )
        )
    return rows


def subtotals(rows) -> list[UnitSubtotal]:
    """People, hours, share with approved plans and (with criteria) people passing, per unit.

    Counted per person: someone who left a unit and came back has two rows but is one person;
    two rows over the same years count their hours once.
    """
    groups: dict[int, list[RosterRow]] = {}
    for row in rows:
        groups.setdefault(row.unit_id, []).append(row)
    result = []
    for uid, group in groups.items():
        people: dict[int, list[RosterRow]] = {}
        for row in group:
            people.setdefault(row.person_id, []).append(row)
        hours = Decimal(0)
        for person_rows in people.values():
            seen: set[tuple[int, int]] = set()
            for row in person_rows:
                span = (row.since.year, row.until.year)
                if span not in seen:
                    seen.add(span)
                    hours += row.hours_earned or Decimal(0)
        approved = sum(
            1 for rs in people.values() if all(r.approved_years == r.plan_years for r in rs)
        )
        judged = {row.person_id: row.result for row in group if row.result is not None}
        result.append(
            UnitSubtotal(
                uid,
                group[0].unit_code,
                group[-1].unit_name,
                len(people),
                hours,
                int(approved * 100 / len(people)),
                sum(1 for r in judged.values() if r.passed) if judged else None,
            )
        )
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


PRESETS = {
    "gd1": (date(2024, 1, 1), date(2025, 12, 31), _l("Giai đoạn 1 (2024–2025)")),
    "gd2": (date(2026, 1, 1), date(2030, 12, 31), _l("Giai đoạn 2 (2026–2030)")),
}


def period_from_args(args: Mapping[str, str], today: date) -> tuple[Period, str]:
    """The period a request asks for: a campaign phase, a year, or from/to days; else this year.

    Return it with the preset's key ("" for typed days); raise ReportError when it makes no sense.
    """
    preset = args.get("period", "")
    if preset in PRESETS:
        first, last, _label = PRESETS[preset]
        return Period(first, last), preset
    year = parse_count(preset) if len(preset) == 4 else None
    if year:  # ASCII digits only: "²".isdigit() is true too
        return make_period(date(year, 1, 1), date(year, 12, 31)), preset
    if args.get("from") or args.get("to"):
        first = parse_day(args.get("from", ""))
        last = parse_day(args.get("to", ""))
        return make_period(first, last), ""
    return Period(date(today.year, 1, 1), date(today.year, 12, 31)), str(today.year)


def unit_by_code(code: str) -> int | None:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))
