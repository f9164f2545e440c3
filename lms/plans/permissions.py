"""Who may read or decide on a person's plan: the finer checks beyond the route's rule."""

from __future__ import annotations

from lms.auth.access import may
from lms.auth.roles import Permission, Role
from lms.org.queries import units_below
from lms.plans.queries import memberships_in_year, unit_children_in_year


def manages_person(user, person_id: int, year: int) -> bool:
    """Say whether user manages a unit the person belonged to on some day of year."""
    if not may(user, Permission.MANAGE_UNIT):
        return False
    if user.has_role(Role.ADMIN):
        return True
    managed = units_below(user.managed_unit_ids, unit_children_in_year(year))
    spans = memberships_in_year([person_id], year).get(person_id, [])
    return any(span.unit_id in managed for span in spans)


def can_read_plan(user, person_id: int, year: int) -> bool:
    """The owner, HCTH and administrators, and the managers of the person's units that year."""
    return (
        user.id == person_id
        or may(user, Permission.VIEW_REPORTS)
        or manages_person(user, person_id, year)
    )


def can_decide(user, person_id: int, year: int) -> bool:
    """A manager of the person's unit, never the person themselves (HCTH only reads)."""
    return user.id != person_id and manages_person(user, person_id, year)


def can_view_unit(user, unit_id: int) -> bool:
    return may(user, Permission.MANAGE_UNIT, unit_id) or may(user, Permission.VIEW_REPORTS)
