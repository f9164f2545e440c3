"""Changes to people: create, edit, deactivate, roles and administrator password resets."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.accounts.models import EmploymentKind, Gender, Person, RoleGrant
from lms.audit import services as audit
from lms.auth import services as auth
from lms.auth.roles import Role
from lms.db import db
from lms.org.models import Unit
from lms.text import clean_name, fold, person_sort_key, split_name

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 .()-]{8,20}$")
EDITABLE_FIELDS = (
    "full_name",
    "given_name_override",
    "date_of_birth",
    "gender",
    "ethnicity",
    "position",
    "employment_kind",
    "email",
    "phone",
)
AUDITED_FIELDS = ("username", *EDITABLE_FIELDS, "is_active")


class PersonError(Exception):
    """A change that breaks a rule about people; the message is shown to the user."""


def person_by_username(username: str) -> Person | None:
    return db.session.scalars(
        select(Person).where(Person.username == username.strip().casefold())
    ).first()


def _optional(value: Any) -> Any:
    if isinstance(value, str):
        value = clean_name(value)
        return value or None
    return value


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    """Return the changes cleaned, or raise PersonError naming the first bad field."""
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise PersonError(_("Không sửa được trường %(name)s.", name=name))
        clean[name] = _optional(value)
    if "full_name" in clean:
        if not clean["full_name"]:
            raise PersonError(_("Họ và tên không được để trống."))
        if len(clean["full_name"]) > 200:
            raise PersonError(_("Họ và tên quá dài (tối đa 200 ký tự)."))
    born = clean.get("date_of_birth")
    if born is not None:
        if not isinstance(born, date):
            raise PersonError(_("Ngày sinh không hợp lệ."))
        if born > date.today() or born.year < 1900:
            raise PersonError(_("Ngày sinh %(day)s không hợp lý.", day=born.strftime("%d/%m/%Y")))
    if clean.get("gender") is not None:
        try:
            clean["gender"] = Gender(clean["gender"])
        except ValueError:
            raise PersonError(_("Giới tính không hợp lệ.")) from None
    if "employment_kind" in clean:
        try:
            clean["employment_kind"] = EmploymentKind(clean["employment_kind"] or "cong_chuc")
        except ValueError:
            raise PersonError(_("Loại cán bộ không hợp lệ.")) from None
    if clean.get("email") and not EMAIL_RE.match(clean["email"]):
        raise PersonError(_("Email “%(email)s” không hợp lệ.", email=clean["email"]))
    if clean.get("phone") and not PHONE_RE.match(clean["phone"]):
        raise PersonError(_("Số điện thoại “%(phone)s” không hợp lệ.", phone=clean["phone"]))
    return clean


def _refresh_derived(person: Person) -> None:
    """Recompute the given name, sort key and search text from the full name."""
    family_and_middle, given = split_name(person.full_name, person.given_name_override)
    if person.given_name_override and not person.full_name.endswith(person.given_name_override):
        raise PersonError(
            _("Tên “%(given)s” phải là phần cuối của họ và tên.", given=person.given_name_override)
        )
    person.given_name = given
    person.family_and_middle = family_and_middle
    person.sort_key = person_sort_key(person.full_name, person.given_name_override)
    person.search_name = fold(person.full_name)


def check_username(username: str) -> str:
    username = username.strip().casefold()
    if not USERNAME_RE.match(username):
        raise PersonError(
            _(
                "Tên đăng nhập “%(username)s” không hợp lệ: 3–80 ký tự, chữ thường không dấu, "
                "số, dấu chấm, gạch dưới, gạch ngang.",
                username=username,
            )
        )
    return username


def create_person(*, username: str, full_name: str, **fields: Any) -> Person:
    """Create a person (without a password: an administrator sets one)."""
    username = check_username(username)
    if person_by_username(username):
        raise PersonError(_("Tên đăng nhập %(username)s đã có người dùng.", username=username))
    clean = _validated({"full_name": full_name, **fields})
    person = Person(username=username, **clean)
    _refresh_derived(person)
    db.session.add(person)
    audit.record(
        "person.create",
        person,
        _("Thêm %(name)s (%(username)s)", name=person.full_name, username=username),
        after=audit.snapshot(person, AUDITED_FIELDS),
    )
    return person


def update_person(person: Person, **changes: Any) -> bool:
    """Apply changes to person; return whether anything changed."""
    clean = _validated(changes)
    before = audit.snapshot(person, AUDITED_FIELDS)
    for name, value in clean.items():
        setattr(person, name, value)
    _refresh_derived(person)
    after = audit.snapshot(person, AUDITED_FIELDS)
    if before == after:
        return False
    audit.record(
        "person.update",
        person,
        _("Sửa thông tin %(name)s", name=person.full_name),
        before=before,
        after=after,
    )
    return True


def set_active(person: Person, active: bool) -> None:
    """Deactivate (or reactivate) a person; their records stay, their sign-in stops."""
    if person.is_active == active:
        return
    person.is_active = active
    if not active:
        auth.end_other_sessions(person, keep_token=None)
    audit.record(
        "person.activate" if active else "person.deactivate",
        person,
        (_("Kích hoạt lại %(name)s") if active else _("Ngừng kích hoạt %(name)s")) % {"name": person.full_name},
        before={"is_active": not active},
        after={"is_active": active},
    )


def has_records(person: Person) -> bool:
    """Say whether anything refers to person, so that they may only be deactivated."""
    from lms.audit.models import AuditEvent
    from lms.org.models import Membership

    return bool(
        db.session.scalar(
            select(
                exists().where(Membership.person_id == person.id)
                | exists().where(AuditEvent.actor_id == person.id)
            )
        )
    )


def reset_password(person: Person) -> str:
    """Give person a one-time password they must change at next sign-in; return it."""
    temporary = "-".join(secrets.token_urlsafe(4) for _ in range(3)) + "9"
    auth.set_password(person, temporary, must_change=True)
    auth.end_other_sessions(person, keep_token=None)
    audit.record(
        "person.password_reset",
        person,
        _("Đặt lại mật khẩu cho %(name)s", name=person.full_name),
        after={"must_change_password": True},
    )
    return temporary


def grant_role(person: Person, role: Role | str, unit: Unit | None = None) -> RoleGrant:
    """Give person a role; a manager role needs the unit it covers."""
    try:
        role = Role(role)
    except ValueError:
        raise PersonError(_("Vai trò không hợp lệ.")) from None
    if role == Role.LEARNER:
        raise PersonError(_("Mọi người đều là học viên; không cần cấp vai trò này."))
    if role == Role.MANAGER and unit is None:
        raise PersonError(_("Vai trò quản lý đơn vị cần chọn đơn vị."))
    if role != Role.MANAGER:
        unit = None
    unit_id = unit.id if unit else None
    if any(g.role == role and g.unit_id == unit_id for g in person.role_grants):
        raise PersonError(_("%(name)s đã có vai trò này.", name=person.full_name))
    grant = RoleGrant(role=role, unit_id=unit_id)
    person.role_grants.append(grant)
    audit.record(
        "role.grant",
        person,
        _("Cấp vai trò %(role)s cho %(name)s", role=role.value, name=person.full_name)
        + (f" ({unit.code})" if unit else ""),
        after={"role": role.value, "unit_id": unit_id},
    )
    return grant


def revoke_role(person: Person, grant: RoleGrant) -> None:
    if grant not in person.role_grants:
        raise PersonError(_("Vai trò này không thuộc về %(name)s.", name=person.full_name))
    person.role_grants.remove(grant)
    audit.record(
        "role.revoke",
        person,
        _("Thu hồi vai trò %(role)s của %(name)s", role=grant.role, name=person.full_name),
        before={"role": str(grant.role), "unit_id": grant.unit_id},
    )
