"""Personal data: a person's own data as JSON, and the log of who viewed whose data."""

from __future__ import annotations

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Register the blueprint and the hook that saves the views recorded during a request."""
    from lms.privacy import views

    app.register_blueprint(views.bp)
    app.jinja_env.filters["privacy_what"] = views.describe_what
    app.after_request(_save_recorded_views)


def _save_recorded_views(response: Response) -> Response:
    """Commit the access-log entries of a successful response; a failed one logs nothing.

    Why a commit in an after-request hook: most pages that show personal data only read, so
    no request boundary commits for them, yet the log must keep who saw what. It commits the
    entries alone (lms.db.commit_only): if the view left anything else pending, that is a bug
    in the view, logged as an error (with what the entries would have said) rather than
    saved by the way or hidden.
    """
    from flask import current_app

    from lms.db import commit_only, db
    from lms.privacy.services import take_recorded_views

    entries = take_recorded_views()
    if not entries or response.status_code >= 400:
        return response
    db.session.add_all(entries)
    if not commit_only(*entries):
        for entry in entries:
            db.session.expunge(entry)
        current_app.logger.error(
            "access log not saved: the view left uncommitted changes (%s)",
            "; ".join(f"{e.what} {e.person_id or e.scope}" for e in entries),
        )
    return response
