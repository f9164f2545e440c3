"""Reads of the organisation tree as it stood on a given day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Date, Select, and_, bindparam, false, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement, Subquery
from werkzeug.exceptions import NotFound

from lms.accounts.models import Person
from lms.agency.models import AgencyProfileRecord
from lms.db import contains, db, parse_id, read, valid_on
from lms.i18n import local_today
from lms.org.models import Membership, Unit, UnitKind, UnitVersion
from lms.pagination import Page, paginate
from lms.reference import current_stamp, remembered
from lms.text import collation_key, fold


def _version_on(day: date) -> ColumnElement[bool]:
    return valid_on(UnitVersion, day)


def subtree_unit_ids(root_ids: Iterable[int], day: date) -> set[int]:
    """Return the given units and every unit below them in the tree as it was on day."""
    roots = list(root_ids)
    if not roots:
        return set()
    tree = select(Unit.id.label("id")).where(Unit.id.in_(roots)).cte("tree", recursive=True)
    tree = tree.union(
        select(UnitVersion.unit_id).where(UnitVersion.parent_id == tree.c.id, _version_on(day))
    )
    return set(db.session.scalars(select(tree.c.id)))


@dataclass(frozen=True)
class UnitOnDay:
    unit_id: int
    code: str
    name: str
    parent_id: int | None


def units_below(root_ids: Iterable[int], children: Mapping[int, Iterable[int]]) -> set[int]:
    """Return the roots and every unit under them in a map of each unit's children."""
    seen = set(root_ids)
    stack = list(seen)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


Days = list[tuple[date, date]]


# The unit versions in force on some day of first..last, {"first": …, "last": …} when run,
# oldest first: (unit id, parent id, name, valid from, valid until). Built once: every access
# check of a manager and every page with figures reads the tree (composing the statement cost
# as much as running it); the progress engine reads its tree with it too.
TREE_VERSIONS = (
    select(
        UnitVersion.unit_id,
        UnitVersion.parent_id,
        UnitVersion.name,
        UnitVersion.valid_from,
        UnitVersion.valid_until,
    )
    .where(
        UnitVersion.valid_from <= bindparam("last", type_=Date),
        or_(
            UnitVersion.valid_until.is_(None),
            UnitVersion.valid_until >= bindparam("first", type_=Date),
        ),
    )
    .order_by(UnitVersion.valid_from)
)


def tree_over(first: date, last: date) -> TreeOverTime:
    """The unit tree over first..last, read once per process while the reference stamp is
    unchanged (lms.reference): every access check of a manager reads it, some twice."""
    return remembered(current_stamp(), ("tree", first, last), lambda: TreeOverTime(first, last))


class TreeOverTime:
    """The unit tree over a window of days, read once: which units stood under which, when.
    Shared by the requests that read the same stamp (`tree_over`): worked out, never changed."""

    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, last
        self.versions = read(TREE_VERSIONS, {"first": first, "last": last}).all()
        self._shapes: dict[tuple[date, date], list[tuple[date, date, dict[int, list[int]]]]] = {}

    def _shapes_within(
        self, first: date, last: date
    ) -> list[tuple[date, date, dict[int, list[int]]]]:
        """The tree's shapes within first..last: (start, end, children) for each stretch of
        days it did not change (it changes only when a version starts or after one ends)."""
        key = (first, last)
        if key not in self._shapes:
            cuts = {first}
            for _unit, _parent, _name, valid_from, valid_until in self.versions:
                if first < valid_from <= last:
                    cuts.add(valid_from)
                if valid_until is not None and first <= valid_until < last:
                    cuts.add(valid_until + timedelta(days=1))
            starts = sorted(cuts)
            shapes = []
            for index, start in enumerate(starts):
                end = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else last
                children: dict[int, list[int]] = {}
                for unit_id, parent_id, _name, valid_from, valid_until in self.versions:
                    if valid_from <= start and (valid_until is None or valid_until >= start):
                        children.setdefault(unit_id, [])
                        if parent_id is not None:
                            children.setdefault(parent_id, []).append(unit_id)
                shapes.append((start, end, children))
            self._shapes[key] = shapes
        return self._shapes[key]

    def days_under(
        self, root_id: int, first: date | None = None, last: date | None = None
    ) -> dict[int, Days]:
        """For each unit, the days within first..last (the whole window by default) it was
        root_id or under it, as the tree was on each of those days (a unit moved out of the
        sub-tree mid-year keeps only its days in it)."""
        first = max(first or self.first, self.first)
        last = min(last or self.last, self.last)
        days: dict[int, Days] = {}
        if first > last:
            return days
        for start, end, children in self._shapes_within(first, last):
            if root_id not in children:
                continue  # the root did not exist then
            for unit_id in units_below([root_id], children):
                add_days(days.setdefault(unit_id, []), start, end)
        return days


