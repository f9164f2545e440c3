"""Sign-in, sign-out and the user's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from lms.access import public, signed_in
from lms.accounts.models import Person
from lms.auth import services
from lms.auth.forms import PasswordForm
from lms.db import db
from lms.i18n import gettext as _
from lms.web import saving

bp = Blueprint("auth", __name__, template_folder="templates")

SESSION_TOKEN_KEY = "sid"


def _safe_next(target: str | None) -> str:
    """Return target if it stays on this site, else the home page."""
    if target:
        parts = urlsplit(target)
        # urlsplit drops control characters, so test the raw text too (a newline breaks headers).
        plain = all(char > " " for char in target) and "\\" not in target
        if plain and not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home.index")


def open_session(person: Person) -> None:
    """Sign person in on this browser (committed by the caller)."""
    # A fresh session on every sign-in: nothing from before it (a planted id) survives.
    session.clear()
    session[SESSION_TOKEN_KEY] = services.start_session(person, request.user_agent.string)
    session.permanent = True
    login_user(person)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("home.index"))
        return render_template("auth/login.html", username="")
    username = request.form.get("username", "")
    attempt = services.record_attempt(username, request.remote_addr or "?")
    db.session.commit()
    try:
        person = services.authenticate(attempt, request.form.get("password", ""))
    except services.AuthError as error:
        db.session.commit()  # a throttled attempt took its row back: it tested no password
        flash(str(error), "error")
        return render_template("auth/login.html", username=username), 401
    open_session(person)
    db.session.commit()
    if person.must_change_password:
        flash(_("Vui lòng đặt mật khẩu mới trước khi tiếp tục."), "info")
        return redirect(url_for("auth.change_password"))
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@signed_in
def logout():
    with saving():
        services.end_session(session.get(SESSION_TOKEN_KEY))
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        with saving(_("Đã đổi mật khẩu."), show=False) as saved:
            services.change_password(
                current_user, form.current_password.data or "", form.new_password.data or ""
            )
            services.end_other_sessions(current_user, session.get(SESSION_TOKEN_KEY))
        if saved:
            return redirect(url_for("home.index"))
        form.refuse(saved.refusal)
    if request.method == "POST":
        return render_template("auth/change_password.html", form=form), 400
    return render_template("auth/change_password.html", form=form)
