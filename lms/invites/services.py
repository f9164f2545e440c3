"""Issuing, revoking and using first-sign-in codes.

A code is PASSWORD_ALPHABET letters and digits (no 0/o, 1/l/i), shown in groups of four; only
its SHA-256 is stored. It works once, until it expires; issuing a new one revokes the old.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from lms.accounts.models import Person
from lms.audit import services as audit
from lms.auth.services import (
    AuthError,
    check_password_policy,
    hash_token,
    random_groups,
    set_password,
)
from lms.db import db, rows_changed, utcnow
from lms.i18n import gettext as _
from lms.invites.models import SignInCode
from lms.invites.queries import Newcomer

CODE_GROUPS = 3
GROUP_LENGTH = 4
CODE_LENGTH = CODE_GROUPS * GROUP_LENGTH


class CodeError(AuthError):
    """A refused code or new password; the message is shown to the person."""


@dataclass(frozen=True)
class IssuedCode:
    """A code as issued: the only moment it exists in clear."""

    newcomer: Newcomer
    code: str
    expires_at: datetime


def new_code() -> str:
    """Return a fresh code, e.g. "k7mq-x3vd-p9ta"."""
    return "-".join(random_groups(CODE_GROUPS, GROUP_LENGTH))


def normal_code(typed: str) -> str:
    """Return a code as stored: without the spaces and dashes people type, in lower case."""
    return "".join(char for char in typed.casefold() if char.isalnum())


def code_hash(typed: str) -> str:
    return hash_token(normal_code(typed))


def _invalid() -> CodeError:
    # One message for unknown, used, revoked and expired: a guesser learns nothing more.
    return CodeError(_("Mã đăng nhập không hợp lệ hoặc đã hết hạn."), field="code")


def _revoke_live_codes(person: Person, now: datetime) -> int:
    return rows_changed(
        update(SignInCode)
        .where(
            SignInCode.person_id == person.id,
            SignInCode.used_at.is_(None),
            SignInCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def issue_codes(newcomers: Iterable[Newcomer], *, actor: Person) -> list[IssuedCode]:
    """Give each newcomer a new code, revoking their unused one; return the codes in clear."""
    now = utcnow()
    expires_at = now + timedelta(days=current_app.config["SIGN_IN_CODE_DAYS"])
    issued = []
    for newcomer in newcomers:
        person = newcomer.person
        if _revoke_live_codes(person, now):
            audit.record(
                "sign_in_code.revoke",
                person,
                _("Thu hồi mã đăng nhập lần đầu của %(name)s", name=person.full_name),
            )
        code = new_code()
        db.session.add(
            SignInCode(
                person_id=person.id,
                code_hash=code_hash(code),
                issued_by_id=actor.id,
                issued_at=now,
                expires_at=expires_at,
            )
        )
        audit.record(
            "sign_in_code.issue",
            person,
            _("Cấp mã đăng nhập lần đầu cho %(name)s", name=person.full_name),
            after={"expires_at": expires_at.isoformat()},
        )
        issued.append(IssuedCode(newcomer, code, expires_at))
    db.session.flush()
    return issued


def revoke_codes(person: Person) -> int:
    """Revoke person's unused code (if any); return how many were revoked."""
    revoked = _revoke_live_codes(person, utcnow())
    if revoked:
        audit.record(
            "sign_in_code.revoke",
            person,
            _("Thu hồi mã đăng nhập lần đầu của %(name)s", name=person.full_name),
        )
    return revoked


def _live(row: SignInCode, now: datetime) -> bool:
    return row.used_at is None and row.revoked_at is None and row.expires_at > now


def redeem(typed_code: str, password: str, confirm: str) -> Person:
    """Use a code once to set its person's password; return the person, or raise CodeError.

    The code is spent by one conditional UPDATE: of two requests with the same code at the same
    moment, exactly one changes the row, the other is refused.
    """
    if len(normal_code(typed_code)) != CODE_LENGTH:
        raise _invalid()
    row = db.session.scalar(select(SignInCode).where(SignInCode.code_hash == code_hash(typed_code)))
    now = utcnow()
    if row is None or not _live(row, now) or not row.person.is_active:
        raise _invalid()
    person = row.person
    if password != confirm:
        raise CodeError(_("Hai lần nhập mật khẩu mới không khớp."), field="confirm_password")
    try:
        check_password_policy(password, username=person.username)
    except AuthError as error:
        raise CodeError(error.message, field="new_password") from error
    spent = rows_changed(
        update(SignInCode)
        .where(
            SignInCode.id == row.id,
            SignInCode.used_at.is_(None),
            SignInCode.revoked_at.is_(None),
            SignInCode.expires_at > now,
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    if spent != 1:
        raise _invalid()
    set_password(person, password)
    audit.record(
        "sign_in_code.use",
        person,
        _("%(name)s dùng mã đăng nhập lần đầu và đặt mật khẩu", name=person.full_name),
        actor_id=person.id,
    )
    return person
