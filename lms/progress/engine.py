"""Figures for a person, a membership or a unit over any days, from the ledger.

One module computes every figure the platform shows: tiết and hours earned, the target and the
rule versions behind it, required items done out of those due, courses completed per category,
and plan approval. The rules (shared/docs/domain.md, "Counting rules"):

- A credit counts on its day. A membership's figure is the sum of the credits on the days of
  that membership within the period; a day in no membership counts for no unit.
- Totals are in tiết: clock hours convert with the minutes per tiết of the rule version in
  force on the credit's day. A person's own page also shows the rule's unit when that is hours.
- A target is prorated by the days it covers (see `lms.progress.rules`).
- A required item is the person's in a membership when it falls due on one of its days, in a
  unit the assignment reached on that day (the unit tree as it was then); it is done when the
  course was completed by the membership's last day in the period.
- A plan year is approved when a version was approved, even while a newer one is being revised.

Reads are per batch: a few indexed queries for any number of people, then plain loops.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Date,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.types import NullType

from lms.courses.format import CATEGORIES as COURSE_CATEGORIES
from lms.courses.models import Course
from lms.db import Days, among, id_list, overlapping, read, unparsed
from lms.numbers import percent, two_places
from lms.org.models import Membership
from lms.org.queries import TREE_VERSIONS, units_below
from lms.progress.models import AssignmentKind, Credit, CreditUnit, TargetUnit, UnitAssignment
from lms.progress.rules import RuleBook, RuleVersion, Target, to_unit
from lms.reference import current_stamp, remembered

DUE_SOON_DAYS = 14
# The roster's three course columns, in the course format's order.
CATEGORIES = tuple(COURSE_CATEGORIES)
CATEGORY_INDEX = {category: index for index, category in enumerate(CATEGORIES)}
ZERO = Decimal("0.00")
TIET, HOUR = TargetUnit.TIET, TargetUnit.HOUR


class Span(NamedTuple):
    """Some days of one person, in one unit (None: wherever they were)."""

    person_id: int
    unit_id: int | None
    first: date
    last: date


class ItemState:
    DONE = "done"
    PENDING = "pending"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


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


def item_state(due_on: date, completed_on: date | None, today: date) -> str:
    if completed_on is not None:
        return ItemState.DONE
    if due_on < today:
        return ItemState.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return ItemState.DUE_SOON
    return ItemState.PENDING


@dataclass(slots=True)
class Figures:
    """What some days of a person add up to: exact, so that a person's spans add up exactly;
    rounded (half up, two places) only where a figure is shown."""

    course_tiet: Decimal = ZERO
    activity_hours: Decimal = ZERO
    exact_tiet: Decimal = ZERO  # everything in tiết, hours converted on their day
    exact_hours: Decimal = ZERO  # everything in clock hours, tiết converted on their day
    target: Target | None = None
    required_done: int = 0
    required_total: int = 0
    # Required items overdue today, counted without the items (a sort by it needs only this).
    required_late: int = 0
    courses: list[int] = field(default_factory=lambda: [0, 0, 0])
    items: list[AssignedItem] | None = None

    def add(self, other: Figures) -> None:
        """Add other's credits and items to these: another span of the same person, or the
        other half of the same days (credits read apart from required items); the target is
        left as it is (that of several spans is worked out over their days,
        `RuleBook.target_of`)."""
        self.course_tiet += other.course_tiet
        self.activity_hours += other.activity_hours
        self.exact_tiet += other.exact_tiet
        self.exact_hours += other.exact_hours
        self.required_done += other.required_done
        self.required_total += other.required_total
        self.required_late += other.required_late
        for index, count in enumerate(other.courses):
            self.courses[index] += count
        if other.items is not None:
            self.items = (self.items or []) + other.items

    @property
    def earned_tiet(self) -> Decimal:
        return two_places(self.exact_tiet)

    @property
    def earned_hours(self) -> Decimal:
        return two_places(self.exact_hours)

    # In the unit of the rule(s): what a person's own page shows.

    @property
    def is_in_hours(self) -> bool:
        return self.target is not None and self.target.unit == TargetUnit.HOUR

    @property
    def unit(self) -> str:
        return str(TargetUnit.HOUR if self.is_in_hours else TargetUnit.TIET)

    @property
    def earned(self) -> Decimal:
        return self.earned_hours if self.is_in_hours else self.earned_tiet

    @property
    def target_amount(self) -> Decimal | None:
        return self.target.amount if self.target else None

    @property
    def percent(self) -> int | None:
        """Share of the target, rounded half up from the exact figures (display only)."""
        if self.target is None:
            return None
        earned = self.exact_hours if self.is_in_hours else self.exact_tiet
        return percent(earned, self.target.exact_amount)

    @property
    def reached(self) -> bool:
        """Exact, not rounded: 39,996 of 40 tiết has not reached the target."""
        return self.target is not None and self.exact_tiet >= self.target.exact_tiet > 0

    @property
    def versions(self) -> tuple[RuleVersion, ...]:
        return self.target.versions if self.target else ()

    def _count(self, *states: str) -> int:
        return sum(1 for item in self.items or () if item.is_required and item.state in states)

    @property
    def required_pending(self) -> int:
        return self._count(ItemState.PENDING, ItemState.DUE_SOON)

    @property
    def required_overdue(self) -> int:
        """Required items overdue today: from the items when they were worked out."""
        if self.items is None:
            return self.required_late
        return self._count(ItemState.OVERDUE)

    @property
    def next_steps(self) -> list[AssignedItem]:
        """Open items, overdue first, then by due date."""
        open_items = [item for item in self.items or () if item.state != ItemState.DONE]
        return sorted(open_items, key=lambda item: (item.state != ItemState.OVERDUE, item.due_on))


@dataclass(slots=True)
class PersonCredits:
    """One person's credits within the engine's days, sorted by day, and the day each required
    course was first completed (required items look back before the period)."""

    days: list[date] = field(default_factory=list)
    entries: list[tuple[date, str, Decimal, int | None]] = field(default_factory=list)
    completed: dict[int, date] = field(default_factory=dict)
    # The sums of all the entries, made while reading them: what a membership that covers
    # the engine's days adds up to, without a second pass (course tiết, hours, per category).
    tiet: Decimal = ZERO
    hours: Decimal = ZERO
    courses: list[int] = field(default_factory=lambda: [0, 0, 0])
    count: int = 0  # credits within the days (days and entries may be left empty: summed only)
    # For someone in one unit all the engine's days, read without their completions: the
    # unit, how many required items fell due there, how many of them they completed by the
    # last day and how many of the others are overdue today (`Engine._tallies`; None: not
    # counted so).
    tally: tuple[int, int, int, int] | None = None


NO_CREDITS = PersonCredits()


def _hundredths(total: Decimal | float | None) -> Decimal:
    """A sum of amounts of two places, as the database gives it (a float on SQLite), exact."""
    if total is None:
        return ZERO
    if isinstance(total, float):
        return _float_hundredths(total)
    return Decimal(total)


@lru_cache(maxsize=4096)  # people's sums repeat: courses of whole tiết, the same activities
def _float_hundredths(total: float) -> Decimal:
    return Decimal(round(total * 100)).scaleb(-2)


# Statements built once (each request only binds its values) --------------------------------

_FIRST, _LAST = bindparam("first", type_=Date), bindparam("last", type_=Date)
_IDS = id_list("ids")
_DUE = (
    select(
        UnitAssignment.id,
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
        UnitAssignment.withdrawn_at.is_(None),
        UnitAssignment.due_on >= _FIRST,
        UnitAssignment.due_on <= _LAST,
    )
    .order_by(UnitAssignment.due_on, UnitAssignment.id)
)
_CATEGORIES = select(Course.id, Course.category)
_IN_DAYS = (among(Credit.person_id, _IDS), Credit.day >= _FIRST, Credit.day <= _LAST)
_TIET = Credit.unit == str(CreditUnit.TIET)
# Sums per person, one row each (grouped by the index's first column: no sort of the credits):
# tiết, hours, and the count; _SUMS adds the courses completed per category, which costs a
# test per credit and a probe per category (a third of the query's time): a figure sort needs
# only the totals.
# A category's courses are one uncorrelated subquery, read once per statement, rather than a
# join to every credit's course (PostgreSQL: 6.6 -> 4.3 ms for 500 people; SQLite: the same).
# The sums come as the driver gives them (a float on SQLite, a Decimal on PostgreSQL) for
# `_hundredths` to read: no Decimal made of each by SQLAlchemy on the way (500 rows, 1 ms).
_TOTALS = (
    type_coerce(func.sum(case((_TIET, Credit.amount))), NullType()),
    type_coerce(func.sum(case((_TIET, None), else_=Credit.amount)), NullType()),
)
_SUMS_OF_TOTALS = (
    select(Credit.person_id, *_TOTALS, func.count()).where(*_IN_DAYS).group_by(Credit.person_id)
)
# The courses completed per category, packed in one sum: category i's count in bits 20·i to
# 20·i + 19 (a million completions of one category in the days would overflow into the next).
# One test of the credit and at most one probe per category, where three counts with their
# own filters tested each credit three times (500 people: SQLite 3.2 -> 2.3 ms, PostgreSQL
# 7.4 -> 6.1 ms).
_CATEGORY_BITS = 20
_CATEGORY_MASK = (1 << _CATEGORY_BITS) - 1
if len(CATEGORIES) * _CATEGORY_BITS > 62:  # a signed 64-bit sum, on both databases
    raise RuntimeError("Too many course categories to count packed in one sum (lms.progress).")
_SUMS = (
    select(
        Credit.person_id,
        *_TOTALS,
        func.sum(
            case(
                (
                    and_(_TIET, Credit.amount > 0),
                    case(
                        *(
                            (
                                Credit.course_id.in_(
                                    select(Course.id).where(Course.category == category)
                                ),
                                literal(1 << (_CATEGORY_BITS * index), BigInteger),
                            )
                            for index, category in enumerate(CATEGORIES)
                        )
                    ),
                )
            )
        ),
        func.count(),
    )
    .where(*_IN_DAYS)
    .group_by(Credit.person_id)
)
# Plain rows: the ORM's row processing would cost more than the query.
_CREDITS = select(
    Credit.person_id,
    unparsed(Credit.day),
    Credit.unit,
    Credit.amount,
    Credit.course_id,
).where(*_IN_DAYS)
# The people's completions of some courses ({"courses": [...]}) by the days' last day.
_COMPLETED_BY_LAST = (
    among(Credit.person_id, _IDS),
    among(Credit.course_id, id_list("courses")),
    Credit.amount > 0,
    Credit.day <= _LAST,
)
_COMPLETIONS = (
    select(Credit.person_id, Credit.course_id, unparsed(func.min(Credit.day)))
    .where(*_COMPLETED_BY_LAST)
    .group_by(Credit.person_id, Credit.course_id)
)
_MEMBERSHIPS = (
    select(
        Membership.person_id,
        Membership.unit_id,
        unparsed(Membership.valid_from),
        unparsed(Membership.valid_until),
    )
    .where(among(Membership.person_id, _IDS), overlapping(Membership, _FIRST, _LAST))
    .order_by(Membership.person_id, Membership.valid_from)
)


@lru_cache(maxsize=64)
def _tally_counts(shape: tuple[bool, ...]) -> Select:
    """`Engine._tallies`' count per person of the distinct required courses they completed by
    the last day: one column per set of courses, all of them (True) or those in the values'
    `set<i>` (False). Built once per shape: composing it cost more than SQLite's run of it."""
    course = Credit.course_id
    return (
        select(
            Credit.person_id,
            *(
                func.count(
                    course.distinct()
                    if every
                    else case((among(course, id_list(f"set{i}")), course)).distinct()
                )
                for i, every in enumerate(shape)
            ),
        )
        .where(*_COMPLETED_BY_LAST)
        .group_by(Credit.person_id)
    )


