"""Nomination pages for HCTH and admins: lists, entries, freezing, changes, forms, downloads."""

from __future__ import annotations

from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import requires
from lms.audit.access_log import record_view
from lms.awards.queries import criteria_sets
from lms.db import db
from lms.i18n import gettext as _
from lms.i18n import local_today, vn_date
from lms.nominations import document, queries, services
from lms.nominations.forms import EntryForm, ListForm
from lms.nominations.models import CommendationForm, NominationEntry, NominationList
from lms.nominations.services import NominationError
from lms.org.queries import unit_choices
from lms.reports import exports
from lms.roles import Permission
from lms.web import buffered, saving

bp = Blueprint("nominations", __name__, url_prefix="/nominations", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_or_404(list_id: int) -> NominationList:
    return queries.nomination_list(list_id) or abort(404)


def _entry_or_404(list_id: int, entry_id: int) -> NominationEntry:
    entry = db.session.get(NominationEntry, entry_id)
    if entry is None or entry.list_id != list_id:
        abort(404)
    return entry


@bp.get("/")
@requires(Permission.MANAGE_AWARDS)
def lists():
    return _lists_page(ListForm(formdata=None))


def _lists_page(form: ListForm, status: int = 200) -> ResponseReturnValue:
    sets = criteria_sets()
    page = render_template(
        "nominations/lists.html",
        lists=queries.list_summaries(),
        sets=sets,
        set_options=[
            (item.id, f"{item.name} ({vn_date(item.first_day)}–{vn_date(item.last_day)})")
            for item in sets
        ],
        unit_options=[(unit.unit_id, unit.name) for unit in unit_choices(local_today())],
        form=form,
    )
    return page, status


@bp.post("/")
@requires(Permission.MANAGE_AWARDS)
def create():
    form = ListForm()
    if form.validate():
        with saving(show=False) as saved:
            nomination = services.create_list(
                name=form.name.data or "",
                criteria_set=form.criteria_set.data or "",
                unit=form.unit.data or "",
                created_by=current_user,
                today=local_today(),
            )
            saved.done = _("Đã lập danh sách với %(n)d người.", n=len(nomination.entries))
        if saved:
            return redirect(url_for("nominations.show", list_id=nomination.id))
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _lists_page(form, status=400)


@bp.get("/<id:list_id>")
@requires(Permission.MANAGE_AWARDS)
def show(list_id: int) -> ResponseReturnValue:
    nomination = _list_or_404(list_id)
    data = queries.data_of(nomination, local_today())
    record_view("nominations.show", scope=f"Danh sách đề nghị khen thưởng #{nomination.id}")
    entries = queries.active_entries(nomination) if not nomination.is_frozen else []
    return render_template(
        "nominations/show.html",
        nomination=nomination,
        people=document.as_document(data["people"]),
        units=document.as_document(data["units"]),
        entries=entries,
        removed=data["removed"],
        intact=queries.integrity(nomination.snapshot) if nomination.snapshot else None,
    )


@bp.post("/<id:list_id>/refresh")
@requires(Permission.MANAGE_AWARDS)
def refresh(list_id: int) -> ResponseReturnValue:
    nomination = _list_or_404(list_id)
    result = _apply(lambda: services.refresh_list(nomination, local_today()))
    if result is not None:
        flash(
            _(
                "Đã cập nhật: thêm %(added)d người, %(dropped)d người không còn đạt tiêu chí.",
                added=result.added,
                dropped=result.dropped,
            ),
            "success",
        )
    return redirect(url_for("nominations.show", list_id=list_id))


@bp.post("/<id:list_id>/freeze")
@requires(Permission.MANAGE_AWARDS)
def freeze(list_id: int) -> ResponseReturnValue:
    nomination = _list_or_404(list_id)
    if _apply(lambda: services.freeze_list(nomination, current_user, local_today())):
        flash(_("Đã chốt danh sách. Số liệu được lưu cố định."), "success")
    return redirect(url_for("nominations.show", list_id=list_id))


def _apply(change):
    """Run change() and commit; return its result, or None after saying why nothing changed.

    When someone else refreshed or froze the same list at the same moment, the database
    refuses the second writer's rows: that is explained, not a server error.
    """
    conflict = _("Danh sách vừa được người khác cập nhật hoặc chốt. Hãy xem lại rồi thử lại.")
    with saving(conflict=conflict) as saved:
        result = change()
    return result if saved else None


@bp.get("/<id:list_id>/changes")
@requires(Permission.MANAGE_AWARDS)
def changes(list_id: int) -> ResponseReturnValue:
    nomination = _list_or_404(list_id)
    today = local_today()
    data = queries.data_of(nomination, today)
    spec = queries.frozen_spec(data)
    found = queries.differences(data, queries.live(spec, nomination.unit_id, today))
    record_view("nominations.changes", scope=f"Danh sách đề nghị khen thưởng #{nomination.id}")
    return render_template("nominations/changes.html", nomination=nomination, changes=found)


@bp.get("/<id:list_id>/export.xlsx")
@requires(Permission.MANAGE_AWARDS)
def export(list_id: int) -> ResponseReturnValue:
    data, sheets = _sheets(list_id, "nominations.export")
    response = Response(exports.xlsx_sheets_chunks(sheets), mimetype=XLSX)
    return _attachment(response, data, "xlsx")


@bp.get("/<id:list_id>/print.html")
@requires(Permission.MANAGE_AWARDS)
def print_list(list_id: int) -> ResponseReturnValue:
    """Both sheets on one printable page: the list, the units, then the signers."""
    data, sheets = _sheets(list_id, "nominations.print")
    chunks = exports.html_sheets_chunks([doc for _title, doc in sheets])
    response = Response(stream_with_context(buffered(chunks)))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return _attachment(response, data, "html")


def _sheets(list_id: int, label: str) -> tuple[dict, list[tuple[str, document.Document]]]:
    """The list's data and its two sheets, the viewing of its personal data logged."""
    nomination = _list_or_404(list_id)
    data = queries.data_of(nomination, local_today())
    record_view(label, scope=f"Danh sách đề nghị khen thưởng #{nomination.id}")
    return data, [
        ("Danh sach de nghi", document.as_document(data["people"])),
        ("Tong hop don vi", document.as_document(data["units"])),
    ]


def _attachment(response: Response, data: dict, extension: str) -> Response:
    listed = data["list"]
    name = exports.file_name(
        "de-nghi-khen-thuong", str(listed["id"]), listed["unit_code"] or "", extension=extension
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@bp.get("/<id:list_id>/entries/<id:entry_id>")
@requires(Permission.MANAGE_AWARDS)
def entry(list_id: int, entry_id: int) -> ResponseReturnValue:
    found = _entry_or_404(list_id, entry_id)
    values = {"form": found.form_id, "summary": found.summary, "note": found.note}
    return _entry_page(list_id, found, EntryForm(formdata=None, data=values))


def _entry_page(
    list_id: int, found: NominationEntry, edit: EntryForm, status: int = 200
) -> ResponseReturnValue:
    """The entry's page; edit is its form, as saved or as refused."""
    nomination = _list_or_404(list_id)
    record_view("nominations.entry", person_id=found.person_id)
    page = render_template(
        "nominations/entry.html",
        nomination=nomination,
        entry=found,
        form_options=[
            (form.id, form.name) for form in queries.forms() if form.is_active or form is found.form
        ],
        edit=edit,
    )
    return page, status


@bp.post("/<id:list_id>/entries/<id:entry_id>")
@requires(Permission.MANAGE_AWARDS)
def update_entry(list_id: int, entry_id: int) -> ResponseReturnValue:
    found = _entry_or_404(list_id, entry_id)
    edit = EntryForm()
    if edit.validate():
        with saving(_("Đã lưu."), show=False) as saved:
            services.update_entry(
                found,
                form=edit.form.data or "",
                summary=edit.summary.data or "",
                note=edit.note.data or "",
            )
        if saved:
            return redirect(url_for("nominations.show", list_id=list_id))
        edit.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _entry_page(list_id, found, edit, status=400)


@bp.post("/<id:list_id>/entries/<id:entry_id>/remove")
@requires(Permission.MANAGE_AWARDS)
def remove_entry(list_id: int, entry_id: int) -> ResponseReturnValue:
    found = _entry_or_404(list_id, entry_id)
    with saving() as saved:
        services.remove_entry(found, request.form.get("reason", ""), current_user)
        saved.done = _("Đã bỏ %(name)s khỏi danh sách.", name=found.person.full_name)
    if not saved:
        return redirect(url_for("nominations.entry", list_id=list_id, entry_id=entry_id))
    return redirect(url_for("nominations.show", list_id=list_id))


@bp.post("/<id:list_id>/entries/<id:entry_id>/restore")
@requires(Permission.MANAGE_AWARDS)
def restore_entry(list_id: int, entry_id: int) -> ResponseReturnValue:
    found = _entry_or_404(list_id, entry_id)
    with saving() as saved:
        services.restore_entry(found)
        saved.done = _("Đã đưa %(name)s trở lại danh sách.", name=found.person.full_name)
    return redirect(url_for("nominations.show", list_id=list_id))


@bp.get("/forms")
@requires(Permission.MANAGE_AWARDS)
def forms():
    return render_template("nominations/forms.html", forms=queries.forms())


@bp.post("/forms")
@requires(Permission.MANAGE_AWARDS)
def add_form():
    with saving() as saved:
        services.add_form(request.form.get("name", ""))
        saved.done = _("Đã thêm hình thức khen thưởng.")
    return redirect(url_for("nominations.forms"))


@bp.post("/forms/<id:form_id>")
@requires(Permission.MANAGE_AWARDS)
def change_form(form_id: int) -> ResponseReturnValue:
    form = db.session.get(CommendationForm, form_id) or abort(404)
    action = request.form.get("action", "")
    with saving() as saved:
        if action == "rename":
            services.rename_form(form, request.form.get("name", ""))
        elif action in ("activate", "deactivate"):
            services.set_form_active(form, action == "activate")
        elif action in ("up", "down"):
            services.move_form(form, action)
        else:
            raise NominationError(_("Thao tác không hợp lệ."))
        saved.done = _("Đã lưu.")
    return redirect(url_for("nominations.forms"))
