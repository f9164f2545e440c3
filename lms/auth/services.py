"""Passwords, sign-in throttling and server-side sessions."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app, g
from flask.signals import Namespace
from sqlalchemy import ColumnElement, Select, bindparam, delete, distinct, func, or_, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import Person
from lms.accounts.services import refuse_self
from lms.audit import services as audit
from lms.auth.models import LoginFailure, UserSession
from lms.db import commit_only, db, rows_changed, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import ngettext
from lms.security import refresh_session_cookie

MIN_PASSWORD_LENGTH = 10
# Letters and digits that cannot be mistaken for one another when read out or copied by hand.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
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


# Checked against even for unknown usernames, so timing does not reveal who exists: a scrypt
# hash of a throwaway password, written out (made at import, every process, each command and
# test worker, paid its 0.1 s of scrypt at start; made on first use, the first unknown name of a
# process would have cost two).
_DUMMY_HASH = (
    "scrypt:32768:8:1$FL2luShzOHh8ToRV$840123d4e85f3ebb5c379f9380f25934be27731282a1d9c9f84e28e4"
    "99d0bf0111b14c06a8cc06ebb59b3adb6b31b6cb377b5ac91f60b9802d418b0a8849f072"
)


# Rows of each kind a sign-in deletes when it prunes: a bounded, quick statement.
PRUNE_BATCH_ON_SIGN_IN = 500


# Sent with the person whenever their password is set (own change, reset, seed): features that
# hand out credentials of their own (API tokens) revoke them; receivers return how many.
password_set = Namespace().signal("password-set")


class AuthError(UserError):
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


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt as recorded: counted as failed until it succeeds or is refused."""

    id: int
    username: str
    address: str
    # False when the name was cut to fit the column: no account has a name that long.
    is_whole_name: bool = True


@dataclass(frozen=True)
class PrunedRows:
    """How many throttle rows and sessions a prune deleted."""

    failures: int
    sessions: int


@dataclass(frozen=True)
class Wait:
    """How long an attempt must wait, and whether its address (not its account) is why."""

    duration: timedelta
    is_address: bool = False


def _throttle_window_start(now: datetime) -> datetime:
    """Return the moment before which failures no longer count (and may be deleted)."""
    return now - timedelta(hours=current_app.config["LOGIN_FAILURE_HOURS"])


def normal_username(username: str) -> str:
    """Return username as accounts are looked up and counted: trimmed, case-folded."""
    return username.strip().casefold()


