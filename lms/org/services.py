"""Changes to the organisation: units and memberships change by dating, never by rewriting."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from lms.audit import services as audit
from lms.db import db
from lms.i18n import vn_date
from lms.org.models import Membership, Unit, UnitKind, UnitVersion
from lms.org.queries import subtree_unit_ids
from lms.text import clean_name

UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
UNIT_FIELDS = ("code", "kind", "valid_from", "valid_until", "successor_id")
MEMBERSHIP_FIELDS = ("person_id", "unit_id", "valid_from", "valid_until")


class OrgError(Exception):
    """A change that breaks an organisation rule; the message is shown to the user."""


def _day_before(day: date) -> date:
    return day - timedelta(days=1)


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalars(select(Unit).where(Unit.code == code.strip())).first()


def _open_version(unit: Unit, on: date) -> UnitVersion:
    """Return the unit's latest version, checking that a change on day may follow it."""
    if not unit.is_open_on(on):
        raise OrgError(_("Đơn vị %(code)s không hoạt động vào ngày %(day)s.", code=unit.code, day=vn_date(on)))
    version = unit.latest_version
    if on <= version.valid_from:
        raise OrgError(
            _(
                "Ngày hiệu lực phải sau ngày %(day)s, khi thay đổi gần nhất của đơn vị có hiệu lực.",
                day=vn_date(version.valid_from),
            )
        )
    return version


def _check_parent(unit: Unit | None, parent: Unit | None, on: date) -> None:
    if parent is None:
        return
    if not parent.is_open_on(on):
        raise OrgError(
            _("Đơn vị cấp trên %(code)s không hoạt động vào ngày %(day)s.", code=parent.code, day=vn_date(on))
        )
    if unit is not None and parent.id in subtree_unit_ids([unit.id], on):
        raise OrgError(_("Không thể đặt một đơn vị dưới chính nó hoặc đơn vị con của nó."))


def create_unit(
    *, code: str, name: str, kind: UnitKind | str, parent: Unit | None, valid_from: date
) -> Unit:
    """Create a unit with its first name and place in the tree."""
    code = code.strip()
    name = clean_name(name)
    if not UNIT_CODE_RE.match(code):
        raise OrgError(_("Mã đơn vị “%(code)s” không hợp lệ: chỉ dùng chữ không dấu, số, dấu chấm, gạch.", code=code))
    if unit_by_code(code):
        raise OrgError(_("Mã đơn vị %(code)s đã có.", code=code))
    if not name:
        raise OrgError(_("Tên đơn vị không được để trống."))
    try:
        kind = UnitKind(kind)
    except ValueError:
        raise OrgError(_("Loại đơn vị không hợp lệ.")) from None
    _check_parent(None, parent, valid_from)
    unit = Unit(code=code, kind=kind, valid_from=valid_from)
    unit.versions.append(
        UnitVersion(name=name, parent_id=parent.id if parent else None, valid_from=valid_from)
    )
    db.session.add(unit)
    audit.record(
        "unit.create",
        unit,
        _("Tạo đơn vị %(code)s – %(name)s", code=code, name=name),
        after={**audit.snapshot(unit, UNIT_FIELDS), "name": name, "parent_id": parent.id if parent else None},
    )
    return unit


def _new_version(unit: Unit, on: date, *, name: str, parent_id: int | None) -> UnitVersion:
    current = _open_version(unit, on)
    current.valid_until = _day_before(on)
    version = UnitVersion(name=name, parent_id=parent_id, valid_from=on)
    unit.versions.append(version)
    return version


def rename_unit(unit: Unit, new_name: str, on: date) -> UnitVersion:
    """Give the unit a new name from day on; earlier days keep the old name."""
    new_name = clean_name(new_name)
    if not new_name:
        raise OrgError(_("Tên đơn vị không được để trống."))
    old = unit.latest_version
    if new_name == old.name:
        raise OrgError(_("Tên mới trùng tên hiện tại."))
    version = _new_version(unit, on, name=new_name, parent_id=old.parent_id)
    audit.record(
        "unit.rename",
        unit,
        _("Đổi tên %(old)s thành %(new)s từ %(day)s", old=old.name, new=new_name, day=vn_date(on)),
        before={"name": old.name},
        after={"name": new_name, "valid_from": on.isoformat()},
    )
    return version


def move_unit(unit: Unit, new_parent: Unit | None, on: date) -> UnitVersion:
    """Place the unit under another parent from day on."""
    old = unit.latest_version
    new_parent_id = new_parent.id if new_parent else None
    if new_parent_id == old.parent_id:
        raise OrgError(_("Đơn vị đã trực thuộc đơn vị cấp trên này."))
    _check_parent(unit, new_parent, on)
    version = _new_version(unit, on, name=old.name, parent_id=new_parent_id)
    audit.record(
        "unit.move",
        unit,
        _("Chuyển %(name)s sang đơn vị cấp trên mới từ %(day)s", name=old.name, day=vn_date(on)),
        before={"parent_id": old.parent_id},
        after={"parent_id": new_parent_id, "valid_from": on.isoformat()},
    )
    return version


def _open_memberships(unit: Unit, on: date) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership).where(
                Membership.unit_id == unit.id,
                or_(Membership.valid_until.is_(None), Membership.valid_until >= on),
            )
        )
    )


