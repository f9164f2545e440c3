"""Changes to the organisation: units and memberships change by dating, never by rewriting."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from lms.accounts import services as people
from lms.accounts.models import Person, RoleGrant
from lms.audit import services as audit
from lms.db import db, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import vn_date
from lms.org.models import Membership, Unit, UnitKind, UnitVersion
from lms.org.queries import TreeOverTime
from lms.roles import Role
from lms.text import clean_name

UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
UNIT_FIELDS = ("code", "kind", "valid_from", "valid_until", "successor_id")
MEMBERSHIP_FIELDS = ("person_id", "unit_id", "valid_from", "valid_until")
NAME_MAX = 200


class OrgError(UserError):
    """A change that breaks an organisation rule; the message is shown to the user."""


def _day_before(day: date) -> date:
    return day - timedelta(days=1)


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalars(select(Unit).where(Unit.code == code.strip())).first()


def _require_open(unit: Unit, on: date) -> None:
    if not unit.is_open_on(on):
        raise OrgError(
            _(
                "Đơn vị %(code)s không hoạt động vào ngày %(day)s.",
                code=unit.code,
                day=vn_date(on),
            )
        )


def _check_after_last_change(version: UnitVersion, on: date) -> None:
    if on <= version.valid_from:
        raise OrgError(
            _(
                "Ngày hiệu lực phải sau ngày %(day)s, "
                "khi thay đổi gần nhất của đơn vị có hiệu lực.",
                day=vn_date(version.valid_from),
            ),
            field="on",
        )


def _check_name(name: str) -> None:
    if not name:
        raise OrgError(_("Tên đơn vị không được để trống."), field="name")
    if len(name) > NAME_MAX:
        raise OrgError(_("Tên đơn vị quá dài (tối đa %(n)d ký tự).", n=NAME_MAX), field="name")


def _open_version(unit: Unit, on: date) -> UnitVersion:
    """Return the unit's latest version, checking that a change on day may follow it."""
    _require_open(unit, on)
    version = unit.latest_version
    _check_after_last_change(version, on)
    return version


def _below_from(unit_id: int, on: date) -> set[int]:
    """Return the units below unit_id on day on or on any later day the tree is known for."""
    return set(TreeOverTime(on, date.max).days_under(unit_id)) - {unit_id}


def _check_parent(unit: Unit | None, parent: Unit | None, on: date) -> None:
    if parent is None:
        return
    if not parent.is_open_on(on):
        raise OrgError(
            _(
                "Đơn vị cấp trên %(code)s không hoạt động vào ngày %(day)s.",
                code=parent.code,
                day=vn_date(on),
            ),
            field="parent_id",
        )
    if parent.valid_until is not None:
        raise OrgError(
            _(
                "Đơn vị cấp trên %(code)s chỉ hoạt động đến ngày %(day)s.",
                code=parent.code,
                day=vn_date(parent.valid_until),
            ),
            field="parent_id",
        )
    if unit is not None and (parent.id == unit.id or parent.id in _below_from(unit.id, on)):
        raise OrgError(
            _("Không thể đặt một đơn vị dưới chính nó hoặc đơn vị con của nó."), field="parent_id"
        )


def create_unit(
    *, code: str, name: str, kind: UnitKind | str, parent: Unit | None, valid_from: date
) -> Unit:
    """Create a unit with its first name and place in the tree."""
    code = code.strip()
    name = clean_name(name)
    if not UNIT_CODE_RE.match(code):
        raise OrgError(
            _(
                "Mã đơn vị “%(code)s” không hợp lệ: 1–40 ký tự, chỉ dùng chữ không dấu, số, "
                "dấu chấm, gạch dưới, gạch ngang.",
                code=code,
            ),
            field="code",
        )
    if unit_by_code(code):
        raise OrgError(_("Mã đơn vị %(code)s đã có.", code=code), field="code")
    _check_name(name)
    try:
        kind = UnitKind(kind)
    except ValueError:
        raise OrgError(_("Loại đơn vị không hợp lệ."), field="kind") from None
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
        after={
            **audit.snapshot(unit, UNIT_FIELDS),
            "name": name,
            "parent_id": parent.id if parent else None,
        },
    )
    return unit


def _new_version(unit: Unit, on: date, *, name: str, parent_id: int | None) -> UnitVersion:
    current = _open_version(unit, on)
    # A unit already due to end keeps that end date in its new version.
    version = UnitVersion(
        name=name, parent_id=parent_id, valid_from=on, valid_until=current.valid_until
    )
    current.valid_until = _day_before(on)
    unit.versions.append(version)
    return version