def record_attempt(username: str, address: str) -> Attempt:
    """Count a sign-in attempt as failed until it succeeds.

    The caller commits it BEFORE the slow password check, so parallel guesses see each other
    and cannot all slip under the limits; a success removes the rows of its account and
    address, a refusal by the throttle removes its own row (it tested no password). One
    attempt in LOGIN_PRUNE_EVERY also prunes old rows, so no server keeps a timer.
    """
    username = normal_username(username)
    row = LoginFailure(
        # A longer name is no account's; cut it to the column so the row still counts.
        username=username[: LoginFailure.username.type.length],
        address=address[: LoginFailure.address.type.length],
        at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    if row.id % current_app.config["LOGIN_PRUNE_EVERY"] == 0:
        prune_sign_in_records(batch=PRUNE_BATCH_ON_SIGN_IN)
    return Attempt(row.id, row.username, row.address, row.username == username)


def _delay(failures: int) -> timedelta:
    """Return the wait after failures of one account from one address (none while few)."""
    config = current_app.config
    beyond = failures - config["LOGIN_FAILURES_BEFORE_DELAY"]
    if beyond < 0:
        return timedelta(0)
    longest = timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    # The exponent is capped: after a long night of guessing, 2**beyond would overflow.
    first = timedelta(seconds=config["LOGIN_FIRST_DELAY_SECONDS"])
    return min(first * 2 ** min(beyond, 32), longest)


def wait_before(attempt: Attempt) -> Wait | None:
    """Return how long this attempt must wait before its password is checked, or None.

    Only failures within LOGIN_FAILURE_HOURS count, and only other attempts than this one
    (it is recorded already). Three rules, the longest wait wins:

    - Account and address: LOGIN_FAILURES_BEFORE_DELAY failures are free; then each waits
      LOGIN_FIRST_DELAY_SECONDS after the last failure, doubled per further failure, up to
      LOGIN_THROTTLE_MINUTES. One address guessing one account slows down fast.
    - Account (guessing spread over many addresses): once the account has
      LOGIN_MAX_FAILURES_PER_ACCOUNT failures from all addresses, an address that has itself
      failed on the account waits until the account is back under that ceiling or the
      address's own failures on it no longer count. An address with no failure on the
      account is never stopped by this rule: the owner signing in from a clean address is not
      locked out by someone else guessing their password. The price, chosen knowingly: beyond
      the ceiling each new address still gets one guess per LOGIN_FAILURE_HOURS.
    - Address (password spraying): once an address has failed on
      LOGIN_MAX_ACCOUNTS_PER_ADDRESS other accounts, it waits before trying one more. Distinct
      accounts are counted, not failures, and a success removes its account's failures, so a
      whole office behind one NAT mistyping their own passwords is not stopped.

    Nothing here depends on whether the account exists, so the answer leaks nothing about it.
    Attempts checked at the same moment count each other and may all be told to wait: the
    throttle errs on the side of waiting, never of judging more guesses than it allows.
    """
    config = current_app.config
    now = utcnow()
    since = _throttle_window_start(now)
    window = now - since
    is_account = LoginFailure.username == attempt.username
    is_pair = is_account & (LoginFailure.address == attempt.address)
    is_other_account_here = (LoginFailure.address == attempt.address) & ~is_account
    pair_failures, pair_last, account_failures, other_accounts = db.session.execute(
        select(
            func.count().filter(is_pair),
            func.max(LoginFailure.at).filter(is_pair),
            func.count().filter(is_account),
            func.count(distinct(LoginFailure.username)).filter(is_other_account_here),
        ).where(
            LoginFailure.id != attempt.id,
            LoginFailure.at >= since,
            or_(is_account, LoginFailure.address == attempt.address),
        )
    ).one()
    waits = [Wait(timedelta(0))]
    if pair_failures:
        waits.append(Wait(pair_last + _delay(pair_failures) - now))
    ceiling = config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    if pair_failures and account_failures >= ceiling:
        # The account falls under the ceiling when its oldest surplus failure stops counting.
        surplus_at = db.session.scalar(
            select(LoginFailure.at)
            .where(LoginFailure.id != attempt.id, LoginFailure.at >= since, is_account)
            .order_by(LoginFailure.at)
            .offset(account_failures - ceiling)
            .limit(1)
        )
        if surplus_at is not None:  # else a sign-in removed them meanwhile: under the ceiling
            waits.append(Wait(min(surplus_at, pair_last) + window - now))
    ceiling = config["LOGIN_MAX_ACCOUNTS_PER_ADDRESS"]
    if other_accounts >= ceiling:
        # An account stops counting for the address when its last failure there does.
        last_at = func.max(LoginFailure.at)
        surplus_at = db.session.scalar(
            select(last_at)
            .where(LoginFailure.id != attempt.id, LoginFailure.at >= since, is_other_account_here)
            .group_by(LoginFailure.username)
            .order_by(last_at)
            .offset(other_accounts - ceiling)
            .limit(1)
        )
        if surplus_at is not None:  # else they stopped counting meanwhile
            waits.append(Wait(surplus_at + window - now, is_address=True))
    longest = max(waits, key=lambda wait: wait.duration)
    return longest if longest.duration > timedelta(0) else None


def wait_text(duration: timedelta) -> str:
    """Say a wait in whole seconds, minutes or hours, rounded up (never promise too early)."""
    seconds = math.ceil(duration.total_seconds())
    if seconds < 60:
        return ngettext("%(num)d giây", "%(num)d giây", seconds)
    if seconds < 3600:
        return ngettext("%(num)d phút", "%(num)d phút", math.ceil(seconds / 60))
    return ngettext("%(num)d giờ", "%(num)d giờ", math.ceil(seconds / 3600))


def authenticate(attempt: Attempt, password: str) -> Person:
    """Return the person whose credentials these are, or raise AuthError.

    The attempt must have been recorded and committed first (record_attempt): every worker and
    server then counts the same attempts, however many arrive at once. The caller commits
    after an AuthError too: a throttled attempt takes its own row back.
    """
    refuse_if_throttled(attempt)
    person = None
    if attempt.is_whole_name:
        person = db.session.scalars(
            select(Person).where(Person.username == attempt.username)
        ).first()
    stored_hash = person.password_hash if person and person.password_hash else _DUMMY_HASH
    password_ok = check_password_hash(stored_hash, password)
    demo_refused = person is not None and demo_account_closed(person)
    if (
        person is None
        or not person.password_hash
        or not password_ok
        or not person.is_active
        or demo_refused
    ):
        raise AuthError(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    forget_failures(attempt)
    return person


def refuse_if_throttled(attempt: Attempt) -> None:
    """Raise AuthError saying how long to wait when the throttle stops this attempt.

    A stopped attempt takes its own row back (it tested nothing); the caller commits.
    """
    wait = wait_before(attempt)
    if wait is None:
        return
    db.session.execute(delete(LoginFailure).where(LoginFailure.id == attempt.id))
    if wait.is_address:
        message = _(
            "Đăng nhập sai quá nhiều lần từ địa chỉ mạng này. Vui lòng thử lại sau %(wait)s.",
            wait=wait_text(wait.duration),
        )
    else:
        message = _(
            "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(wait)s.",
            wait=wait_text(wait.duration),
        )
    raise AuthError(message)


def forget_failures(attempt: Attempt) -> None:
    """After a success, delete the failures of the attempt's account from its address only:
    others' guesses at the account must keep counting."""
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == attempt.username, LoginFailure.address == attempt.address
        )
    )


