"""Sign-in and access control."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, session
from flask_login import LoginManager

from lms.i18n import lazy_gettext as _l

if TYPE_CHECKING:
    from lms.accounts.models import Person

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    from lms import reference
    from lms.auth import access, cli, services, views

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    # Our own server-side session rows replace Flask-Login's session protection.
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_user(user_id: str) -> Person | None:
        if not (user_id.isascii() and user_id.isdigit()):
            return None
        return services.person_for_session(int(user_id), session.get(views.SESSION_TOKEN_KEY))

    # Every request with figures or an access check reads the reference stamp: with the
    # sign-in, it costs no statement of its own.
    services.read_at_sign_in("reference_stamp", reference.stamp_column, reference.read_along)
    app.before_request(access.enforce_access_rules)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.auth)
