"""Honour board pages: public boards, one's own consent, and the boards HCTH manages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import public, requires
from lms.awards.queries import criteria_sets
from lms.db import db
from lms.honours import queries, services
from lms.honours.forms import (
    BoardForm,
    EntryForm,
    PersonEntryForm,
    TopUnitsForm,
    UnitEntryForm,
)
from lms.honours.models import CITATION_LIMIT, HonourBoard, HonouredPerson, HonouredUnit
from lms.i18n import gettext as _
from lms.i18n import local_today
from lms.org.queries import unit_choices
from lms.roles import Permission
from lms.security import CONTENT_SECURITY_POLICY
from lms.web import saving

T = TypeVar("T")
bp = Blueprint("honours", __name__, url_prefix="/honours", template_folder="templates")

# Short, so that a withdrawal of consent leaves shared caches within a minute.
PUBLIC_MAX_AGE = 60
_SCHEME = r"[A-Za-z][A-Za-z0-9+.-]*:"
_HOST = r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:([0-9]+|\*))?"
# A CSP source the setting may name: 'self', *, a scheme ("https:") or a host with an optional
# scheme and port. Nothing that could end the directive or add another (; , quotes, spaces).
_SOURCE = re.compile(rf"^('self'|\*|{_SCHEME}|({_SCHEME}//)?{_HOST})$")


def frame_ancestors(setting: str | None) -> str:
    """The sites that may frame the public pages: the setting's valid sources, '*' when unset.

    A source with ; , or quotes would end or change the policy, so it is dropped; a setting
    with no valid source at all allows no one but this site.
    """
    if setting is None or not setting.strip():
        return "*"
    sources = [source for source in setting.split() if _SOURCE.match(source)]
    return " ".join(sources) or "'self'"


def _public_response(html: str) -> Response:
    """A public page the agency's portal may cache and frame; with our cookie, a private copy."""
    ancestors = frame_ancestors(current_app.config.get("HONOURS_FRAME_ANCESTORS"))
    policy = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
    )
    response = current_app.make_response(html)
    response.headers["Content-Security-Policy"] = policy
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.vary.add("Cookie")
    return response


# ---------------------------------------------------------------------------------------------
# Public


@bp.get("/")
@public
def index():
    return _public_response(
        render_template("honours/public_index.html", boards=queries.published_boards())
    )


@bp.get("/<id:board_id>")
@public
def show(board_id: int) -> ResponseReturnValue:
    board = queries.public_board(board_id) or abort(404)
    return _public_response(render_template("honours/public_board.html", board=board))


# ---------------------------------------------------------------------------------------------
# One's own consent


@bp.get("/consent")
@requires(Permission.KEEP_PLAN)
def consent():
    return render_template(
        "honours/consent.html",
        consents=queries.has_consented(current_user.id),
        history=queries.consent_history(current_user.id),
        boards=queries.published_boards_of(current_user.id),
    )


@bp.post("/consent")
@requires(Permission.KEEP_PLAN)
def set_consent():
    choice = request.form.get("consent", "")
    if choice not in ("give", "withdraw"):
        flash(_("Hãy chọn đồng ý hoặc rút lại đồng ý."), "error")
        return redirect(url_for("honours.consent"))
    given = choice == "give"
    with saving():
        services.set_consent(current_user, given)
    if given:
        flash(_("Bạn đã đồng ý xuất hiện trên bảng vinh danh công khai."), "success")
    else:
        flash(
            _("Bạn đã rút lại đồng ý: tên bạn không còn hiện trên bảng vinh danh nào."), "success"
        )
    return redirect(url_for("honours.consent"))


# ---------------------------------------------------------------------------------------------
# Boards (HCTH)


def _board_or_404(board_id: int) -> HonourBoard:
    return queries.board(board_id) or abort(404)


def _person_or_404(board_id: int, entry_id: int) -> HonouredPerson:
    entry = db.session.get(HonouredPerson, entry_id)
    if entry is None or entry.board_id != board_id:
        abort(404)
    return entry


def _unit_or_404(board_id: int, entry_id: int) -> HonouredUnit:
    entry = db.session.get(HonouredUnit, entry_id)
    if entry is None or entry.board_id != board_id:
        abort(404)
    return entry


def _to_board(board_id: int) -> ResponseReturnValue:
    return redirect(url_for("honours.manage", board_id=board_id))


