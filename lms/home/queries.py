"""Reads for the home page, one small query per panel."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Date, Select, Subquery, bindparam, func, select

from lms.accounts.models import Person
from lms.db import among, id_list, read, valid_on
from lms.learning.queries import LearnerCourses, learner_courses
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import unit_of_person_on
from lms.org.roster import Period, name_on, unit_names_over
from lms.org.scope import units_reached
from lms.plans.queries import PlanSummary, plan_summary
from lms.plans.years import year_days
from lms.roles import ORGANISATION_WIDE, Role


@dataclass(frozen=True)
class UnitCount:
    unit_id: int
    code: str
    name: str
    members: int


@dataclass
class HomePanels:
    my_unit: str | None  # the name, today, of the unit the person is in today
    roles: list[Role]
    managed_units: list[UnitCount] = field(default_factory=list)
    organisation: list[UnitCount] = field(default_factory=list)
    people_total: int = 0
    learning: LearnerCourses | None = None
    plan: PlanSummary | None = None


# Statements built once: a page binds the day and the units ({"day": ..., "units": [...]}).
_DAY = bindparam("day", type_=Date)
_ON_DAY = valid_on(Membership, _DAY)
_UNITS = id_list("units")


def _per_unit(*where: ColumnElement[bool], person: bool = False) -> Subquery:
    """Return (unit_id, n): the memberships on the day meeting where, counted per unit (with
    person: joined to their person, for where to test)."""
    statement = select(Membership.unit_id, func.count().label("n"))
    if person:
        statement = statement.join(Person, Person.id == Membership.person_id)
    return statement.where(_ON_DAY, *where).group_by(Membership.unit_id).subquery()


def _head_counts(units: ColumnElement[bool], every: Subquery, left: Subquery) -> Select:
    """Return the statement listing the units meeting `units`, with their names on the day and
    their active members then: every membership on the day, less those of people who left (two
    counts per unit of the same memberships)."""
    count = func.coalesce(every.c.n, 0) - func.coalesce(left.c.n, 0)
    return (
        select(Unit.id, Unit.code, UnitVersion.name, count)
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .outerjoin(every, every.c.unit_id == Unit.id)
        .outerjoin(left, left.c.unit_id == Unit.id)
        .where(units, valid_on(UnitVersion, _DAY))
        .order_by(Unit.code)
    )


# A manager's few units: each membership's person looked up to see whether they left.
_MANAGED = _head_counts(
    among(Unit.id, _UNITS),
    _per_unit(among(Membership.unit_id, _UNITS)),
    _per_unit(among(Membership.unit_id, _UNITS), Person.is_active.is_(False), person=True),
)
# Every unit: the memberships counted in the unit's index alone, and those of the people who
# left found from their list (ix_person_left), a few among many. Looking up each membership's
# person read every person's row: 13 ms of the HCTH home's 19 on SQLite at 10,000 people,
# where this takes 2. A plain IN: PostgreSQL hashes the ids (`among` would test each
# membership against the whole list).
_ORGANISATION = _head_counts(
    valid_on(Unit, _DAY),
    _per_unit(),
    _per_unit(Membership.person_id.in_(select(Person.id).where(Person.is_active.is_(False)))),
)
# The agency's active staff: citizens on the open courses are people of the province, not of
# the agency. Counted through ix_person_staff, whose condition is this one as written here (on
# SQLite, another wording of it would read every person's row again).
_STAFF = select(func.count()).where(Person.is_active.is_(True), Person.is_citizen.is_(False))


def unit_member_counts(unit_ids: Collection[int], day: date) -> list[UnitCount]:
    """Return each unit's name on day and how many active people were its members then."""
    if not unit_ids:
        return []
    return [UnitCount(*row) for row in read(_MANAGED, {"day": day, "units": list(unit_ids)})]


def organisation_counts(day: date) -> list[UnitCount]:
    """Return unit_member_counts of every unit open on day."""
    return [UnitCount(*row) for row in read(_ORGANISATION, {"day": day})]


def home_panels(person: Person, day: date) -> HomePanels:
    if person.is_citizen:
        # A citizen keeps no plan: their home is their courses. They belong to no unit, unless
        # someone made them a member of one: then it is shown, looked up on its own.
        plan, unit = None, unit_of_person_on(person.id, day)
        my_unit = unit.name if unit else None
    else:
        plan = plan_summary(person.id, person.employment_kind, day)
        # Their unit today from the memberships the plan's figures were read with, named from
        # the units' names over the year, kept while the reference data are unchanged
        # (`unit_names_over`, lms.reference): no statement of its own.
        my_unit = _unit_name(plan.unit_today, day) if plan.unit_today else None
    panels = HomePanels(
        my_unit=my_unit,
        roles=sorted(person.roles),
        learning=learner_courses(person.id),
        plan=plan,
    )
    if person.has_role(Role.MANAGER):
        panels.managed_units = unit_member_counts(units_reached(person, day) or set(), day)
    if person.roles & ORGANISATION_WIDE:
        panels.organisation = organisation_counts(day)
        panels.people_total = read(_STAFF).scalar_one()
    return panels


def _unit_name(unit_id: int, day: date) -> str:
    names, codes, _parents = unit_names_over(Period(*year_days(day.year)))
    return name_on(names, codes, unit_id, day)
