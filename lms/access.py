"""Route access declarations: every view says what it needs with one of these decorators.

A foundation, so any feature's views (and i18n's language switch) can declare a rule without
depending on sign-in. The hook that enforces the rules, and may(), which reads a manager's scope
from org, live in lms/auth/access.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask.typing import ResponseReturnValue

from lms.roles import Permission

UnitGetter = Callable[..., int | None]
View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


@dataclass(frozen=True)
class AccessRule:
    """What a route needs: nothing (public), a signed-in user, or a permission (maybe scoped)."""

    permission: Permission | None
    unit: UnitGetter | None = None
    signed_in: bool = True


def _attach(rule: AccessRule) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        vars(view)["access_rule"] = rule  # read by enforce_access_rules
        return view

    return decorate


def public(view: View) -> View:
    """Mark a view as open to anonymous visitors."""
    return _attach(AccessRule(permission=None, signed_in=False))(view)


def signed_in(view: View) -> View:
    """Mark a view as open to any signed-in person."""
    return _attach(AccessRule(permission=None))(view)


def requires(permission: Permission, *, unit: UnitGetter | None = None) -> Callable[[View], View]:
    """Mark a view as needing permission; with unit, only within the unit's sub-tree."""
    return _attach(AccessRule(permission=permission, unit=unit))
