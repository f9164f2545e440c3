"""Whose records a person may reach, and on which days: the one place that decides it.

A manager reaches a person on a day when, that day, the person was a member of a unit that
stood at or under the unit of one of the manager's grants (the tree as it was that day), and
the grant was in force that day. Only grants in force today reach anyone: a former head's reach
ends with their grant, and a new head sees their people from the first day of their grant.

HCTH and administrators read everyone; administrators also decide for anyone. Every plan,
evidence, decision, verification, dashboard, roster and API path asks here, and so does the
choice of whom to notify (`managers_of`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, TypeAlias

from flask import has_request_context, request
from flask_login import AnonymousUserMixin
from sqlalchemy import Date, bindparam, inspect, or_, select

from lms.accounts.models import Person, RoleGrant
from lms.db import db, read
from lms.org.models import Membership
from lms.org.queries import Days, TreeOverTime, add_days, tree_over
from lms.roles import Permission, Role

# Who asks: a signed-in person or an anonymous visitor (Flask-Login's current_user).
User: TypeAlias = Person | AnonymousUserMixin

UnitDays = dict[int, Days]


class MemberSpan(NamedTuple):
    """Part of a person's membership: in unit_id from starts_on to ends_on (inclusive)."""

    unit_id: int
    starts_on: date
    ends_on: date


class GrantSpan(NamedTuple):
    person_id: int
    unit_id: int
    valid_from: date
    valid_until: date | None


def intersect(spans: Days, others: Days) -> Days:
    """The days in both lists (each in order, not overlapping itself)."""
    found: Days = []
    for a, b in spans:
        for c, d in others:
            start, end = max(a, c), min(b, d)
            if start <= end:
                found.append((start, end))
    return sorted(found)


def _merged(spans: Iterable[tuple[date, date]]) -> Days:
    joined: Days = []
    for start, end in sorted(spans):
        add_days(joined, start, end)
    return joined


# A reach of this many units at most is a division and its teams: a few hundred people, few
# enough to look up one by one in an index (`lms.db.among` of a statement). The agency's
# hundred units are ten thousand people, read faster in bulk.
FEW_UNITS = 8


@dataclass(frozen=True)
class Scope:
    """The days on which each unit's members are within reach; units=None reaches everyone."""

    units: UnitDays | None

    @property
    def everywhere(self) -> bool:
        return self.units is None

    @property
    def few_units(self) -> bool:
        """Whether the reach is a few units (`FEW_UNITS`), and so a few hundred people."""
        return self.units is not None and len(self.units) <= FEW_UNITS

    def within(self, other: Scope) -> Scope:
        """The days both scopes reach."""
        if other.units is None:
            return self
        if self.units is None:
            return other
        both = {
            unit_id: intersect(days, other.units[unit_id])
            for unit_id, days in self.units.items()
            if unit_id in other.units
        }
        return Scope({unit_id: days for unit_id, days in both.items() if days})

    def days_in(self, unit_id: int, first: date, last: date) -> Days:
        """The days of first..last on which the unit's members are within reach."""
        if self.units is None:
            return [(first, last)]
        return intersect([(first, last)], self.units.get(unit_id, []))

    def cut(self, spans: Iterable[MemberSpan]) -> list[MemberSpan]:
        """The parts of a person's memberships that lie within reach."""
        return [
            MemberSpan(span.unit_id, start, end)
            for span in spans
            for start, end in self.days_in(span.unit_id, span.starts_on, span.ends_on)
        ]

    def reaches(self, spans: Iterable[MemberSpan]) -> bool:
        return bool(self.cut(spans))


EVERYWHERE = Scope(None)
NOWHERE = Scope({})


# Built once, with the day as a parameter: a manager's every access check reads their grants.
_TODAY = bindparam("today", type_=Date)
_GRANTS_IN_FORCE = (
    select(RoleGrant.person_id, RoleGrant.unit_id, RoleGrant.valid_from, RoleGrant.valid_until)
    .where(
        RoleGrant.role == Role.MANAGER,
        RoleGrant.unit_id.is_not(None),
        RoleGrant.valid_from <= _TODAY,
        or_(RoleGrant.valid_until.is_(None), RoleGrant.valid_until >= _TODAY),
    )
    .order_by(RoleGrant.id)
)
_GRANTS_OF_PERSON_IN_FORCE = _GRANTS_IN_FORCE.where(RoleGrant.person_id == bindparam("person_id"))


def grants_in_force(today: date, *, person_id: int | None = None) -> list[GrantSpan]:
    """Manager grants in force today (of one person, or of everybody)."""
    if person_id is None:
        rows = read(_GRANTS_IN_FORCE, {"today": today})
    else:
        rows = read(_GRANTS_OF_PERSON_IN_FORCE, {"today": today, "person_id": person_id})
    return [
        GrantSpan(person_id, unit_id, valid_from, valid_until)
        for person_id, unit_id, valid_from, valid_until in rows
        if unit_id is not None  # the query asks for unit grants only
    ]


def _manager_grants(user: Person, today: date) -> list[GrantSpan]:
    """user's manager grants in force today. In a GET, which changes no grant, they are the
    grants loaded with the person at sign-in, which the permission check just read
    (`Person.can`): no second read of the same rows. Otherwise read, as they stand now."""
    if _asked_before() is None or "role_grants" in inspect(user).unloaded:
        return grants_in_force(today, person_id=user.id)
    return [
        GrantSpan(user.id, grant.unit_id, grant.valid_from, grant.valid_until)
        for grant in user.role_grants
        if grant.role == Role.MANAGER and grant.unit_id is not None and grant.in_force(today)
    ]


