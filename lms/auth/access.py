"""Enforcing route access rules: the views declare them (lms/access.py), one hook enforces them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from lms.access import AccessRule
from lms.i18n import local_today
from lms.org.scope import units_reached
from lms.roles import ORGANISATION_WIDE, Permission, Role

if TYPE_CHECKING:
    from lms.org.scope import User


def may(user: User, permission: Permission, unit_id: int | None = None) -> bool:
    """Say whether user holds permission, for unit_id (with its sub-tree) when given."""
    if not getattr(user, "is_authenticated", False) or not user.can(permission):
        return False
    if unit_id is None or user.has_role(Role.ADMIN):
        return True
    if permission != Permission.MANAGE_UNIT and user.roles & ORGANISATION_WIDE:
        return True
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
