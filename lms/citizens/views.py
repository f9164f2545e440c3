"""Registration, recovery codes, e-mail confirmation, the privacy notice, HCTH's figures."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import public, requires
from lms.audit import services as audit
from lms.auth.views import open_session
from lms.citizens import queries, services
from lms.citizens.forms import RecoverForm, RegisterForm
from lms.db import parse_id
from lms.i18n import gettext as _
from lms.i18n import local_today
from lms.org.queries import agency_name_today
from lms.outbox import services as outbox
from lms.roles import Permission
from lms.sheets import csv_bytes
from lms.web import saving

bp = Blueprint("citizens", __name__, template_folder="templates")


def _no_store(response: Response) -> Response:
    """Secrets shown once (recovery codes) are kept by no cache and no back button."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/privacy-notice")
@public
def notice() -> ResponseReturnValue:
    agency = agency_name_today() or _("cơ quan quản lý nền tảng này")
    return render_template("citizens/notice.html", version=services.NOTICE_VERSION, agency=agency)


def _register_page(form: RegisterForm, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "citizens/register.html",
            form=form,
            communes=[(c.id, c.name) for c in services.communes()],
        ),
        status,
    )


@bp.route("/register", methods=["GET", "POST"])
@public
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if request.method == "GET":
        return _register_page(form)
    if not form.validate():
        return _register_page(form, 400)
    applicant = services.Applicant(
        full_name=form.full_name.data or "",
        username=form.username.data or "",
        password=form.password.data or "",
        email=form.email.data or "",
        commune_id=parse_id(form.commune.data),
        consent=bool(form.consent.data),
        honeypot=form.website.data or "",
    )
    with saving(show=False) as saved:
        registered = services.register(applicant, request.remote_addr or "?")
        open_session(registered.person)
    if not saved:
        assert saved.error is not None
        form.refuse(saved.error)
        return _register_page(form, 400)
    return _no_store(
        Response(
            render_template(
                "citizens/welcome.html",
                person=registered.person,
                codes=registered.codes,
                verify_sent=registered.verify_sent,
            )
        )
    )


@bp.get("/register/verify/<token>")
@public
def verify(token: str) -> ResponseReturnValue:
    with saving(_("Đã xác nhận địa chỉ e-mail.")) as saved:
        services.verify(token[:500])
    return redirect(url_for("home.index" if saved else "citizens.notice"))


@bp.route("/recover", methods=["GET", "POST"])
@public
def recover() -> ResponseReturnValue:
    form = RecoverForm()
    if request.method == "POST" and form.validate():
        with saving(show=False) as saved:
            person = services.recover(
                form.username.data or "",
                form.code.data or "",
                form.password.data or "",
                request.remote_addr or "?",
            )
            left = services.recovery_codes_left(person.id)
        if saved:
            flash(_("Đã đặt mật khẩu mới. Còn %(n)d mã khôi phục chưa dùng.", n=left), "success")
            return redirect(url_for("auth.login"))
        assert saved.error is not None
        form.refuse(saved.error)
    status = 400 if request.method == "POST" else 200
    return render_template("citizens/recover.html", form=form), status


def _citizen_only() -> None:
    if not current_user.is_citizen:
        abort(404)


@bp.get("/account")
@requires(Permission.LEARN)
def account() -> ResponseReturnValue:
    """A citizen's own account: recovery codes left, the e-mail address confirmed or not."""
    _citizen_only()
    return render_template(
        "citizens/account.html",
        codes_left=services.recovery_codes_left(current_user.id),
        verified=services.email_verified(current_user.id),
        mail_on=outbox.enabled(),
    )


@bp.post("/account/verify-email")
@requires(Permission.LEARN)
def resend_verification() -> ResponseReturnValue:
    _citizen_only()
    with saving() as saved:
        sent = services.send_verification(current_user)
    if saved:
        if sent:
            flash(_("Đã gửi lại thư xác nhận đến %(email)s.", email=current_user.email), "success")
        else:
            flash(_("Hệ thống chưa gửi được e-mail; hãy thử lại sau."), "info")
    return redirect(url_for("citizens.account"))


@bp.post("/account/recovery-codes")
@requires(Permission.LEARN)
def new_codes() -> ResponseReturnValue:
    """New recovery codes for a citizen (the old ones stop working), shown once."""
    _citizen_only()
    with saving() as saved:
        codes = services.new_recovery_codes(current_user)
        audit.record(
            "citizen.new_codes", current_user._get_current_object(), "Tạo mã khôi phục mới"
        )
    if not saved:
        return redirect(url_for("citizens.account"))
    return _no_store(
        Response(render_template("citizens/codes.html", codes=codes, person=current_user))
    )


@bp.get("/reports/citizens")
@requires(Permission.VIEW_REPORTS)
def figures() -> ResponseReturnValue:
    """Citizens' learning per commune and course over a year: figures only, never names."""
    today = local_today()
    year = request.args.get("year", type=int) or today.year
    if not 2000 <= year <= today.year + 1:
        abort(404)
    found = queries.citizen_figures(date(year, 1, 1), min(date(year, 12, 31), today))
    if request.args.get("format") == "csv":
        return _csv(found, year)
    return render_template("citizens/figures.html", found=found, year=year, this_year=today.year)


def _csv(found: queries.CitizenFigures, year: int) -> Response:
    rows: list[list[object]] = [
        [
            _("Mã xã/phường"),
            _("Xã/phường"),
            _("Khóa học"),
            _("Người học"),
            _("Hoàn thành"),
            _("Số tiết"),
        ]
    ]
    for line in found.communes:
        for title, cell in line.courses:
            rows.append([line.code, line.name, title, cell.learners, cell.completions, cell.tiet])
        rows.append(
            [
                line.code,
                line.name,
                _("Cộng"),
                line.total.learners,
                line.total.completions,
                line.total.tiet,
            ]
        )
    total = found.total
    rows.append(["", _("Toàn tỉnh"), "", total.learners, total.completions, total.tiet])
    name = f"nguoi-hoc-tu-do-{year}.csv"
    return Response(
        csv_bytes(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