class _Requirements:
    """The assignments falling due within the engine's days, and the units each reached on its
    due day (the unit tree as it was then)."""

    def __init__(self, first: date, last: date) -> None:
        rows = read(_DUE, {"first": first, "last": last}).all()
        # (assignment id, course id, slug, title, hours, kind, due on, unit id); the unit's
        # name on the due day is `unit_name(index)`.
        self.items: list[tuple[int, int, str, str, Decimal, AssignmentKind, date, int]] = []
        self.required_courses: set[int] = set()
        # (unit assigned to, with its sub-units?, due on, required?) per item, in due order.
        self._reach: list[tuple[int, bool, date, bool]] = []
        # unit → (due days, item indexes) of the items that reach it, worked out for a unit
        # when first asked (most reads ask for a few units): required only, and all kinds.
        self._due: dict[tuple[int, bool], tuple[list[date], list[int]]] = {}
        # The tree over the items' due days (they come in due order: the first and the last
        # bound them), read now with them: requirements are kept for later requests
        # (lms.reference), and what is kept must read nothing after it was made.
        self._tree = _Tree(rows[0].due_on, rows[-1].due_on) if rows else None
        required_kind = AssignmentKind.REQUIRED
        # Unpacked by position: a Row's attribute is looked up by name, ten times slower, and
        # every page with figures builds this.
        for item_id, course_id, unit_id, subunits, kind_text, due_on, slug, name, hours in rows:
            kind = AssignmentKind(kind_text)
            self.items.append((item_id, course_id, slug, name, hours, kind, due_on, unit_id))
            required = kind == required_kind
            self._reach.append((unit_id, subunits, due_on, required))
            if required:
                self.required_courses.add(course_id)

    @property
    def tree(self) -> _Tree:
        assert self._tree is not None, "no items, so no item asks for the tree"
        return self._tree

    def unit_name(self, index: int) -> str:
        """The name of item index's unit on its due day."""
        item = self.items[index]
        return self.tree.name_on(item[7], item[6])

    def due_in(self, unit_id: int, first: date, last: date, *, every: bool = False) -> list[int]:
        """The indexes of the items due first..last that reached unit_id on their due day."""
        found = self._due.get((unit_id, every))
        if found is None:
            dues: list[date] = []
            indexes: list[int] = []
            for index, (assigned, below, due, required) in enumerate(self._reach):
                if not (every or required):
                    continue
                if assigned == unit_id or (below and unit_id in self.tree.below(assigned, due)):
                    dues.append(due)
                    indexes.append(index)
            found = self._due[(unit_id, every)] = (dues, indexes)
        dues, indexes = found
        return indexes[bisect_left(dues, first) : bisect_right(dues, last)]