def add_days(spans: Days, start: date, end: date) -> None:
    """Add start..end to spans (kept in order, joined where they touch)."""
    if spans and spans[-1][1] >= start - timedelta(days=1):
        spans[-1] = (spans[-1][0], max(spans[-1][1], end))
    else:
        spans.append((start, end))


def unit_named(text: str) -> int | None:
    """The id of the unit text names (a page's ?unit=), None when text is empty; a value that
    names no unit is a 404 ("²".isdigit() is true, but parse_id refuses it)."""
    if not text:
        return None
    unit_id = parse_id(text)
    if unit_id is None or db.session.get(Unit, unit_id) is None:
        raise NotFound()
    return unit_id


def agency_unit_name(day: date | ColumnElement[date]) -> Select[str]:
    """SQL: the name the agency's top unit had on day (a date, or a bound parameter in a
    statement built once); it changed with the 2025 reorganisation."""
    return (
        select(UnitVersion.name)
        .join(Unit, Unit.id == UnitVersion.unit_id)
        .where(
            Unit.kind == UnitKind.AGENCY,
            UnitVersion.parent_id.is_(None),
            valid_on(UnitVersion, day),
        )
        .order_by(Unit.valid_from, Unit.id)
        .limit(1)
    )


def agency_unit_name_on(day: date) -> str | None:
    """The name the agency's top unit had on day."""
    return db.session.scalar(agency_unit_name(day))


@cache
def _agency_name() -> Select[str]:
    named = select(AgencyProfileRecord.agency_name).where(AgencyProfileRecord.agency_name != "")
    unit_named = agency_unit_name(bindparam("today", type_=Date)).scalar_subquery()
    return select(func.coalesce(named.scalar_subquery(), unit_named, ""))


def agency_name_today() -> str:
    """The agency as the pages name it today: the name its profile sets, else its top unit's
    name today ("" before either exists). Data, not a constant: the agency was renamed, and
    moved province, in 2025. Read once per reference stamp (`lms.reference`): the sign-in
    reads the stamp anyway; a visitor's page reads it with a statement of its own (and the
    name too, the first time after a change)."""
    day = local_today()
    return remembered(
        current_stamp(),
        ("agency name", day),
        lambda: read(_agency_name(), {"today": day}).scalar() or "",
    )


def unit_on(unit_id: int, day: date) -> UnitOnDay | None:
    """Return the unit's code, name and parent as they were on day, or None if it did not exist."""
    row = db.session.execute(
        select(Unit.id, Unit.code, UnitVersion.name, UnitVersion.parent_id)
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .where(Unit.id == unit_id, _version_on(day))
    ).first()
    return UnitOnDay(*row) if row else None


@cache
def _unit_of_person_on() -> Select[int, str, str, int | None]:
    """The unit of a person's membership on a day, as named then: one statement, built once
    (on first use, when every model is mapped), for the pages that ask where one person was on
    a day. Plain columns: no membership entity to load and track (no caller reads it)."""
    day = bindparam("day", type_=Date)
    return (
        select(Unit.id, Unit.code, UnitVersion.name, UnitVersion.parent_id)
        .join(Membership, Membership.unit_id == Unit.id)
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .where(
            Membership.person_id == bindparam("person_id"),
            valid_on(Membership, day),
            valid_on(UnitVersion, day),
        )
        .limit(1)
    )


def unit_of_person_on(person_id: int, day: date) -> UnitOnDay | None:
    """Answer "which unit was this person in on day, and what was it called then?"."""
    row = read(_unit_of_person_on(), {"person_id": person_id, "day": day}).first()
    return UnitOnDay(*row) if row else None


KIND_ORDER = {kind: rank for rank, kind in enumerate(UnitKind)}


