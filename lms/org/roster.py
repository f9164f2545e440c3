"""Who a roster holds: the memberships of a unit's tree (or the whole organisation) over a
period, as the tree was on each day, cut to the days a viewer reaches, in roster order (units
in tree order, then Vietnamese name order).

The figures of these people are read above (lms.reports.queries); this is only who and when,
so that any page listing "the people of this unit over these days" lists the roster's people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, Select, and_, case, literal, or_, select

from lms.accounts.models import Person
from lms.db import Days, among, contains, db, overlapping, read, unparsed
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import TreeNode, unit_tree
from lms.org.scope import scope_of
from lms.reference import current_stamp, remembered
from lms.text import fold


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))


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


def overlaps(model: type[Membership] | type[UnitVersion], period: Period) -> ColumnElement[bool]:
    return overlapping(model, period.first, period.last)


def tree_order(period: Period) -> dict[int, int]:
    """Each unit's place in the tree as it stood on the period's last day (closed units too),
    read once per process while the reference stamp is unchanged (lms.reference)."""
    return remembered(current_stamp(), ("tree order", period.last), lambda: _tree_order(period))


def _tree_order(period: Period) -> dict[int, int]:
    order: dict[int, int] = {}

    def walk(nodes: Iterable[TreeNode]) -> None:
        for node in nodes:
            order.setdefault(node.unit_id, len(order))
            walk(node.children)

    walk(unit_tree(period.last, include_closed=True, count_members=False))
    return order


def name_on(names: dict[int, dict[date, str]], codes: dict[int, str], uid: int, day: date) -> str:
    """The unit's name on day, from its versions that overlap the period."""
    found = [name for start, name in sorted(names.get(uid, {}).items()) if start <= day]
    return found[-1] if found else codes.get(uid, "")


@dataclass(frozen=True)
class Selection:
    """Who a roster may hold, before anyone is read: the ordered query over memberships and how
    a row of it becomes members. Shared by the three ways to read a roster (lms.reports) and
    the list of people a criteria set's points are entered for (lms.awards)."""

    agency_name: str
    unit_code: str
    names: dict[int, dict[date, str]]
    in_tree: dict[int, list[tuple[date, date]]] | None
    ranks: dict[int, int]
    in_scope: ColumnElement[bool]
    folded: str
    query: Select
    ordering: tuple[Any, ...]
    members_of: Callable[[Row], list[Member]]


def _unit_names(
    period: Period,
) -> tuple[dict[int, dict[date, str]], dict[int, str], dict[int, int | None]]:
    """Each unit's names over the period (by the day each took effect), its code, and its
    last parent in the period: shared by the requests that read the same stamp, never changed."""
    names: dict[int, dict[date, str]] = defaultdict(dict)
    codes: dict[int, str] = {}
    last_parent: dict[int, int | None] = {}
    for uid, code, name, parent_id, valid_from in read(
        select(
            UnitVersion.unit_id,
            Unit.code,
            UnitVersion.name,
            UnitVersion.parent_id,
            UnitVersion.valid_from,
        )
        .join(Unit, Unit.id == UnitVersion.unit_id)
        .where(overlaps(UnitVersion, period))
        .order_by(UnitVersion.valid_from)
    ):
        names[uid][valid_from] = name
        codes[uid] = code
        last_parent[uid] = parent_id
    return dict(names), codes, last_parent


def unit_names_over(
    period: Period,
) -> tuple[dict[int, dict[date, str]], dict[int, str], dict[int, int | None]]:
    """Each unit's names over the period, its code and its last parent (`_unit_names`): read
    once per reference stamp, and shared by the requests that read by it."""
    return remembered(current_stamp(), ("unit names", period), lambda: _unit_names(period))


def selection(
    period: Period, today: date, *, unit_id: int | None, search: str, viewer: Person | None
) -> Selection:
    """Units in tree order, then people in Vietnamese name order; only the days viewer reaches
    (`lms.org.scope`; None, the operator's commands: everyone)."""
    names, codes, last_parent = unit_names_over(period)
    # A unit's roster holds each unit for the days it was in the sub-tree, as the tree was then.
    reach = scope_of(viewer, period.first, period.last, today, reading=True, unit_id=unit_id)
    in_tree = reach.units
    top: int | None
    if in_tree is not None:
        scope = set(in_tree)
        top = unit_id
    else:
        scope = set(names)
        top = next((uid for uid, parent in last_parent.items() if parent is None), None)
    agency_name = name_on(names, codes, top, period.last) if top is not None else ""
    order = tree_order(period)

    # One rank per unit (tree order, then code), so that the database sorts the roster itself.
    ranked = sorted(scope, key=lambda uid: (order.get(uid, len(order)), codes.get(uid, "")))
    ranks = {uid: rank for rank, uid in enumerate(ranked)}
    rank = case(ranks, value=Membership.unit_id, else_=len(ranks)) if ranks else literal(0)
    whole_period = [(period.first, period.last)]
    partial = {uid: spans for uid, spans in (in_tree or {}).items() if spans != whole_period}
    in_scope: ColumnElement[bool] = Membership.unit_id.in_(scope - set(partial))
    if partial:
        in_scope = or_(
            in_scope,
            *[
                and_(
                    Membership.unit_id == uid,
                    or_(*[overlaps(Membership, Period(a, b)) for a, b in spans]),
                )
                for uid, spans in partial.items()
            ],
        )
    query = (
        select(
            Person.id,
            Person.full_name,
            unparsed(Person.date_of_birth),
            Person.position,
            Person.is_active,
            Person.employment_kind,
            Membership.unit_id,
            unparsed(Membership.valid_from),
            unparsed(Membership.valid_until),
        )
        .join(Membership, Membership.person_id == Person.id)
        .where(in_scope, overlaps(Membership, period))
    )
    if reach.few_units:
        # Implied by the join, and so the same rows: a few units' people looked up by id on
        # PostgreSQL, not found by a scan of everyone (`among`).
        members = select(Membership.person_id).where(in_scope, overlaps(Membership, period))
        query = query.where(among(Person.id, members))
    folded = fold(search)
    if folded:
        query = query.where(contains(Person.search_name, folded))
    ordering = (rank, Person.sort_key, Person.id, Membership.valid_from)

    days = Days()

    def members_of(row: Row) -> list[Member]:
        """The row's membership cut to the period (and to the days its unit was in the
        sub-tree): usually one member, none or several when the unit moved in and out."""
        (person_id, full_name, born, position, active, kind, uid, since, until) = row
        born = days[born] if born is not None else None
        since, until = days[since], days[until] if until is not None else period.last
        since = since if since > period.first else period.first
        until = until if until < period.last else period.last
        spans = [(since, until)]
        if uid in partial:
            spans = [
                (max(a, since), min(b, until)) for a, b in partial[uid] if a <= until and b >= since
            ]
        rank = ranks.get(uid, len(ranks))
        code = codes.get(uid, "")
        # Positional: called for every row of a whole-organisation download.
        return [
            Member(rank, code, person_id, a, b, uid, full_name, born, position, active, kind)
            for a, b in spans
        ]

    code = codes.get(unit_id, "") if unit_id else codes.get(top, "") if top else ""
    return Selection(
        agency_name,
        code,
        dict(names),
        in_tree,
        ranks,
        in_scope,
        folded,
        query,
        ordering,
        members_of,
    )


def members_in(selected: Selection) -> list[Member]:
    """Everyone selected, in roster order: one member per membership and span of days."""
    found = db.session.execute(selected.query.order_by(*selected.ordering))
    return [member for row in found for member in selected.members_of(row)]