def reach_of(grants: Iterable[GrantSpan], tree: TreeOverTime) -> Scope:
    """The days each unit was under one of grants' units, while that grant was in force."""
    units: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for grant in grants:
        below = tree.days_under(grant.unit_id, grant.valid_from, grant.valid_until or tree.last)
        for unit_id, days in below.items():
            units[unit_id].extend(days)
    return Scope({unit_id: _merged(days) for unit_id, days in units.items()})


def _is_person(user: User | None) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and isinstance(user, Person)


def scope_of(
    user: User | None,
    first: date,
    last: date,
    today: date,
    *,
    reading: bool = False,
    unit_id: int | None = None,
    tree: TreeOverTime | None = None,
) -> Scope:
    """Whose records user reaches within first..last: to decide on them, or (reading) to read.

    With unit_id, only the days each unit stood at or under that unit. A user of None is the
    system itself (a command run by the operator), which reads everyone.

    Within one GET request the answer is worked out once (`_asked_before`): the access rule,
    the view and its links ask the same question, and a request that reads changes no grant.
    """
    memo = _asked_before() if tree is None else None
    key = (
        None if user is None else getattr(user, "id", 0),
        first,
        last,
        today,
        reading,
        unit_id,
    )
    if memo is not None and key in memo:
        return memo[key]
    scope = _scope_of(user, first, last, today, reading=reading, unit_id=unit_id, tree=tree)
    if memo is not None:
        memo[key] = scope
    return scope


def _asked_before() -> dict[tuple[object, ...], Scope] | None:
    """The scopes already worked out in this request, if it is a GET (or HEAD): kept in the
    request's own environ, so nothing outlives the request or reaches another one."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return None
    found: dict[tuple[object, ...], Scope] = request.environ.setdefault("lms.scopes", {})
    return found


def _scope_of(
    user: User | None,
    first: date,
    last: date,
    today: date,
    *,
    reading: bool,
    unit_id: int | None,
    tree: TreeOverTime | None,
) -> Scope:
    if user is None:
        scope = EVERYWHERE
    elif not _is_person(user) or not user.is_active:
        scope = NOWHERE
    elif user.has_role(Role.ADMIN) or (reading and user.can(Permission.VIEW_REPORTS)):
        scope = EVERYWHERE
    elif user.can(Permission.MANAGE_UNIT):
        grants = _manager_grants(user, today)
        if grants:
            if tree is None:
                tree = tree_over(first, last)
            scope = reach_of(grants, tree)
        else:
            scope = NOWHERE
    else:
        scope = NOWHERE
    if unit_id is not None and scope != NOWHERE:
        tree = tree or tree_over(first, last)
        scope = scope.within(Scope(tree.days_under(unit_id)))
    return scope


def memberships_between(
    person_ids: Iterable[int], first: date, last: date
) -> dict[int, list[MemberSpan]]:
    """Each person's memberships that touch first..last, cut to it."""
    ids = list(person_ids)
    spans: dict[int, list[MemberSpan]] = defaultdict(list)
    if not ids:
        return spans
    rows = db.session.execute(
        select(
            Membership.person_id, Membership.unit_id, Membership.valid_from, Membership.valid_until
        )
        .where(
            Membership.person_id.in_(ids),
            Membership.valid_from <= last,
            or_(Membership.valid_until.is_(None), Membership.valid_until >= first),
        )
        .order_by(Membership.valid_from)
    )
    for person_id, unit_id, valid_from, valid_until in rows:
        spans[person_id].append(
            MemberSpan(unit_id, max(valid_from, first), min(valid_until or last, last))
        )
    return spans


def people_reached(
    user: User | None, person_ids: Iterable[int], first: date, last: date, today: date
) -> set[int]:
    """Those of person_ids user may decide on for first..last (their plan, evidence,
    activities, initiatives): each was in user's reach on at least one of those days."""
    ids = set(person_ids)
    scope = scope_of(user, first, last, today)
    if scope.everywhere:
        return ids
    spans = memberships_between(ids, first, last)
    return {person_id for person_id in ids if scope.reaches(spans.get(person_id, []))}


def reaches_person(user: User, person_id: int, first: date, last: date, today: date) -> bool:
    return person_id in people_reached(user, [person_id], first, last, today)


def units_reached(user: User | None, day: date) -> set[int] | None:
    """The units whose members user reaches on day (None: every unit)."""
    scope = scope_of(user, day, day, day)
    return None if scope.units is None else set(scope.units)


def managers_of(person_id: int, first: date, last: date, today: date) -> set[int]:
    """The managers who reach the person on their latest day within first..last up to today
    (the head who should hear of a submitted plan), else on any day of first..last."""
    spans = memberships_between([person_id], first, last).get(person_id, [])
    if not spans:
        return set()
    tree = tree_over(first, last)
    by_manager: Mapping[int, list[GrantSpan]] = defaultdict(list)
    for grant in grants_in_force(today):
        by_manager[grant.person_id].append(grant)
    reach = {manager: reach_of(grants, tree) for manager, grants in by_manager.items()}
    upto = min(today, last)
    lately = [span for span in spans if span.starts_on <= upto]
    if lately:
        day = min(lately[-1].ends_on, upto)
        on_day = [MemberSpan(span.unit_id, day, day) for span in lately if span.ends_on >= day]
        found = {manager for manager, scope in reach.items() if scope.reaches(on_day)}
        if found:
            return found
    return {manager for manager, scope in reach.items() if scope.reaches(spans)}
