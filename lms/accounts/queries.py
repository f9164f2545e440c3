"""Reads about people: the list, a person's history, positions over time, roles and units."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, literal, or_, select
from sqlalchemy.orm import aliased

from lms.accounts.models import Person, PersonPosition, RoleGrant
from lms.db import Days, among, contains, db, unparsed, valid_on
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import subtree_unit_ids
from lms.pagination import Page, paginate
from lms.roles import Role
from lms.text import collation_key, fold

PEOPLE_PER_PAGE = 25
ROLE_ORDER = {role: index for index, role in enumerate(Role)}


class Status:
    """The active/inactive filter of the people list."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = ""


@dataclass(frozen=True)
class GrantRow:
    grant_id: int
    person_id: int
    role: Role
    unit_id: int | None
    unit_code: str | None
    unit_name: str | None
    valid_from: date | None = None
    valid_until: date | None = None
    in_force: bool = True


@dataclass(frozen=True)
class PersonRow:
    id: int
    full_name: str
    username: str
    date_of_birth: date | None
    position: str | None
    unit_name: str | None
    is_active: bool
    roles: tuple[GrantRow, ...]


def grants_for(
    person_ids: list[int], day: date, *, history: bool = False
) -> dict[int, list[GrantRow]]:
    """Return each person's role grants in force on day (with history, also the ended and the
    future ones, newest first after those in force), with the unit's name on day (or its last).
    """
    if not person_ids:
        return {}
    # A closed unit is shown by the name it had on its last day.
    named_on = case((Unit.valid_until < day, Unit.valid_until), else_=literal(day))
    query = (
        select(
            RoleGrant.id,
            RoleGrant.person_id,
            RoleGrant.role,
            RoleGrant.unit_id,
            Unit.code,
            UnitVersion.name,
            RoleGrant.valid_from,
            RoleGrant.valid_until,
        )
        .outerjoin(Unit, Unit.id == RoleGrant.unit_id)
        .outerjoin(
            UnitVersion,
            and_(
                UnitVersion.unit_id == Unit.id,
                UnitVersion.valid_from <= named_on,
                or_(UnitVersion.valid_until.is_(None), UnitVersion.valid_until >= named_on),
            ),
        )
        .where(RoleGrant.person_id.in_(person_ids))
    )
    if not history:
        query = query.where(valid_on(RoleGrant, day))
    grants: dict[int, list[GrantRow]] = defaultdict(list)
    for grant_id, person_id, role, unit_id, code, name, first, last in db.session.execute(query):
        in_force = first <= day and (last is None or last >= day)
        grants[person_id].append(
            GrantRow(grant_id, person_id, Role(role), unit_id, code, name, first, last, in_force)
        )
    for rows_of_person in grants.values():
        rows_of_person.sort(
            key=lambda g: (
                not g.in_force,
                ROLE_ORDER[g.role],
                -g.valid_from.toordinal() if g.valid_from else 0,
                collation_key(g.unit_name or ""),
            )
        )
    return grants


def people_page(
    *,
    day: date,
    search: str = "",
    unit_id: int | None = None,
    status: str = Status.ALL,
    page: int = 1,
    per_page: int = PEOPLE_PER_PAGE,
) -> Page[PersonRow]:
    """Return one page of people in Vietnamese order of tên, with their unit on day and roles."""
    query = (
        select(
            Person.id,
            Person.full_name,
            Person.username,
            Person.date_of_birth,
            Person.position,
            UnitVersion.name,
            Person.is_active,
        )
        .outerjoin(Membership, and_(Membership.person_id == Person.id, valid_on(Membership, day)))
        .outerjoin(
            UnitVersion,
            and_(UnitVersion.unit_id == Membership.unit_id, valid_on(UnitVersion, day)),
        )
        .order_by(Person.sort_key, Person.id)
    )
    # Each word must match: "nguyen an" finds "Nguyễn Văn An"; a username matches as well.
    for term in fold(search).split():
        query = query.where(
            or_(contains(Person.search_name, term), contains(Person.username, term))
        )
    if unit_id is not None:
        query = query.where(Membership.unit_id.in_(subtree_unit_ids([unit_id], day)))
    if status == Status.ACTIVE:
        query = query.where(Person.is_active.is_(True))
    elif status == Status.INACTIVE:
        query = query.where(Person.is_active.is_(False))
    found = paginate(query, page=page, per_page=per_page, scalars=False)
    grants = grants_for([row.id for row in found.items], day)
    rows = [
        PersonRow(
            person_id,
            full_name,
            username,
            born,
            position,
            unit_name,
            is_active,
            roles=tuple(grants.get(person_id, ())),
        )
        for person_id, full_name, username, born, position, unit_name, is_active in found.items
    ]
    return Page(items=rows, number=found.number, per_page=found.per_page, total=found.total)


@dataclass(frozen=True)
class NameSpan:
    """A name the unit had during part of a membership."""

    name: str
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class MembershipRow:
    membership_id: int
    unit_id: int
    unit_code: str
    valid_from: date
    valid_until: date | None
    names: tuple[NameSpan, ...]
    is_current: bool
    name_on_day: str | None


