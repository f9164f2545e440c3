"""The dictionary editor's pages, for content editors: every language's dictionary with its
unpublished entries, an entry typed in or corrected (checked by the rules a file's rows are
checked by), a file imported (all rows or none, or only checked) and exported as .csv or .xlsx."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms import sheets
from lms.access import requires
from lms.db import db, parse_count
from lms.dictionary import queries, services
from lms.dictionary.forms import EntryForm, ImportForm
from lms.dictionary.models import DictionaryEntry
from lms.i18n import gettext as _
from lms.roles import Permission
from lms.sheets import Problem, SheetError
from lms.uploads import services as pending
from lms.web import saving

bp = Blueprint(
    "dictionary_editor", __name__, url_prefix="/admin/dictionary", template_folder="templates"
)

PURPOSE = "dictionary"  # the import form's pending upload (lms.uploads)
# 50,000 entries with examples are a few MB; anything larger is not a dictionary file.
MAX_FILE_BYTES = 32 * 1024 * 1024


def _language_or_404(language: str) -> str:
    return str(services.dictionary_languages().get(language) or abort(404))


def _index(
    form: ImportForm, *, problems: list[Problem] | tuple[()] = (), status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "dictionary/editor/index.html",
            form=form,
            languages=queries.editor_languages(),
            problems=[str(problem) for problem in problems],
            columns=services.EXPORT_COLUMNS,
            required=services.COLUMNS,
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.EDIT_CONTENT)
def index() -> ResponseReturnValue:
    """The dictionaries, and a file to import: every row or none; only checked when asked, and
    then kept a day so importing it needs no second choice of the file."""
    form = ImportForm()
    if request.method == "GET":
        return _index(form)
    upload, kept = pending.chosen(
        current_user.id, PURPOSE, form.file.data, form.file_pending.data, MAX_FILE_BYTES
    )
    form.kept = kept
    if upload is None or len(upload.data) > MAX_FILE_BYTES:
        form.file.errors = [
            _("Hãy chọn tệp từ điển (.xlsx hoặc .csv).")
            if upload is None
            else _("Tệp lớn quá %(mb)d MB.", mb=MAX_FILE_BYTES // (1024 * 1024))
        ]
        return _index(form, status=400)
    try:
        summary = services.import_file(upload.filename, upload.data)
    except SheetError as error:
        db.session.rollback()
        flash(
            _(
                "Tệp “%(file)s” có %(n)d lỗi nên chưa nhập dòng nào. Hãy sửa các lỗi dưới đây "
                "rồi tải lên lại.",
                file=upload.filename,
                n=len(error.problems),
            ),
            "error",
        )
        form.kept = None  # the fixed file is chosen, not this one
        pending.forget(current_user.id, PURPOSE)
        db.session.commit()
        return _index(form, problems=error.problems, status=400)
    counts = _(
        "thêm %(added)d, cập nhật %(updated)d, không đổi %(unchanged)d mục từ",
        added=summary.added,
        updated=summary.updated,
        unchanged=summary.unchanged,
    )
    if form.check_only.data:
        db.session.rollback()
        flash(
            _(
                "Tệp “%(file)s” không có lỗi (chỉ kiểm tra, chưa lưu gì). Nếu nhập: %(counts)s.",
                file=upload.filename,
                counts=counts,
            ),
            "info",
        )
        checked = ImportForm(formdata=None)
        checked.kept = kept or pending.keep(current_user.id, PURPOSE, upload.filename, upload.data)
        db.session.commit()
        return _index(checked)
    if kept is not None:
        pending.discard(kept)
    db.session.commit()
    flash(_("Đã nhập tệp “%(file)s”: %(counts)s.", file=upload.filename, counts=counts), "success")
    return redirect(url_for("dictionary_editor.index"))


@bp.get("/<language>/export.<kind>")
@requires(Permission.EDIT_CONTENT)
def export(language: str, kind: str) -> ResponseReturnValue:
    """The language's whole dictionary (unpublished entries too) in the import layout."""
    _language_or_404(language)
    if kind == "csv":
        data, mimetype = services.export_csv(language), "text/csv; charset=utf-8"
    elif kind == "xlsx":
        data, mimetype = services.export_xlsx(language), sheets.XLSX_MIMETYPE
    else:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"tu-dien-{language}.{kind}",
    )


@bp.get("/<language>")
@requires(Permission.EDIT_CONTENT)
def entries(language: str) -> ResponseReturnValue:
    name = _language_or_404(language)
    search = request.args.get("q", "").strip()[:100]
    number = parse_count(request.args.get("page", "1"), limit=999_999) or 1
    page = queries.search(language, search, page=number, unpublished=True)
    return render_template(
        "dictionary/editor/entries.html", language=language, name=name, search=search, page=page
    )


@bp.route("/<language>/new", methods=["GET", "POST"])
@requires(Permission.EDIT_CONTENT)
def new(language: str) -> ResponseReturnValue:
    return _entry_page(language, None)


@bp.route("/<language>/<key>", methods=["GET", "POST"])
@requires(Permission.EDIT_CONTENT)
def edit(language: str, key: str) -> ResponseReturnValue:
    _language_or_404(language)
    return _entry_page(language, queries.entry(language, key, unpublished=True) or abort(404))


def _entry_page(language: str, found: DictionaryEntry | None) -> ResponseReturnValue:
    """A new entry (found None) or a saved one: the form, checked as a file's row is."""
    name = _language_or_404(language)
    key = found.key if found else None
    if request.method == "GET":
        form = EntryForm.of(found) if found else EntryForm(formdata=None)
        return _entry_form(form, language, name, key)
    form = EntryForm()
    if key is not None:
        form.key.data = key  # an entry's key names it for good: lessons refer to it
    if form.validate():
        row, problems = services.check_entry(form.cells(language))
        form.show(problems)
        if not problems:
            with saving(show=False) as saved:
                services.save_entry(row, published=bool(form.published.data), new=key is None)
            if saved:
                flash(_("Đã lưu mục từ “%(word)s”.", word=row.headword), "success")
                return redirect(url_for("dictionary_editor.edit", language=language, key=row.key))
            if saved.error is not None:
                form.refuse(saved.error)
    return _entry_form(form, language, name, key, status=400)


def _entry_form(
    form: EntryForm, language: str, name: str, key: str | None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "dictionary/editor/entry.html",
            form=form,
            language=language,
            name=name,
            key=key,
            parts=services.PARTS_OF_SPEECH,
            unwritten=language in services.UNWRITTEN,
        ),
        status,
    )