def _children_on(unit: Unit, on: date) -> list[Unit]:
    return list(
        db.session.scalars(
            select(Unit)
            .join(UnitVersion, UnitVersion.unit_id == Unit.id)
            .where(
                UnitVersion.parent_id == unit.id,
                UnitVersion.valid_from <= on,
                or_(UnitVersion.valid_until.is_(None), UnitVersion.valid_until >= on),
            )
        )
    )


def _end_unit(unit: Unit, on: date, successor: Unit | None) -> None:
    last_day = _day_before(on)
    version = unit.latest_version
    if on <= version.valid_from:
        raise OrgError(
            _("Ngày hiệu lực phải sau ngày %(day)s.", day=vn_date(version.valid_from))
        )
    version.valid_until = last_day
    unit.valid_until = last_day
    unit.successor_id = successor.id if successor else None


def merge_unit(unit: Unit, into: Unit, on: date) -> None:
    """Merge unit into its successor from day on: members and sub-units move there."""
    if unit.id == into.id:
        raise OrgError(_("Không thể sáp nhập một đơn vị vào chính nó."))
    if not unit.is_open_on(on):
        raise OrgError(_("Đơn vị %(code)s không hoạt động vào ngày %(day)s.", code=unit.code, day=vn_date(on)))
    if not into.is_open_on(on):
        raise OrgError(_("Đơn vị nhận %(code)s không hoạt động vào ngày %(day)s.", code=into.code, day=vn_date(on)))
    if into.id in subtree_unit_ids([unit.id], on):
        raise OrgError(_("Không thể sáp nhập một đơn vị vào đơn vị con của nó."))
    for child in _children_on(unit, on):
        move_unit(child, into, on)
    for membership in _open_memberships(unit, on):
        person = membership.person
        _end_membership(membership, on)
        _start_membership(person, into, on)
    from lms.accounts.models import RoleGrant
    from lms.auth.roles import Role

    for grant in db.session.scalars(select(RoleGrant).where(RoleGrant.unit_id == unit.id, RoleGrant.role == Role.MANAGER)):
        exists = any(g.role == Role.MANAGER and g.unit_id == into.id for g in grant.person.role_grants)
        if not exists:
            db.session.add(RoleGrant(person_id=grant.person_id, role=Role.MANAGER, unit_id=into.id))
    name = unit.latest_version.name
    _end_unit(unit, on, into)
    audit.record(
        "unit.merge",
        unit,
        _("Sáp nhập %(name)s vào %(into)s từ %(day)s", name=name, into=into.latest_version.name, day=vn_date(on)),
        after={"successor_id": into.id, "valid_until": unit.valid_until.isoformat()},
    )


def close_unit(unit: Unit, on: date) -> None:
    """Close an empty unit from day on; its history stays."""
    if not unit.is_open_on(on):
        raise OrgError(_("Đơn vị %(code)s không hoạt động vào ngày %(day)s.", code=unit.code, day=vn_date(on)))
    members = _open_memberships(unit, on)
    children = _children_on(unit, on)
    if members or children:
        raise OrgError(
            _(
                "Đơn vị còn %(people)d người và %(units)d đơn vị con vào ngày %(day)s: "
                "hãy chuyển họ đi hoặc sáp nhập đơn vị.",
                people=len(members),
                units=len(children),
                day=vn_date(on),
            )
        )
    _end_unit(unit, on, None)
    audit.record(
        "unit.close",
        unit,
        _("Giải thể %(name)s từ %(day)s", name=unit.latest_version.name, day=vn_date(on)),
        after={"valid_until": unit.valid_until.isoformat()},
    )


def _end_membership(membership: Membership, on: date) -> None:
    if membership.valid_from >= on:
        raise OrgError(
            _("Thời gian công tác bắt đầu ngày %(day)s, không thể kết thúc trước đó.", day=vn_date(membership.valid_from))
        )
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    membership.valid_until = _day_before(on)
    audit.record(
        "membership.end",
        membership,
        _("Kết thúc công tác tại %(unit)s từ %(day)s", unit=membership.unit.code, day=vn_date(on)),
        before=before,
        after=audit.snapshot(membership, MEMBERSHIP_FIELDS),
    )


def _start_membership(person, unit: Unit, on: date) -> Membership:
    membership = Membership(person=person, unit=unit, valid_from=on)
    db.session.add(membership)
    audit.record(
        "membership.start",
        membership,
        _("%(name)s công tác tại %(unit)s từ %(day)s", name=person.full_name, unit=unit.code, day=vn_date(on)),
        after=audit.snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


def assign_to_unit(person, unit: Unit, on: date) -> Membership:
    """Make person a member of unit from day on, ending their current membership the day before."""
    if not unit.is_open_on(on):
        raise OrgError(_("Đơn vị %(code)s không hoạt động vào ngày %(day)s.", code=unit.code, day=vn_date(on)))
    later = [m for m in person.memberships if m.valid_from >= on]
    if later:
        raise OrgError(
            _("%(name)s đã có quá trình công tác từ ngày %(day)s; không thể bắt đầu sớm hơn.", name=person.full_name, day=vn_date(later[-1].valid_from))
        )
    current = next((m for m in person.memberships if m.covers(on)), None)
    if current is not None:
        if current.unit_id == unit.id:
            return current
        _end_membership(current, on)
    return _start_membership(person, unit, on)


def end_membership(membership: Membership, on: date) -> None:
    """End a membership from day on (the person leaves the unit)."""
    if membership.valid_until is not None and membership.valid_until < on:
        raise OrgError(_("Quá trình công tác này đã kết thúc."))
    _end_membership(membership, on)
