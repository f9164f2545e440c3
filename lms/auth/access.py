"""Route access rules: every view declares what it needs, and one hook enforces it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.auth.roles import ORGANISATION_WIDE, Permission, Role

if TYPE_CHECKING:
    from lms.org.scope import User

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


def may(user: User, permission: Permission, unit_id: int | None = None) -> bool:
    """Say whether user holds permission, for unit_id (with its sub-tree) when given."""
    if not getattr(user, "is_authenticated", False) or not user.can(permission):
        return False
    if unit_id is None or user.has_role(Role.ADMIN):
        return True
    if permission != Permission.MANAGE_UNIT and user.roles & ORGANISATION_WIDE:
        return True
    from lms.i18n import local_today
    from lms.org.scope import units_reached

    reached = units_reached(user, local_today())
    return reached is None or unit_id in reached


def enforce_access_rules():
    """Refuse any request whose view does not allow the current user (deny by default)."""
    if request.endpoint is None:
        return None  # 404 and 405 answer on their own
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions[request.endpoint]
    rule: AccessRule | None = getattr(view, "access_rule", None)
    if rule is None:
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        if not rule.signed_in:
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    if not rule.signed_in:
        return None
    if rule.permission is None:
        return None
    unit_id = rule.unit(**(request.view_args or {})) if rule.unit else None
    if not may(current_user, rule.permission, unit_id):
        abort(403)
    if rule.unit and unit_id is None:
        abort(404)  # the record that names the unit does not exist: no scope to check against
    return None


PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "i18n.set_language"}
# Flask's own static route cannot carry a rule; its files are public by nature.
PUBLIC_ENDPOINTS = {"static"}
