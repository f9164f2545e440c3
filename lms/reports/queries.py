"""Reads for reports: the roster of people per unit over a period, in a fixed number of queries.

A row is one person in one unit for the days of the period they were a member there (in a unit's
roster, also only the days the unit was in that sub-tree). Its figures come from the progress
engine for exactly those days, so each person-day is counted once: rows add up to the unit
subtotals, and units to the total. Head counts (people, approved plans, passing) count a person
once, on the row of their last day in the agency within the period (in a unit's roster, their
last day in its sub-tree). A multi-year period shows
plan status as "n/N years approved".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Row, Select, func, select

from lms.accounts.models import Person
from lms.accounts.queries import positions_until
from lms.awards.criteria import CriteriaSpec, Facts, Result, evaluator
from lms.awards.queries import approved_initiatives, manual_points
from lms.bulk import collector_paused
from lms.db import contains, db, parse_count
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import parse_day
from lms.learning.queries import flagged_completions
from lms.numbers import percent
from lms.org.models import Membership, Unit
from lms.org.roster import (
    Member,
    Period,
    members_in,
    name_on,
    overlaps,
    selection,
)
from lms.plans.states import NO_PLAN_STATE, PlanStates
from lms.progress.engine import ZERO, Engine, Figures, Span

MAX_YEARS = 10
# The counting rule, as the page and every file state it.
COUNTING_NOTE = _l(
    "Cách tính: mỗi dòng chỉ tính phần học tập trong những ngày người đó là thành viên đơn vị "
    "trong kỳ; mỗi người-ngày được tính một lần, nên tổng các dòng bằng tổng đơn vị và tổng toàn "
    "cơ quan. Số người được tính ở đơn vị của ngày cuối cùng trong kỳ."
)
UNITS_NOTE = _l(
    "Số liệu tính bằng tiết: giờ hoạt động ngoài quy đổi theo số phút mỗi tiết của chỉ tiêu có "
    "hiệu lực vào ngày ghi nhận. Chỉ tiêu tính theo số ngày trong kỳ (làm tròn 2 chữ số thập "
    "phân), trừ khi chỉ tiêu áp dụng cả năm; tỷ lệ phần trăm làm tròn nửa lên."
)
NOTES = (COUNTING_NOTE, UNITS_NOTE)
# Periods are read within these years: anything else is a typing slip, answered with a 400.
YEARS = range(2000, 2101)
# People whose figures are read together: bounds memory, keeps queries per batch fixed.
BATCH = 2500
# Above this many rows, the units on a page are not added up on every page view (a second or
# more at a thousand people): the page says so and the downloads and the summary carry them.
SUBTOTAL_LIMIT = 400


class RosterRow(NamedTuple):
    # A tuple, not a frozen dataclass: a download makes a hundred thousand of them, and a
    # frozen dataclass sets each of its fields through object.__setattr__.
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
    initiatives: int  # the person's approved initiatives, on their head row only
    result: Result | None
    # The rule versions the target came from ("CONGCHUC-2025 v1, ...").
    rule_versions: str = ""
    # The person's course completions in the period far below their nominal time (for the
    # manager to look at; they still count), on their head row only.
    flagged: int = 0
    # The row of the person's last day in the agency within the period (in a unit's roster: in
    # its sub-tree): where head counts count them.
    head: bool = True
    person: PersonTotals | None = None


class PersonTotals(NamedTuple):
    """A person's figures over the whole period, wherever they were: shared by their rows."""

    figures: Figures
    plan_years: int
    approved_years: int
    initiatives: int

    @property
    def approved(self) -> bool:
        return self.plan_years > 0 and self.approved_years == self.plan_years

    @property
    def has_target(self) -> bool:
        return self.figures.target is not None and self.figures.target.tiet > 0

    @property
    def reached(self) -> bool:
        return self.figures.reached


