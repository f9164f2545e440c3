"""Administration of organisation units: the tree on a day, one unit's history, its members."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal, overload

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.access import requires
from lms.accounts.services import person_by_username
from lms.audit.access_log import record_view
from lms.db import db, parse_id
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import local_today, vn_date
from lms.org import queries, services
from lms.org.forms import MemberForm, MergeForm, MoveForm, RenameForm, UnitForm, parse_day
from lms.org.models import Membership, Unit, UnitKind
from lms.org.services import OrgError
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("org", __name__, url_prefix="/admin/units", template_folder="templates")

KIND_LABELS = {
    UnitKind.AGENCY: _l("Cơ quan"),
    UnitKind.DIVISION: _l("Phòng, đơn vị thuộc cơ quan"),
    UnitKind.DISTRICT_OFFICE: _l("Phòng Dân tộc cấp huyện"),
    UnitKind.COMMUNE: _l("Xã, phường, thị trấn"),
    UnitKind.OTHER: _l("Khác"),
}


def _day_from_query(name: str, label: str) -> date:
    """Return the day asked for in the query string, or today (saying why) if it is not a date."""
    if not request.args.get(name):
        return local_today()
    try:
        return parse_day(request.args.get(name), label)
    except OrgError as error:
        flash(str(error), "error")
        return local_today()


def _options(choices: list[queries.UnitChoice]) -> list[tuple[int, str]]:
    """Return (id, label) pairs for a select of units."""
    return [(choice.unit_id, f"{choice.name} ({choice.code})") for choice in choices]


def _unit_or_404(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


@overload
def _chosen_unit(
    value: str | None, name: str, label: str, *, required: Literal[True] = True
) -> Unit: ...
@overload
def _chosen_unit(value: str | None, name: str, label: str, *, required: bool) -> Unit | None: ...
def _chosen_unit(value: str | None, name: str, label: str, *, required: bool = True) -> Unit | None:
    """The unit chosen in field name (a select of unit ids); label names it in a refusal."""
    value = (value or "").strip()
    if not value:
        if required:
            raise OrgError(_("Chưa chọn %(label)s.", label=label), field=name)
        return None
    unit_id = parse_id(value)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise OrgError(_("Không tìm thấy %(label)s đã chọn.", label=label), field=name)
    return unit


def _unit_from_form(name: str, label: str, *, required: bool) -> Unit | None:
    return _chosen_unit(request.form.get(name), name, label, required=required)


def _apply(unit_id: int, change: Callable[[], str]) -> ResponseReturnValue:
    """Run one change to the organisation (it returns what to say once saved); back to the unit."""
    with saving() as saved:
        saved.done = change()
    return redirect(url_for("org.unit", unit_id=unit_id))


@bp.get("/")
@requires(Permission.MANAGE_UNITS)
def units():
    on = _day_from_query("on", _("Ngày xem cơ cấu"))
    show_closed = request.args.get("closed") == "1"
    lookup = _lookup() if "who" in request.args else None
    return render_template(
        "org/units.html",
        tree=queries.unit_tree(on, include_closed=show_closed),
        on=on,
        show_closed=show_closed,
        lookup=lookup,
        who=request.args.get("who", ""),
        lookup_day=request.args.get("day", ""),
        kind_labels=KIND_LABELS,
    )


def _lookup() -> str | None:
    """Answer "which unit was this person in on that day, and what was it called then?"."""
    try:
        username = request.args.get("who", "").strip()
        if not username:
            raise OrgError(_("Chưa nhập tên đăng nhập cần tra cứu."))
        day = parse_day(request.args.get("day"), _("Ngày tra cứu"))
        person = person_by_username(username)
        if person is None:
            raise OrgError(_("Không có người dùng với tên đăng nhập “%(u)s”.", u=username))
    except OrgError as error:
        flash(str(error), "error")
        return None
    unit = queries.unit_of_person_on(person.id, day)
    if unit is None:
        return _(
            "Ngày %(day)s, %(name)s không thuộc đơn vị nào.",
            day=vn_date(day),
            name=person.full_name,
        )
    return _(
        "Ngày %(day)s, %(name)s thuộc %(unit)s (%(code)s)",
        day=vn_date(day),
        name=person.full_name,
        unit=unit.name,
        code=unit.code,
    )


@bp.get("/new")
@requires(Permission.MANAGE_UNITS)
def new_unit():
    return _unit_form(UnitForm(valid_from=local_today().isoformat()))


def _unit_form(form: UnitForm, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "org/new_unit.html",
            form=form,
            kinds=list(KIND_LABELS.items()),
            parents=_options(queries.unit_choices(local_today())),
        ),
        status,
    )


@bp.post("/new")
@requires(Permission.MANAGE_UNITS)
def create_unit():
    form = UnitForm()
    if form.validate_on_submit():
        with saving(show=False) as saved:
            unit = services.create_unit(
                code=form.code.data or "",
                name=form.name.data or "",
                kind=form.kind.data or "",
                parent=_unit_from_form("parent_id", _("đơn vị cấp trên"), required=False),
                valid_from=parse_day(form.valid_from.data, _("Ngày thành lập")),
            )
            saved.done = _("Đã tạo đơn vị %(code)s.", code=unit.code)
        if saved:
            return redirect(url_for("org.unit", unit_id=unit.id))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _unit_form(form, status=400)


@bp.get("/<id:unit_id>")
@requires(Permission.MANAGE_UNITS)
def unit(unit_id: int) -> ResponseReturnValue:
    return _unit_page(unit_id)


def _unit_page(
    unit_id: int,
    *,
    merge: MergeForm | None = None,
    member: MemberForm | None = None,
    rename: RenameForm | None = None,
    move: MoveForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The unit's page; a form given (merge, member, rename, move) is a refused one, shown with
    what was typed and each message by its field."""
    today = local_today()
    detail = queries.unit_detail(unit_id, today)
    if detail is None:
        abort(404)
    # A form not being shown again starts afresh, not with what another form posted.
    fresh = {"formdata": None, "on": today.isoformat()}
    return (
        render_template(
            "org/unit.html",
            detail=detail,
            today=today,
            choices=_options([c for c in queries.unit_choices(today) if c.unit_id != unit_id]),
            kind_labels=KIND_LABELS,
            merge=merge or MergeForm(**fresh),
            member=member or MemberForm(**fresh),
            rename=rename or RenameForm(**fresh, name=detail.name),
            move=move or MoveForm(**fresh),
        ),
        status,
    )


