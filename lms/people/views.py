"""Administration of people: the list, a person's page, their roles, unit, position, password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import to_user_timezone
from flask_login import current_user

from lms.access import requires
from lms.accounts import services
from lms.accounts.models import EmploymentKind, Gender, Person, RoleGrant
from lms.accounts.queries import position_history
from lms.audit.access_log import record_view
from lms.auth import services as auth
from lms.db import MAX_ID, db, parse_id
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import local_today, vn_date
from lms.org import services as org
from lms.org.models import Unit
from lms.org.queries import unit_choices
from lms.people import queries
from lms.people.forms import (
    CorrectionForm,
    GrantForm,
    MembershipForm,
    NewPersonForm,
    PersonForm,
    PositionForm,
)
from lms.roles import ROLE_LABELS, Permission, Role
from lms.web import saving

# The endpoints keep the name they always had (accounts.person, ...): the access log stores them.
bp = Blueprint("accounts", __name__, url_prefix="/admin/people", template_folder="templates")

# Integer ids in URLs and filters stay within the database's INTEGER, so none can overflow it.
PERSON = "/<id:person_id>"

GENDER_LABELS = {Gender.MALE: _l("Nam"), Gender.FEMALE: _l("Nữ"), Gender.OTHER: _l("Khác")}
EMPLOYMENT_LABELS = {
    EmploymentKind.CONG_CHUC: _l("Công chức"),
    EmploymentKind.VIEN_CHUC: _l("Viên chức"),
    EmploymentKind.NGUOI_LAO_DONG: _l("Người lao động"),
    EmploymentKind.OTHER: _l("Khác"),
}
STATUS_LABELS = {
    queries.Status.ALL: _l("Tất cả"),
    queries.Status.ACTIVE: _l("Đang hoạt động"),
    queries.Status.INACTIVE: _l("Ngừng hoạt động"),
}
# Suggestions only: any ethnicity may be typed.
ETHNICITIES = ("Kinh", "Nùng", "Tày", "Sán Dìu", "Hoa", "Sán Chay", "Dao", "Mông", "Mường", "Thái")
# A position changes on the person's page, from a day or as a correction: never in passing.
EDIT_FIELDS = tuple(name for name in services.EDITABLE_FIELDS if name != "position")
GRANTABLE_ROLES = [role for role in Role if role not in (Role.LEARNER, Role.CITIZEN)]


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _person_values(person: Person) -> dict[str, str]:
    """The person form's fields as text, from a person."""
    values = {name: getattr(person, name, None) or "" for name in EDIT_FIELDS}
    values["date_of_birth"] = vn_date(person.date_of_birth)
    return values


def _render_form(
    form: PersonForm, person: Person | None = None, status: int = 200
) -> ResponseReturnValue:
    return (
        render_template(
            "people/form.html",
            form=form,
            person=person,
            genders=list(GENDER_LABELS.items()),
            employment_kinds=list(EMPLOYMENT_LABELS.items()),
            ethnicities=ETHNICITIES,
        ),
        status,
    )


def _flash_legacy_letters(person: Person) -> None:
    warning = services.legacy_font_warning(person)
    if warning:
        flash(warning, "info")