@dataclass(frozen=True)
class UnitSubtotal:
    unit_id: int
    unit_code: str
    unit_name: str
    people: int
    hours: Decimal
    approved_percent: int | None
    passing: int | None
    approved: int = 0


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
    members_of: Callable[[Row], list[Member]] | None = None
    # False when a page's units were too large to read whole: its members are the page only.
    whole_units: bool = True
    # A unit's roster: the days each unit was in its sub-tree (None: the whole organisation).
    in_tree: dict[int, list[tuple[date, date]]] | None = None

    def rows(
        self, start: int = 0, stop: int | None = None, batch: int = BATCH
    ) -> Iterator[RosterRow]:
        """Yield the rows from start to stop, reading figures for `batch` people at a time."""
        engine = Engine(self.period.first, self.period.last, self.today)
        # Each batch is read with the garbage collector paused (see lms.bulk), never across a
        # yield: a download abandoned half-way leaves the collector as it found it.
        members_of = self.members_of
        if self.source is not None and members_of is not None:
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
                        chunk = [m for row in partition for m in members_of(row)]
                        rows = _rows(self, chunk, number, engine)
                    yield from rows
                    number += len(chunk)
        stop = len(self.members) if stop is None else min(stop, len(self.members))
        for first in range(start, stop, batch):
            chunk = self.members[first : min(first + batch, stop)]
            with collector_paused():
                rows = _rows(self, chunk, self.first_number + first, engine)
            yield from rows


@dataclass(frozen=True)
class Roster:
    period: Period
    agency_name: str
    unit_code: str
    rows: list[RosterRow]
    subtotals: list[UnitSubtotal]
    criteria: CriteriaSpec | None = None


def roster(
    period: Period,
    today: date,
    *,
    unit_id: int | None = None,
    search: str = "",
    criteria: CriteriaSpec | None = None,
) -> Roster:
    """Return the whole roster of the unit (with sub-units) or the organisation for period."""
    plan = roster_plan_all(period, today, unit_id=unit_id, search=search, criteria=criteria)
    rows = list(plan.rows())
    return Roster(
        period, plan.agency_name, plan.unit_code, rows, subtotals(rows), criteria=criteria
    )


def passing_count(spec: CriteriaSpec, today: date) -> tuple[int, int]:
    """How many people of the whole roster of the set's period pass it, and how many are on it
    (a person listed in two units counts once)."""
    rows = roster(Period(spec.first, spec.last), today, criteria=spec).rows
    passing = {row.person_id for row in rows if row.result and row.result.passed}
    return len(passing), len({row.person_id for row in rows})


def roster_plan_all(
    period: Period,
    today: date,
    *,
    unit_id: int | None = None,
    search: str = "",
    criteria: CriteriaSpec | None = None,
    viewer: Person | None = None,
) -> RosterPlan:
    """Return everyone on the roster of the unit (with sub-units) or the organisation, in
    order (units in tree order, then Vietnamese name order), read now."""
    chosen = selection(period, today, unit_id=unit_id, search=search, viewer=viewer)
    members = members_in(chosen)
    return RosterPlan(
        period,
        today,
        chosen.agency_name,
        chosen.unit_code,
        members,
        chosen.names,
        criteria,
        total=len(members),
        in_tree=chosen.in_tree,
    )


def roster_plan_page(
    period: Period,
    today: date,
    window: tuple[int, int],
    *,
    unit_id: int | None = None,
    search: str = "",
    criteria: CriteriaSpec | None = None,
    viewer: Person | None = None,
) -> RosterPlan:
    """Return the whole units that the rows window (start, stop) of the roster fall in, for a
    page and its subtotals: a page of a 100,000-person roster does not load everybody."""
    chosen = selection(period, today, unit_id=unit_id, search=search, viewer=viewer)
    ranks = chosen.ranks
    # Count each unit's rows, find the units the page falls in, and read those units whole for
    # their subtotals; a unit too large to add up on every page view is read for the page's
    # rows only (the summary and downloads carry its figures).
    counted = select(Membership.unit_id, func.count()).where(
        chosen.in_scope, overlaps(Membership, period)
    )
    if chosen.folded:
        counted = counted.join(Person, Person.id == Membership.person_id).where(
            contains(Person.search_name, chosen.folded)
        )
    sizes: dict[int, int] = {
        uid: size for uid, size in db.session.execute(counted.group_by(Membership.unit_id))
    }
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
    members: list[Member] = []
    first_number = 1
    whole_units = True
    if units:
        in_units = chosen.query.where(Membership.unit_id.in_(units)).order_by(*chosen.ordering)
        if sum(sizes[uid] for uid in units) <= SUBTOTAL_LIMIT:
            first_number += units_before
        else:
            whole_units = False
            first_number += start
            in_units = in_units.offset(start - units_before).limit(stop - start)
        found = db.session.execute(in_units)
        members = [member for row in found for member in chosen.members_of(row)]
    return RosterPlan(
        period,
        today,
        chosen.agency_name,
        chosen.unit_code,
        members,
        chosen.names,
        criteria,
        total=total,
        first_number=first_number,
        whole_units=whole_units,
        in_tree=chosen.in_tree,
    )


