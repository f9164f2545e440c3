"""Keeping, finding and letting go of pending uploads.

A person has at most one pending upload per purpose (the form it belongs to): keeping a new
one replaces the old. The bytes count in the person's storage quota until the upload is used,
replaced or expires; `flask uploads prune` (or the next keep) deletes the expired ones.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Row, delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from lms.db import db, utcnow
from lms.text import clean_name
from lms.uploads.models import PendingUpload

MAX_NAME = 200


@dataclass(frozen=True)
class Upload:
    """A file as sent: its name (shown only) and its bytes."""

    filename: str
    data: bytes


def sent(file: FileStorage | None, max_bytes: int) -> Upload | None:
    """The file a form field carried, read up to one byte past max_bytes (so a service can say
    it is too large without the whole of a huge one read); None when none was chosen."""
    if file is None or not file.filename:
        return None
    # Some browsers send the whole path: the name is its last part.
    name = file.filename.replace("\\", "/").rsplit("/", 1)[-1]
    return Upload(name, file.read(max_bytes + 1))


@dataclass(frozen=True)
class Kept:
    """A pending upload as a page shows it (its bytes are read only when it is used)."""

    token: str
    filename: str
    size: int


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["PENDING_UPLOAD_HOURS"])


def _live() -> ColumnElement[bool]:
    return PendingUpload.expires_at > utcnow()


def _delete(condition: ColumnElement[bool]) -> None:
    db.session.execute(
        delete(PendingUpload).where(condition).execution_options(synchronize_session=False)
    )


def pending_bytes(owner_id: int, purpose: str) -> int:
    """Bytes of the owner's pending uploads for purpose that have not expired (a feature's
    quota counts its own)."""
    used = db.session.scalar(
        select(func.coalesce(func.sum(PendingUpload.size), 0)).where(
            PendingUpload.owner_id == owner_id, PendingUpload.purpose == purpose, _live()
        )
    )
    return int(used or 0)


def forget(owner_id: int, purpose: str) -> None:
    """Let go of what was kept for the owner's form (a new file was refused for what it is)."""
    _delete((PendingUpload.owner_id == owner_id) & (PendingUpload.purpose == purpose))


def forget_all(owner_id: int) -> None:
    """Let go of everything kept for a person (who is being deleted)."""
    _delete(PendingUpload.owner_id == owner_id)


def keep(owner_id: int, purpose: str, filename: str, data: bytes) -> Kept:
    """Keep data for the owner's next send of the purpose's form, replacing what was kept for
    it before. The caller has checked the file is one the form takes and fits the quota."""
    now = utcnow()
    row = PendingUpload(
        token=secrets.token_urlsafe(32),
        owner_id=owner_id,
        purpose=purpose,
        filename=clean_name(filename)[:MAX_NAME] or "tep",
        size=len(data),
        data=data,
        created_at=now,
        expires_at=now + lifetime(),
    )
    # One per person and form (a unique key): the old one goes first, with any expired one.
    # Two sends of the same form at once: the later one replaces what the first kept.
    for attempt in (1, 2):
        _delete(
            (PendingUpload.owner_id == owner_id) & (PendingUpload.purpose == purpose)
            | (PendingUpload.expires_at <= now)
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # the other send kept its file first: replace it
            if attempt == 2:
                raise
            continue
        break
    return Kept(row.token, row.filename, row.size)


def chosen(
    owner_id: int, purpose: str, file: FileStorage | None, token: str | None, max_bytes: int
) -> tuple[Upload | None, Kept | None]:
    """The file a form was sent with: a newly chosen one, else the one kept for it (kept is
    then not None; the change that uses it discards it)."""
    new = sent(file, max_bytes)
    if new is not None:
        return new, None
    found = _find(owner_id, purpose, token, PendingUpload.data)
    if found is None:
        return None, None
    *shown, data = found
    kept = Kept(*shown)
    return Upload(kept.filename, data), kept


def find(owner_id: int, purpose: str, token: str | None) -> Kept | None:
    """The owner's live pending upload for purpose with this token; None for anyone else's, an
    expired or a used one, or a token that is not one."""
    found = _find(owner_id, purpose, token)
    return Kept(*found) if found else None


def _find(owner_id: int, purpose: str, token: str | None, *more: Any) -> Row | None:
    """(token, filename, size, *more) of the owner's live upload for purpose with token."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        select(PendingUpload.token, PendingUpload.filename, PendingUpload.size, *more).where(
            PendingUpload.token == token,
            PendingUpload.owner_id == owner_id,
            PendingUpload.purpose == purpose,
            _live(),
        )
    ).one_or_none()


def discard(kept: Kept) -> None:
    """Let a pending upload go (it was used), in the caller's transaction."""
    _delete(PendingUpload.token == kept.token)


def prune(now: datetime | None = None) -> tuple[int, int]:
    """Delete the expired pending uploads; return how many and their bytes."""
    now = now or utcnow()
    count, size = db.session.execute(
        select(func.count(PendingUpload.id), func.coalesce(func.sum(PendingUpload.size), 0)).where(
            PendingUpload.expires_at <= now
        )
    ).one()
    _delete(PendingUpload.expires_at <= now)
    return int(count), int(size)