@bp.get("/")
@requires(Permission.MANAGE_PEOPLE)
def people():
    today = local_today()
    unit_id = request.args.get("unit", type=int)
    if unit_id is not None and not 0 < unit_id <= MAX_ID:
        unit_id = None
    status = request.args.get("status", "")
    if status not in STATUS_LABELS:
        status = queries.Status.ALL
    search = request.args.get("q", "").replace("\x00", "")[:100]
    page = queries.people_page(
        day=today,
        search=search,
        unit_id=unit_id,
        status=status,
        page=request.args.get("page", 1, type=int),
    )
    units = unit_choices(today)
    return render_template(
        "people/people.html",
        page=page,
        search=search,
        unit_id=unit_id,
        status=status,
        unit_options=[(u.unit_id, f"{u.name} ({u.code})") for u in units],
        status_options=list(STATUS_LABELS.items()),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def create():
    form = NewPersonForm()
    if request.method == "GET":
        return _render_form(form)
    if form.validate():
        with saving(show=False) as saved:
            person = services.create_person(
                username=form.username.data or "",
                position_since=form.position_since.data,
                **{name: form[name].data for name in services.EDITABLE_FIELDS},
            )
            saved.done = _(
                "Đã thêm %(name)s. Hãy xếp đơn vị công tác và cấp mật khẩu lần đầu.",
                name=person.full_name,
            )
        if saved:
            _flash_legacy_letters(person)
            return redirect(url_for("accounts.person", person_id=person.id))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _render_form(form, status=400)


@bp.get(PERSON)
@requires(Permission.MANAGE_PEOPLE)
def person(person_id: int) -> ResponseReturnValue:
    return _person_page(_person_or_404(person_id))


def _person_page(
    found: Person,
    grant_form: GrantForm | None = None,
    status: int = 200,
    *,
    membership_form: MembershipForm | None = None,
    position_form: PositionForm | None = None,
    correction_form: CorrectionForm | None = None,
) -> ResponseReturnValue:
    """The person's page; a form, when given, is a refused one shown again by its fields (the
    others start afresh, not with what it posted)."""
    record_view("accounts.person", person_id=found.id)
    today = local_today()
    history = queries.membership_history(found.id, today)
    units = unit_choices(today)
    return render_template(
        "people/person.html",
        person=found,
        today=today,
        history=history,
        current=next((row for row in history if row.is_current), None),
        positions=position_history(found.id, today),
        grants=queries.grants_for([found.id], today, history=True).get(found.id, []),
        has_records=services.has_records(found),
        unit_options=[(u.unit_id, f"{u.name} ({u.code})") for u in units],
        role_options=[(role.value, ROLE_LABELS[role]) for role in GRANTABLE_ROLES],
        created_on=to_user_timezone(found.created_at).date(),
        updated_on=to_user_timezone(found.updated_at).date(),
        gender_labels=GENDER_LABELS,
        employment_labels=EMPLOYMENT_LABELS,
        grant_form=grant_form or GrantForm(formdata=None, valid_from=vn_date(today)),
        membership_form=membership_form or MembershipForm(formdata=None, since=vn_date(today)),
        position_form=position_form or PositionForm(formdata=None, position_since=vn_date(today)),
        correction_form=correction_form
        or CorrectionForm(formdata=None, corrected_position=found.position),
    ), status


@bp.route(PERSON + "/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def edit(person_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    if request.method == "GET":
        record_view("accounts.edit", person_id=found.id)
        return _render_form(PersonForm(data=_person_values(found)), found)
    form = PersonForm()
    if form.validate():
        with saving(show=False) as saved:
            changed = services.update_person(
                found, **{name: form[name].data for name in EDIT_FIELDS}
            )
        if saved:
            if changed:
                flash(_("Đã lưu thông tin của %(name)s.", name=found.full_name), "success")
            else:
                flash(_("Không có gì thay đổi."), "info")
            _flash_legacy_letters(found)
            return redirect(url_for("accounts.person", person_id=found.id))
        form.refuse(saved.refusal)
    return _render_form(form, found, status=400)


def _set_active(person_id: int, active: bool) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    with saving() as saved:
        auth.set_active(found, active, actor=current_user)
    if saved:
        if active:
            flash(_("Đã kích hoạt lại %(name)s.", name=found.full_name), "success")
        else:
            flash(_("Đã ngừng kích hoạt %(name)s.", name=found.full_name), "success")
    return redirect(url_for("accounts.person", person_id=found.id))


@bp.post(PERSON + "/deactivate")
@requires(Permission.MANAGE_PEOPLE)
def deactivate(person_id: int) -> ResponseReturnValue:
    return _set_active(person_id, False)


@bp.post(PERSON + "/reactivate")
@requires(Permission.MANAGE_PEOPLE)
def reactivate(person_id: int) -> ResponseReturnValue:
    return _set_active(person_id, True)


@bp.post(PERSON + "/delete")
@requires(Permission.MANAGE_PEOPLE)
def delete(person_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    if request.form.get("confirm") != "yes":
        flash(_("Hãy đánh dấu ô xác nhận xóa trước khi bấm Xóa."), "error")
        return redirect(url_for("accounts.person", person_id=found.id))
    name = found.full_name
    with saving() as saved:
        services.delete_person(found, actor=current_user)
        saved.done = _("Đã xóa %(name)s.", name=name)
    if not saved:
        return redirect(url_for("accounts.person", person_id=found.id))
    return redirect(url_for("accounts.people"))


@bp.post(PERSON + "/password")
@requires(Permission.MANAGE_PEOPLE)
def reset_password(person_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    with saving():
        temporary = auth.reset_password(found)
    # Shown once on this page only: never in a flash (kept in the session) nor in a URL.
    response = render_template("people/password_reset.html", person=found, temporary=temporary)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post(PERSON + "/roles")
@requires(Permission.MANAGE_PEOPLE)
def grant_role(person_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    form = GrantForm()
    if form.validate():
        unit = _unit_chosen(form.role_unit.data)
        with saving(show=False) as saved:
            services.grant_role(
                found,
                form.role.data or "",
                unit,
                valid_from=form.valid_from.data,
                valid_until=form.valid_until.data,
            )
            saved.done = _("Đã cấp vai trò cho %(name)s.", name=found.full_name)
        if saved:
            return redirect(url_for("accounts.person", person_id=found.id) + "#roles")
        form.refuse(saved.refusal)
    # The person's page again, with what was typed and each message by its field.
    return _person_page(found, form, status=400)


@bp.post(PERSON + "/roles/<id:grant_id>/revoke")
@requires(Permission.MANAGE_PEOPLE)
def revoke_role(person_id: int, grant_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None:
        abort(404)
    with saving() as saved:
        services.revoke_role(found, grant, actor=current_user)
        saved.done = _("Đã thu hồi vai trò của %(name)s từ hôm nay.", name=found.full_name)
    return redirect(url_for("accounts.person", person_id=found.id) + "#roles")


def _unit_chosen(value: str | None) -> Unit | None:
    """The unit whose id was chosen in a select, if there is one."""
    unit_id = parse_id(value)
    return db.session.get(Unit, unit_id) if unit_id else None


@bp.post(PERSON + "/unit")
@requires(Permission.MANAGE_PEOPLE)
def assign_unit(person_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    form = MembershipForm()
    if form.validate():
        with saving(show=False) as saved:
            unit = _unit_chosen(form.unit.data)
            if unit is None:
                raise services.PersonError(_("Hãy chọn đơn vị công tác."), field="unit")
            since = services.parse_day(form.since.data, _("Từ ngày"), field="since")
            if since is None:
                raise services.PersonError(
                    _("Hãy nhập ngày bắt đầu công tác (Từ ngày)."), field="since"
                )
            membership = org.assign_to_unit(found, unit, since)
        if saved:
            if membership.valid_from != since:
                flash(
                    _(
                        "%(name)s đã thuộc đơn vị này từ ngày %(day)s.",
                        name=found.full_name,
                        day=vn_date(membership.valid_from),
                    ),
                    "info",
                )
            else:
                flash(
                    _(
                        "Đã xếp %(name)s vào đơn vị %(code)s từ ngày %(day)s.",
                        name=found.full_name,
                        code=unit.code,
                        day=vn_date(since),
                    ),
                    "success",
                )
            return redirect(url_for("accounts.person", person_id=found.id) + "#history")
        form.refuse(saved.refusal)
    # The person's page again, with what was typed and each message by its field.
    return _person_page(found, status=400, membership_form=form)


@bp.post(PERSON + "/position")
@requires(Permission.MANAGE_PEOPLE)
def change_position(person_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    form = PositionForm()
    if form.validate():
        with saving(show=False) as saved:
            changed = services.change_position(found, form.position.data, form.position_since.data)
        if saved:
            if changed:
                flash(_("Đã ghi lần đổi chức vụ của %(name)s.", name=found.full_name), "success")
            else:
                flash(
                    _(
                        "%(name)s đã giữ chức vụ này vào ngày đó; không có gì thay đổi.",
                        name=found.full_name,
                    ),
                    "info",
                )
            return redirect(url_for("accounts.person", person_id=found.id) + "#positions")
        form.refuse(saved.refusal)
    # The person's page again, with what was typed and each message by its field.
    return _person_page(found, status=400, position_form=form)


@bp.post(PERSON + "/position/correct")
@requires(Permission.MANAGE_PEOPLE)
def correct_position(person_id: int) -> ResponseReturnValue:
    found = _person_or_404(person_id)
    form = CorrectionForm()
    if form.validate():
        with saving(show=False) as saved:
            changed = services.correct_position(found, form.corrected_position.data)
        if saved:
            if changed:
                flash(_("Đã sửa chức vụ hiện tại của %(name)s.", name=found.full_name), "success")
            else:
                flash(_("Không có gì thay đổi."), "info")
            return redirect(url_for("accounts.person", person_id=found.id) + "#positions")
        form.refuse(saved.refusal)
    # The person's page again, with what was typed and the message by its field.
    return _person_page(found, status=400, correction_form=form)
