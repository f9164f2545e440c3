"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import Person
from lms.api.models import ApiToken
from lms.auth.roles import Permission
from lms.db import db, utcnow

TOKEN_PREFIX = "hts_"
MAX_ACTIVE = 10
# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(Exception):
    """A token request that cannot be granted; the message is shown to the user."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(person: Person, name: str) -> tuple[ApiToken, str]:
    """Create a token for person; return the row and the secret, which is shown only once."""
    name = " ".join(name.split())
    if not name:
        raise TokenError(_("Hãy đặt tên cho khóa API (ví dụ: tên phần mềm sẽ dùng nó)."))
    if len(name) > 100:
        raise TokenError(_("Tên khóa API dài tối đa 100 ký tự."))
    if not person.can(Permission.VIEW_REPORTS):
        raise TokenError(_("Chỉ Phòng Hành chính - Tổng hợp và quản trị viên được cấp khóa API."))
    active = db.session.scalars(
        select(ApiToken).where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= MAX_ACTIVE:
        raise TokenError(
            _("Mỗi người có tối đa %(n)d khóa API đang dùng; hãy thu hồi khóa cũ.", n=MAX_ACTIVE)
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name, token_hash=digest(secret), prefix=secret[:12])
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(person: Person, token_id: int) -> ApiToken:
    """Revoke one of person's tokens (an administrator may revoke anyone's)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.person_id != person.id and not person.can(Permission.MANAGE_PEOPLE)):
        raise TokenError(_("Không có khóa API này."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def person_for(secret: str) -> Person | None:
    """The active person a live token belongs to, if they may still read reports."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    person = token.person
    if not person.is_active or not person.can(Permission.VIEW_REPORTS):
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
    return person
