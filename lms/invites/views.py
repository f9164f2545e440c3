"""Issuing first-sign-in codes (administrators) and using one (anyone holding a code)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import to_user_timezone
from flask_login import current_user, login_user

from lms import mail
from lms.access import public, requires
from lms.auth import services as auth
from lms.auth.views import SESSION_TOKEN_KEY
from lms.db import db, parse_id
from lms.i18n import gettext as _
from lms.i18n import local_today, vn_date
from lms.invites import queries, services
from lms.invites.forms import CHANNEL_EMAIL, IssueForm, RedeemForm
from lms.org.queries import unit_choices
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("invites", __name__, template_folder="templates")

# Attempts at codes are counted per address, as one pseudo-account of that address (no
# username holds "#"): guesses from one address slow that address down and nobody else.
THROTTLE_KEY = "#sign-in-code@"


def _units() -> list[tuple[int, str]]:
    return [(choice.unit_id, choice.name) for choice in unit_choices(local_today())]


def _render_issue(form: IssueForm, status: int = 200) -> ResponseReturnValue:
    unit_id = _unit_id(form)
    waiting = queries.newcomers(unit_id, local_today()) if unit_id else None
    page = render_template(
        "invites/issue.html",
        form=form,
        units=_units(),
        waiting=waiting,
        smtp=bool(current_app.config.get("SMTP_HOST")),
    )
    return page, status


def _unit_id(form: IssueForm) -> int | None:
    """The chosen unit if it is open today, else None."""
    unit_id = parse_id((form.unit_id.data or "").strip())  # ASCII digits only ("²" is a digit)
    return unit_id if unit_id is not None and unit_id in dict(_units()) else None


@bp.get("/admin/people/first-sign-in")
@requires(Permission.MANAGE_PEOPLE)
def issue_form() -> ResponseReturnValue:
    form = IssueForm(request.args)
    form.unit_id.errors = []
    return _render_issue(form)


def _mail_for(issued: services.IssuedCode) -> mail.Mail:
    person = issued.newcomer.person
    link = url_for("invites.redeem", code=issued.code, _external=True)
    body = _(
        "Xin chào %(name)s,\n\n"
        "Tài khoản học tập của bạn đã được tạo, tên đăng nhập: %(username)s.\n"
        "Mở liên kết sau để đặt mật khẩu và đăng nhập lần đầu:\n%(link)s\n\n"
        "Mã đăng nhập lần đầu: %(code)s (dùng được một lần, đến hết ngày %(expires)s).\n"
        "Nếu bạn không chờ thư này, hãy bỏ qua nó.",
        name=person.full_name,
        username=person.username,
        link=link,
        code=issued.code,
        expires=vn_date(to_user_timezone(issued.expires_at).date()),
    )
    assert person.email  # only people with an address are mailed
    return mail.Mail(to=person.email, subject=_("Đăng nhập lần đầu: Học tập suốt đời"), body=body)


def _sheet(issued: Sequence[services.IssuedCode], mailed: int) -> ResponseReturnValue:
    by_unit = [
        (name, list(rows)) for name, rows in groupby(issued, key=lambda i: i.newcomer.unit_name)
    ]
    page = render_template(
        "invites/sheet.html",
        by_unit=by_unit,
        mailed=mailed,
        sign_in_url=url_for("invites.redeem", _external=True),
        expiry=lambda issued: vn_date(to_user_timezone(issued.expires_at).date()),
    )
    # The codes exist in clear only on this page: never cached, never in a URL or a flash.
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/admin/people/first-sign-in")
@requires(Permission.MANAGE_PEOPLE)
def issue() -> ResponseReturnValue:
    form = IssueForm()
    if not form.validate():
        return _render_issue(form, 400)
    unit_id = _unit_id(form)
    if unit_id is None:
        form.unit_id.errors = [_("Hãy chọn một đơn vị đang hoạt động.")]
        return _render_issue(form, 400)
    newcomers = queries.newcomers(unit_id, local_today())
    if not newcomers:
        form.unit_id.errors = [_("Đơn vị này không có ai đang chờ đăng nhập lần đầu.")]
        return _render_issue(form, 400)
    with saving(show=False) as saved:
        issued = services.issue_codes(newcomers, actor=current_user)
    if not saved:
        form.refuse(saved.refusal)
        return _render_issue(form, 400)
    by_email = form.channel.data == CHANNEL_EMAIL and current_app.config.get("SMTP_HOST")
    mailed = 0
    if by_email:
        to_mail = [item for item in issued if item.newcomer.person.email]
        mailed = mail.send([_mail_for(item) for item in to_mail])
        issued = [item for item in issued if not item.newcomer.person.email]
    return _sheet(issued, mailed)


@bp.route("/first-sign-in", methods=["GET", "POST"])
@public
def redeem() -> ResponseReturnValue:
    form = RedeemForm(request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.code.data = request.args.get("code", "")
        return render_template("invites/redeem.html", form=form)
    if not form.validate():
        return render_template("invites/redeem.html", form=form), 400
    address = request.remote_addr or "?"
    attempt = auth.record_attempt(THROTTLE_KEY + address, address)
    db.session.commit()  # counted before the check: parallel guesses see each other
    try:
        auth.refuse_if_throttled(attempt)
        person = services.redeem(
            form.code.data or "", form.new_password.data or "", form.confirm_password.data or ""
        )
    except services.CodeError as error:
        db.session.rollback()
        if error.field != "code":
            # The code was right: what was wrong is the new password, not a guess.
            auth.forget_failures(attempt)
        db.session.commit()
        form.refuse(error)
        return render_template("invites/redeem.html", form=form), 400
    except auth.AuthError as error:  # throttled: the attempt took its row back
        db.session.commit()
        form.refuse(error)
        return render_template("invites/redeem.html", form=form), 429
    auth.forget_failures(attempt)
    # Signed in as the sign-in page does: a fresh server-side session, nothing from before.
    session.clear()
    session[SESSION_TOKEN_KEY] = auth.start_session(person, request.user_agent.string)
    session.permanent = True
    login_user(person)
    db.session.commit()
    flash(
        _(
            "Đã đặt mật khẩu. Lần sau hãy đăng nhập bằng tên đăng nhập %(username)s "
            "và mật khẩu này.",
            username=person.username,
        ),
        "success",
    )
    return redirect(url_for("home.index"))