@bp.post("/<id:unit_id>/rename")
@requires(Permission.MANAGE_UNITS)
def rename(unit_id: int) -> ResponseReturnValue:
    unit = _unit_or_404(unit_id)
    form = RenameForm()
    if form.validate_on_submit():
        with saving(show=False) as saved:
            on = parse_day(form.on.data, _("Ngày đổi tên"), field="on")
            version = services.rename_unit(unit, form.name.data or "", on)
            saved.done = _(
                "Đã đổi tên thành “%(name)s” từ ngày %(day)s.", name=version.name, day=vn_date(on)
            )
        if saved:
            return redirect(url_for("org.unit", unit_id=unit_id))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _unit_page(unit_id, rename=form, status=400)


@bp.post("/<id:unit_id>/move")
@requires(Permission.MANAGE_UNITS)
def move(unit_id: int) -> ResponseReturnValue:
    unit = _unit_or_404(unit_id)
    form = MoveForm()
    if form.validate_on_submit():
        with saving(show=False) as saved:
            parent = _chosen_unit(
                form.parent_id.data, "parent_id", _("đơn vị cấp trên mới"), required=False
            )
            on = parse_day(form.on.data, _("Ngày chuyển"), field="on")
            services.move_unit(unit, parent, on)
            saved.done = _("Đã chuyển đơn vị từ ngày %(day)s.", day=vn_date(on))
        if saved:
            return redirect(url_for("org.unit", unit_id=unit_id))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _unit_page(unit_id, move=form, status=400)


