"""Personal data: a person's own data as JSON, and the log of who viewed whose data."""

from __future__ import annotations

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Register the blueprint and the hook that saves the views recorded during a request."""
    from lms.privacy import views

    app.register_blueprint(views.bp)
    app.jinja_env.filters["privacy_what"] = views.describe_what
    app.after_request(_save_recorded_views)
    _watch_for_unsaved_writes()


_unsaved_writes_watched = False


def _watch_for_unsaved_writes() -> None:
    """Mark a session that flushed changes not yet committed: flushed rows are no longer in
    session.dirty, yet a commit would save them."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    global _unsaved_writes_watched
    if _unsaved_writes_watched:
        return
    _unsaved_writes_watched = True

    @event.listens_for(Session, "after_flush")
    def _wrote(session: Session, _context: object) -> None:
        session.info["unsaved_writes"] = True

    @event.listens_for(Session, "after_commit")
    @event.listens_for(Session, "after_soft_rollback")
    def _saved_or_dropped(session: Session, *_args: object) -> None:
        session.info.pop("unsaved_writes", None)


def _save_recorded_views(response: Response) -> Response:
    """Commit the access-log entries of a successful response; a failed one logs nothing.

    Only when the view left nothing else pending: committing here must never save, by the
    way, a change the view itself chose not to commit. That would be a bug in the view, so it
    is logged as an error (with what the entries would have said) rather than hidden.
    """
    from flask import current_app

    from lms.db import db
    from lms.privacy.services import take_recorded_views

    entries = take_recorded_views()
    if not entries or response.status_code >= 400:
        return response
    session = db.session
    if session.new or session.dirty or session.deleted or session.info.get("unsaved_writes"):
        current_app.logger.error(
            "access log not saved: the view left uncommitted changes (%s)",
            "; ".join(f"{e.what} {e.person_id or e.scope}" for e in entries),
        )
        return response
    session.add_all(entries)
    session.commit()
    return response