def _flash_added(result: services.Added) -> None:
    flash(
        _(
            "Đã thêm %(added)d người; bỏ qua %(without)d người chưa đồng ý công khai và "
            "%(already)d người đã có trên bảng.",
            added=result.added,
            without=result.without_consent,
            already=result.already,
        ),
        "success",
    )


@bp.get("/boards")
@requires(Permission.MANAGE_AWARDS)
def boards():
    return _boards_page(BoardForm())


def _boards_page(form: BoardForm, status: int = 200) -> ResponseReturnValue:
    page = render_template("honours/boards.html", boards=queries.board_summaries(), form=form)
    return page, status


@bp.post("/boards")
@requires(Permission.MANAGE_AWARDS)
def create_board():
    form = BoardForm()
    if form.validate_on_submit():
        with saving(_("Đã tạo bảng vinh danh."), show=False) as saved:
            board = services.create_board(
                title=form.title.data or "",
                first=form.first_day.data or "",
                last=form.last_day.data or "",
                created_by=current_user,
            )
        if saved:
            return _to_board(board.id)
        form.refuse(saved.refusal)
    # Shown again with what was typed and each message by its field.
    return _boards_page(form, status=400)


@bp.get("/boards/<id:board_id>")
@requires(Permission.MANAGE_AWARDS)
def manage(board_id: int) -> ResponseReturnValue:
    return _manage_page(_board_or_404(board_id))


def _manage_page(
    board: HonourBoard,
    form: BoardForm | None = None,
    status: int = 200,
    *,
    adding_person: PersonEntryForm | None = None,
    adding_unit: UnitEntryForm | None = None,
    top_units: TopUnitsForm | None = None,
    edits: dict[str, EntryForm] | None = None,
) -> ResponseReturnValue:
    """The board's page; form, when given, is a refused edit of its title and period, and each
    other form a refused post of its own part of the page, shown with what was typed. edits
    holds a refused edit of one entry, by "person-<entry id>" or "unit-<entry id>"."""
    page = render_template(
        "honours/manage.html",
        board=queries.board_view(board),
        form=form,
        adding_person=adding_person,
        adding_unit=adding_unit,
        top_units=top_units,
        edits=edits or {},
        people=queries.consenting_people(),
        units=unit_choices(board.last_day),
        sets=criteria_sets(),
        lists=queries.nomination_lists(),
        citation_limit=CITATION_LIMIT,
    )
    return page, status


def _change(
    board_id: int, change: Callable[[], T], done: str | Callable[[T], None]
) -> ResponseReturnValue:
    """Run change() through `saving`, then back to the board. done is a message, or a function
    of change()'s result that flashes its own."""
    with saving(None if callable(done) else done) as saved:
        result = change()
    if saved and callable(done):
        done(result)
    return _to_board(board_id)


def _form(name: str) -> str:
    return request.form.get(name, "")


