"""Route access declarations: every view says what it needs with one of these decorators.

A foundation, so any feature's views (and i18n's language switch) can declare a rule without
depending on sign-in. The hook that enforces the rules, and may(), which reads a manager's scope
from org, live in lms/auth/access.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lms.roles import Permission

UnitGetter = Callable[..., int | None]


@dataclass(frozen=True)
class AccessRule:
    """What a route needs: nothing (public), a signed-in user, or a permission (maybe scoped)."""

    permission: Permission | None
    unit: UnitGetter | None = None
    signed_in: bool = True


def _attach(rule: AccessRule):
    def decorate(view):
        view.access_rule = rule
        return view

    return decorate


def public(view):
    """Mark a view as open to anonymous visitors."""
    view.access_rule = AccessRule(permission=None, signed_in=False)
    return view


def signed_in(view):
    """Mark a view as open to any signed-in person."""
    view.access_rule = AccessRule(permission=None)
    return view


def requires(permission: Permission, *, unit: UnitGetter | None = None):
    """Mark a view as needing permission; with unit, only within the unit's sub-tree."""
    return _attach(AccessRule(permission=permission, unit=unit))
