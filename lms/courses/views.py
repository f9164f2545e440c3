"""Content editors' pages (course list, .zip upload, previews) and the media route."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_login import current_user
from markupsafe import Markup

from lms.access import public, requires
from lms.courses import archive, checker, importer, queries
from lms.courses.format import CATEGORIES, LEVELS
from lms.courses.media import BY_URL_EXTENSION
from lms.db import db
from lms.i18n import format_hours
from lms.i18n import gettext as _
from lms.languages import LANGUAGES
from lms.roles import Permission
from lms.uploads import services as pending
from lms.uploads.services import Kept

bp = Blueprint("courses", __name__, template_folder="templates")

# The URL holds the content hash, so a response never goes stale.
MEDIA_MAX_AGE = 365 * 24 * 3600
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def _labels() -> dict:
    return {"categories": CATEGORIES, "languages": LANGUAGES, "levels": LEVELS}


PURPOSE = "courses"  # the upload form's pending upload (lms.uploads)


def _manage_page(
    *,
    problems: Iterable[object] = (),
    check_only: bool = False,
    kept: Kept | None = None,
    status: int = 200,
) -> tuple[str, int]:
    rows = [
        (row, format_datetime(row.imported_at, "dd/MM/yyyy HH:mm")) for row in queries.course_rows()
    ]
    return (
        render_template(
            "courses/manage.html",
            rows=rows,
            problems=[str(problem) for problem in problems],
            check_only=check_only,
            kept=kept,
            max_mb=archive.MAX_TOTAL_BYTES // (1024 * 1024),
            max_files=archive.MAX_FILES,
            **_labels(),
        ),
        status,
    )


@bp.get("/admin/courses/")
@requires(Permission.EDIT_CONTENT)
def manage():
    return _manage_page()[0]


@bp.post("/admin/courses/")
@requires(Permission.EDIT_CONTENT)
def upload():
    """Check, then import, a .zip of course folders. An archive that passes "only check" is
    kept a day (lms.uploads), so importing it next needs no second choice of the file; one
    with problems is not kept: the fixed one is chosen."""
    check_only = request.form.get("check_only") == "1"
    upload, kept = pending.chosen(
        current_user.id,
        PURPOSE,
        request.files.get("archive"),
        request.form.get("archive_pending"),
        archive.MAX_TOTAL_BYTES,
    )
    if upload is None:
        flash(_("Hãy chọn tệp .zip chứa thư mục khóa học."), "error")
        return _manage_page(check_only=check_only, status=400)
    filename = upload.filename
    try:
        sources = archive.read_courses(upload.data)
    except archive.ArchiveError as error:
        flash(
            _("Không nhận tệp “%(file)s”: gói .zip không an toàn hoặc bị hỏng.", file=filename),
            "error",
        )
        return _manage_page(problems=error.problems, check_only=check_only, status=400)
    report = checker.check_courses(sources)
    if report.errors:
        flash(
            _(
                "Tệp “%(file)s” có %(n)d lỗi nên chưa nhập gì. Hãy sửa các lỗi dưới đây rồi tải "
                "lên lại.",
                file=filename,
                n=len(report.errors),
            ),
            "error",
        )
        return _manage_page(problems=report.problems, check_only=check_only, status=400)
    try:
        summary = importer.import_courses(report)
    except Exception:
        db.session.rollback()
        raise
    if check_only:
        db.session.rollback()
        flash(
            _(
                "Tệp “%(file)s” không có lỗi (chỉ kiểm tra, chưa lưu gì). Nếu nhập: %(summary)s",
                file=filename,
                summary=summary,
            ),
            "info",
        )
        if kept is None:
            kept = pending.keep(current_user.id, PURPOSE, filename, upload.data)
            db.session.commit()
        return _manage_page(problems=report.problems, kept=kept)
    if kept is not None:
        pending.discard(kept)
    db.session.commit()
    flash(_("Đã nhập tệp “%(file)s”. %(summary)s", file=filename, summary=summary), "success")
    if report.warnings:
        flash(
            _(
                "Có %(n)d cảnh báo; hãy kiểm tra bằng “flask courses check” hoặc tải lên với "
                "“Chỉ kiểm tra” để xem.",
                n=len(report.warnings),
            ),
            "info",
        )
    return redirect(url_for("courses.manage"))


@bp.get("/admin/courses/<slug>/")
@requires(Permission.EDIT_CONTENT)
def course(slug: str) -> ResponseReturnValue:
    found = queries.course_with_lessons(slug)
    if found is None:
        abort(404)
    return render_template(
        "courses/course.html",
        course=found,
        intro=Markup(found.intro_html),
        hours=format_hours(found.hours),
        imported_at=format_datetime(found.imported_at, "dd/MM/yyyy HH:mm"),
        **_labels(),
    )


@bp.get("/admin/courses/<slug>/<lesson_slug>")
@requires(Permission.EDIT_CONTENT)
def lesson(slug: str, lesson_slug: str) -> ResponseReturnValue:
    found = queries.lesson_with_quizzes(slug, lesson_slug)
    if found is None:
        abort(404)
    return render_template("courses/lesson.html", lesson=found, body=Markup(found.body_html))


@bp.get("/media/<course_slug>/<sha256>.<extension>")
@public
def media(course_slug: str, sha256: str, extension: str) -> ResponseReturnValue:
    """A course's media file: to those signed in, and to anyone for a course open to all."""
    media_type = BY_URL_EXTENSION.get(extension)
    well_formed = media_type is not None and _SHA256_RE.match(sha256)
    stored = queries.media_file(course_slug, sha256) if well_formed else None
    if not current_user.is_authenticated and (stored is None or not stored.course.is_public):
        # As for any page for staff: a visitor is asked to sign in, and learns nothing more.
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if stored is not None and not stored.course.open_to(current_user):
        abort(404)  # a citizen: staff courses are not theirs to know of
    if stored is None or media_type is None or stored.content_type != media_type.content_type:
        abort(404)
    if sha256 in request.if_none_match:
        # The hash is the ETag: answer without loading the bytes from the database.
        response = make_response("", 304)
        response.set_etag(sha256)
    else:
        response = send_file(
            io.BytesIO(stored.data),
            mimetype=stored.content_type,
            conditional=True,
            etag=sha256,
            last_modified=stored.created_at,
            download_name=f"{sha256}.{extension}",
        )
    # Private: media are for signed-in people, so shared caches must not keep them.
    response.headers["Cache-Control"] = f"private, max-age={MEDIA_MAX_AGE}, immutable"
    return response
