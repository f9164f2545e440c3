"""The access log: recording views of personal data; the rows are saved once the response is
known good. A foundation (like the audit log) so that any page showing people may record.

The access log page and a person's own data live in lms.privacy, which registers the hook."""

from __future__ import annotations

from datetime import date
from typing import cast

from flask import Response, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Table, insert

from lms.audit.models import AccessLogEntry
from lms.db import insert_and_commit, utcnow
from lms.i18n import vn_date

_PENDING = "privacy_pending_views"
# A Core insert of the table (no ORM bulk machinery): the rows are plain values.
_INSERT = insert(cast(Table, AccessLogEntry.__table__))


def record_view(
    what: str,
    *,
    person_id: int | None = None,
    scope: str | None = None,
    viewer_id: int | None = None,
) -> None:
    """Record that the signed-in user viewed another person's data or a list of people.

    what is the endpoint or a short label; person_id names the person whose data was shown;
    scope describes a list of people ("Danh sách tổng hợp: Phòng X, 01/01/2024–31/12/2025").
    Does nothing outside a request, for an anonymous visitor, or when people view themselves.
    viewer_id names the viewer where there is no signed-in user (an API token's owner).

    Safe from any view, including GET views that never commit: the entry waits in flask.g, and
    the after_request hook save_recorded_views (registered by lms.privacy.init_app) inserts the
    request's entries and commits, only when the response is successful (status below 400).
    A view that fails, or is refused, logs nothing; each call is one row, whatever the number
    of people listed.
    """
    if not has_request_context():
        return
    if viewer_id is None:
        if not getattr(current_user, "is_authenticated", False):
            return
        viewer_id = current_user.id
    if person_id is not None and person_id == viewer_id:
        return
    pending = g.setdefault(_PENDING, [])
    pending.append(
        {
            "at": utcnow(),
            "viewer_id": viewer_id,
            "person_id": person_id,
            "what": what[:80],
            "scope": scope[:300] if scope else None,
            "address": (request.remote_addr or "")[:64] or None,
        }
    )


def take_recorded_views() -> list[dict]:
    """Return and forget the entries (access_log rows) recorded during this request."""
    return g.pop(_PENDING, None) or []


def period_scope(title: str, where: str, first: date, last: date) -> str:
    """Describe a list of people for the log: "Danh sách tổng hợp: PDT, 01/01/2024–31/12/2025"."""
    return f"{title}: {where}, {vn_date(first)}–{vn_date(last)}"


def save_recorded_views(response: Response) -> Response:
    """Commit the access-log entries of a successful response; a failed one logs nothing.

    Why a commit in an after-request hook: most pages that show personal data only read, so
    no request boundary commits for them, yet the log must keep who saw what, before the page
    goes out. The entries are one INSERT that ends the request's own transaction
    (lms.db.insert_and_commit), not objects flushed and committed apart: if the view left
    anything else pending, that is a bug in the view, logged as an error (with what the
    entries would have said) rather than saved by the way or hidden.
    """
    entries = take_recorded_views()
    if not entries or response.status_code >= 400:
        return response
    if not insert_and_commit(_INSERT, entries):
        current_app.logger.error(
            "access log not saved: the view left uncommitted changes (%s)",
            "; ".join(f"{e['what']} {e['person_id'] or e['scope']}" for e in entries),
        )
    return response