def roster_plan_stream(
    period: Period,
    today: date,
    *,
    unit_id: int | None = None,
    search: str = "",
    criteria: CriteriaSpec | None = None,
    viewer: Person | None = None,
) -> RosterPlan:
    """Return the roster with nobody read yet: rows() reads it, once, in order, a batch at a
    time (downloads), so memory does not grow with the organisation."""
    chosen = selection(period, today, unit_id=unit_id, search=search, viewer=viewer)
    return RosterPlan(
        period,
        today,
        chosen.agency_name,
        chosen.unit_code,
        [],
        chosen.names,
        criteria,
        source=chosen.query.order_by(*chosen.ordering),
        members_of=chosen.members_of,
        in_tree=chosen.in_tree,
    )


def _rows(plan: RosterPlan, members: list[Member], number: int, engine: Engine) -> list[RosterRow]:
    """Read the figures of a batch of members in a fixed number of queries.

    A row's figures cover the days of that row. The criteria judge the person, once, on all of
    their figures over the period: someone who moved units mid-way passes or fails as one
    person, in each of their rows.
    """
    if not members:
        return []
    period = plan.period
    people = {member.person_id: member.employment_kind for member in members}
    ids = list(people)
    memberships = engine.memberships(ids)
    # Rows cut to part of the period (a unit's roster) need each credit, not only the sums.
    cut = {m.person_id for m in members if (m.since, m.until) != (period.first, period.last)}
    whole = engine.whole_period(people, memberships) - cut
    credits = engine.credits(ids, summed_only=whole, tallied=engine.units_of(whole, memberships))
    # Plan status is shown on one-year rows only; approval counts for every row.
    states = PlanStates(engine).of(ids)
    initiatives = approved_initiatives(ids, period.first.year, period.last.year)
    points = manual_points(plan.criteria, ids) if plan.criteria else {}
    flagged = flagged_completions(ids, period.first, period.last)
    # The position held on each row's last day, not today's (a 2025 roster, a 2026 promotion).
    positions = positions_until(ids, period.last)
    judge_facts = evaluator(plan.criteria) if plan.criteria else None
    persons: dict[int, tuple[PersonTotals, Result | None, Span | None, tuple[int, ...]]] = {}
    parts: dict[Span, Figures] = {}

    def count_initiatives(person_id: int, years: tuple[int, ...]) -> int:
        found = initiatives.get(person_id)
        return sum(1 for year, _id in found if year in years) if found else 0

    scopes: dict[tuple[int, date, date], tuple[date, date] | None] = {}
    year_spans: dict[tuple[int, int], tuple[int, ...]] = {}

    def year_range(first: int, last: int) -> tuple[int, ...]:
        found = year_spans.get((first, last))
        if found is None:
            found = year_spans[(first, last)] = tuple(range(first, last + 1))
        return found

    def approved_in(person_id: int, years: tuple[int, ...]) -> int:
        """How many of the years the person had their plan approved (`PlanState.approved`)."""
        plans = states.get(person_id)
        if not plans:
            return 0
        return sum(1 for year in years if (state := plans.get(year)) and state.approved)

    def person_of(
        person_id: int, kind: str
    ) -> tuple[PersonTotals, Result | None, Span | None, tuple[int, ...]]:
        found = persons.get(person_id)
        if found is None:
            spans = memberships.get(person_id, [])
            figures = engine.person(kind, spans, credits.get(person_id), parts=parts)
            if len(spans) == 1:  # most people
                years = year_range(spans[0].first.year, spans[0].last.year)
            else:
                years = tuple(
                    sorted({year for s in spans for year in range(s.first.year, s.last.year + 1)})
                )
            totals = PersonTotals(
                figures,
                len(years),
                approved_in(person_id, years),
                count_initiatives(person_id, years),
            )
            result = None
            if judge_facts is not None:
                target = figures.target
                result = judge_facts(
                    Facts(
                        plan_years=totals.plan_years,
                        approved_years=totals.approved_years,
                        required_done=figures.required_done,
                        required_total=figures.required_total,
                        # Exact: the criteria judge 39,996 tiết as short of 40.
                        hours_earned=figures.exact_tiet if target else None,
                        hours_target=target.exact_tiet if target else None,
                        target_unit="tiet" if target else "",
                        courses=_by_category(figures.courses),
                        initiatives=totals.initiatives,
                        manual_points=points.get(person_id, {}),
                    )
                )
            found = persons[person_id] = (
                totals,
                result,
                _last_in_scope(spans, plan.in_tree, scopes),
                years,
            )
        return found

    unit_names: dict[tuple[int, date], str] = {}
    rows = []
    for offset, member in enumerate(members):
        person_id, kind = member.person_id, member.employment_kind
        totals, result, last_span, person_years = person_of(person_id, kind)
        span = Span(person_id, member.unit_id, member.since, member.until)
        figures = parts.get(span)
        if figures is None:
            figures = engine.figures(span, kind, credits.get(person_id))
        first, last = member.since.year, member.until.year
        years = year_range(first, last)
        status = None
        if first == last:
            status = states.get(person_id, {}).get(last, NO_PLAN_STATE).label_key
        target = figures.target
        unit_name = unit_names.get((member.unit_id, member.until))
        if unit_name is None:
            unit_name = unit_names[(member.unit_id, member.until)] = name_on(
                plan.unit_names, {member.unit_id: member.unit_code}, member.unit_id, member.until
            )
        head = (
            last_span is not None
            and last_span.unit_id == member.unit_id
            and member.since <= last_span.last <= member.until
        )
        # The person's count when the row's years are all of theirs (most rows).
        approved = totals.approved_years if years == person_years else approved_in(person_id, years)
        # Positional, in the fields' order: a keyword call costs four times as much, and a
        # download makes a row for everyone.
        rows.append(
            RosterRow(
                number + offset,  # number
                person_id,  # person_id
                member.full_name,  # full_name
                member.date_of_birth,  # date_of_birth
                positions.held_on(person_id, member.until),  # position
                member.is_active,  # is_active
                member.unit_id,  # unit_id
                member.unit_code,  # unit_code
                unit_name,  # unit_name
                member.since,  # since
                member.until,  # until
                status,  # plan_status
                approved,  # approved_years
                len(years),  # plan_years
                figures.required_done,  # required_done
                figures.required_total,  # required_total
                figures.earned_tiet,  # hours_earned
                target.tiet if target else None,  # hours_target
                "tiet",  # target_unit
                percent(figures.exact_tiet, target.exact_tiet) if target else None,  # percent
                _by_category(figures.courses),  # courses
                # A person's, not a day's: on the row where they are counted, so that the
                # column adds up to the people's total.
                totals.initiatives if head else 0,  # initiatives
                result,  # result
                target.labels if target else "",  # rule_versions
                flagged.get(person_id, 0) if head else 0,  # flagged
                head,  # head
                totals,  # person
            )
        )
    return rows