def _covers(since: date, until: date | None, day: date) -> bool:
    return since <= day and (until is None or day <= until)


def _later(a: date, b: date) -> date:
    return max(a, b)


def _earlier(a: date | None, b: date | None) -> date | None:
    if a is None or b is None:
        return a if b is None else b
    return min(a, b)


def membership_history(person_id: int, day: date) -> list[MembershipRow]:
    """Return a person's memberships, oldest first, with each name the unit had meanwhile."""
    rows = db.session.execute(
        select(
            Membership.id,
            Membership.unit_id,
            Unit.code,
            Membership.valid_from,
            Membership.valid_until,
            UnitVersion.name,
            UnitVersion.valid_from,
            UnitVersion.valid_until,
        )
        .join(Unit, Unit.id == Membership.unit_id)
        .outerjoin(
            UnitVersion,
            and_(
                UnitVersion.unit_id == Membership.unit_id,
                or_(
                    Membership.valid_until.is_(None),
                    UnitVersion.valid_from <= Membership.valid_until,
                ),
                or_(
                    UnitVersion.valid_until.is_(None),
                    UnitVersion.valid_until >= Membership.valid_from,
                ),
            ),
        )
        .where(Membership.person_id == person_id)
        .order_by(Membership.valid_from, Membership.id, UnitVersion.valid_from)
    )
    spans: dict[int, list[NameSpan]] = defaultdict(list)
    memberships: dict[int, tuple] = {}
    for member_id, unit_id, code, since, until, name, name_since, name_until in rows:
        memberships.setdefault(member_id, (unit_id, code, since, until))
        if name is not None:
            spans[member_id].append(
                NameSpan(name, _later(since, name_since), _earlier(until, name_until))
            )
    return [
        MembershipRow(
            membership_id=member_id,
            unit_id=unit_id,
            unit_code=code,
            valid_from=since,
            valid_until=until,
            names=tuple(spans[member_id]),
            is_current=_covers(since, until, day),
            name_on_day=next(
                (s.name for s in spans[member_id] if _covers(s.valid_from, s.valid_until, day)),
                None,
            ),
        )
        for member_id, (unit_id, code, since, until) in memberships.items()
    ]


class Positions(dict):
    """Each person's recorded positions up to some day, oldest first: person → (days, titles).

    A person holds the position of their latest change with valid_from <= day. Before their
    first recorded change, or with no history at all, they held none. (The migration gave
    everyone who had a position a first row, and every service that sets a position writes
    one, so "no row" means no position was recorded for that day, never "the one given later".)
    """

    def held_on(self, person_id: int, day: date) -> str | None:
        found = self.get(person_id)
        if found is None:
            return None
        days, titles = found
        index = bisect_right(days, day) - 1
        return titles[index] if index >= 0 else None


def positions_until(person_ids: Collection[int], last: date) -> Positions:
    """The positions of people up to day last, in one query whatever the number of ids (a
    roster asks, for each of its rows, what was held on that row's last day)."""
    found = Positions()
    ids = list(person_ids)
    if not ids:
        return found
    parsed = Days()
    for person_id, since, title in (
        db.session.connection()
        .execute(
            select(
                PersonPosition.person_id,
                unparsed(PersonPosition.valid_from),
                PersonPosition.position,
            )
            .where(among(PersonPosition.person_id, ids), PersonPosition.valid_from <= last)
            .order_by(PersonPosition.person_id, PersonPosition.valid_from)
        )
        .all()
    ):
        days, titles = found.setdefault(person_id, ([], []))
        days.append(parsed[since])
        titles.append(title)
    return found


def positions_on(person_ids: Collection[int], day: date) -> dict[int, str | None]:
    """Return the position each person held on day, in one query, for every id given."""
    found = positions_until(person_ids, day)
    return {person_id: found.held_on(person_id, day) for person_id in person_ids}


@dataclass(frozen=True)
class PositionRow:
    """A position a person held, from one day until the day before their next change."""

    position: str
    valid_from: date
    valid_until: date | None
    recorded_at: datetime
    recorded_by: str | None
    is_current: bool


def position_history(person_id: int, day: date) -> list[PositionRow]:
    """Return a person's positions, oldest first; is_current marks the one held on day."""
    recorder = aliased(Person)
    rows = db.session.execute(
        select(
            PersonPosition.position,
            PersonPosition.valid_from,
            PersonPosition.recorded_at,
            recorder.full_name,
        )
        .outerjoin(recorder, recorder.id == PersonPosition.recorded_by_id)
        .where(PersonPosition.person_id == person_id)
        .order_by(PersonPosition.valid_from)
    ).all()
    history = []
    for index, (position, since, recorded_at, recorded_by) in enumerate(rows):
        following = rows[index + 1].valid_from if index + 1 < len(rows) else None
        until = following - timedelta(days=1) if following else None
        history.append(
            PositionRow(
                position=position,
                valid_from=since,
                valid_until=until,
                recorded_at=recorded_at,
                recorded_by=recorded_by,
                is_current=_covers(since, until, day),
            )
        )
    return history