class _Tree:
    """The unit tree over some days: who was under whom, and named what, on a given day."""

    def __init__(self, first: date, last: date) -> None:
        self.versions = read(TREE_VERSIONS, {"first": first, "last": last}).all()
        # The tree changes only on the days a version starts or the day after one ends: every
        # day between two such days has the same tree (one shape per "epoch").
        self._changes = sorted(
            {valid_from for _unit, _parent, _name, valid_from, _until in self.versions}
            | {
                until + timedelta(days=1)
                for _unit, _parent, _name, _from, until in self.versions
                if until is not None
            }
        )
        self._children: dict[int, dict[int, list[int]]] = {}
        self._below: dict[tuple[int, int], set[int]] = {}
        # Each unit's names, oldest first (the versions come ordered by their first day).
        self._names: dict[int, list[tuple[date, str]]] = defaultdict(list)
        for unit_id, _parent, name, valid_from, _until in self.versions:
            self._names[unit_id].append((valid_from, name))

    def children_on(self, day: date) -> dict[int, list[int]]:
        epoch = bisect_right(self._changes, day)
        found = self._children.get(epoch)
        if found is None:
            found = defaultdict(list)
            for unit_id, parent_id, _name, valid_from, valid_until in self.versions:
                if parent_id is not None and valid_from <= day <= (valid_until or date.max):
                    found[parent_id].append(unit_id)
            self._children[epoch] = found
        return found

    def below(self, unit_id: int, day: date) -> set[int]:
        """unit_id and every unit under it on day."""
        epoch = bisect_right(self._changes, day)
        found = self._below.get((unit_id, epoch))
        if found is None:
            found = self._below[(unit_id, epoch)] = units_below([unit_id], self.children_on(day))
        return found

    def name_on(self, unit_id: int, day: date) -> str:
        name = ""
        for valid_from, version_name in self._names.get(unit_id, ()):
            if valid_from > day:
                break
            name = version_name
        return name


