"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from lms.accounts.models import Person
from lms.api.models import ApiToken
from lms.auth.services import demo_account_closed
from lms.db import commit_only, db, rows_changed, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.roles import ROLE_PERMISSIONS, Permission

TOKEN_PREFIX = "hts_"
MAX_ACTIVE = 10
# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(UserError):
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
    now = utcnow()
    active = db.session.scalars(
        select(ApiToken).where(
            ApiToken.person_id == person.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    ).all()
    if len(active) >= MAX_ACTIVE:
        raise TokenError(
            _("Mỗi người có tối đa %(n)d khóa API đang dùng; hãy thu hồi khóa cũ.", n=MAX_ACTIVE)
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        person_id=person.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:12],
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
    )
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


def revoke_all_tokens(person: Person, **_signal: object) -> int:
    """Revoke every live token of person (their password was set); return how many."""
    return rows_changed(
        update(ApiToken)
        .where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _granted_before(person: Person, token: ApiToken) -> bool:
    """Say whether a role of person's that reads reports was already theirs when token was made.

    A role taken away and given back later does not bring the tokens of the first grant back.
    """
    return any(
        Permission.VIEW_REPORTS in ROLE_PERMISSIONS[grant.role]
        and grant.granted_at <= token.created_at
        for grant in person.current_grants
    )


def person_for(secret: str) -> Person | None:
    """The active person a live token belongs to, if they may still read reports."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = utcnow()
    if token is None or token.state_on(now) != "live":
        return None
    person = token.person
    if (
        not person.is_active
        or demo_account_closed(person)
        or not person.can(Permission.VIEW_REPORTS)
        or not _granted_before(person, token)
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        # Called by api.views.token_required, before the view. The API only reads, so no
        # request boundary would save the stamp: committed here, on its own (commit_only).
        token.last_used_at = now
        commit_only(token)
    return person