def _last_in_scope(
    spans: list[Span],
    in_tree: dict[int, list[tuple[date, date]]] | None,
    memo: dict[tuple[int, date, date], tuple[date, date] | None],
) -> Span | None:
    """The person's last days on this roster: in the whole organisation, their last membership
    in the period; in a unit's roster, their last days in that sub-tree (where they are counted).

    A membership's last days in the sub-tree depend on its unit and days alone: worked out once
    in memo for the many members who share them (a unit's roster: most of its people)."""
    if in_tree is None:
        return spans[-1] if spans else None
    best: Span | None = None
    for span in spans:
        if span.unit_id is None:
            continue
        key = (span.unit_id, span.first, span.last)
        if key in memo:
            found = memo[key]
        else:
            pieces = [
                (max(a, span.first), min(b, span.last))
                for a, b in in_tree.get(span.unit_id, ())
                if a <= span.last and b >= span.first
            ]
            # The first of the latest, as max gives it.
            found = memo[key] = max(pieces, key=lambda piece: piece[1], default=None)
        if found is not None and (best is None or found[1] > best.last):
            best = Span(span.person_id, span.unit_id, *found)
    return best


def _by_category(courses: list[int]) -> tuple[int, int, int]:
    """Courses completed per category (the engine's three, in its order) as a triple."""
    first, second, third = courses
    return first, second, third


def as_person(row: RosterRow) -> RosterRow:
    """The row with its person's figures over the whole period, wherever they were: what a
    nomination says of someone (each of their rows holds only that row's days)."""
    person = row.person
    if person is None:
        return row
    figures = person.figures
    target = figures.target
    return row._replace(
        plan_status=row.plan_status if person.plan_years == 1 else None,
        approved_years=person.approved_years,
        plan_years=person.plan_years,
        required_done=figures.required_done,
        required_total=figures.required_total,
        hours_earned=figures.earned_tiet,
        hours_target=target.tiet if target else None,
        percent=percent(figures.exact_tiet, target.exact_tiet) if target else None,
        courses=_by_category(figures.courses),
        initiatives=person.initiatives,
        rule_versions=target.labels if target else "",
    )


