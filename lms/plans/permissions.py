"""Who may read or decide on a person's plan: the finer checks beyond the route's rule.

Whom a manager reaches, and on which days, is decided in one place: `lms.org.scope`.
"""

from __future__ import annotations

from lms.auth.access import may
from lms.i18n import local_today
from lms.org.scope import User, reaches_person
from lms.plans.years import year_days
from lms.roles import Permission


def manages_person(user: User, person_id: int, year: int) -> bool:
    """Say whether user's grants in force reach the person on some day of year."""
    if not may(user, Permission.MANAGE_UNIT):
        return False
    return reaches_person(user, person_id, *year_days(year), local_today())


def can_read_plan(user: User, person_id: int, year: int) -> bool:
    """The owner, HCTH and administrators, and the managers who reach the person that year."""
    return (
        user.id == person_id
        or may(user, Permission.VIEW_REPORTS)
        or manages_person(user, person_id, year)
    )


def can_decide(user: User, person_id: int, year: int) -> bool:
    """A manager who reaches the person, never the person themselves (HCTH only reads)."""
    return user.id != person_id and manages_person(user, person_id, year)


def can_view_unit(user: User, unit_id: int) -> bool:
    return may(user, Permission.MANAGE_UNIT, unit_id) or may(user, Permission.VIEW_REPORTS)
