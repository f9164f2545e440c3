"""The course editor's pages: a course's files edited in a form with a live preview, saved as
versions through the import's own checker; versions listed, compared, exported, reverted to."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from lms.access import requires
from lms.accounts import queries as people_queries
from lms.courses import editor, queries
from lms.courses import format as fmt
from lms.courses.checker import CheckReport
from lms.courses.editor import Draft, EditorError
from lms.courses.models import Course
from lms.db import db
from lms.i18n import gettext as _
from lms.roles import Permission

bp = Blueprint("course_editor", __name__, template_folder="templates")

MAX_TEXT = 1024 * 1024  # a course file's limit in the checker
MAX_LESSONS = 200


def _course_or_404(slug: str) -> Course:
    return queries.course_by_slug(slug) or abort(404)


def _posted_draft(slug: str) -> Draft:
    form = request.form
    names = form.getlist("lesson_name")[:MAX_LESSONS]
    texts = form.getlist("lesson_text")[:MAX_LESSONS]
    lessons = [
        (name.strip()[:120], text[:MAX_TEXT]) for name, text in zip(names, texts, strict=False)
    ]
    media = dict(
        zip(form.getlist("media_path")[:1000], form.getlist("media_sha")[:1000], strict=False)
    )
    return Draft(slug, form.get("course_md", "")[:MAX_TEXT], lessons, media)


def _problems_by_file(report: CheckReport | None, slug: str) -> dict[str, list[str]]:
    """Each problem under the file (field) it is about: "Dòng 12: ..."."""
    found: dict[str, list[str]] = {}
    for problem in report.problems if report else []:
        name = problem.path.removeprefix(f"{slug}/")
        label = _("lỗi") if problem.is_error else _("cảnh báo")
        found.setdefault(name, []).append(
            _(
                "Dòng %(line)d (%(label)s): %(message)s",
                line=problem.line,
                label=label,
                message=problem.message,
            )
        )
    return found


def _previews(report: CheckReport | None) -> dict[str, Markup]:
    """The rendered lessons (and introduction) of a report without errors, by file name."""
    if report is None or not report.courses:
        return {}
    checked = report.courses[0]
    previews = {fmt.COURSE_FILE: Markup(checked.intro_html)}
    names = {}
    for name in checked.texts:
        match = editor.LESSON_NAME_RE.match(name)
        if match:
            names[match.group(2)] = name
    for lesson in checked.lessons:
        if lesson.slug in names:
            previews[names[lesson.slug]] = Markup(lesson.html)
    return previews


def _edit_page(
    draft: Draft,
    course: Course | None,
    *,
    report: CheckReport | None = None,
    show_preview: bool = False,
    note: str = "",
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "courses/editor/edit.html",
            draft=draft,
            course=course,
            problems=_problems_by_file(report, draft.slug),
            other_problems=[
                str(problem)
                for problem in (report.problems if report else [])
                if not problem.path.startswith(f"{draft.slug}/")
            ],
            previews=_previews(report) if show_preview else {},
            note=note,
        ),
        status,
    )


@bp.route("/admin/courses/new", methods=["GET", "POST"])
@requires(Permission.EDIT_CONTENT)
def new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("courses/editor/new.html", slug="", title="", error=None)
    slug = request.form.get("slug", "").strip()[:80]
    title = request.form.get("title", "").strip()[:200]
    error = None
    if not fmt.SLUG_RE.match(slug):
        error = _(
            "Mã khóa học chỉ dùng chữ thường không dấu, số và dấu gạch ngang (ví dụ "
            "tieng-tay-co-ban)."
        )
    elif queries.course_by_slug(slug) is not None:
        error = _("Đã có khóa học mã “%(slug)s”; hãy chọn mã khác.", slug=slug)
    if error:
        return render_template("courses/editor/new.html", slug=slug, title=title, error=error), 400
    draft = editor.new_draft(slug, title, current_user.full_name)
    return _save(draft, None, note=_("Tạo khóa học"))


@bp.route("/admin/courses/<slug>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_CONTENT)
def edit(slug: str) -> ResponseReturnValue:
    course = _course_or_404(slug)
    if request.method == "GET":
        latest = editor.latest_version(course)
        if latest is None:
            flash(
                _(
                    "Khóa học này chưa có phiên bản nào (được nhập trước khi có trình soạn "
                    "thảo): hãy nhập lại thư mục hoặc tệp .zip của nó một lần."
                ),
                "error",
            )
            return redirect(url_for("courses.course", slug=slug))
        return _edit_page(editor.draft_of(course, latest), course)[0]
    draft = _posted_draft(slug)
    note = request.form.get("note", "").strip()[:300]
    action = request.form.get("action", "save")
    if action == "preview":
        report = editor.check(draft, course)
        status = 400 if report.errors else 200
        return _edit_page(draft, course, report=report, show_preview=True, note=note, status=status)
    if action == "add_lesson":
        draft.lessons.append((f"{len(draft.lessons) + 1:02d}-bai-moi.md", editor.NEW_LESSON))
        return _edit_page(draft, course, note=note)
    if action.startswith(("up:", "down:", "remove:")):
        verb, _sep, index_text = action.partition(":")
        index = int(index_text) if index_text.isdigit() else -1
        if not 0 <= index < len(draft.lessons):
            abort(400)
        other = index - 1 if verb == "up" else index + 1
        if verb == "remove":
            del draft.lessons[index]
        elif 0 <= other < len(draft.lessons):
            draft.lessons[index], draft.lessons[other] = draft.lessons[other], draft.lessons[index]
        editor.renumber(draft)
        return _edit_page(draft, course, note=note)
    if action == "attach":
        file = request.files.get("media_file")
        if file is None or not file.filename:
            flash(_("Hãy chọn tệp âm thanh hoặc hình ảnh để đính kèm."), "error")
            return _edit_page(draft, course, note=note, status=400)
        try:
            sha256 = editor.attach(course, file.filename, file.read(20 * 1024 * 1024 + 1))
        except EditorError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _edit_page(draft, course, note=note, status=400)
        db.session.commit()
        path = f"{fmt.MEDIA_DIR}/{file.filename.rsplit('/', 1)[-1].strip()}"
        draft.media[path] = sha256
        flash(_("Đã đính kèm %(path)s; hãy dùng nó trong bài rồi lưu.", path=path), "success")
        return _edit_page(draft, course, note=note)
    if action.startswith("detach:"):
        draft.media.pop(action.partition(":")[2], None)
        return _edit_page(draft, course, note=note)
    return _save(draft, course, note=note or _("Sửa trong trình soạn thảo"))


def _save(draft: Draft, course: Course | None, *, note: str) -> ResponseReturnValue:
    try:
        report, imported = editor.save(draft, course, note=note)
    except EditorError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _edit_page(draft, course, note=note, status=400)
    if not imported:
        db.session.rollback()
        flash(_("Chưa lưu: có %(n)d lỗi, ghi ngay dưới tệp có lỗi.", n=len(report.errors)), "error")
        return _edit_page(draft, course, report=report, note=note, status=400)
    db.session.commit()
    saved = queries.course_by_slug(draft.slug)
    latest = editor.latest_version(saved) if saved else None
    flash(_("Đã lưu khóa học (phiên bản %(n)d).", n=latest.number if latest else 1), "success")
    return redirect(url_for("course_editor.edit", slug=draft.slug))


@bp.post("/admin/courses/<slug>/preview")
@requires(Permission.EDIT_CONTENT)
def preview(slug: str) -> ResponseReturnValue:
    """One file of the posted draft as the learner would see it, or its problems: the page's
    live preview asks for it as the editor types."""
    course = queries.course_by_slug(slug)
    draft = _posted_draft(slug)
    report = editor.check(draft, course)
    name = request.form.get("file", fmt.COURSE_FILE)
    return render_template(
        "courses/editor/_preview.html",
        html=_previews(report).get(name),
        problems=_problems_by_file(report, slug).get(name, []),
        errors=len(report.errors),
    )


@bp.get("/admin/courses/<slug>/versions")
@requires(Permission.EDIT_CONTENT)
def versions(slug: str) -> ResponseReturnValue:
    course = _course_or_404(slug)
    kept = editor.versions(course)
    return render_template(
        "courses/editor/versions.html",
        course=course,
        versions=kept,
        authors=people_queries.full_names(
            {version.author_id for version in kept if version.author_id is not None}
        ),
    )


@bp.get("/admin/courses/<slug>/versions/<int:number>/diff")
@requires(Permission.EDIT_CONTENT)
def compare(slug: str, number: int) -> ResponseReturnValue:
    course = _course_or_404(slug)
    newer = editor.version(course, number) or abort(404)
    older = editor.version(course, number - 1)
    return render_template(
        "courses/editor/diff.html",
        course=course,
        newer=newer,
        older=older,
        changes=editor.diff(older, newer),
    )


@bp.post("/admin/courses/<slug>/versions/<int:number>/revert")
@requires(Permission.EDIT_CONTENT)
def revert(slug: str, number: int) -> ResponseReturnValue:
    course = _course_or_404(slug)
    if editor.version(course, number) is None:
        abort(404)
    report, imported = editor.revert(course, number)
    if not imported:
        db.session.rollback()
        flash(
            _(
                "Không quay lại được phiên bản %(n)d: nội dung của nó không còn hợp lệ "
                "(%(errors)d lỗi).",
                n=number,
                errors=len(report.errors),
            ),
            "error",
        )
        return redirect(url_for("course_editor.versions", slug=slug))
    db.session.commit()
    flash(_("Đã quay lại nội dung của phiên bản %(n)d.", n=number), "success")
    return redirect(url_for("course_editor.versions", slug=slug))


@bp.get("/admin/courses/<slug>/versions/<int:number>/export.zip")
@requires(Permission.EDIT_CONTENT)
def export(slug: str, number: int) -> ResponseReturnValue:
    course = _course_or_404(slug)
    saved = editor.version(course, number) or abort(404)
    return send_file(
        io.BytesIO(editor.export_zip(course, saved)),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{slug}-v{number}.zip",
    )
