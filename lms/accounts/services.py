"""Changes to people: create, edit, positions over time, deactivate, roles, password resets."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from flask_login import current_user
from sqlalchemy import exists, or_, select

from lms.accounts.models import EmploymentKind, Gender, Person, PersonPosition, RoleGrant
from lms.audit import services as audit
from lms.db import db, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import local_today, vn_date
from lms.i18n import parse_day as parse_typed_day
from lms.roles import ROLE_LABELS, Role
from lms.text import clean_name, fold, legacy_font_letters, person_sort_key, split_name
from lms.uploads import services as pending

if TYPE_CHECKING:
    from lms.org.models import Unit

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
FIELD_LABELS = {
    "full_name": _l("Họ và tên"),
    "given_name_override": _l("Tên (khi không phải chữ cuối)"),
    "date_of_birth": _l("Ngày sinh"),
    "ethnicity": _l("Dân tộc"),
    "position": _l("Chức vụ"),
    "position_since": _l("Giữ chức vụ từ ngày"),
    "email": _l("Email"),
    "phone": _l("Số điện thoại"),
}
# The column widths in accounts.models: longer text would be cut or refused by PostgreSQL.
MAX_LENGTHS = {
    "full_name": 200,
    "given_name_override": 100,
    "ethnicity": 60,
    "position": 200,
    "email": 200,
    "phone": 40,
}
# Links that make a row part of the person: it goes with them when a person is deleted. Who
# recorded a position (person_position.recorded_by_id) is a record of the recorder instead.
PARTS_OF_PERSON = frozenset(
    {"role_grant.person_id", "person_position.person_id", "pending_upload.owner_id"}
)
# How far ahead a change of position may be recorded: a typo in the year would otherwise
# become everybody's "current" position.
POSITION_DAYS_AHEAD = 366


class PersonError(UserError):
    """A change that breaks a rule about people; the message is shown to the user."""


def person_by_username(username: str) -> Person | None:
    return db.session.scalars(
        select(Person).where(Person.username == username.strip().casefold())
    ).first()


def parse_day(text: str | date | None, label: str, *, field: str | None = None) -> date | None:
    """Return the date written as dd/mm/yyyy (or yyyy-mm-dd), None when blank; field names the
    form field a refusal is about."""
    if text is None or isinstance(text, date):
        return text
    text = text.strip()
    if not text:
        return None
    day = parse_typed_day(text)
    if day is not None:
        return day
    raise PersonError(
        _(
            "%(field)s “%(value)s” không hợp lệ: hãy nhập ngày/tháng/năm, ví dụ 05/04/1985.",
            field=label,
            value=text[:40],
        ),
        field=field,
    )


def _optional(value: Any) -> Any:
    if isinstance(value, str):
        value = clean_name(value)
        return value or None
    return value


def _given_name_override(full_name: str, override: str | None) -> str | None:
    """Return the override spelled as in the full name, None when the last word is the tên."""
    if not override:
        return None
    words = full_name.split(" ")
    wanted = override.split(" ")
    tail = words[-len(wanted) :]
    if len(wanted) > len(words) or " ".join(tail).lower() != override.lower():
        raise PersonError(
            _(
                "Tên “%(given)s” phải là phần cuối của họ và tên “%(name)s”.",
                given=override,
                name=full_name,
            ),
            field="given_name_override",
        )
    if len(wanted) == 1:
        return None  # the last word is the tên anyway
    return " ".join(tail)


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    """Return the changes cleaned, or raise PersonError naming the first bad field."""
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise PersonError(_("Không sửa được trường %(name)s.", name=name))
        clean[name] = _optional(value)
    if "full_name" in clean and not clean["full_name"]:
        raise PersonError(_("Họ và tên không được để trống."), field="full_name")
    for name, limit in MAX_LENGTHS.items():
        if clean.get(name) and len(clean[name]) > limit:
            raise PersonError(
                _("%(field)s quá dài (tối đa %(n)d ký tự).", field=FIELD_LABELS[name], n=limit),
                field=name,
            )
    if clean.get("full_name"):
        # The parts kept beside the full name (given name, search text) have their own sizes: a
        # "name" of one 150-letter word fits the full name but not the given name.
        _family, given = split_name(clean["full_name"], clean.get("given_name_override"))
        if (
            len(given) > MAX_LENGTHS["given_name_override"]
            or len(fold(clean["full_name"])) > MAX_LENGTHS["full_name"]
        ):
            raise PersonError(
                _("Họ và tên “%(name)s…” không giống một họ tên.", name=clean["full_name"][:40]),
                field="full_name",
            )
    if "date_of_birth" in clean:
        born = parse_day(
            clean["date_of_birth"], str(FIELD_LABELS["date_of_birth"]), field="date_of_birth"
        )
        if born is not None and (born > local_today() or born.year < 1900):
            raise PersonError(
                _("Ngày sinh %(day)s không hợp lý.", day=vn_date(born)), field="date_of_birth"
            )
        clean["date_of_birth"] = born
    if clean.get("gender") is not None:
        try:
            clean["gender"] = Gender(clean["gender"])
        except ValueError:
            raise PersonError(_("Giới tính không hợp lệ."), field="gender") from None
    if "employment_kind" in clean:
        try:
            clean["employment_kind"] = EmploymentKind(clean["employment_kind"] or "cong_chuc")
        except ValueError:
            raise PersonError(_("Loại cán bộ không hợp lệ."), field="employment_kind") from None
    if clean.get("email") and not EMAIL_RE.match(clean["email"]):
        raise PersonError(_("Email “%(email)s” không hợp lệ.", email=clean["email"]), field="email")
    if clean.get("phone") and not PHONE_RE.match(clean["phone"]):
        raise PersonError(
            _("Số điện thoại “%(phone)s” không hợp lệ.", phone=clean["phone"]), field="phone"
        )
    return clean


def _refresh_derived(person: Person) -> None:
    """Recompute the given name, sort key and search text from the full name."""
    family_and_middle, given = split_name(person.full_name, person.given_name_override)
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
            ),
            field="username",
        )
    return username


def create_person(
    *,
    username: str,
    full_name: str,
    position_since: str | date | None = None,
    **fields: Any,
) -> Person:
    """Create a person (without a password: an administrator sets one).

    A position is held from position_since, by default from the day the person is created.
    """
    username = check_username(username)
    if person_by_username(username):
        raise PersonError(
            _("Tên đăng nhập %(username)s đã có người dùng.", username=username), field="username"
        )
    clean = _validated({"full_name": full_name, **fields})
    clean["given_name_override"] = _given_name_override(
        clean["full_name"], clean.get("given_name_override")
    )
    position = clean.pop("position", None)
    since = _position_day(position_since)
    if since is not None and position is None:
        raise PersonError(_("Đã ghi ngày giữ chức vụ nhưng chưa ghi chức vụ."), field="position")
    person = Person(username=username, **clean)
    _refresh_derived(person)
    db.session.add(person)
    if position is not None:
        set_position(person, position, since or local_today())
    audit.record(
        "person.create",
        person,
        _("Thêm %(name)s (%(username)s)", name=person.full_name, username=username),
        after=audit.snapshot(person, AUDITED_FIELDS),
    )
    return person


def update_person(person: Person, **changes: Any) -> bool:
    """Apply changes to person; return whether anything changed.

    A position given here is a change from today (see change_position for another day and
    correct_position for a misspelt one).
    """
    clean = _validated(changes)
    full_name = clean.get("full_name", person.full_name)
    override = clean.get("given_name_override", person.given_name_override)
    # Checked before anything is set, so a refused change leaves the person as they were.
    clean["given_name_override"] = _given_name_override(full_name, override)
    position = clean.pop("position", None)
    if "position" in changes and position is None and person.position is not None:
        raise PersonError(
            _("Không xóa được chức vụ của %(name)s; hãy ghi chức vụ mới.", name=person.full_name)
        )
    before = audit.snapshot(person, AUDITED_FIELDS)
    for name, value in clean.items():
        setattr(person, name, value)
    _refresh_derived(person)
    today = local_today()
    moved = position is not None and set_position(person, position, today)
    after = audit.snapshot(person, AUDITED_FIELDS)
    if moved:
        after["position_valid_from"] = today.isoformat()
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


# Positions over time ---------------------------------------------------------------------------


def _position_day(text: str | date | None) -> date | None:
    """Return the day a position is held from, None when blank.

    A day ahead is allowed (an appointment decided in advance), up to POSITION_DAYS_AHEAD.
    """
    label = str(FIELD_LABELS["position_since"])
    day = parse_day(text, label, field="position_since")
    if day is not None and day > local_today() + timedelta(days=POSITION_DAYS_AHEAD):
        raise PersonError(
            _(
                "%(field)s %(day)s quá xa: chỉ ghi được trước tối đa %(n)d ngày.",
                field=label,
                day=vn_date(day),
                n=POSITION_DAYS_AHEAD,
            ),
            field="position_since",
        )
    if day is not None and day.year < 1900:
        raise PersonError(
            _("%(field)s %(day)s không hợp lý.", field=label, day=vn_date(day)),
            field="position_since",
        )
    return day


def _position_text(position: str | None, field: str = "position") -> str:
    """The position as it is kept; field names the form field a refusal is about."""
    text = _optional(position)
    if not text:
        raise PersonError(_("Hãy ghi chức vụ."), field=field)
    limit = MAX_LENGTHS["position"]
    if len(text) > limit:
        raise PersonError(
            _("%(field)s quá dài (tối đa %(n)d ký tự).", field=FIELD_LABELS["position"], n=limit),
            field=field,
        )
    return text


def _held_on(rows: list[PersonPosition], day: date) -> PersonPosition | None:
    """Return the row in force on day: the last change on or before it."""
    return next((row for row in reversed(rows) if row.valid_from <= day), None)


def _signed_in_id() -> int | None:
    """Return who makes the change, as the audit log names them (nobody from the CLI)."""
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.id
    return None


def _drop_repeats(person: Person) -> None:
    """Remove a row that repeats the position before it: no change happened on its day."""
    rows = sorted(person.positions, key=lambda row: row.valid_from)
    for earlier, later in zip(rows, rows[1:], strict=False):
        if later.position == earlier.position:
            person.positions.remove(later)


def _keep_current(person: Person) -> None:
    """Set person.position to their latest recorded position (one taking effect soon included)."""
    rows = sorted(person.positions, key=lambda row: row.valid_from)
    person.position = rows[-1].position if rows else None


def set_position(person: Person, position: str, since: date) -> bool:
    """Record that person holds position from since on; return whether that changed anything.

    The one writer of a person's positions: it keeps person.position, the latest one, in step
    with the dated rows. Later changes stay as they are. Not audited here: callers record it.
    """
    rows = sorted(person.positions, key=lambda row: row.valid_from)
    held = _held_on(rows, since)
    if held is not None and held.position == position:
        return False
    if held is not None and held.valid_from == since:
        held.position = position
        held.recorded_at = utcnow()
        held.recorded_by_id = _signed_in_id()
    else:
        person.positions.append(
            PersonPosition(position=position, valid_from=since, recorded_by_id=_signed_in_id())
        )
    _drop_repeats(person)
    _keep_current(person)
    return True


def change_position(person: Person, position: str | None, since: str | date | None) -> bool:
    """Record a change of position from the day since; return whether anything changed."""
    position = _position_text(position)
    day = _position_day(since)
    if day is None:
        raise PersonError(_("Hãy nhập ngày bắt đầu giữ chức vụ."))
    held = _held_on(sorted(person.positions, key=lambda row: row.valid_from), day)
    before = {
        "position": held.position if held else None,
        "valid_from": held.valid_from.isoformat() if held else None,
    }
    if not set_position(person, position, day):
        return False
    audit.record(
        "person.position",
        person,
        _(
            "Đổi chức vụ của %(name)s: “%(position)s” từ ngày %(day)s",
            name=person.full_name,
            position=position,
            day=vn_date(day),
        ),
        before=before,
        after={"position": position, "valid_from": day.isoformat()},
    )
    return True


def correct_position(person: Person, position: str | None) -> bool:
    """Fix a misspelt current (latest) position in place: no change of position, no new date."""
    position = _position_text(position, field="corrected_position")
    rows = sorted(person.positions, key=lambda row: row.valid_from)
    current = rows[-1] if rows else None
    if current is None:
        raise PersonError(
            _(
                "%(name)s chưa có chức vụ để sửa; hãy ghi lần đổi chức vụ kèm ngày.",
                name=person.full_name,
            )
        )
    if current.position == position:
        return False
    before = current.position
    current.position = position
    _drop_repeats(person)
    _keep_current(person)
    audit.record(
        "person.position_correct",
        person,
        _(
            "Sửa chức vụ hiện tại của %(name)s: “%(before)s” thành “%(after)s”",
            name=person.full_name,
            before=before,
            after=position,
        ),
        before={"position": before},
        after={"position": position},
    )
    return True


def legacy_font_warning(person: Person) -> str | None:
    """Return a warning when the name holds letters left by a legacy Vietnamese font."""
    found = legacy_font_letters(person.full_name)
    if not found:
        return None
    _offset, letter, meant = found[0]
    return _(
        "Họ và tên “%(name)s” có chữ “%(letter)s” của phông chữ cũ; có lẽ là “%(meant)s”. "
        "Hãy kiểm tra và sửa lại.",
        name=person.full_name,
        letter=letter,
        meant=meant,
    )


def refuse_self(person: Person, actor: Person | None, message: str) -> None:
    if actor is not None and actor.id == person.id:
        raise PersonError(message)


def has_records(person: Person) -> bool:
    """Say whether anything refers to person, so that they may only be deactivated.

    Every row that points at the person through a foreign key is a record: memberships,
    sign-in sessions, audit events they made, and whatever later features store about their
    learning. Their role grants are part of the person, not records. Audit events *about* the
    person (person.create, person.update, role.grant...) are not records either: they stay in
    the log after a deletion, which is itself logged, so a person added by mistake can go.
    """
    person_table = db.metadata.tables[Person.__tablename__]
    refers = [
        exists().where(foreign_key.parent == person.id)
        for table in db.metadata.sorted_tables
        for foreign_key in table.foreign_keys
        if foreign_key.references(person_table)
        and f"{table.name}.{foreign_key.parent.name}" not in PARTS_OF_PERSON
    ]
    return bool(refers) and bool(db.session.scalar(select(or_(*refers))))


def delete_person(person: Person, *, actor: Person | None = None) -> None:
    """Delete a person who has no records (one added by mistake); the deletion is logged."""
    refuse_self(person, actor, _("Bạn không thể tự xóa tài khoản của mình."))
    if has_records(person):
        raise PersonError(
            _(
                "Không thể xóa %(name)s vì đã có dữ liệu gắn với người này (quá trình công tác, "
                "lần đăng nhập hoặc hoạt động). Chỉ có thể ngừng kích hoạt.",
                name=person.full_name,
            )
        )
    audit.record(
        "person.delete",
        person,
        _("Xóa %(name)s (%(username)s)", name=person.full_name, username=person.username),
        before=audit.snapshot(person, AUDITED_FIELDS),
    )
    pending.forget_all(person.id)
    db.session.delete(person)


def _span_text(valid_from: date, valid_until: date | None) -> str:
    if valid_until is None:
        return _("từ %(day)s", day=vn_date(valid_from))
    return _("từ %(first)s đến %(last)s", first=vn_date(valid_from), last=vn_date(valid_until))


def _grant_dates(grant: RoleGrant) -> dict[str, Any]:
    return {
        "role": Role(grant.role).value,
        "unit_id": grant.unit_id,
        "valid_from": grant.valid_from.isoformat(),
        "valid_until": grant.valid_until.isoformat() if grant.valid_until else None,
    }


def grant_role(
    person: Person,
    role: Role | str,
    unit: Unit | None = None,
    *,
    valid_from: str | date | None = None,
    valid_until: str | date | None = None,
) -> RoleGrant:
    """Give person a role from valid_from (today by default) until valid_until (open if None).

    A manager's grant needs the unit it covers. A first day in the past records who held the
    role then: a head reaches their people's records only on the days of their grant.
    """
    try:
        role = Role(role)
    except ValueError:
        raise PersonError(_("Vai trò không hợp lệ."), field="role") from None
    if role == Role.LEARNER:
        raise PersonError(_("Mọi người đều là học viên; không cần cấp vai trò này."), field="role")
    if role == Role.MANAGER and unit is None:
        raise PersonError(_("Vai trò quản lý đơn vị cần chọn đơn vị."), field="role_unit")
    today = local_today()
    first = parse_day(valid_from, str(_("Ngày bắt đầu giữ vai trò")), field="valid_from") or today
    last = parse_day(valid_until, str(_("Ngày cuối giữ vai trò")), field="valid_until")
    if last is not None and last < first:
        raise PersonError(
            _("Ngày cuối giữ vai trò không được trước ngày bắt đầu."), field="valid_until"
        )
    if role != Role.MANAGER:
        unit = None
    # A unit that opens later may be granted ahead (a merge on a future date does so).
    elif unit is not None and unit.valid_until is not None and unit.valid_until < max(first, today):
        raise PersonError(
            _("Đơn vị %(code)s không còn hoạt động.", code=unit.code), field="role_unit"
        )
    unit_id = unit.id if unit else None
    for held in person.role_grants:
        if held.role == role and held.unit_id == unit_id and _overlaps(held, first, last):
            raise PersonError(
                _(
                    "%(name)s đã có vai trò này %(span)s.",
                    name=person.full_name,
                    span=_span_text(held.valid_from, held.valid_until),
                ),
                field="role",
            )
    grant = RoleGrant(role=role, unit_id=unit_id, valid_from=first, valid_until=last)
    person.role_grants.append(grant)
    audit.record(
        "role.grant",
        person,
        _("Cấp vai trò %(role)s cho %(name)s", role=str(ROLE_LABELS[role]), name=person.full_name)
        + (f" ({unit.code})" if unit else "")
        + " "
        + _span_text(first, last),
        after=_grant_dates(grant),
    )
    return grant


def _overlaps(grant: RoleGrant, first: date, last: date | None) -> bool:
    return (last is None or grant.valid_from <= last) and (
        grant.valid_until is None or grant.valid_until >= first
    )


def revoke_role(person: Person, grant: RoleGrant, *, actor: Person | None = None) -> None:
    """End one of person's grants from today; nobody may end their own administrator role.

    The grant is kept, ending yesterday, so that who held the role when stays known; a grant
    that had not started before today goes entirely.
    """
    if grant not in person.role_grants:
        raise PersonError(_("Vai trò này không thuộc về %(name)s.", name=person.full_name))
    if grant.role == Role.ADMIN:
        refuse_self(person, actor, _("Bạn không thể tự thu hồi vai trò quản trị của mình."))
    today = local_today()
    if grant.valid_until is not None and grant.valid_until < today:
        raise PersonError(_("Vai trò này đã kết thúc."))
    role = Role(grant.role)
    before = _grant_dates(grant)
    if grant.valid_from >= today:
        person.role_grants.remove(grant)
        after = None
    else:
        grant.valid_until = today - timedelta(days=1)
        grant.ended_at = utcnow()
        after = _grant_dates(grant)
    audit.record(
        "role.revoke",
        person,
        _(
            "Thu hồi vai trò %(role)s của %(name)s",
            role=str(ROLE_LABELS[role]),
            name=person.full_name,
        )
        + (f" ({grant.unit.code})" if grant.unit else ""),
        before=before,
        after=after,
    )