def rename_unit(unit: Unit, new_name: str, on: date) -> UnitVersion:
    """Give the unit a new name from day on; earlier days keep the old name."""
    new_name = clean_name(new_name)
    _check_name(new_name)
    old = unit.latest_version
    if new_name == old.name:
        raise OrgError(_("Tên mới trùng tên hiện tại."), field="name")
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
        raise OrgError(_("Đơn vị đã trực thuộc đơn vị cấp trên này."), field="parent_id")
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
    """Return the unit's memberships that last until day on or later."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(
                Membership.unit_id == unit.id,
                or_(Membership.valid_until.is_(None), Membership.valid_until >= on),
            )
            .order_by(Membership.id)
        )
    )


def _children_from(unit: Unit, on: date) -> list[Unit]:
    """Return the units placed under unit on day on or later."""
    return list(
        db.session.scalars(
            select(Unit)
            .join(UnitVersion, UnitVersion.unit_id == Unit.id)
            .where(
                UnitVersion.parent_id == unit.id,
                or_(UnitVersion.valid_until.is_(None), UnitVersion.valid_until >= on),
            )
            .distinct()
            .order_by(Unit.id)
        )
    )


def _check_can_end(unit: Unit, on: date) -> UnitVersion:
    """Check that unit may end the day before on, and return its last version."""
    if unit.valid_until is not None:
        raise OrgError(
            _(
                "Đơn vị %(code)s đã có ngày kết thúc %(day)s; "
                "không thể giải thể hay sáp nhập lần nữa.",
                code=unit.code,
                day=vn_date(unit.valid_until),
            )
        )
    _require_open(unit, on)
    version = unit.latest_version
    _check_after_last_change(version, on)
    return version


def _end_unit(unit: Unit, on: date, successor: Unit | None) -> date:
    """End unit on the day before on (its last day, returned)."""
    last_day = _day_before(on)
    unit.latest_version.valid_until = last_day
    unit.valid_until = last_day
    unit.successor_id = successor.id if successor else None
    return last_day


@dataclass(frozen=True)
class GrantOnMerge:
    """A manager grant over a unit being merged: it ends the day before the merge, and may be
    carried to the receiving unit (which widens that manager's reach) only if asked to."""

    grant_id: int
    person_id: int
    full_name: str
    valid_from: date
    ends_on: date


def grants_on_merge(unit: Unit, on: date) -> list[GrantOnMerge]:
    """The manager grants over unit still in force on the day before a merge on day on."""
    last_day = _day_before(on)
    rows = db.session.execute(
        select(RoleGrant.id, Person.id, Person.full_name, RoleGrant.valid_from)
        .join(Person, Person.id == RoleGrant.person_id)
        .where(
            RoleGrant.unit_id == unit.id,
            RoleGrant.role == Role.MANAGER,
            or_(RoleGrant.valid_until.is_(None), RoleGrant.valid_until >= last_day),
        )
        .order_by(Person.sort_key, RoleGrant.id)
    )
    return [
        GrantOnMerge(grant_id, person_id, name, since, last_day)
        for grant_id, person_id, name, since in rows
    ]


def merge_unit(unit: Unit, into: Unit, on: date, *, carry: Iterable[int] = ()) -> None:
    """Merge unit into its successor from day on: members and sub-units move there.

    The unit's manager grants end the day before (see grants_on_merge); only those whose ids
    are in carry become grants over into from day on: a merge widens nobody's reach unasked.
    """
    if unit.id == into.id:
        raise OrgError(_("Không thể sáp nhập một đơn vị vào chính nó."))
    name = _check_can_end(unit, on).name
    if not into.is_open_on(on):
        raise OrgError(
            _(
                "Đơn vị nhận %(code)s không hoạt động vào ngày %(day)s.",
                code=into.code,
                day=vn_date(on),
            )
        )
    if into.valid_until is not None:
        raise OrgError(
            _(
                "Đơn vị nhận %(code)s chỉ hoạt động đến ngày %(day)s.",
                code=into.code,
                day=vn_date(into.valid_until),
            )
        )
    if into.id in _below_from(unit.id, on):
        raise OrgError(_("Không thể sáp nhập một đơn vị vào đơn vị con của nó."))
    memberships = _open_memberships(unit, on)
    starting = [m for m in memberships if m.valid_from >= on]
    if starting:
        raise OrgError(
            _(
                "%(name)s bắt đầu công tác tại đơn vị từ ngày %(day)s, không trước ngày sáp nhập: "
                "hãy sửa quá trình công tác đó trước.",
                name=starting[0].person.full_name,
                day=vn_date(starting[0].valid_from),
            )
        )
    for child in _children_from(unit, on):
        move_unit(child, into, on)
    for membership in memberships:
        until = membership.valid_until
        _end_membership(membership, on)
        _start_membership(membership.person, into, on, until=until)
    ended, carried = _end_managers_of(unit, into, on, set(carry))
    last_day = _end_unit(unit, on, into)
    audit.record(
        "unit.merge",
        unit,
        _(
            "Sáp nhập %(name)s vào %(into)s từ %(day)s",
            name=name,
            into=into.latest_version.name,
            day=vn_date(on),
        ),
        after={
            "successor_id": into.id,
            "valid_until": last_day.isoformat(),
            "manager_grants_ended": ended,
            "managers_carried_over": carried,
        },
    )


def _end_managers_of(
    unit: Unit, into: Unit, on: date, carry: set[int]
) -> tuple[list[int], list[int]]:
    """End the grants over unit with it; carry the chosen ones over to into from day on.
    Return the ids of the grants ended and of the people given a grant over into."""
    ended: list[int] = []
    carried: list[int] = []
    for found in grants_on_merge(unit, on):
        ended.append(found.grant_id)
        grant = db.session.get_one(RoleGrant, found.grant_id)
        person = grant.person
        if grant.valid_from > found.ends_on:
            person.role_grants.remove(grant)  # it would have started after the unit ended
        else:
            grant.valid_until = found.ends_on
            grant.ended_at = utcnow()
        if found.grant_id not in carry:
            continue
        held = any(
            g.role == Role.MANAGER
            and g.unit_id == into.id
            and (g.valid_until is None or g.valid_until >= on)
            for g in person.role_grants
        )
        if not held:
            people.grant_role(person, Role.MANAGER, into, valid_from=on)
            carried.append(person.id)
    return ended, carried


def close_unit(unit: Unit, on: date) -> None:
    """Close an empty unit from day on; its history stays."""
    name = _check_can_end(unit, on).name
    members = _open_memberships(unit, on)
    children = _children_from(unit, on)
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
    last_day = _end_unit(unit, on, None)
    audit.record(
        "unit.close",
        unit,
        _("Giải thể %(name)s từ %(day)s", name=name, day=vn_date(on)),
        after={"valid_until": last_day.isoformat()},
    )


def _end_membership(membership: Membership, on: date) -> None:
    if membership.valid_from >= on:
        raise OrgError(
            _(
                "Thời gian công tác bắt đầu ngày %(day)s; ngày kết thúc phải sau ngày đó.",
                day=vn_date(membership.valid_from),
            )
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


def _start_membership(
    person: Person, unit: Unit, on: date, *, until: date | None = None
) -> Membership:
    membership = Membership(person=person, unit=unit, valid_from=on, valid_until=until)
    db.session.add(membership)
    audit.record(
        "membership.start",
        membership,
        _(
            "%(name)s công tác tại %(unit)s từ %(day)s",
            name=person.full_name,
            unit=unit.code,
            day=vn_date(on),
        ),
        after=audit.snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


def assign_to_unit(person: Person, unit: Unit, on: date) -> Membership:
    """Make person a member of unit from day on, ending their current membership the day before."""
    _require_open(unit, on)
    later = [m for m in person.memberships if m.valid_from >= on]
    if later:
        raise OrgError(
            _(
                "%(name)s đã có quá trình công tác từ ngày %(day)s; không thể bắt đầu sớm hơn.",
                name=person.full_name,
                day=vn_date(later[-1].valid_from),
            )
        )
    current = next((m for m in person.memberships if m.covers(on)), None)
    if current is not None:
        if current.unit_id == unit.id:
            return current
        _end_membership(current, on)
    # A unit that has ended (or is due to) takes no one beyond its last day.
    return _start_membership(person, unit, on, until=unit.valid_until)


def end_membership(membership: Membership, on: date) -> None:
    """End a membership from day on (the person leaves the unit)."""
    if membership.valid_until is not None and membership.valid_until < on:
        raise OrgError(
            _(
                "Quá trình công tác này đã kết thúc ngày %(day)s.",
                day=vn_date(membership.valid_until),
            )
        )
    _end_membership(membership, on)
