"""Passwords, sign-in throttling and server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask.signals import Namespace
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import Person
from lms.auth.models import LoginFailure, UserSession
from lms.db import db, utcnow

MIN_PASSWORD_LENGTH = 10
# The letters of the passwords guessed first ("Password@123", "Matkhau2024", "1234567890!").
COMMON_PASSWORD_WORDS = frozenset(
    {
        "",
        "password",
        "passw",
        "pass",
        "passwd",
        "pwd",
        "matkhau",
        "mk",
        "qwerty",
        "qwertyuiop",
        "asdfgh",
        "asdfghjkl",
        "zxcvbnm",
        "abc",
        "abcd",
        "abcdef",
        "abcdefgh",
        "admin",
        "administrator",
        "quantri",
        "welcome",
        "letmein",
        "iloveyou",
        "anhyeuem",
        "emyeuanh",
        "changeme",
        "secret",
        "test",
        "user",
        "login",
        "hello",
        "xinchao",
        "vietnam",
    }
)
# Checked against even for unknown usernames, so timing does not reveal who exists.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


# Sent with the person whenever their password is set (own change, reset, seed): features that
# hand out credentials of their own (API tokens) revoke them; receivers return how many.
password_set = Namespace().signal("password-set")


class AuthError(Exception):
    """A refused sign-in or password change; the message is shown to the user."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_policy(password: str, *, username: str = "") -> None:
    """Raise AuthError unless password is long and varied enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(_("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_PASSWORD_LENGTH))
    if username and username.casefold() in password.casefold():
        raise AuthError(_("Mật khẩu không được chứa tên đăng nhập."))
    if password.isdigit() or password.isalpha():
        raise AuthError(_("Mật khẩu phải có cả chữ và số hoặc ký hiệu."))
    letters = "".join(char for char in password.casefold() if char.isalpha())
    if letters in COMMON_PASSWORD_WORDS:
        raise AuthError(_("Mật khẩu quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."))


def set_password(person: Person, password: str, *, must_change: bool = False) -> int:
    """Set person's password and revoke their other credentials; return how many were revoked.

    A new password is how someone locks out whoever learnt the old one, so whatever was issued
    under the old one (API tokens) stops working too.
    """
    person.password_hash = hash_password(password)
    person.must_change_password = must_change
    return sum(revoked or 0 for _receiver, revoked in password_set.send(person))


def demo_account_closed(person: Person) -> bool:
    """Say whether person is a demo account while demo mode is off: then nothing lets them in."""
    return person.is_demo and not current_app.config["DEMO_MODE"]


def _throttle_window_start():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])


def record_attempt(username: str, address: str) -> None:
    """Count a sign-in attempt as failed until it succeeds.

    The caller commits it BEFORE the slow password check, so parallel guesses see each other
    and cannot all slip under the limit; a success removes the account's rows again.
    """
    db.session.add(LoginFailure(username=username.strip().casefold(), address=address))


def is_throttled(username: str, address: str) -> bool:
    """Say whether too many recent attempts failed for this account or from this address.

    The current attempt is already counted (see record_attempt), hence "more than".
    """
    since = _throttle_window_start()
    by_account, by_address = db.session.execute(
        select(
            func.count().filter(LoginFailure.username == username),
            func.count().filter(LoginFailure.address == address),
        ).where(
            LoginFailure.at >= since,
            or_(LoginFailure.username == username, LoginFailure.address == address),
        )
    ).one()
    config = current_app.config
    return (
        by_account > config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or by_address > config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def authenticate(username: str, password: str, address: str) -> Person:
    """Return the person whose credentials these are, or raise AuthError.

    The attempt must have been recorded and committed first (record_attempt): every worker and
    server then counts the same attempts, however many arrive at once.
    """
    username = username.strip().casefold()
    if is_throttled(username, address):
        raise AuthError(
            _(
                "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
                minutes=current_app.config["LOGIN_THROTTLE_MINUTES"],
            )
        )
    person = db.session.scalars(select(Person).where(Person.username == username)).first()
    stored_hash = person.password_hash if person and person.password_hash else _DUMMY_HASH
    password_ok = check_password_hash(stored_hash, password)
    demo_refused = person is not None and person.is_demo and not current_app.config["DEMO_MODE"]
    if (
        person is None
        or not person.password_hash
        or not password_ok
        or not person.is_active
        or demo_refused
    ):
        raise AuthError(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return person


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(person: Person, user_agent: str | None) -> str:
    """Open a server-side session for person and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=_hash_token(token),
            person_id=person.id,
            user_agent=(user_agent or "")[:300],
        )
    )
    return token


def person_for_session(person_id: int, token: str | None) -> Person | None:
    """Return the person if token names one of their live sessions."""
    if not token:
        return None
    row = db.session.execute(
        select(Person, UserSession)
        .join(UserSession, UserSession.person_id == Person.id)
        .where(
            Person.id == person_id,
            Person.is_active.is_(True),
            UserSession.token_hash == _hash_token(token),
            UserSession.revoked_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    person, user_session = row
    if demo_account_closed(person):
        return None
    lifetime = current_app.permanent_session_lifetime
    if user_session.last_seen_at < utcnow() - lifetime:
        return None
    if user_session.last_seen_at < utcnow() - timedelta(minutes=5):
        # Touch at most every five minutes: a write per request would serialise SQLite.
        user_session.last_seen_at = utcnow()
        db.session.commit()
    return person


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _hash_token(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_other_sessions(person: Person, keep_token: str | None) -> None:
    """Sign person out of every browser but the current one (after a password change)."""
    query = update(UserSession).where(
        UserSession.person_id == person.id, UserSession.revoked_at.is_(None)
    )
    if keep_token:
        query = query.where(UserSession.token_hash != _hash_token(keep_token))
    db.session.execute(query.values(revoked_at=utcnow()))


def change_password(person: Person, current: str, new: str, confirm: str) -> int:
    """Change person's own password after checking the current one; see set_password."""
    if not person.password_hash or not check_password_hash(person.password_hash, current):
        raise AuthError(_("Mật khẩu hiện tại không đúng."))
    if new != confirm:
        raise AuthError(_("Hai lần nhập mật khẩu mới không khớp."))
    if check_password_hash(person.password_hash, new):
        raise AuthError(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    check_password_policy(new, username=person.username)
    return set_password(person, new)