def _categories() -> dict[int | None, int]:
    return {
        course_id: CATEGORY_INDEX[category]
        for course_id, category in read(_CATEGORIES)
        if category in CATEGORY_INDEX
    }


class Engine:
    """Figures over the days first..last: what every batch of one read shares (rule versions,
    assignments, course categories), and the per-batch reads."""

    def __init__(self, first: date, last: date, today: date) -> None:
        self.first, self.last, self.today = first, last, today
        # The rule book and the assignments (with the tree they reach through) are reference
        # data: read once per process while the database's stamp is unchanged (lms.reference).
        stamp = current_stamp()
        self.rules = remembered(stamp, ("rules",), RuleBook.load)
        self.requirements = remembered(
            stamp, ("requirements", first, last), lambda: _Requirements(first, last)
        )
        self._minutes: dict[tuple[str, date], int] = {}

    @cached_property
    def category_of(self) -> dict[int | None, int]:
        """Each course's category index, read with credits' course ids (or None): read when
        credits are first listed one by one (summed ones are counted by the database)."""
        # By the stamp of the moment it is read, not the engine's: the request may have written
        # courses since the engine was made.
        return remembered(current_stamp(), ("categories",), _categories)

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    def _bound(self, person_ids: list[int]) -> dict[str, object]:
        """The values of a statement built once over people and the days."""
        return {"ids": person_ids, "first": self.first, "last": self.last}

    # Per batch ---------------------------------------------------------------------------------

    def credits(
        self,
        person_ids: Collection[int],
        *,
        summed_only: Collection[int] = (),
        required: bool = True,
        tallied: Mapping[int, int] | None = None,
        courses: bool = True,
        earned: bool = True,
    ) -> dict[int, PersonCredits]:
        """Each person's credits within the days, and (with required) their completions of
        required courses. Without courses, the sums leave out the courses completed per
        category (left at zero); without earned, the credits are not read at all (none, as if
        nothing was earned: for the required items alone).

        People in summed_only (one membership covering all the days, minutes per tiết the same
        throughout: see `whole_period`) get only the sums, added up by the database; the others
        each credit, to cut by their memberships' days. People in tallied (person → the unit of
        that one membership; figures without items) get their required items counted by the
        database instead of their completions read (`_tallies`)."""
        found: dict[int, PersonCredits] = {}
        summed = [person_id for person_id in person_ids if person_id in summed_only]
        listed = [person_id for person_id in person_ids if person_id not in summed_only]
        if summed and earned:
            self._sum_credits(summed, found, courses=courses)
        if listed and earned:
            self._list_credits(listed, found)
        if required:
            tallied = tallied or {}
            self._completions([p for p in person_ids if p not in tallied], found)
            if tallied:
                self._tallies(tallied, found)
        return found

    def _sum_credits(
        self, person_ids: list[int], found: dict[int, PersonCredits], *, courses: bool = True
    ) -> None:
        """The sums of the people's credits within the days, per unit and course category, by
        the database, one row per person. SQLite sums NUMERIC as floats: the sums are read to
        the hundredth, exact for amounts of two places (a float's error is far smaller)."""
        statement = _SUMS if courses else _SUMS_OF_TOTALS
        rows = read(statement, self._bound(person_ids)).all()
        for person_id, tiet_sum, hour_sum, *packed, count in rows:
            person = found.get(person_id)
            if person is None:
                person = found[person_id] = PersonCredits()
            person.count += count
            person.tiet += _hundredths(tiet_sum)
            person.hours += _hundredths(hour_sum)
            if packed and packed[0]:
                bits, counts = int(packed[0]), person.courses
                for index in range(len(CATEGORIES)):
                    counts[index] += (bits >> (_CATEGORY_BITS * index)) & _CATEGORY_MASK

    def _list_credits(self, person_ids: list[int], found: dict[int, PersonCredits]) -> None:
        """Each of the people's credits within the days, by day, with their sums."""
        rows = read(_CREDITS, self._bound(person_ids)).all()
        category_of = self.category_of
        last_id = None
        person = PersonCredits()  # replaced at the first row
        days = Days()
        for person_id, text, unit, amount, course_id in rows:
            day = days[text]
            if person_id != last_id:  # a person's rows come together
                last_id = person_id
                if person_id not in found:
                    found[person_id] = PersonCredits()
                person = found[person_id]
            person.count += 1
            person.days.append(day)
            person.entries.append((day, unit, amount, course_id))
            if unit == CreditUnit.TIET:
                person.tiet += amount
                index = category_of.get(course_id)
                if index is not None and amount > 0:
                    person.courses[index] += 1
            else:
                person.hours += amount
        for person_id in person_ids:
            listed = found.get(person_id)
            if listed is None:
                continue
            credit_days = listed.days
            if any(credit_days[i] > credit_days[i + 1] for i in range(len(credit_days) - 1)):
                listed.entries.sort(key=lambda entry: entry[0])
                listed.days = [entry[0] for entry in listed.entries]

    def _completions(self, person_ids: list[int], found: dict[int, PersonCredits]) -> None:
        """The first day each person completed each required course, up to the days' last
        (required items look back before the days): one row per person and course."""
        required = self.requirements.required_courses
        if not required or not person_ids:
            return
        days = Days()
        for person_id, course_id, text in read(
            _COMPLETIONS, {**self._bound(person_ids), "courses": list(required)}
        ).all():
            person = found.get(person_id)
            if person is None:
                person = found[person_id] = PersonCredits()
            if course_id is not None:  # always: the query asks for required courses
                person.completed[course_id] = days[text]

    def _tallies(self, units: Mapping[int, int], found: dict[int, PersonCredits]) -> None:
        """For people each in one unit all the days (person → unit): how many required items
        fell due there, how many of them they completed by the last day and how many of the
        others are overdue today, counted by the database per unit, one row per person: what
        `_tally` makes of their completions, without reading them (a course assigned twice
        counts twice, as two items)."""
        by_unit: dict[int, list[int]] = defaultdict(list)
        for person_id, unit_id in units.items():
            by_unit[unit_id].append(person_id)
        items, today = self.requirements.items, self.today
        for unit_id, person_ids in by_unit.items():
            due = self.requirements.due_in(unit_id, self.first, self.last)
            weights: dict[int, int] = defaultdict(int)
            late_weights: dict[int, int] = defaultdict(int)
            for index in due:
                course_id, due_on = items[index][1], items[index][6]
                weights[course_id] += 1
                if item_state(due_on, None, today) == ItemState.OVERDUE:
                    late_weights[course_id] += 1
            overdue = sum(late_weights.values())
            counts: dict[int, tuple[int, int]] = {}
            if weights:
                # Courses by how many items name them: each course done counts that many times.
                groups = [
                    (kind, weight, tuple(c for c, w in found_weights.items() if w == weight))
                    for kind, found_weights in enumerate((weights, late_weights))
                    for weight in sorted(set(found_weights.values()))
                ]
                # One count per distinct set of courses (done and overdue name the same ones
                # once every item is past due), and no test for a set that is all of them.
                column_of: dict[tuple[int, ...], int] = {}
                for _kind, _weight, ids in groups:
                    column_of.setdefault(ids, len(column_of))
                sets = list(column_of)
                shape = tuple(len(ids) == len(weights) for ids in sets)
                values = {
                    **self._bound(person_ids),
                    "courses": list(weights),
                    **{f"set{i}": list(ids) for i, ids in enumerate(sets) if not shape[i]},
                }
                # in one fetch: row by row cost a driver call per person
                rows = read(_tally_counts(shape), values).all()
                columns = [(kind, weight, column_of[ids]) for kind, weight, ids in groups]
                for person_id, *numbers in rows:
                    sums = [0, 0]
                    for kind, weight, column in columns:
                        sums[kind] += weight * (numbers[column] or 0)
                    counts[person_id] = (sums[0], sums[1])
            for person_id in person_ids:
                person = found.get(person_id)
                if person is None:
                    person = found[person_id] = PersonCredits()
                done_count, done_late = counts.get(person_id, (0, 0))
                person.tally = (unit_id, len(due), done_count, overdue - done_late)

    def whole_period(self, people: Mapping[int, str], spans: Mapping[int, list[Span]]) -> set[int]:
        """The people (id → kind) whose figures are their one membership's over all the days,
        with the same minutes per tiết throughout: their credits need only be summed."""
        return {
            person_id
            for person_id, kind in people.items()
            if len(found := spans.get(person_id, [])) == 1
            and found[0].first == self.first
            and found[0].last == self.last
            and self.rules.constant_minutes(kind) is not None
        }

    @staticmethod
    def units_of(people: Collection[int], spans: Mapping[int, list[Span]]) -> dict[int, int]:
        """The unit of each of people's one membership (people of `whole_period`): whose
        required items `credits` may count by the database (figures without items)."""
        return {
            person_id: unit_id
            for person_id in people
            if (unit_id := spans[person_id][0].unit_id) is not None
        }

    def memberships(self, person_ids: Collection[int]) -> dict[int, list[Span]]:
        """Each person's memberships within the days, cut to them, in order."""
        return self.spans(read(_MEMBERSHIPS, self._bound(list(person_ids))).all())

    def spans(self, rows: Iterable[Sequence[Any]]) -> dict[int, list[Span]]:
        """What `memberships` makes of its rows, from rows another statement read along with
        its own: (person, unit, first day, last day or None, as `unparsed` reads them) of the
        memberships holding on some of the days, a person's together and by first day."""
        spans: dict[int, list[Span]] = defaultdict(list)
        first, last = self.first, self.last
        days = Days()
        for person_id, unit_id, since, until in rows:
            valid_from = days[since]
            valid_until = days[until] if until is not None else last
            spans[person_id].append(
                Span(
                    person_id,
                    unit_id,
                    valid_from if valid_from > first else first,
                    valid_until if valid_until < last else last,
                )
            )
        return spans

    # Figures -----------------------------------------------------------------------------------

    def minutes_on(self, kind: str, day: date) -> int:
        key = (kind, day)
        found = self._minutes.get(key)
        if found is None:
            found = self._minutes[key] = self.rules.minutes_on(kind, day)
        return found

    def figures(
        self,
        span: Span,
        kind: str,
        credits: PersonCredits | None,
        *,
        items: bool = False,
        done_by: date | None = None,
        required: bool = True,
    ) -> Figures:
        """The figures of one person over the span's days (within the engine's days).

        A required item due in the span is done when its course was completed by the span's
        last day, or by done_by (a person's own figures: by their last day in the period).
        Without required, the required items are left out (counted as none)."""
        first, last = max(span.first, self.first), min(span.last, self.last)
        result = Figures(target=self.rules.target(kind, first, last) if first <= last else None)
        credits = credits or NO_CREDITS
        if first > last:
            return result
        constant = self.rules.constant_minutes(kind)
        if credits.count and first == self.first and last == self.last and constant is not None:
            # All their credits, summed while they were read.
            result.course_tiet, result.activity_hours = credits.tiet, credits.hours
            result.courses = list(credits.courses)
            # Most people have credits of one unit only: nothing of the other to convert.
            tiet, hours = credits.tiet, credits.hours
            result.exact_tiet = tiet + to_unit(hours, HOUR, TIET, constant) if hours else tiet
            result.exact_hours = hours + to_unit(tiet, TIET, HOUR, constant) if tiet else hours
        elif credits.days:
            start = bisect_left(credits.days, first)
            stop = bisect_right(credits.days, last)
            if start < stop:
                self._add_credits(result, kind, credits.entries[start:stop])
        if required and span.unit_id is not None:
            tally = credits.tally
            if (
                tally is not None
                and not items
                and tally[0] == span.unit_id
                and (first, last, done_by or last) == (self.first, self.last, self.last)
            ):
                result.required_total += tally[1]
                result.required_done += tally[2]
                result.required_late += tally[3]
            else:
                self._add_required(
                    result, span.unit_id, first, last, credits.completed, items, done_by or last
                )
        return result

    def _add_credits(
        self, result: Figures, kind: str, entries: Iterable[tuple[date, str, Decimal, int | None]]
    ) -> None:
        course_tiet = activity_hours = earned_tiet = earned_hours = ZERO
        category_of, courses = self.category_of, result.courses
        # Usually every version of a kind's rule has the same minutes per tiết: then the sums
        # convert once at the end rather than credit by credit.
        constant = self.rules.constant_minutes(kind)
        for day, unit, amount, course_id in entries:
            if unit == CreditUnit.TIET:
                course_tiet += amount
                if constant is None:
                    earned_hours += to_unit(amount, TIET, HOUR, self.minutes_on(kind, day))
                index = category_of.get(course_id)
                if index is not None and amount > 0:
                    courses[index] += 1
            else:
                activity_hours += amount
                if constant is None:
                    earned_tiet += to_unit(amount, HOUR, TIET, self.minutes_on(kind, day))
        if constant is None:
            earned_tiet += course_tiet
            earned_hours += activity_hours
        else:
            earned_tiet = course_tiet + to_unit(activity_hours, HOUR, TIET, constant)
            earned_hours = activity_hours + to_unit(course_tiet, TIET, HOUR, constant)
        result.course_tiet += course_tiet
        result.activity_hours += activity_hours
        result.exact_tiet += earned_tiet
        result.exact_hours += earned_hours

    def _add_required(
        self,
        result: Figures,
        unit_id: int,
        first: date,
        last: date,
        completed: Mapping[int, date],
        items: bool,
        done_by: date,
    ) -> None:
        requirements = self.requirements
        if items:
            result.items = []
            for index in requirements.due_in(unit_id, first, last, every=True):
                item = requirements.items[index]
                done = completed.get(item[1])
                done = done if done is not None and done <= done_by else None
                state = item_state(item[6], done, self.today)
                result.items.append(AssignedItem(*item, requirements.unit_name(index), state, done))
                if item[5] == AssignmentKind.REQUIRED:
                    result.required_total += 1
                    result.required_done += done is not None
            return
        due = requirements.due_in(unit_id, first, last)
        result.required_total += len(due)
        done_count, late_count = self._tally(due, completed, done_by)
        result.required_done += done_count
        result.required_late += late_count

    def _tally(self, due: list[int], completed: Mapping[int, date], by: date) -> tuple[int, int]:
        """How many of the items due were completed by the day by, and how many of the others
        are overdue today (the state an item would show: `item_state`), in one pass."""
        items, today = self.requirements.items, self.today
        done = late = 0
        for index in due:
            item = items[index]
            day = completed.get(item[1]) if completed else None
            if day is not None and day <= by:
                done += 1
            elif item_state(item[6], None, today) == ItemState.OVERDUE:
                late += 1
        return done, late

    def person(
        self,
        kind: str,
        spans: Iterable[Span],
        credits: PersonCredits | None,
        *,
        items: bool = False,
        parts: dict[Span, Figures] | None = None,
        required: bool = True,
    ) -> Figures:
        """A person's figures over the engine's days: their memberships' figures added up, and
        the credits of days in no membership (theirs, though no unit's). With parts, each
        membership's own figures are kept there too (a roster row reuses them). Without
        required, the required items are left out (the credits were read without them)."""
        credits = credits or NO_CREDITS
        spans = list(spans)
        if len(spans) == 1 and not credits.entries:
            # Most people: one membership, and their credits summed (or none), so no credit
            # of a day outside it. Its figures are theirs, as the loop below would find; a
            # dashboard ranking 500 people saves the loop's work for each.
            span = spans[0]
            figures = self.figures(
                span,
                kind,
                credits,
                items=items,
                done_by=min(span.last, self.last) if items else None,
                required=required,
            )
            if parts is not None:
                parts[span] = figures
            return figures
        inside = 0
        figures_of = []
        # A required item is the person's when it fell due in a membership; done when they
        # completed it by their last day in the period, even after moving to another unit.
        person_last = (
            min(spans[-1].last, self.last)
            if len(spans) == 1
            else max((min(s.last, self.last) for s in spans), default=self.last)
        )
        for span in spans:
            figures = self.figures(
                span,
                kind,
                credits,
                items=items,
                done_by=person_last if items else None,
                required=required,
            )
            if parts is not None:
                parts[span] = figures
            figures_of.append(figures)
            if credits.days:
                inside += bisect_right(credits.days, min(span.last, self.last)) - bisect_left(
                    credits.days, max(span.first, self.first)
                )
        loose = len(credits.entries) - inside  # summed-only people: none by definition
        if len(spans) == 1 and not loose:
            return figures_of[0]  # most people: one membership holds all their days
        covered = tuple((max(s.first, self.first), min(s.last, self.last)) for s in spans)
        total = Figures(
            target=self.rules.target_of(kind, covered) if covered else None,
            items=[] if items else None,
        )
        for figures in figures_of:
            total.add(figures)
        if required and not items and credits.completed:
            # The rows counted what was done by their own last day; the person, by theirs.
            for span in spans:
                first, last = max(span.first, self.first), min(span.last, self.last)
                if span.unit_id is not None and first <= last < person_last:
                    due = self.requirements.due_in(span.unit_id, first, last)
                    done_then, late_then = self._tally(due, credits.completed, person_last)
                    done_there, late_there = self._tally(due, credits.completed, last)
                    total.required_done += done_then - done_there
                    total.required_late += late_then - late_there
        if loose:
            self._add_credits(
                total,
                kind,
                [e for e in credits.entries if not any(a <= e[0] <= b for a, b in covered)],
            )
        if total.items:
            total.items.sort(key=lambda item: (item.due_on, item.assignment_id))
        return total


