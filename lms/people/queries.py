"""Reads for the people pages: the list, a person's units over time, their roles and units."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, literal, or_, select

from lms.accounts.models import Person, RoleGrant
from lms.accounts.queries import covers
from lms.db import contains, db, valid_on
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
            is_current=covers(since, until, day),
            name_on_day=next(
                (s.name for s in spans[member_id] if covers(s.valid_from, s.valid_until, day)),
                None,
            ),
        )
        for member_id, (unit_id, code, since, until) in memberships.items()
    ]