def prune_sign_in_records(*, batch: int | None = None) -> PrunedRows:
    """Delete failures that no longer count and sessions revoked or idle past their lifetime.

    With batch, delete at most that many of each (cheap enough for a sign-in request).
    """
    now = utcnow()
    old_failures = LoginFailure.at < _throttle_window_start(now)
    dead_sessions = or_(
        UserSession.revoked_at.is_not(None),
        UserSession.last_seen_at < now - current_app.permanent_session_lifetime,
    )
    if batch is not None:
        old_failures = LoginFailure.id.in_(select(LoginFailure.id).where(old_failures).limit(batch))
        dead_sessions = UserSession.id.in_(select(UserSession.id).where(dead_sessions).limit(batch))
    failures = rows_changed(delete(LoginFailure).where(old_failures))
    sessions = rows_changed(delete(UserSession).where(dead_sessions))
    return PrunedRows(failures, sessions)


def hash_token(token: str) -> str:
    """Return the SHA-256 of a secret token: only this is stored, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(person: Person, user_agent: str | None) -> str:
    """Open a server-side session for person and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=hash_token(token),
            person_id=person.id,
            user_agent=(user_agent or "")[:300],
        )
    )
    return token


# What every request reads besides the person: read by the sign-in query as named scalar
# subqueries, which other parts of the app add when it is made (`read_at_sign_in`), so that no
# request spends a query of its own on them.
_AT_SIGN_IN: dict[str, tuple[Callable[[], ColumnElement[Any]], Callable[[Any], None] | None]] = {}


def read_at_sign_in(
    name: str,
    column: Callable[[], ColumnElement[Any]],
    use: Callable[[Any], None] | None = None,
) -> None:
    """Have the sign-in query read column (built on first use) too: the request's value is
    then `signed_in_value(name, person_id)`, and use(value), if given, is called right after
    the query, in its transaction. Called when the app is made, before its first request.

    column is a scalar subquery; it may use the query's parameter person_id, the person's id.
    It must not be correlated to the query's rows: there is one per role grant."""
    if _AT_SIGN_IN.get(name) != (column, use):
        _AT_SIGN_IN[name] = (column, use)
        _signed_in.cache_clear()


def signed_in_value(name: str, person_id: int) -> Any | None:
    """What the sign-in query read as name for this request, if it signed person_id in (None:
    not read, or read for someone else: a request that signed another person in since)."""
    found = g.get("lms_at_sign_in")
    if found is None or found[0] != person_id:
        return None
    return found[1].get(name)


# The sign-in check runs on every request: its statement is built once (on first use, when
# every model is mapped), with parameters, so a request spends no time composing it (about half
# the check's cost when built per call). One query for the session, the person and their role
# grants (which every request's access check reads): the grants joined in rather than loaded by
# a second query, and of the session only the two columns the check reads (an entity more to
# load and track cost an eighth of the check); and what the app reads with them
# (`read_at_sign_in`: the reference stamp, the header's unread count).
@cache
def _signed_in() -> Select[Any]:
    return (
        select(
            Person,
            UserSession.id,
            UserSession.last_seen_at,
            *(column().label(name) for name, (column, _use) in _AT_SIGN_IN.items()),
        )
        .join(UserSession, UserSession.person_id == Person.id)
        .options(joinedload(Person.role_grants))
        .where(
            Person.id == bindparam("person_id"),
            Person.is_active.is_(True),
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.revoked_at.is_(None),
        )
    )


