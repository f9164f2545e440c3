"""Reads for the home page, one small query per panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from lms.accounts.models import Person
from lms.db import among, db, valid_on
from lms.i18n import local_today
from lms.learning.queries import LearnerCourses, learner_courses
from lms.org.models import Membership, Unit, UnitVersion
from lms.org.queries import UnitOnDay, unit_of_person_on
from lms.org.scope import units_reached
from lms.plans.queries import PlanSummary, plan_summary
from lms.roles import ORGANISATION_WIDE, Role


@dataclass(frozen=True)
class UnitCount:
    unit_id: int
    code: str
    name: str
    members: int


@dataclass
class HomePanels:
    my_unit: UnitOnDay | None
    roles: list[Role]
    managed_units: list[UnitCount] = field(default_factory=list)
    organisation: list[UnitCount] = field(default_factory=list)
    people_total: int = 0
    learning: LearnerCourses | None = None
    plan: PlanSummary | None = None


def unit_member_counts(unit_ids: set[int], day: date) -> list[UnitCount]:
    """Return each unit's name on day and how many people were its members then."""
    if not unit_ids:
        return []
    ids = list(unit_ids)
    members = (
        select(Membership.unit_id, func.count(Membership.id).label("n"))
        .join(Person, Person.id == Membership.person_id)
        # Only the units asked for: not every membership in the organisation counted.
        .where(
            among(Membership.unit_id, ids), valid_on(Membership, day), Person.is_active.is_(True)
        )
        .group_by(Membership.unit_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Unit.id, Unit.code, UnitVersion.name, func.coalesce(members.c.n, 0))
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .outerjoin(members, members.c.unit_id == Unit.id)
        .where(among(Unit.id, ids), valid_on(UnitVersion, day))
        .order_by(Unit.code)
    )
    return [UnitCount(*row) for row in rows]


def home_panels(person: Person, day: date) -> HomePanels:
    panels = HomePanels(
        my_unit=unit_of_person_on(person.id, day),
        roles=sorted(person.roles),
        learning=learner_courses(person.id),
        # A citizen keeps no plan: their home is their courses.
        plan=None
        if person.is_citizen
        else plan_summary(person.id, person.employment_kind, local_today()),
    )
    if person.has_role(Role.MANAGER):
        panels.managed_units = unit_member_counts(units_reached(person, day) or set(), day)
    if person.roles & ORGANISATION_WIDE:
        open_units = set(db.session.scalars(select(Unit.id).where(valid_on(Unit, day))))
        panels.organisation = unit_member_counts(open_units, day)
        panels.people_total = (
            db.session.scalar(select(func.count(Person.id)).where(Person.is_active.is_(True))) or 0
        )
    return panels