# Whole reads for the pages that show a few people -------------------------------------------


def people_figures(
    people: Mapping[int, str],
    first: date,
    last: date,
    today: date,
    *,
    items: bool = False,
    engine: Engine | None = None,
    memberships: Mapping[int, list[Span]] | None = None,
    required: bool = True,
    courses: bool = True,
    earned: bool = True,
    tallies: bool = True,
) -> dict[int, Figures]:
    """Each person's figures over first..last (id → employment kind), in a few queries: the
    credits of people in one unit all along summed by the database. memberships: the people's
    (`Engine.memberships`, or `Engine.spans` of rows read along), when the caller has them.
    Without required, the figures leave required items out and cost no query for them (a sort
    by tiết needs none); without courses, the courses completed per category may be left at
    zero (nor does it); without earned, the tiết and hours are left at zero and no credit is
    read (a sort by overdue items needs only those).

    Without items, the required items of people in one unit all along are counted by the
    database, a query per unit with items due (`Engine._tallies`: many people in a few units);
    without tallies, from their completions, read in one query (people in many units)."""
    engine = engine or Engine(first, last, today)
    ids = list(people)
    if not ids:
        return {}
    if memberships is None:
        memberships = engine.memberships(ids)
    whole = engine.whole_period(people, memberships)
    credits = engine.credits(
        ids,
        summed_only=whole,
        required=required,
        tallied=engine.units_of(whole, memberships) if tallies and not items else None,
        courses=courses,
        earned=earned,
    )
    return {
        person_id: engine.person(
            kind,
            memberships.get(person_id, ()),
            credits.get(person_id),
            items=items,
            required=required,
        )
        for person_id, kind in people.items()
    }


def year_figures(
    people: Mapping[int, str], year: int, today: date, *, items: bool = False
) -> dict[int, Figures]:
    """Each person's figures for a calendar year."""
    return people_figures(people, date(year, 1, 1), date(year, 12, 31), today, items=items)