@dataclass
class TreeNode:
    """A unit as it stood on a day, with its sub-units then."""

    unit_id: int
    code: str
    kind: UnitKind
    name: str
    parent_id: int | None
    valid_from: date
    valid_until: date | None
    successor_id: int | None
    members: int
    is_closed: bool
    children: list[TreeNode] = field(default_factory=list)


def _members_per_unit(day: date | None) -> Subquery:
    """Members per unit on day; with no day, an empty count (see unit_tree)."""
    counted = select(Membership.unit_id, func.count(Membership.id).label("n"))
    if day is None:
        return counted.where(false()).group_by(Membership.unit_id).subquery()
    return counted.where(valid_on(Membership, day)).group_by(Membership.unit_id).subquery()


def unit_tree(
    day: date, *, include_closed: bool = False, count_members: bool = True
) -> list[TreeNode]:
    """Return the top units of the tree as it stood on day, each with its sub-units then.

    A unit closed by day (shown only with include_closed) appears under its last parent with
    its last name. Without count_members, members is 0: counting them reads every membership,
    which a caller wanting only the shape of the tree need not pay for.
    """
    members = _members_per_unit(day if count_members else None)
    closed_before = and_(Unit.valid_until.is_not(None), Unit.valid_until < day)
    last_version = and_(closed_before, UnitVersion.valid_until == Unit.valid_until)
    query = (
        select(
            Unit.id,
            Unit.code,
            Unit.kind,
            UnitVersion.name,
            UnitVersion.parent_id,
            Unit.valid_from,
            Unit.valid_until,
            Unit.successor_id,
            func.coalesce(members.c.n, 0),
            closed_before,
        )
        .join(
            UnitVersion,
            and_(
                UnitVersion.unit_id == Unit.id,
                or_(valid_on(UnitVersion, day), last_version)
                if include_closed
                else valid_on(UnitVersion, day),
            ),
        )
        .outerjoin(members, members.c.unit_id == Unit.id)
        .where(Unit.valid_from <= day)
    )
    nodes = {
        unit_id: TreeNode(
            unit_id,
            code,
            kind,
            name,
            parent_id,
            valid_from,
            valid_until,
            successor_id,
            members=count,
            is_closed=bool(closed),
        )
        for (
            unit_id,
            code,
            kind,
            name,
            parent_id,
            valid_from,
            valid_until,
            successor_id,
            count,
            closed,
        ) in read(query)
    }
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        (parent.children if parent else roots).append(node)

    def order(node: TreeNode) -> tuple[bool, int, str, str]:
        kind_rank = KIND_ORDER.get(node.kind, len(KIND_ORDER))
        return (node.is_closed, kind_rank, collation_key(node.name), node.code)

    for node in nodes.values():
        node.children.sort(key=order)
    roots.sort(key=order)
    return roots


@dataclass(frozen=True)
class UnitChoice:
    unit_id: int
    code: str
    name: str


def unit_choices(day: date) -> list[UnitChoice]:
    """Return the units open on day, with their names then, for choosing one in a form."""
    rows = db.session.execute(
        select(Unit.id, Unit.code, UnitVersion.name)
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .where(valid_on(Unit, day), valid_on(UnitVersion, day))
    )
    choices = [UnitChoice(*row) for row in rows]
    return sorted(choices, key=lambda choice: (collation_key(choice.name), choice.code))


@dataclass(frozen=True)
class VersionRow:
    """One span of a unit's history: its name and parent from one day until another."""

    name: str
    valid_from: date
    valid_until: date | None
    parent_id: int | None
    parent_code: str | None
    parent_name: str | None


@dataclass(frozen=True)
class UnitLink:
    unit_id: int
    code: str
    name: str
    valid_until: date | None = None


@dataclass(frozen=True)
class MembershipRow:
    membership_id: int
    person_id: int
    username: str
    full_name: str
    position: str | None
    valid_from: date
    valid_until: date | None
    is_active: bool


@dataclass(frozen=True)
class UnitDetail:
    unit: Unit
    name: str
    history: list[VersionRow]
    successor: UnitLink | None
    predecessors: list[UnitLink]
    members: list[MembershipRow]