@bp.post("/boards/<id:board_id>/edit")
@requires(Permission.MANAGE_AWARDS)
def update_board(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    form = BoardForm()
    if form.validate_on_submit():
        with saving(_("Đã lưu bảng vinh danh."), show=False) as saved:
            services.update_board(
                board,
                title=form.title.data or "",
                first=form.first_day.data or "",
                last=form.last_day.data or "",
            )
        if saved:
            return _to_board(board_id)
        form.refuse(saved.refusal)
    return _manage_page(board, form, status=400)


@bp.post("/boards/<id:board_id>/delete")
@requires(Permission.MANAGE_AWARDS)
def delete_board(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    with saving() as saved:
        services.delete_board(board)
        saved.done = _("Đã xóa bảng vinh danh.")
    if not saved:
        return _to_board(board_id)
    return redirect(url_for("honours.boards"))


@bp.post("/boards/<id:board_id>/publish")
@requires(Permission.MANAGE_AWARDS)
def publish(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    return _change(board_id, lambda: services.publish(board), _("Đã công bố bảng vinh danh."))


@bp.post("/boards/<id:board_id>/unpublish")
@requires(Permission.MANAGE_AWARDS)
def unpublish(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    return _change(
        board_id, lambda: services.unpublish(board), _("Đã thôi công bố bảng vinh danh.")
    )


@bp.post("/boards/<id:board_id>/people")
@requires(Permission.MANAGE_AWARDS)
def add_person(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    form = PersonEntryForm()
    if form.validate():
        with saving(_("Đã thêm người vào bảng."), show=False) as saved:
            services.add_person(board, form.person.data or "", form.citation.data or "")
        if saved:
            return _to_board(board_id)
        form.refuse(saved.refusal)
    # The board's page again, with what was typed and the message by its field.
    return _manage_page(board, status=400, adding_person=form)


@bp.post("/boards/<id:board_id>/people/passing")
@requires(Permission.MANAGE_AWARDS)
def add_passing(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    return _change(
        board_id,
        lambda: services.add_passing(board, _form("criteria_set"), local_today()),
        _flash_added,
    )


@bp.post("/boards/<id:board_id>/people/from-list")
@requires(Permission.MANAGE_AWARDS)
def add_from_list(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    return _change(
        board_id, lambda: services.add_from_list(board, _form("nomination_list")), _flash_added
    )


def _update_entry(
    board_id: int,
    entry: HonouredPerson | HonouredUnit,
    key: str,
    change: Callable[..., None],
) -> ResponseReturnValue:
    """Save an entry's citation and place by change(entry, citation=, position=); refused, the
    board's page again with what was typed in that entry's row, the message by its field."""
    form = EntryForm()
    with saving(_("Đã lưu."), show=False) as saved:
        change(entry, citation=form.citation.data or "", position=form.position.data or "")
    if saved:
        return _to_board(board_id)
    form.refuse(saved.refusal)
    return _manage_page(_board_or_404(board_id), status=400, edits={key: form})


@bp.post("/boards/<id:board_id>/people/<id:entry_id>")
@requires(Permission.MANAGE_AWARDS)
def update_person(board_id: int, entry_id: int) -> ResponseReturnValue:
    entry = _person_or_404(board_id, entry_id)
    return _update_entry(board_id, entry, f"person-{entry_id}", services.update_person)


@bp.post("/boards/<id:board_id>/people/<id:entry_id>/remove")
@requires(Permission.MANAGE_AWARDS)
def remove_person(board_id: int, entry_id: int) -> ResponseReturnValue:
    entry = _person_or_404(board_id, entry_id)
    return _change(board_id, lambda: services.remove_person(entry), _("Đã bỏ người khỏi bảng."))


@bp.post("/boards/<id:board_id>/units")
@requires(Permission.MANAGE_AWARDS)
def add_unit(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    form = UnitEntryForm()
    if form.validate():
        with saving(_("Đã thêm đơn vị vào bảng."), show=False) as saved:
            services.add_unit(board, form.unit.data or "", form.citation.data or "")
        if saved:
            return _to_board(board_id)
        form.refuse(saved.refusal)
    # The board's page again, with what was typed and the message by its field.
    return _manage_page(board, status=400, adding_unit=form)


def _flash_units_added(result: services.Added) -> None:
    flash(
        _(
            "Đã thêm %(added)d đơn vị; %(already)d đơn vị đã có trên bảng.",
            added=result.added,
            already=result.already,
        ),
        "success",
    )


@bp.post("/boards/<id:board_id>/units/top")
@requires(Permission.MANAGE_AWARDS)
def add_top_units(board_id: int) -> ResponseReturnValue:
    board = _board_or_404(board_id)
    form = TopUnitsForm()
    if form.validate():
        with saving(show=False) as saved:
            added = services.add_top_units(
                board, form.criteria_set.data or "", form.count.data or "", local_today()
            )
        if saved:
            _flash_units_added(added)
            return _to_board(board_id)
        form.refuse(saved.refusal)
    # The board's page again, with what was typed and the message by its field.
    return _manage_page(board, status=400, top_units=form)


@bp.post("/boards/<id:board_id>/units/<id:entry_id>")
@requires(Permission.MANAGE_AWARDS)
def update_unit(board_id: int, entry_id: int) -> ResponseReturnValue:
    entry = _unit_or_404(board_id, entry_id)
    return _update_entry(board_id, entry, f"unit-{entry_id}", services.update_unit)


@bp.post("/boards/<id:board_id>/units/<id:entry_id>/remove")
@requires(Permission.MANAGE_AWARDS)
def remove_unit(board_id: int, entry_id: int) -> ResponseReturnValue:
    entry = _unit_or_404(board_id, entry_id)
    return _change(board_id, lambda: services.remove_unit(entry), _("Đã bỏ đơn vị khỏi bảng."))