@bp.post("/<id:unit_id>/merge")
@requires(Permission.MANAGE_UNITS)
def merge(unit_id: int) -> ResponseReturnValue:
    """Merge in two steps: first the page that lists what the merge does to manager grants,
    each carried over only if ticked there; then, confirmed, the merge itself. A refused merge
    shows the unit's page again with what was chosen and each message by its field."""
    unit = _unit_or_404(unit_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return _unit_page(unit_id, merge=form, status=400)
    label = _("Ngày sáp nhập")
    if form.confirmed.data != "1":
        try:
            into = _chosen_unit(form.into_id.data, "into_id", _("đơn vị nhận sáp nhập"))
            on = parse_day(form.on.data, label, field="on")
            grants = services.grants_on_merge(unit, on)
            with db.session.begin_nested() as trial:  # the checks run, nothing is kept
                services.merge_unit(unit, into, on)
                trial.rollback()
        except OrgError as error:
            db.session.rollback()
            form.refuse(error)
            return _unit_page(unit_id, merge=form, status=400)
        return render_template(
            "org/merge_confirm.html",
            unit=unit,
            name=queries.unit_on(unit.id, _day_before(on)),
            into=queries.unit_on(into.id, on),
            on=on,
            last_day=_day_before(on),
            grants=grants,
        )

    with saving(show=False) as saved:
        into = _chosen_unit(form.into_id.data, "into_id", _("đơn vị nhận sáp nhập"))
        on = parse_day(form.on.data, label, field="on")
        services.merge_unit(unit, into, on, carry=form.carry.data)
        saved.done = _("Đã sáp nhập vào %(code)s từ ngày %(day)s.", code=into.code, day=vn_date(on))
    if saved:
        return redirect(url_for("org.unit", unit_id=unit_id))
    form.refuse(saved.refusal)
    return _unit_page(unit_id, merge=form, status=400)


def _day_before(day: date) -> date:
    return day - timedelta(days=1)


@bp.post("/<id:unit_id>/close")
@requires(Permission.MANAGE_UNITS)
def close(unit_id: int) -> ResponseReturnValue:
    unit = _unit_or_404(unit_id)

    def change() -> str:
        on = parse_day(request.form.get("on"), _("Ngày giải thể"))
        services.close_unit(unit, on)
        return _("Đã giải thể đơn vị từ ngày %(day)s.", day=vn_date(on))

    return _apply(unit_id, change)


@bp.post("/<id:unit_id>/members")
@requires(Permission.MANAGE_UNITS)
def add_member(unit_id: int) -> ResponseReturnValue:
    unit = _unit_or_404(unit_id)
    form = MemberForm()
    if form.validate_on_submit():
        username = form.username.data or ""
        with saving(show=False) as saved:
            person = person_by_username(username)
            if person is None:
                raise OrgError(
                    _("Không có người dùng với tên đăng nhập “%(u)s”.", u=username),
                    field="username",
                )
            on = parse_day(form.on.data, _("Ngày bắt đầu công tác"), field="on")
            services.assign_to_unit(person, unit, on)
            saved.done = _(
                "%(name)s công tác tại đơn vị từ ngày %(day)s.",
                name=person.full_name,
                day=vn_date(on),
            )
        if saved:
            return redirect(url_for("org.unit", unit_id=unit_id))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _unit_page(unit_id, member=form, status=400)


@bp.post("/<id:unit_id>/memberships/<id:membership_id>/end")
@requires(Permission.MANAGE_UNITS)
def end_membership(unit_id: int, membership_id: int) -> ResponseReturnValue:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.unit_id != unit_id:
        abort(404)

    def change() -> str:
        on = parse_day(request.form.get("on"), _("Ngày thôi công tác"))
        services.end_membership(membership, on)
        return _(
            "%(name)s thôi công tác tại đơn vị từ ngày %(day)s.",
            name=membership.person.full_name,
            day=vn_date(on),
        )

    return _apply(unit_id, change)


@bp.get("/<id:unit_id>/members")
@requires(Permission.MANAGE_UNIT, unit=lambda unit_id: unit_id)
def unit_members(unit_id: int) -> ResponseReturnValue:
    unit = _unit_or_404(unit_id)
    on = _day_from_query("on", _("Ngày xem danh sách"))
    search = request.args.get("q", "").strip()
    page = queries.members_on(
        unit_id, on, search=search, page=request.args.get("page", 1, type=int)
    )
    record_view("org.unit_members", scope=f"Thành viên đơn vị: {unit.code}, ngày {vn_date(on)}")
    return render_template(
        "org/members.html",
        unit=unit,
        unit_then=queries.unit_on(unit_id, on),
        page=page,
        on=on,
        search=search,
    )