def subtotals(rows: Iterable[RosterRow]) -> list[UnitSubtotal]:
    """People, tiết, share with approved plans and (with criteria) people passing, per unit.

    Tiết add up the unit's rows (each covers its own days); people are counted on the row of
    their last day in the agency within the period, so that units add up to the whole.
    """
    groups: dict[int, list[RosterRow]] = {}
    for row in rows:
        groups.setdefault(row.unit_id, []).append(row)
    result = []
    for uid, group in groups.items():
        heads = [row for row in group if row.head]
        approved = sum(1 for row in heads if row.person is not None and row.person.approved)
        judged = [row.result for row in heads if row.result is not None]
        result.append(
            UnitSubtotal(
                uid,
                group[0].unit_code,
                group[-1].unit_name,
                len(heads),
                sum((row.hours_earned or ZERO for row in group), ZERO),
                percent(approved, len(heads)),
                sum(1 for r in judged if r.passed) if any(row.result for row in group) else None,
                approved,
            )
        )
    return result


def total_of(units: list[UnitSubtotal], label: str) -> UnitSubtotal:
    """The line under the units: their sums, so that it always agrees with them."""
    people = sum(unit.people for unit in units)
    approved = sum(unit.approved for unit in units)
    passing = [unit.passing for unit in units if unit.passing is not None]
    return UnitSubtotal(
        0,
        "",
        label,
        people,
        sum((unit.hours for unit in units), ZERO),
        percent(approved, people),
        sum(passing) if passing else None,
        approved,
    )


class ReportError(UserError):
    """Report parameters that make no sense; the message is shown to the user."""


def make_period(first: date | None, last: date | None) -> Period:
    """Check a period typed by someone: both days given, in order, at most MAX_YEARS years."""
    if first is None or last is None:
        raise ReportError(_("Ngày bắt đầu và ngày kết thúc phải có dạng dd/mm/yyyy."))
    if first.year not in YEARS or last.year not in YEARS:
        raise _outside_years()
    if last < first:
        raise ReportError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if last.year - first.year >= MAX_YEARS:
        raise ReportError(_("Kỳ báo cáo dài tối đa %(n)d năm.", n=MAX_YEARS))
    return Period(first, last)


def _outside_years() -> ReportError:
    return ReportError(
        _("Kỳ báo cáo phải nằm trong các năm %(first)d–%(last)d.", first=YEARS[0], last=YEARS[-1])
    )


PRESETS = {
    "gd1": (date(2024, 1, 1), date(2025, 12, 31), _l("Giai đoạn 1 (2024–2025)")),
    "gd2": (date(2026, 1, 1), date(2030, 12, 31), _l("Giai đoạn 2 (2026–2030)")),
}
# "2026": the year; "2026-h1": its first six months.
FIRST_HALF = "-h1"


def period_from_args(args: Mapping[str, str], today: date) -> tuple[Period, str]:
    """The period a request asks for: a campaign phase, a year, its first half, or from/to
    days; else this year.

    Return it with the preset's key ("" for typed days); raise ReportError when it makes no sense.
    """
    preset = args.get("period", "")
    if preset in PRESETS:
        first, last, _label = PRESETS[preset]
        return Period(first, last), preset
    half = preset.endswith(FIRST_HALF)
    digits = preset[: -len(FIRST_HALF)] if half else preset
    year = parse_count(digits) if len(digits) == 4 else None
    if year is not None:  # ASCII digits only: "²".isdigit() is true too
        if year not in YEARS:
            raise _outside_years()
        last = date(year, 6, 30) if half else date(year, 12, 31)
        return make_period(date(year, 1, 1), last), preset
    if args.get("from") or args.get("to"):
        return make_period(parse_day(args.get("from", "")), parse_day(args.get("to", ""))), ""
    return Period(date(today.year, 1, 1), date(today.year, 12, 31)), str(today.year)


def period_choices(today: date) -> list[tuple[str, str]]:
    """The presets a period form offers: each year and its first half, and the two phases."""
    choices = [(key, str(label)) for key, (_f, _l2, label) in PRESETS.items()]
    for year in range(2024, today.year + 2):
        choices.append((str(year), _("Năm %(year)d", year=year)))
        choices.append((f"{year}{FIRST_HALF}", _("6 tháng đầu năm %(year)d", year=year)))
    return choices


def unit_by_code(code: str) -> int | None:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))
