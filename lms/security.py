"""Cookie and response hardening that applies to every page."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from lms.i18n import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS, and sign it again
    only when it changed or its lifetime should restart (refresh_session_cookie)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if super().should_set_cookie(app, session):
            return True
        return bool(session.permanent and g.get(_REFRESH_COOKIE))


_REFRESH_COOKIE = "refresh_session_cookie"


def refresh_session_cookie() -> None:
    """Send the session cookie again with this response, its lifetime counted from now.

    Flask would sign and send it on every response (SESSION_REFRESH_EACH_REQUEST, off in
    lms.config); the sign-in check calls this when it marks the server-side session as seen
    (every few minutes), so the cookie and the session row expire together at no cost to the
    requests in between.
    """
    g.setdefault(_REFRESH_COOKIE, True)


def _refuse_nul_bytes():
    """Answer 400 to a NUL character in the path, query or form: no text ever holds one.

    PostgreSQL refuses NUL in text (psycopg raises), so letting one through would be a 500.
    """
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        values += [*request.form.keys(), *request.form.values()]
        values += [file.filename or "" for file in request.files.values()]
    if any("\x00" in value for value in values):
        message = _("Dữ liệu gửi lên chứa ký tự rỗng (NUL) không hợp lệ; không có gì thay đổi.")
        return render_template(
            "error.html", title=_("Yêu cầu không hợp lệ"), message=message, status=400
        ), 400
    return None


def _harden(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    # A page that sets its own frame-ancestors (the public honour board) may be framed: the
    # older header would forbid what its policy allows.
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(_refuse_nul_bytes)
    app.after_request(_harden)
