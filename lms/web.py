"""The request boundary: one way for a view to commit its work or show why nothing changed.

Services change the session and raise a UserError when a rule refuses; they do not commit
(the CLI commands that call them commit for themselves). A view wraps the change in `saving`:

    with saving(_("Đã lưu.")) as saved:
        services.change_something(...)
    return redirect(target)          # saved.ok tells whether it went through

On success the request's work is committed and the message flashed; on a UserError it is
rolled back, nothing of it remains, and the error's message is flashed, or, with
`show=False`, left in saved.error for the view to put next to its field when it re-renders a
form (lms.forms.Form.refuse). A UserError that escapes a view anyway reaches the app's
backstop handler, which also rolls back and answers 400 with the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, flash, render_template
from sqlalchemy.exc import IntegrityError

from lms.db import db
from lms.errors import UserError
from lms.i18n import gettext as _


@dataclass
class Saved:
    """How a `saving` block ended: ok once committed, error when refused.

    done is the message flashed after the commit; the block may set it when the message
    depends on what the change did ("3 người được thêm").
    """

    done: str | None = None
    ok: bool = False
    error: UserError | None = None

    def __bool__(self) -> bool:
        return self.ok

    @property
    def refusal(self) -> UserError:
        """Why the block was refused; read it only when the block did not go through."""
        if self.error is None:
            raise RuntimeError("the block went through: there is no refusal to show")
        return self.error


@contextmanager
def saving(
    done: str | None = None, *, show: bool = True, conflict: str | None = None
) -> Iterator[Saved]:
    """Commit the block's work and flash done, or roll it back on a UserError and say why.

    show=False leaves the refusal unflashed, in saved.error, for a form to show by its field.
    conflict, when given, is said instead of a server error when the database refuses the
    commit as conflicting with someone else's change made at the same moment.
    """
    saved = Saved(done)
    try:
        yield saved
        db.session.commit()
    except UserError as error:
        db.session.rollback()
        saved.error = error
        if show:
            flash(error.message, "error")
        return
    except IntegrityError:
        db.session.rollback()
        if conflict is None:
            raise
        saved.error = UserError(conflict)
        if show:
            flash(conflict, "error")
        return
    saved.ok = True
    if saved.done:
        flash(saved.done, "success")


BLOCK_BYTES = 32 * 1024  # what a streamed response writes at a time


def buffered(chunks: Iterable[str | bytes], size: int = BLOCK_BYTES) -> Iterator[bytes]:
    """Join the pieces a generator yields (a template's fragments, a few rows of a CSV) into
    blocks of about size bytes, encoded as UTF-8: a server writes (and frames) each block
    once instead of each fragment. The last block may be shorter; an empty one is not sent."""
    parts: list[bytes] = []
    held = 0
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        parts.append(data)
        held += len(data)
        if held >= size:
            yield b"".join(parts)
            parts.clear()
            held = 0
    if held:
        yield b"".join(parts)


def _refused(error: UserError) -> tuple[str, int]:
    """Backstop for a UserError no view caught: keep nothing of the request, show why."""
    db.session.rollback()
    title = _("Không thực hiện được")
    return render_template("error.html", title=title, message=error.message, status=400), 400


def init_app(app: Flask) -> None:
    app.register_error_handler(UserError, _refused)