def unit_history(unit_id: int) -> list[VersionRow]:
    """Return every version of the unit, oldest first, with its parent's name at the start."""
    parent = aliased(Unit)
    parent_version = aliased(UnitVersion)
    rows = db.session.execute(
        select(
            UnitVersion.name,
            UnitVersion.valid_from,
            UnitVersion.valid_until,
            UnitVersion.parent_id,
            parent.code,
            parent_version.name,
        )
        .outerjoin(parent, parent.id == UnitVersion.parent_id)
        .outerjoin(
            parent_version,
            and_(
                parent_version.unit_id == UnitVersion.parent_id,
                parent_version.valid_from <= UnitVersion.valid_from,
                or_(
                    parent_version.valid_until.is_(None),
                    parent_version.valid_until >= UnitVersion.valid_from,
                ),
            ),
        )
        .where(UnitVersion.unit_id == unit_id)
        .order_by(UnitVersion.valid_from)
    )
    return [VersionRow(*row) for row in rows]


def _last_names(unit_filter: ColumnElement[bool]) -> list[UnitLink]:
    """Return units matching unit_filter with the last name each had."""
    latest = (
        select(UnitVersion.unit_id, func.max(UnitVersion.valid_from).label("valid_from"))
        .group_by(UnitVersion.unit_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Unit.id, Unit.code, UnitVersion.name, Unit.valid_until)
        .join(latest, latest.c.unit_id == Unit.id)
        .join(
            UnitVersion,
            and_(UnitVersion.unit_id == Unit.id, UnitVersion.valid_from == latest.c.valid_from),
        )
        .where(unit_filter)
        .order_by(Unit.valid_until, Unit.code)
    )
    return [UnitLink(*row) for row in rows]


def unit_members_from(unit_id: int, day: date) -> list[MembershipRow]:
    """Return the unit's own memberships lasting until day or later, in Vietnamese name order."""
    rows = db.session.execute(
        select(
            Membership.id,
            Person.id,
            Person.username,
            Person.full_name,
            Person.position,
            Membership.valid_from,
            Membership.valid_until,
            Person.is_active,
        )
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.unit_id == unit_id,
            or_(Membership.valid_until.is_(None), Membership.valid_until >= day),
        )
        .order_by(Person.sort_key, Person.id, Membership.valid_from)
    )
    return [MembershipRow(*row) for row in rows]


def unit_detail(unit_id: int, today: date) -> UnitDetail | None:
    """Return what the unit page shows: facts, history, successor, predecessors, members."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        return None
    history = unit_history(unit_id)
    successor = None
    if unit.successor_id is not None:
        found = _last_names(Unit.id == unit.successor_id)
        successor = found[0] if found else None
    return UnitDetail(
        unit=unit,
        name=history[-1].name if history else unit.code,
        history=history,
        successor=successor,
        predecessors=_last_names(Unit.successor_id == unit_id),
        members=unit_members_from(unit_id, today),
    )


@dataclass(frozen=True)
class MemberRow:
    """A person who was a member of a unit (or one below it) on a day, with the unit's name then."""

    person_id: int
    username: str
    full_name: str
    position: str | None
    is_active: bool
    unit_id: int
    unit_code: str
    unit_name: str
    since: date
    until: date | None


MEMBERS_PER_PAGE = 25


def members_on(unit_id: int, day: date, *, search: str = "", page: int = 1) -> Page[MemberRow]:
    """Return one page of the people in the unit and its sub-units on day, in name order."""
    unit_ids = subtree_unit_ids([unit_id], day)
    query = (
        select(
            Person.id,
            Person.username,
            Person.full_name,
            Person.position,
            Person.is_active,
            Unit.id,
            Unit.code,
            UnitVersion.name,
            Membership.valid_from,
            Membership.valid_until,
        )
        .join(Membership, Membership.person_id == Person.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .join(UnitVersion, and_(UnitVersion.unit_id == Unit.id, valid_on(UnitVersion, day)))
        .where(Membership.unit_id.in_(unit_ids), valid_on(Membership, day))
        .order_by(Person.sort_key, Person.id)
    )
    folded = fold(search)
    if folded:
        query = query.where(contains(Person.search_name, folded))
    found = paginate(query, page=page, per_page=MEMBERS_PER_PAGE, scalars=False)
    return replace(found, items=[MemberRow(*row) for row in found.items])