_TOUCH = (
    update(UserSession)
    .where(UserSession.id == bindparam("session_id"))
    .values(last_seen_at=bindparam("now", type_=UserSession.__table__.c.last_seen_at.type))
)


def person_for_session(person_id: int, token: str | None) -> Person | None:
    """Return the person if token names one of their live sessions."""
    if not token:
        return None
    row = (
        db.session.execute(_signed_in(), {"person_id": person_id, "token_hash": hash_token(token)})
        .unique()
        .first()
    )
    if row is None:
        return None
    person, session_id, last_seen_at, *values = row
    found = dict(zip(_AT_SIGN_IN, values, strict=True))
    for name, (_column, use) in _AT_SIGN_IN.items():
        if use is not None:
            use(found[name])
    if demo_account_closed(person):
        return None
    lifetime = current_app.permanent_session_lifetime
    now = utcnow()
    if last_seen_at < now - lifetime:
        return None
    if last_seen_at < now - timedelta(minutes=5):
        # Touch at most every five minutes: a write per request would serialise SQLite.
        # Called by the user loader, before the view: committed here, on its own
        # (commit_only), because most requests only read and the idle timeout counts from it.
        # No autoflush: work the view left pending (a public page reads the user lazily) is
        # flushed with the view's own commit, not here; commit_only then leaves it all alone.
        db.session.execute(
            _TOUCH,
            {"session_id": session_id, "now": now},
            # The session row is never loaded here: nothing in the session to bring up to date.
            execution_options={"autoflush": False, "synchronize_session": False},
        )
        commit_only()
        refresh_session_cookie()  # the cookie's lifetime restarts with the row's
    g.lms_at_sign_in = (person.id, found)
    return person


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_other_sessions(person: Person, keep_token: str | None) -> None:
    """Sign person out of every browser but the current one (after a password change)."""
    query = update(UserSession).where(
        UserSession.person_id == person.id, UserSession.revoked_at.is_(None)
    )
    if keep_token:
        query = query.where(UserSession.token_hash != hash_token(keep_token))
    db.session.execute(query.values(revoked_at=utcnow()))


def change_password(person: Person, current: str, new: str) -> int:
    """Change person's own password after checking the current one; see set_password. (That
    the new one was typed twice alike is the form's to check.)"""
    if not person.password_hash or not check_password_hash(person.password_hash, current):
        raise AuthError(_("Mật khẩu hiện tại không đúng."), field="current_password")
    if check_password_hash(person.password_hash, new):
        raise AuthError(_("Mật khẩu mới phải khác mật khẩu hiện tại."), field="new_password")
    try:
        check_password_policy(new, username=person.username)
    except AuthError as error:
        raise AuthError(error.message, field="new_password") from None
    return set_password(person, new)


# An administrator's actions on someone's sign-in ---------------------------------------------


def set_active(person: Person, active: bool, *, actor: Person | None = None) -> None:
    """Deactivate (or reactivate) a person; their records stay, their sign-in stops."""
    if not active:
        refuse_self(person, actor, _("Bạn không thể tự ngừng kích hoạt tài khoản của mình."))
    if person.is_active == active:
        return
    person.is_active = active
    if not active:
        end_other_sessions(person, keep_token=None)
    audit.record(
        "person.activate" if active else "person.deactivate",
        person,
        (_("Kích hoạt lại %(name)s") if active else _("Ngừng kích hoạt %(name)s"))
        % {"name": person.full_name},
        before={"is_active": not active},
        after={"is_active": active},
    )


def random_groups(groups: int = 3, length: int = 4) -> list[str]:
    """Groups of letters and digits that cannot be mistaken for one another ("k7mq", ...),
    for one-time secrets read from paper or a screen and typed by hand."""
    return [
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length)) for _ in range(groups)
    ]


def _temporary_password() -> str:
    groups = random_groups()
    groups[-1] = groups[-1][:3] + secrets.choice("23456789")  # always letters and a digit
    return "-".join(groups)


def reset_password(person: Person) -> str:
    """Give person a one-time password they must change at next sign-in; return it."""
    temporary = _temporary_password()
    set_password(person, temporary, must_change=True)
    end_other_sessions(person, keep_token=None)
    audit.record(
        "person.password_reset",
        person,
        _("Đặt lại mật khẩu cho %(name)s", name=person.full_name),
        after={"must_change_password": True},
    )
    return temporary
